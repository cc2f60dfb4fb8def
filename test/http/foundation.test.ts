import { beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT } from 'jose';
import { createHarness, creditCode, type Harness } from '../support/harness.js';
import { errorCatalogue } from '../../shared/http/errors.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});

describe('service endpoints', () => {
  it('answers /health without auth', async () => {
    const res = await h.call('GET', '/health');
    expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('serves an OpenAPI 3.1 document with bearer security', async () => {
    const res = await h.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(res.body.paths['/v1/organizations'].post.operationId).toBe('createOrganization');
  });

  it('documents the conventions’ headers: X-Clock-Now and Accept-Language on every operation, Retry-After on 503, ETag where a version is answered', async () => {
    await h.call('GET', '/openapi.json'); // the document is built once; each answer must be the same
    const doc = (await h.call('GET', '/openapi.json')).body;
    const operations = Object.values(doc.paths as Record<string, Record<string, { parameters?: { $ref?: string }[]; responses: Record<string, { headers?: Record<string, unknown> }> }>>).flatMap((item) => Object.values(item));
    expect(operations.length).toBeGreaterThan(40);
    for (const op of operations) {
      const refs = op.parameters!.map((p) => p.$ref).filter(Boolean);
      expect(refs).toEqual(['#/components/parameters/ClockNow', '#/components/parameters/AcceptLanguage']);
      if (op.responses['503']) expect(Object.keys(op.responses['503'].headers ?? {})).toContain('Retry-After');
    }
    expect(doc.components.parameters.ClockNow).toMatchObject({ name: 'X-Clock-Now', in: 'header' });
    // Each operation documented with an ETag answers one: a single organisation here.
    expect(Object.keys(doc.paths['/v1/organizations/{id}'].get.responses['200'].headers)).toEqual(['ETag']);
    const org = await h.createOrg({ kind: 'chamber', district: '320214' });
    expect((await h.call('GET', `/v1/organizations/${org.id}`, { token: h.adminToken })).headers.get('etag')).toMatch(/^"/);
  });

  it('serves the docs page and its assets itself (no CDN)', async () => {
    const page = await h.call('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.body).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(page.body).not.toMatch(/https?:\/\/(cdn|unpkg|jsdelivr)/);
    const script = await h.call('GET', '/docs/assets/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
  });
});

describe('errors are RFC 9457 problem documents', () => {
  it('unknown route → 404 NOT_FOUND problem+json', async () => {
    const res = await h.call('GET', '/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'NOT_FOUND', status: 404, type: '/problems/not-found' });
  });

  it('validation errors list field paths, in Chinese on request', async () => {
    const res = await h.call('POST', '/v1/organizations', {
      token: h.adminToken,
      body: { kind: 'nonsense', name: '', creditCode: 'x', district: '12' },
      headers: { 'accept-language': 'zh-CN,zh;q=0.9' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['kind', 'name', 'creditCode', 'district']));
    expect(res.body.title).toBe(errorCatalogue.VALIDATION_FAILED.title.zh);
    expect(res.headers.get('content-language')).toBe('zh-CN');
  });

  it('malformed JSON → 400 VALIDATION_FAILED, never 500', async () => {
    const res = await h.call('POST', '/v1/organizations', { token: h.adminToken, body: '{"kind":' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect([res.body.detail, res.body.errors]).toEqual(['The request body is not valid JSON', [{ path: '(body)', message: 'The request body is not valid JSON' }]]);
  });

  it('a date that is not a real calendar date is 400 VALIDATION_FAILED on every endpoint that takes one', async () => {
    const policy = await h.call('POST', '/v1/policy/versions', { token: h.adminToken, body: { effectiveFrom: '2030-02-30', ratesYuanPerYear: { intermediate: 5000, senior: 6000, technician: 7000, senior_technician: 8000, certificate: 5000 }, defaultCityShareBasisPoints: 5000 } });
    const calendar = await h.call('PUT', '/v1/calendar/2030', { token: h.adminToken, body: { holidays: ['2030-02-30'], workdays: [] } });
    for (const [res, path] of [[policy, 'effectiveFrom'], [calendar, 'holidays.0']] as const) {
      expect([res.status, res.body.code, res.body.errors?.[0]?.path]).toEqual([400, 'VALIDATION_FAILED', path]);
    }
  });

  it('oversized body → 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await h.call('POST', '/v1/organizations', { token: h.adminToken, body: { name: 'x'.repeat(300_000) } });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('every code of the catalogue renders with its status and no internals', () => {
    for (const [code, { status }] of Object.entries(errorCatalogue)) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(code).toMatch(/^[A-Z_]+$/);
    }
  });
});

describe('authentication', () => {
  const secret = new TextEncoder().encode('local-dev-secret');
  const sign = (claims: Record<string, unknown>, opts: { iss?: string; exp?: string | number; iat?: number; key?: Uint8Array } = {}) => {
    let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('u1').setIssuer(opts.iss ?? 'apprenticeship-local').setExpirationTime(opts.exp ?? '1h');
    jwt = opts.iat !== undefined ? jwt.setIssuedAt(opts.iat) : jwt.setIssuedAt();
    return jwt.sign(opts.key ?? secret);
  };
  const get = (token?: string) => h.call('GET', '/v1/occupations', token ? { token } : {});

  it('refuses a missing token', async () => expect((await get()).body.code).toBe('UNAUTHENTICATED'));
  it('refuses alg none', async () => {
    const token = new UnsecuredJWT({ org: 'platform', role: 'admin' }).setSubject('u1').setIssuer('apprenticeship-local').setExpirationTime('1h').encode();
    expect((await get(token)).status).toBe(401);
  });
  it('refuses a wrong signature', async () => {
    expect((await get(await sign({ org: 'platform', role: 'admin' }, { key: new TextEncoder().encode('other') }))).status).toBe(401);
  });
  it('refuses a wrong issuer', async () => expect((await get(await sign({ org: 'platform', role: 'admin' }, { iss: 'evil' }))).status).toBe(401));
  it('refuses an expired token', async () => {
    expect((await get(await sign({ org: 'platform', role: 'admin' }, { exp: Math.floor(Date.now() / 1000) - 10 }))).status).toBe(401);
  });
  it('refuses a token issued in the future', async () => {
    const iat = Math.floor(Date.now() / 1000) + 3600;
    expect((await get(await sign({ org: 'platform', role: 'admin' }, { iat, exp: iat + 3600 }))).status).toBe(401);
  });
  it('refuses claim-less tokens', async () => expect((await get(await sign({}))).status).toBe(401));
  it('refuses an organisation that does not exist', async () => expect((await get(await h.token('01NOPE', 'enterprise'))).status).toBe(401));
  it('refuses a role that does not match its organisation kind', async () => {
    const chamber = await h.createOrg({ kind: 'chamber', district: '320214' });
    const res = await get(await h.token(chamber.id, 'hr'));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });
  it('refuses admin tokens not on org platform', async () => expect((await get(await h.token('x', 'admin'))).status).toBe(403));
  it('refuses HS256 local tokens when STAGE is prod', async () => {
    const prod = await createHarness({ stage: 'prod' });
    expect((await prod.call('GET', '/v1/occupations', { token: prod.adminToken })).status).toBe(401);
  });
});

describe('test clock (X-Clock-Now)', () => {
  it('is refused with 400 CLOCK_OVERRIDE_FORBIDDEN when STAGE=prod', async () => {
    const prod = await createHarness({ stage: 'prod' });
    const res = await prod.call('GET', '/health', { now: '2026-04-14T07:00:00+08:00' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('CLOCK_OVERRIDE_FORBIDDEN');
  });
  it('rejects a malformed timestamp, and a date that does not exist', async () => {
    for (const now of ['yesterday', '2027-02-30T10:00:00+08:00', '2027-03-01T25:00:00Z']) {
      const res = await h.call('GET', '/health', { now });
      expect([res.status, res.body.code], now).toEqual([400, 'VALIDATION_FAILED']);
    }
  });
  it('reads a time without offset, or a date alone, in China Standard Time, never the host’s zone', async () => {
    const createdAt = async (now: string) => {
      const res = await h.call('POST', '/v1/occupations', { token: h.adminToken, now, body: { code: `T-${Math.random().toString(36).slice(2, 10)}`, name: '测试工种', skillEvaluation: true } });
      expect(res.status).toBe(201);
      return res.body.createdAt;
    };
    expect(await createdAt('2027-03-01T20:00:00')).toBe('2027-03-01T12:00:00.000Z');
    expect(await createdAt('2027-03-01')).toBe('2027-02-28T16:00:00.000Z');
    expect(await createdAt('2027-03-01T20:00:00Z')).toBe('2027-03-01T20:00:00.000Z');
    expect(await createdAt('2027-03-01T10:00:00.123456+08:00')).toBe('2027-03-01T02:00:00.123Z'); // Python's isoformat()
  });
});

describe('calendar years (R-FILE-1)', () => {
  it('a loaded year replaces the official one until it is unloaded; only the admin does either', async () => {
    const official = await h.call('GET', '/v1/calendar/2026', { token: h.adminToken });
    expect([official.body.source, official.body.holidays.length]).toEqual(['official', 33]);
    const org = await h.createOrg({ kind: 'chamber', district: '320214' });
    const chamber = await h.token(org.id, 'chamber');
    expect((await h.call('DELETE', '/v1/calendar/2026', { token: chamber })).status).toBe(403);
    expect((await h.call('DELETE', '/v1/calendar/2026', { token: h.adminToken })).status).toBe(404);
    await h.call('PUT', '/v1/calendar/2026', { token: h.adminToken, body: { holidays: ['2026-12-31'], workdays: [] } });
    expect((await h.call('GET', '/v1/calendar/2026', { token: chamber })).body).toMatchObject({ source: 'loaded', holidays: ['2026-12-31'] });
    const back = await h.call('DELETE', '/v1/calendar/2026', { token: h.adminToken });
    expect([back.status, back.body]).toEqual([200, official.body]);
    expect((await h.call('GET', '/v1/calendar/2026', { token: chamber })).body).toEqual(official.body);
    expect((await h.call('DELETE', '/v1/calendar/2026', { token: h.adminToken })).status).toBe(404);
    // The year is four digits, not anything a number parser takes.
    for (const year of ['2027.0', '0x7eb', '2e3', '02027', '1999']) {
      const res = await h.call('GET', `/v1/calendar/${year}`, { token: chamber });
      expect([res.status, res.body.code], year).toEqual([400, 'VALIDATION_FAILED']);
    }
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body, and refuses another body', async () => {
    const body = { kind: 'chamber', name: '无锡市新吴区工商联', creditCode: creditCode(), district: '320214' };
    const headers = { 'idempotency-key': 'k-1' };
    const first = await h.call('POST', '/v1/organizations', { token: h.adminToken, body, headers });
    const again = await h.call('POST', '/v1/organizations', { token: h.adminToken, body, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await h.call('POST', '/v1/organizations', { token: h.adminToken, body: { ...body, name: 'other' }, headers });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const list = await h.call('GET', '/v1/organizations?kind=chamber&district=320214', { token: h.adminToken });
    expect(list.body.items.filter((o: { creditCode: string }) => o.creditCode === body.creditCode)).toHaveLength(1);
  });
});

describe('Idempotency-Key while the first request is in flight', () => {
  it('answers 409 CONFLICT and changes nothing', async () => {
    const { idempotencyRecordKey } = await import('../../shared/http/idempotency.js');
    const body = { kind: 'chamber', name: '在途请求', creditCode: creditCode(), district: '320214' };
    // The first request claimed the key and has not finished: its record is in flight.
    const { createHash } = await import('node:crypto');
    const bodyHash = createHash('sha256').update(`POST /v1/organizations\n${JSON.stringify(body)}`).digest('base64url');
    await h.store.put({ ...idempotencyRecordKey({ orgId: 'platform', sub: 'admin-1' }, 'k-flight'), state: 'in_flight', bodyHash, expiresAt: Math.floor(Date.now() / 1000) + 60 });
    const res = await h.call('POST', '/v1/organizations', { token: h.adminToken, body, headers: { 'idempotency-key': 'k-flight' } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CONFLICT');
    const list = await h.call('GET', '/v1/organizations?kind=chamber', { token: h.adminToken });
    expect(list.body.items.some((o: { creditCode: string }) => o.creditCode === body.creditCode)).toBe(false);
  });
});
