import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { keys } from '../../shared/db/keys.js';
import { toEvent } from '../../shared/db/audit.js';
import { policy2024 } from '../../shared/domain/subsidy.js';
import type { RequestContext } from '../../shared/http/context.js';
import { ApiError } from '../../shared/http/errors.js';
import { PolicyService, type NewPolicyVersion } from '../../shared/services/policy.js';

let h: Harness;
let enterpriseToken: string;
beforeAll(async () => {
  h = await createHarness();
  const enterprise = await h.createOrg({ kind: 'enterprise', district: '320214' });
  enterpriseToken = await h.token(enterprise.id, 'enterprise');
});

const NOW = '2026-06-01T10:00:00+08:00';
const rates = { intermediate: 5500, senior: 6600, technician: 7700, senior_technician: 8800, certificate: 5500 };
const body = (effectiveFrom: string, extra: Partial<NewPolicyVersion> = {}) => ({
  effectiveFrom,
  ratesYuanPerYear: rates,
  defaultCityShareBasisPoints: 5000,
  cityShareBasisPointsByDistrict: { '320214': 4000 },
  ...extra,
});
const adminCtx = (today: string): RequestContext => ({
  principal: { sub: 'admin-1', orgId: 'platform', role: 'admin' },
  now: new Date(`${today}T02:00:00Z`),
  today,
  requestId: 'test',
});
const rulesOf = (res: { body: { errors?: { rule?: string }[] } }) => res.body.errors?.map((e) => e.rule);

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('R-SUB-1 policy table versioned by effective date', () => {
  it('R-SUB-1: lists the built-in 2024-04-02 version to any authenticated role', async () => {
    const res = await h.call('GET', '/v1/policy/versions', { token: enterpriseToken });
    expect(res.status).toBe(200);
    expect(res.body.items[0]).toEqual({
      version: '2024-04-02',
      effectiveFrom: '2024-04-02',
      ratesYuanPerYear: { intermediate: 5000, senior: 6000, technician: 7000, senior_technician: 8000, certificate: 5000 },
      defaultCityShareBasisPoints: 5000,
      cityShareBasisPointsByDistrict: {},
    });
    expect((await h.call('GET', '/v1/policy/versions')).status).toBe(401);
  });

  it('R-SUB-1 / R-SUB-5: an admin adds a future version with district cost-sharing; listed in date order', async () => {
    const res = await h.call('POST', '/v1/policy/versions', { token: h.adminToken, now: NOW, body: body('2027-01-01', { version: '锡人社〔2026〕1号' }) });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ ...body('2027-01-01'), version: '锡人社〔2026〕1号' });
    // A second, earlier-dated future version is sorted before it.
    expect((await h.call('POST', '/v1/policy/versions', { token: h.adminToken, now: NOW, body: body('2026-09-01') })).status).toBe(201);
    const list = await h.call('GET', '/v1/policy/versions', { token: enterpriseToken });
    expect(list.body.items.map((v: { effectiveFrom: string }) => v.effectiveFrom)).toEqual(['2024-04-02', '2026-09-01', '2027-01-01']);
    expect(list.body.items[1].version).toBe('2026-09-01'); // defaults to the effective date
    expect(list.body.items[2].cityShareBasisPointsByDistrict).toEqual({ '320214': 4000 });
    expect(list.body.nextCursor).toBeNull();
    // Pages as every list does (API.md: limit, cursor, {items, nextCursor}).
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { effectiveFrom: string }[]; nextCursor: string | null } } = await h.call('GET', `/v1/policy/versions?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: enterpriseToken });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((v) => v.effectiveFrom));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['2024-04-02', '2026-09-01', '2027-01-01']);
  });

  it('R-SUB-1: a version taking effect today or earlier is refused 422 RULE_VIOLATION (history is immutable)', async () => {
    for (const effectiveFrom of ['2026-06-01', '2025-01-01', '2024-04-02']) {
      const res = await h.call('POST', '/v1/policy/versions', { token: h.adminToken, now: NOW, body: body(effectiveFrom) });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('RULE_VIOLATION');
      expect(rulesOf(res)).toEqual(['R-SUB-1']);
      expect(res.body.errors[0].path).toBe('effectiveFrom');
    }
    // The CST date counts: 2026-06-01T20:00Z is already 2 June in China.
    const lateEvening = await h.call('POST', '/v1/policy/versions', { token: h.adminToken, now: '2026-06-01T20:00:00Z', body: body('2026-06-02') });
    expect(lateEvening.status).toBe(422);
  });

  it('R-SUB-1: a duplicate effectiveFrom is refused 422 RULE_VIOLATION, also the built-in date', async () => {
    expect((await h.call('POST', '/v1/policy/versions', { token: h.adminToken, now: NOW, body: body('2028-01-01') })).status).toBe(201);
    const again = await h.call('POST', '/v1/policy/versions', {
      token: h.adminToken,
      now: NOW,
      body: body('2028-01-01', { ratesYuanPerYear: { ...rates, senior: 9999 } }),
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ code: 'RULE_VIOLATION', detail: '施行日期为 2028-01-01 的政策版本已存在' });
    expect(rulesOf(again)).toEqual(['R-SUB-1']);
    // Seen from before the notice, 2024-04-02 is a future date, but the built-in version holds it.
    const builtin = await refusal(h.services.policy.create(adminCtx('2024-01-01'), body('2024-04-02')));
    expect(builtin.code).toBe('RULE_VIOLATION');
    // The stored version was not overwritten.
    const list = await h.services.policy.list();
    expect(list.find((v) => v.effectiveFrom === '2028-01-01')?.ratesYuanPerYear.senior).toBe(rates.senior);
  });

  it('R-SUB-1: concurrent creations of one date: exactly one wins', async () => {
    const results = await Promise.all(
      [1, 2, 3].map((i) => h.call('POST', '/v1/policy/versions', { token: h.adminToken, now: NOW, body: body('2029-01-01', { version: `v${i}` }) })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 422, 422]);
  });

  it('R-SUB-1: only an admin may add a version (403 FORBIDDEN)', async () => {
    const res = await h.call('POST', '/v1/policy/versions', { token: enterpriseToken, now: NOW, body: body('2030-01-01') });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    const hr = await h.createOrg({ kind: 'hr_bureau', district: '320200', level: 'city' });
    expect((await h.call('POST', '/v1/policy/versions', { token: await h.token(hr.id, 'hr'), now: NOW, body: body('2030-01-01') })).status).toBe(403);
    expect((await h.services.policy.list()).some((v) => v.effectiveFrom === '2030-01-01')).toBe(false);
  });

  it('R-SUB-1: inForce picks the version by date (before, on and after a new effectiveFrom)', async () => {
    const svc = new PolicyService(h.store);
    await svc.create(adminCtx('2026-06-01'), body('2031-03-01', { ratesYuanPerYear: { ...rates, intermediate: 6100 } }));
    const before = await svc.inForce('2031-02-28');
    const on = await svc.inForce('2031-03-01');
    const after = await svc.inForce('2031-12-31');
    expect(before.effectiveFrom).not.toBe('2031-03-01');
    expect(on.effectiveFrom).toBe('2031-03-01');
    expect(on.ratesYuanPerYear.intermediate).toBe(6100);
    expect(after.effectiveFrom).toBe('2031-03-01');
    expect((await svc.inForce('2024-04-02')).version).toBe(policy2024.version);
    expect((await svc.inForce('2025-12-31')).ratesYuanPerYear).toEqual(policy2024.ratesYuanPerYear);
    const none = await refusal(svc.inForce('2024-04-01'));
    expect(none.errors?.[0]?.rule).toBe('R-SUB-1');
  });

  it('R-SUB-1: list() is cached and the cache is invalidated by create; callers cannot alter it', async () => {
    const svc = new PolicyService(h.store);
    const first = await svc.list();
    first[0]!.ratesYuanPerYear.intermediate = 1;
    expect((await svc.list())[0]!.ratesYuanPerYear.intermediate).toBe(5000);
    expect(policy2024.ratesYuanPerYear.intermediate).toBe(5000);
    const other = new PolicyService(h.store); // another process: its cache is its own
    await other.list();
    await svc.create(adminCtx('2026-06-01'), body('2032-01-01'));
    expect((await svc.list()).some((v) => v.effectiveFrom === '2032-01-01')).toBe(true);
  });

  it('R-SUB-1: the creation is audited in the same transaction (R-AUDIT-1)', async () => {
    await h.services.policy.create(adminCtx('2026-06-01'), body('2033-01-01'));
    const { items } = await h.services.store.query({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.policyPartition, ':prefix': keys.eventPrefix },
    });
    const event = items.map(toEvent).find((e) => e.subjectId === '2033-01-01');
    expect(event).toMatchObject({
      action: 'policy.created',
      subjectType: 'policy',
      actor: { sub: 'admin-1', role: 'admin', orgId: 'platform' },
      after: { effectiveFrom: '2033-01-01', ratesYuanPerYear: rates },
    });
    // Events share the partition but are never listed as versions.
    expect((await new PolicyService(h.store).list()).every((v) => v.ratesYuanPerYear !== undefined)).toBe(true);
  });
});

describe('R-SUB-5 cost-sharing ratios and rates are validated', () => {
  it('R-SUB-5: city shares outside 0..10000 or not whole basis points are refused', async () => {
    const svc = h.services.policy;
    for (const bad of [10_001, -1, 50.5]) {
      const e = await refusal(svc.create(adminCtx('2026-06-01'), body('2034-01-01', { cityShareBasisPointsByDistrict: { '320214': bad } })));
      expect(e.code).toBe('RULE_VIOLATION');
      expect(e.errors).toEqual([expect.objectContaining({ rule: 'R-SUB-5', path: 'cityShareBasisPointsByDistrict.320214' })]);
    }
    const d = await refusal(svc.create(adminCtx('2026-06-01'), body('2034-01-01', { defaultCityShareBasisPoints: 10_001 })));
    expect(d.errors?.map((x) => x.rule)).toEqual(['R-SUB-5']);
    const district = await refusal(svc.create(adminCtx('2026-06-01'), body('2034-01-01', { cityShareBasisPointsByDistrict: { wuxi: 5000 } })));
    expect(district.errors?.map((x) => x.path)).toEqual(['cityShareBasisPointsByDistrict.wuxi']);
    // The bounds themselves are allowed: the whole line to the city, or to the district.
    await svc.create(adminCtx('2026-06-01'), body('2034-01-01', { defaultCityShareBasisPoints: 0, cityShareBasisPointsByDistrict: { '320214': 10_000 } }));
  });

  it('R-SUB-1: rates must be positive whole yuan for all five levels', async () => {
    const svc = h.services.policy;
    const e = await refusal(
      svc.create(adminCtx('2026-06-01'), body('2035-01-01', { ratesYuanPerYear: { ...rates, senior: 0, technician: 7000.5 } as typeof rates })),
    );
    expect(e.errors?.map((x) => x.path)).toEqual(['ratesYuanPerYear.senior', 'ratesYuanPerYear.technician']);
    const { certificate: _missing, ...four } = rates;
    const m = await refusal(svc.create(adminCtx('2026-06-01'), body('2035-01-01', { ratesYuanPerYear: four as typeof rates })));
    expect(m.errors?.map((x) => x.path)).toEqual(['ratesYuanPerYear.certificate']);
  });

  it('R-SUB-5: over HTTP the schema refuses malformed bodies with 400 VALIDATION_FAILED', async () => {
    const res = await h.call('POST', '/v1/policy/versions', {
      token: h.adminToken,
      now: NOW,
      body: { ...body('2036-01-01'), cityShareBasisPointsByDistrict: { '320214': 12_000 }, ratesYuanPerYear: { ...rates, senior: -1 } },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['ratesYuanPerYear.senior', 'cityShareBasisPointsByDistrict.320214']));
  });

  it('is documented in the OpenAPI document under the Policy tag', async () => {
    const doc = (await h.call('GET', '/openapi.json')).body;
    expect(doc.paths['/v1/policy/versions'].get).toMatchObject({ operationId: 'listPolicyVersions', tags: ['Policy'] });
    expect(doc.paths['/v1/policy/versions'].post).toMatchObject({ operationId: 'createPolicyVersion', tags: ['Policy'] });
    expect(doc.paths['/v1/policy/versions'].post.responses['201']).toBeDefined();
  });
});
