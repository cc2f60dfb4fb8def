import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

/**
 * Deploy-time settings, read once from CDK context (`cdk.json` or `-c key=value`).
 * Values given on the command line arrive as strings, those from cdk.json may be numbers,
 * so every reader accepts both and fails synth with a message naming the key.
 */
export interface StackSettings {
  /** `STAGE` of the functions; only `prod` refuses the `X-Clock-Now` header. */
  readonly stage: string;
  readonly architecture: Architecture;
  /** Retention of the function and access log groups (audit trail: a year by default). */
  readonly logRetention: RetentionDays;
  readonly apiMemoryMb: number;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Set when an external OIDC issuer replaces the Cognito user pool (AWS China regions). */
  readonly externalIdentity?: OidcSettings;
}

/** What the API function needs to verify a bearer token itself (OIDC_* / *_CLAIM env). */
export interface OidcSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  readonly orgClaim: string;
  readonly roleClaim: string;
}

export const defaultClaims = { org: 'custom:org', role: 'custom:role' } as const;

const architectures: Record<string, Architecture> = {
  arm64: Architecture.ARM_64,
  x86_64: Architecture.X86_64,
};

/**
 * @param region the deployment region when known (stack env, `-c region`, CDK_DEFAULT_REGION);
 *   only used to refuse a Cognito user pool where Cognito user pools are not offered.
 */
export function readSettings(node: Node, region: string | undefined): StackSettings {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new Error(`Context "${key}" must be a string, got ${JSON.stringify(value)}`);
    }
    return String(value).trim();
  };
  const positiveInt = (key: string, fallback: number): number => {
    const raw = text(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) {
      throw new Error(`Context "${key}" must be a positive integer, got "${raw}"`);
    }
    return value;
  };

  const architectureName = text('architecture') ?? 'arm64';
  const architecture = architectures[architectureName];
  if (!architecture) {
    throw new Error(`Context "architecture" must be arm64 or x86_64, got "${architectureName}"`);
  }

  const retentionDays = positiveInt('logRetentionDays', RetentionDays.ONE_YEAR);
  if (!(Object.values(RetentionDays) as unknown[]).includes(retentionDays)) {
    throw new Error(
      `Context "logRetentionDays" must be a CloudWatch Logs retention (e.g. 30, 365, 3653), got ${retentionDays}`,
    );
  }

  return {
    stage: text('stage') ?? 'prod',
    architecture,
    logRetention: retentionDays as RetentionDays,
    apiMemoryMb: positiveInt('apiMemoryMb', 1024),
    throttle: {
      rateLimit: positiveInt('throttleRateLimit', 100),
      burstLimit: positiveInt('throttleBurstLimit', 200),
    },
    externalIdentity: readExternalIdentity(text, region),
  };
}

function readExternalIdentity(
  text: (key: string) => string | undefined,
  region: string | undefined,
): OidcSettings | undefined {
  const issuer = text('oidcIssuer')?.replace(/\/+$/, '');
  const audience = text('oidcAudience');
  if (!issuer) {
    if (audience) throw new Error('Context "oidcAudience" was given without "oidcIssuer"');
    if (region?.startsWith('cn-')) {
      throw new Error(
        `Amazon Cognito user pools are not offered in ${region} (AWS China). ` +
          'Pass an external OIDC issuer instead: ' +
          '-c oidcIssuer=https://<issuer> -c oidcAudience=<client id> ' +
          '(optionally -c oidcJwksUrl=<url> -c orgClaim=<claim> -c roleClaim=<claim>).',
      );
    }
    return undefined;
  }
  if (!issuer.startsWith('https://')) {
    throw new Error(`Context "oidcIssuer" must be an https:// URL, got "${issuer}"`);
  }
  if (!audience) {
    throw new Error('Context "oidcIssuer" needs "oidcAudience" (the client id tokens are issued to)');
  }
  return {
    issuer,
    audience,
    // The Cognito/Auth0 convention; issuers that publish keys elsewhere (Keycloak, Authing…) pass it.
    jwksUrl: text('oidcJwksUrl') ?? `${issuer}/.well-known/jwks.json`,
    orgClaim: text('orgClaim') ?? defaultClaims.org,
    roleClaim: text('roleClaim') ?? defaultClaims.role,
  };
}
