/** HS256 tokens of the local issuer (STAGE=local): printed by `npm start`, used by the tests. */
import { SignJWT } from 'jose';
import { LOCAL_ISSUER } from '../config.js';
import type { Role } from './context.js';

export async function signLocalToken(
  claims: { sub: string; org: string; role: Role },
  secret = process.env.LOCAL_JWT_SECRET ?? 'local-dev-secret',
  ttl: string | number = '12h',
): Promise<string> {
  return new SignJWT({ org: claims.org, role: claims.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(LOCAL_ISSUER)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(secret));
}
