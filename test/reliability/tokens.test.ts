/**
 * Tokens, across every secured operation of /openapi.json: alg none, wrong key, wrong issuer,
 * expired, issued in the future, missing claims → 401; a role that does not match its
 * organisation's kind → 403; HS256 local tokens when STAGE=prod → 401 (also against a real OIDC
 * issuer served from a local JWKS, with algorithm-confusion attempts); X-Clock-Now refused in prod.
 * No error body carries the secret, a stack trace, a table name or the token.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { errorCatalogue } from '../../shared/http/errors.js';
import { createHarness, creditCode, type CallResult, type Harness } from '../support/harness.js';
import { record } from './figures.js';
import { operationsOf, type OpenApiDoc, type Operation } from './hostile.js';

const LOCAL_SECRET = new TextEncoder().encode('local-dev-secret');
const nowS = () => Math.floor(Date.now() / 1000);

let h: Harness;
let operations: Operation[];
let chamberId: string;
let bureauId: string;

beforeAll(async () => {
  h = await createHarness();
  operations = operationsOf((await h.call('GET', '/openapi.json')).body as OpenApiDoc).filter((o) => o.secured);
  chamberId = (await h.createOrg({ kind: 'chamber', district: '320214' })).id;
  bureauId = (await h.createOrg({ kind: 'hr_bureau', district: '320214', level: 'district' })).id;
});

/** The operation's path with plausible ids, so routing reaches the operation itself. */
const concrete = (op: Operation) => op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => (name === 'year' ? '2027' : '01JAB3M6W9Q0ZC8Y7RS2TB4K1D'));

function localToken(claims: JWTPayload, options: { iss?: string; exp?: number | null; iat?: number; key?: Uint8Array; alg?: string } = {}) {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' }).setIssuer(options.iss ?? 'apprenticeship-local');
  if (options.exp !== null) jwt = jwt.setExpirationTime(options.exp ?? nowS() + 3600);
  jwt = jwt.setIssuedAt(options.iat ?? nowS());
  return jwt.sign(options.key ?? LOCAL_SECRET);
}

