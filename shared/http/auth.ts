/**
 * Bearer JWT verified inside the app (jose), so it works behind any gateway: HS256 tokens of the
 * local issuer when STAGE=local, RS256/ES256 tokens of the configured OIDC issuer otherwise
 * (Cognito by default; a government identity platform in the China regions).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload } from 'jose';
import type { AppConfig } from '../config.js';
import { LOCAL_ISSUER } from '../config.js';
import { OrganizationService } from '../services/organizations.js';
import { ApiError } from './errors.js';
import { LightResponse } from './lambda.js';
import { roles, type Principal, type Role } from './context.js';

const unauthenticated = (en: string, zh: string) => new ApiError('UNAUTHENTICATED', { en, zh }, undefined, { 'www-authenticate': 'Bearer' });

export class Authenticator {
  private readonly localKey: Uint8Array;
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;
  /**
   * Claims of tokens whose signature was verified, by the exact token string: a client's repeated
   * requests skip the WebCrypto check (≈1 ms each on a busy host). Bounded; expiry re-checked on use.
   */
  private readonly verified = new Map<string, JWTPayload>();

  constructor(
    private readonly config: AppConfig,
    private readonly organizations: OrganizationService,
  ) {
    this.localKey = new TextEncoder().encode(config.localJwtSecret);
    if (config.oidc) {
      this.jwks = createRemoteJWKSet(new URL(config.oidc.jwksUrl), { [customFetch]: fetchJwks });
      // Fetch the issuer's keys while the function initialises rather than on the first
      // authenticated request (one HTTPS round trip off the cold first response); on failure the
      // first request fetches them again.
      this.jwks.reload().catch(() => undefined);
    }
  }

  async authenticate(header: string | undefined): Promise<Principal> {
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    if (!token) throw unauthenticated('Missing Bearer token', '缺少 Bearer 令牌');
    const claims = await this.verify(token);
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.iat === 'number' && claims.iat > now + 60) throw unauthenticated('Token issued in the future', '令牌签发时间无效');
    const orgClaim = this.isLocal(claims) ? 'org' : (this.config.oidc?.orgClaim ?? 'org');
    const roleClaim = this.isLocal(claims) ? 'role' : (this.config.oidc?.roleClaim ?? 'role');
    const sub = claims.sub;
    const orgId = claims[orgClaim];
    const role = claims[roleClaim];
    if (typeof sub !== 'string' || !sub || typeof orgId !== 'string' || !orgId || typeof role !== 'string' || !roles.includes(role as Role)) {
      throw unauthenticated('Token lacks sub, org or a known role', '令牌缺少 sub、org 或有效的 role');
    }
    if (role === 'admin') {
      if (orgId !== 'platform') throw new ApiError('FORBIDDEN', { en: 'admin tokens carry org "platform"', zh: '管理员令牌的 org 须为 platform' });
      return { sub, orgId, role };
    }
    const org = await this.organizations.find(orgId);
    if (!org) throw unauthenticated('Token names an organisation that does not exist', '令牌中的单位不存在');
    if (OrganizationService.kindOfRole(role) !== org.kind) {
      throw new ApiError('FORBIDDEN', { en: `role ${role} does not match an organisation of kind ${org.kind}`, zh: '角色与单位类型不匹配' });
    }
    return { sub, orgId, role: role as Role, org };
  }

  private isLocal(claims: JWTPayload) {
    return this.config.stage === 'local' && claims.iss === LOCAL_ISSUER;
  }

  private async verify(token: string): Promise<JWTPayload> {
    const known = this.verified.get(token);
    if (known && typeof known.exp === 'number' && known.exp > Date.now() / 1000) return known;
    const claims = await this.verifySignature(token);
    if (this.verified.size >= 1000) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return claims;
  }

  private async verifySignature(token: string): Promise<JWTPayload> {
    try {
      if (this.config.stage === 'local' && peekIssuer(token) === LOCAL_ISSUER) {
        return (await jwtVerify(token, this.localKey, { issuer: LOCAL_ISSUER, algorithms: ['HS256'], requiredClaims: ['exp'] })).payload;
      }
      if (!this.config.oidc || !this.jwks) throw new Error('no OIDC issuer configured');
      const { issuer, audience } = this.config.oidc;
      return (
        await jwtVerify(token, this.jwks, { issuer, ...(audience ? { audience } : {}), algorithms: ['RS256', 'ES256'], requiredClaims: ['exp'] })
      ).payload;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw unauthenticated('Invalid or expired token', '令牌无效或已过期');
    }
  }
}

function peekIssuer(token: string): string | undefined {
  try {
    const payload = token.split('.')[1];
    if (!payload) return undefined;
    const iss = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown }).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

const MAX_JWKS_BYTES = 256 * 1024;

/**
 * jose's JWKS download over node:http(s), which the DynamoDB client has loaded already, instead of the
 * global fetch: its first use loads undici, 20–30 ms of the cold start, since the keys are fetched
 * while the function initialises (shared/http/lambda.ts keeps undici out of requests too). A GET over
 * http(s) only, no redirects followed, the timeout through jose's signal, at most 256 KB read; the
 * answer is a LightResponse (what jose reads: the status and the JSON body).
 */
export function fetchJwks(url: string, init: { headers?: Headers; signal?: AbortSignal }): Promise<Response> {
  return new Promise((resolve, reject) => {
    const scheme = new URL(url).protocol;
    if (scheme !== 'https:' && scheme !== 'http:') return reject(new TypeError(`JWKS URL must be http(s), not ${scheme}`));
    const send = scheme === 'https:' ? httpsRequest : httpRequest;
    const headers = Object.fromEntries(init.headers ?? []);
    const req = send(url, { method: 'GET', headers, ...(init.signal ? { signal: init.signal } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // A key set is a few KB; a body past the cap is no key set, and is not read to its end.
        if (size > MAX_JWKS_BYTES) req.destroy(new Error(`JWKS response larger than ${MAX_JWKS_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        const type = res.headers['content-type'];
        try {
          resolve(new LightResponse(Buffer.concat(chunks).toString('utf8'), { status: res.statusCode, headers: type ? { 'content-type': type } : {} }) as unknown as Response);
        } catch (error) {
          reject(error); // a status no Response can have
        }
      });
    });
    // An abort by jose's timeout surfaces as the signal's reason (a TimeoutError), as with fetch.
    req.on('error', (error) => reject(init.signal?.aborted ? init.signal.reason : error));
    req.end();
  });
}
