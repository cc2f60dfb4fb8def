/** Runtime configuration, read once from the environment (README §Configuration lists every variable). */
export interface OidcConfig {
  issuer: string;
  audience: string;
  jwksUrl: string;
  orgClaim: string;
  roleClaim: string;
}

export interface AppConfig {
  /** `local` (npm start, tests), `dev`, `prod`… Only `prod` refuses X-Clock-Now. */
  stage: string;
  localJwtSecret: string;
  oidc?: OidcConfig;
  /** R-PLAN-1 design choice: working days of publicity (公示) before plan listing. */
  publicityWorkingDays: number;
  /** Design choice: participants per cohort, so every cohort change fits one transaction. */
  maxParticipants: number;
  maxBodyBytes: number;
  idempotencyTtlSeconds: number;
  /** Salt for the hash that keys a person's enrolment lock, so ID numbers never appear in keys. */
  personHashSalt: string;
}

export const LOCAL_ISSUER = 'apprenticeship-local';

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const issuer = env.OIDC_ISSUER;
  return {
    stage: env.STAGE ?? 'local',
    localJwtSecret: env.LOCAL_JWT_SECRET ?? 'local-dev-secret',
    ...(issuer
      ? {
          oidc: {
            issuer,
            audience: env.OIDC_AUDIENCE ?? '',
            jwksUrl: env.OIDC_JWKS_URL ?? `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`,
            orgClaim: env.ORG_CLAIM ?? 'custom:org',
            roleClaim: env.ROLE_CLAIM ?? 'custom:role',
          },
        }
      : {}),
    publicityWorkingDays: intEnv(env.PUBLICITY_WORKING_DAYS, 5),
    maxParticipants: intEnv(env.MAX_PARTICIPANTS, 60),
    maxBodyBytes: intEnv(env.MAX_BODY_BYTES, 256 * 1024),
    idempotencyTtlSeconds: intEnv(env.IDEMPOTENCY_TTL_SECONDS, 24 * 3600),
    personHashSalt: env.PERSON_HASH_SALT ?? 'apprenticeship',
  };
}

function intEnv(value: string | undefined, fallback: number): number {
  const n = value === undefined ? NaN : Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
