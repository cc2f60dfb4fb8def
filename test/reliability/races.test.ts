/**
 * Races on what exists today (organisations, Idempotency-Key, the calendar), fired with race():
 * exactly one winner where there must be one, losers answer 4xx problem documents (never 5xx), and
 * the real table holds exactly what the winners wrote, each with its one audit event. Cohort races
 * (submit, vote, filing, pay) go here when those endpoints land: same helper, same checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness, creditCode, type Harness } from '../support/harness.js';
import { race } from './race.js';
import { scanAll } from './table.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});

const N = 16;

async function stored(code: string) {
  const rows = await scanAll(h.tableName);
  const orgs = rows.filter((r) => r.SK === 'ORG' && r.creditCode === code);
  return {
    orgs,
    guards: rows.filter((r) => r.PK === `CREDITCODE#${code}`),
    events: rows.filter((r) => r.SK.startsWith('EVENT#') && orgs.some((o) => o.PK === r.PK)),
  };
}

function expectNoServerErrors(r: Awaited<ReturnType<typeof race>>) {
  expect(r.errors, 'a call threw').toEqual([]);
  for (const res of r.results) {
    expect(res!.status, r.summary).toBeLessThan(500);
    if (res!.status >= 400) expect(res!.headers.get('content-type')).toContain('application/problem+json');
  }
}

describe('races', () => {
  it(`${N} creates with the same credit code: one 201, the rest refused, one organisation and one event stored`, async () => {
    const code = creditCode('320214');
    const r = await race(N, (i) => h.call('POST', '/v1/organizations', { token: h.adminToken, body: { kind: 'enterprise', name: `企业 ${i}`, creditCode: code, district: '320214' } }));
    expectNoServerErrors(r);
    expect(r.count(201), r.summary).toBe(1);
    expect(r.count(422) + r.count(409), r.summary).toBe(N - 1);
    const s = await stored(code);
    expect([s.orgs.length, s.guards.length, s.events.length]).toEqual([1, 1, 1]);
    expect(s.guards[0]!.organizationId).toBe(s.orgs[0]!.id);
  });

  it(`${N} identical requests with one Idempotency-Key: one organisation; every 201 is the same answer`, async () => {
    const body = { kind: 'provider', name: '培训机构', creditCode: creditCode('320214'), district: '320214' };
    const key = `race-${Date.now()}`;
    const r = await race(N, () => h.call('POST', '/v1/organizations', { token: h.adminToken, body, headers: { 'idempotency-key': key } }));
    expectNoServerErrors(r);
    // The first wins; the others replay it (201) or, while it is in flight, get 409 CONFLICT.
    expect(r.count(201) + r.count(409), r.summary).toBe(N);
    expect(r.count(201), r.summary).toBeGreaterThanOrEqual(1);
    const created = r.results.filter((x) => x!.status === 201).map((x) => JSON.stringify(x!.body));
    expect(new Set(created).size).toBe(1);
    expect((await stored(body.creditCode)).orgs).toHaveLength(1);
    const after = await h.call('POST', '/v1/organizations', { token: h.adminToken, body, headers: { 'idempotency-key': key } });
    expect(after.status).toBe(201);
    expect(after.headers.get('idempotent-replayed')).toBe('true');
  });

  it(`${N} hr bureaus for one district: exactly one is registered`, async () => {
    const district = '320213';
    const r = await race(N, () => h.call('POST', '/v1/organizations', { token: h.adminToken, body: { kind: 'hr_bureau', level: 'district', name: '人社局', creditCode: creditCode(district), district } }));
    expectNoServerErrors(r);
    expect(r.count(201), r.summary).toBe(1);
    const rows = await scanAll(h.tableName);
    expect(rows.filter((x) => x.SK === 'ORG' && x.kind === 'hr_bureau' && x.district === district)).toHaveLength(1);
    expect(rows.filter((x) => x.PK === `BUREAU#${district}`)).toHaveLength(1);
  });

  it(`${N} different calendars for one year: the year ends as exactly one of them, everywhere`, async () => {
    const year = 2031;
    const bodies = Array.from({ length: N }, (_, i) => ({ holidays: [`${year}-01-01`, `${year}-10-${String(i + 1).padStart(2, '0')}`], workdays: [] as string[] }));
    const r = await race(N, (i) => h.call('PUT', `/v1/calendar/${year}`, { token: h.adminToken, body: bodies[i] }));
    expectNoServerErrors(r);
    expect(r.count(200) + r.count(409), r.summary).toBe(N);
    const table = (await scanAll(h.tableName)).find((x) => x.PK === 'CALENDAR' && x.SK === `YEAR#${year}`)!;
    const candidates = bodies.map((b) => JSON.stringify([...b.holidays].sort()));
    expect(candidates).toContain(JSON.stringify(table.holidays));
    // What the API answers (it caches loaded years) is what the table holds.
    const served = await h.call('GET', `/v1/calendar/${year}`, { token: h.adminToken });
    expect(served.body.holidays, 'the API serves another calendar than the table holds').toEqual(table.holidays);
    const events = (await scanAll(h.tableName)).filter((x) => x.PK === 'CALENDAR' && x.SK.startsWith('EVENT#') && x.subjectId === String(year));
    expect(events).toHaveLength(r.count(200));
  });
});