/** No secret, stack, table, key or token material in a response body. */
function expectNoLeak(res: CallResult, token?: string) {
  const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  for (const leak of ['local-dev-secret', '.ts:', '.js:', 'node_modules', 'Error:', 'IDEMPOTENCY#', 'ORG#', '"PK"', h.tableName, ...(token ? [token, token.split('.')[1]!] : [])]) {
    expect(text, `leaks ${leak}`).not.toContain(leak);
  }
  expect(text).not.toMatch(/\n\s*at\s|\bat\s+[\w$.<>]+\s+\(/);
}

function expectProblem(res: CallResult, status: 401 | 403 | 400, code: keyof typeof errorCatalogue) {
  expect(res.status, `${JSON.stringify(res.body)}`).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.code).toBe(code);
  if (status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
}

describe('bad tokens on every secured operation (STAGE=local)', () => {
  const cases: Array<[string, 401 | 403, () => Promise<string | undefined> | string | undefined]> = [
    ['no token', 401, () => undefined],
    ['alg none', 401, () => new UnsecuredJWT({ org: 'platform', role: 'admin' }).setSubject('a').setIssuer('apprenticeship-local').setExpirationTime('1h').encode()],
    ['alg none, signature kept', 401, async () => `${new UnsecuredJWT({ org: 'platform', role: 'admin', sub: 'a' }).setIssuer('apprenticeship-local').setExpirationTime('1h').encode()}${(await localToken({ sub: 'a', org: 'platform', role: 'admin' })).split('.')[2]}`],
    ['HS256 with another secret', 401, () => localToken({ sub: 'a', org: 'platform', role: 'admin' }, { key: new TextEncoder().encode('guess') })],
    ['HS512 with the right secret', 401, () => localToken({ sub: 'a', org: 'platform', role: 'admin' }, { alg: 'HS512' })],
    ['wrong issuer', 401, () => localToken({ sub: 'a', org: 'platform', role: 'admin' }, { iss: 'https://evil.example' })],
    ['expired', 401, () => localToken({ sub: 'a', org: 'platform', role: 'admin' }, { exp: nowS() - 5, iat: nowS() - 100 })],
    ['no exp', 401, () => localToken({ sub: 'a', org: 'platform', role: 'admin' }, { exp: null })],
    ['issued an hour in the future', 401, () => localToken({ sub: 'a', org: 'platform', role: 'admin' }, { iat: nowS() + 3600, exp: nowS() + 7200 })],
    ['no sub', 401, () => localToken({ org: 'platform', role: 'admin' })],
    ['no org', 401, () => localToken({ sub: 'a', role: 'admin' })],
    ['no role', 401, () => localToken({ sub: 'a', org: 'platform' })],
    ['unknown role', 401, () => localToken({ sub: 'a', org: 'platform', role: 'root' })],
    ['org that does not exist', 401, () => localToken({ sub: 'a', org: '01NOSUCHORG000000000000000', role: 'enterprise' })],
    ['tampered payload (role raised to admin)', 401, async () => {
      const [head, , sig] = (await h.token(chamberId, 'chamber')).split('.');
      const body = Buffer.from(JSON.stringify({ sub: 'x', org: 'platform', role: 'admin', iss: 'apprenticeship-local', exp: nowS() + 3600 })).toString('base64url');
      return `${head}.${body}.${sig}`;
    }],
    ['role of another organisation kind (hr on a chamber)', 403, () => h.token(chamberId, 'hr')],
    ['chamber role on an hr bureau', 403, () => h.token(bureauId, 'chamber')],
    ['admin role on a real organisation', 403, () => h.token(chamberId, 'admin')],
  ];

  it.each(cases)('%s → %i on every operation', async (_label, status, make) => {
    const token = await make();
    const headerVariants = token ? [`Bearer ${token}`] : [undefined, '', 'Bearer', 'Bearer ', 'Basic YWRtaW46bG9jYWwtZGV2LXNlY3JldA==', 'Token x', `Bearer ${'A'.repeat(20_000)}`];
    let n = 0;
    for (const op of operations) {
      for (const authorization of headerVariants) {
        const res = await h.call(op.method, concrete(op), { headers: authorization === undefined ? {} : { authorization } });
        expectProblem(res, status, status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN');
        expectNoLeak(res, token);
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(operations.length);
    if (status === 403) record({ isolation: 1 }); // one case (checked on every operation)
  });

  it('the same tokens are refused before any body is read or validated', async () => {
    const token = await h.token(chamberId, 'hr');
    const res = await h.call('POST', '/v1/organizations', { token, body: '{"not json' });
    expectProblem(res, 403, 'FORBIDDEN');
    const none = await h.call('POST', '/v1/organizations', { body: '{"not json' });
    expectProblem(none, 401, 'UNAUTHENTICATED');
  });
});

describe('STAGE=prod', () => {
  let prod: Harness;
  let jwks: Server;
  let issuer: string;
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let orgId: string;

  beforeAll(async () => {
    keys = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;
    prod = await createHarness({
      stage: 'prod',
      oidc: { issuer, audience: 'apprenticeship-api', jwksUrl: `${issuer}/jwks.json`, orgClaim: 'custom:org', roleClaim: 'custom:role' },
    });
    orgId = 'platform';
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => jwks?.close(() => resolve()));
  });

  const oidcToken = (claims: JWTPayload, options: { aud?: string; iss?: string; exp?: number } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(options.iss ?? issuer)
      .setAudience(options.aud ?? 'apprenticeship-api')
      .setSubject('cognito-user-1')
      .setIssuedAt()
      .setExpirationTime(options.exp ?? nowS() + 600)
      .sign(keys.privateKey);

  it('accepts a token of the configured issuer (the control case)', async () => {
    const token = await oidcToken({ 'custom:org': orgId, 'custom:role': 'admin' });
    const res = await prod.call('GET', '/v1/occupations', { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it('maps custom:org/custom:role and still checks the role against the organisation kind', async () => {
    const admin = await oidcToken({ 'custom:org': orgId, 'custom:role': 'admin' });
    const created = await prod.call('POST', '/v1/organizations', { token: admin, body: { kind: 'chamber', name: '商会', creditCode: creditCode(), district: '320214' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const chamber = await oidcToken({ 'custom:org': created.body.id, 'custom:role': 'chamber' });
    expect((await prod.call('GET', '/v1/occupations', { token: chamber })).status).toBe(200);
    const mismatched = await oidcToken({ 'custom:org': created.body.id, 'custom:role': 'hr' });
    const res = await prod.call('GET', '/v1/occupations', { token: mismatched });
    expectProblem(res, 403, 'FORBIDDEN');
    expectNoLeak(res, mismatched);
    const platformNotAdmin = await oidcToken({ 'custom:org': 'platform', 'custom:role': 'chamber' });
    expect((await prod.call('GET', '/v1/occupations', { token: platformNotAdmin })).status).toBe(401);
    record({ isolation: 2 });
  });

  it('refuses local HS256 tokens, alg none and algorithm confusion on every operation', async () => {
    const publicPem = new TextEncoder().encode(await exportSPKI(keys.publicKey));
    const tokens = {
      'local HS256 admin': prod.adminToken,
      'HS256 with the local secret, claiming the OIDC issuer': await new SignJWT({ 'custom:org': orgId, 'custom:role': 'admin' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(issuer).setAudience('apprenticeship-api').setSubject('x').setExpirationTime('1h').sign(LOCAL_SECRET),
      'HS256 keyed with the public key (alg confusion)': await new SignJWT({ 'custom:org': orgId, 'custom:role': 'admin' }).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setIssuer(issuer).setAudience('apprenticeship-api').setSubject('x').setExpirationTime('1h').sign(publicPem),
      'alg none': new UnsecuredJWT({ 'custom:org': orgId, 'custom:role': 'admin' }).setIssuer(issuer).setAudience('apprenticeship-api').setSubject('x').setExpirationTime('1h').encode(),
      'wrong audience': await oidcToken({ 'custom:org': orgId, 'custom:role': 'admin' }, { aud: 'other-api' }),
      'wrong issuer': await oidcToken({ 'custom:org': orgId, 'custom:role': 'admin' }, { iss: 'https://evil.example' }),
      expired: await oidcToken({ 'custom:org': orgId, 'custom:role': 'admin' }, { exp: nowS() - 10 }),
      'plain org/role claims instead of custom:org/custom:role': await oidcToken({ org: orgId, role: 'admin' }),
    };
    for (const [label, token] of Object.entries(tokens)) {
      for (const op of operations) {
        const res = await prod.call(op.method, concrete(op), { token });
        expect(res.status, `${label} on ${op.id}: ${JSON.stringify(res.body)}`).toBe(401);
        expectNoLeak(res, token);
      }
    }
  });

  it('refuses X-Clock-Now everywhere, with or without a token, before anything else', async () => {
    const token = await oidcToken({ 'custom:org': orgId, 'custom:role': 'admin' });
    const paths: Array<[string, string]> = [['GET', '/health'], ['GET', '/openapi.json'], ...operations.map((o) => [o.method, concrete(o)] as [string, string])];
    for (const [method, path] of paths) {
      for (const options of [{}, { token }]) {
        for (const now of ['2026-04-14T07:00:00+08:00', 'junk', '']) {
          const res = await prod.call(method, path, { ...options, headers: { 'x-clock-now': now } });
          expectProblem(res, 400, 'CLOCK_OVERRIDE_FORBIDDEN');
          expectNoLeak(res);
        }
      }
    }
  });
});
