import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness.js';
import { createWorld, design, ok, readyDraft, toPlanned, traineeBody, type World } from '../support/world.js';

/**
 * R-KPI-1 after whole lifecycles: a joint class of three SMEs in three districts with a departure
 * before training, one during it and a failed assessment, plus a senior-level enterprise class;
 * then one subsidy line paid. The counters are written by the cohort and subsidy services in the
 * transactions of the changes; /v1/stats reads them per district, per city or for every district.
 */
let w: World;
const at = (day: string) => `${day}T10:00:00+08:00`;
let paidFen = 0;

async function fileAndApprove(cohortId: string, filers: [string, string][], bureaus: string[]) {
  for (const [id, token] of filers) {
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token, now: at('2026-07-15'), body: { enterpriseId: id, commitment: { signerName: '王芳', statement: '承诺信息真实' } } });
  }
  for (const token of bureaus) await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/filings/approve`, { token, now: at('2026-07-20') });
  expect((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.auditor })).status).toBe('in_training');
}

beforeAll(async () => {
  w = await createWorld(await createHarness());
  const { orgs, tokens } = w;
  const panel = { bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) };

  // Joint class: 2 + 2 + 2 trainees insured in 320214 ×3, 320211 ×2, 320213 ×1.
  const joint = await readyDraft(w, {
    participants: [
      { id: orgs.smeA.id, token: tokens.smeA, district: '320214', trainees: 2 },
      { id: orgs.smeB.id, token: tokens.smeB, district: '320211', trainees: 2 },
      { id: orgs.smeC.id, token: tokens.smeC, district: '320213', trainees: 2, insured: ['320213', '320214'] },
    ],
  });
  await toPlanned(w, joint.cohortId, { organizer: tokens.chamber, ...panel });
  const [a0, a1, , b1, c0, c1] = joint.trainees;
  // Departure before training (counted when training starts) and one during training.
  await ok(w, 200, 'POST', `/v1/cohorts/${joint.cohortId}/trainees/${b1!.id}/departure`, { token: tokens.smeB, now: at('2026-07-14'), body: { leftOn: '2026-07-12' } });
  await fileAndApprove(joint.cohortId, [[orgs.smeA.id, tokens.smeA], [orgs.smeB.id, tokens.smeB], [orgs.smeC.id, tokens.smeC]], [tokens.xinwu, tokens.binhu, tokens.liangxi]);
  await ok(w, 200, 'POST', `/v1/cohorts/${joint.cohortId}/trainees/${a1!.id}/departure`, { token: tokens.smeA, now: at('2027-01-10'), body: { leftOn: '2027-01-02' } });
  const remaining = [a0!, joint.trainees[2]!, c0!, c1!];
  const results = remaining.map((t) => ({ traineeId: t.id, passed: t !== a0, method: 'third_party', assessedOn: '2027-08-10', ...(t !== a0 ? { certificateNo: `CERT-${t.id}` } : {}) }));
  await ok(w, 200, 'POST', `/v1/cohorts/${joint.cohortId}/assessments`, { token: tokens.chamber, now: at('2027-08-12'), body: { results } });
  await ok(w, 200, 'POST', `/v1/cohorts/${joint.cohortId}/closing`, { token: tokens.chamber, now: at('2027-08-20'), body: { materials: [{ name: '材料.pdf', sha256: 'a'.repeat(64) }] } });
  await ok(w, 200, 'POST', `/v1/cohorts/${joint.cohortId}/closing/accept`, { token: tokens.xinwu, now: at('2027-08-25') });

  // Senior-level enterprise class of smeA: 2 trainees, insured in 320214 (R-ELIG-3 prior certificates).
  const senior = await ok(w, 201, 'POST', '/v1/cohorts', { token: tokens.smeA, now: at('2026-06-01'), body: design(w, { mode: 'enterprise', level: 'senior', name: '数控车工高级工班' }) });
  for (let i = 0; i < 2; i++) {
    const body = traineeBody(orgs.smeA.id, '320214', { priorCertificate: { level: 'intermediate', occupationCode: w.occupation, issuedOn: '2023-05-01', number: `INT-${i}` } });
    await ok(w, 201, 'POST', `/v1/cohorts/${senior.id}/trainees`, { token: tokens.smeA, now: at('2026-06-01'), body });
  }
  await ok(w, 201, 'POST', `/v1/cohorts/${senior.id}/mentors`, { token: tokens.smeA, now: at('2026-06-01'), body: { kind: 'enterprise', name: '王师傅', organizationId: orgs.smeA.id } });
  await ok(w, 201, 'POST', `/v1/cohorts/${senior.id}/mentors`, { token: tokens.provider, now: at('2026-06-01'), body: { kind: 'school', name: '李老师', organizationId: orgs.provider.id } });
  await toPlanned(w, senior.id, { organizer: tokens.smeA, ...panel });
  await fileAndApprove(senior.id, [[orgs.smeA.id, tokens.smeA]], [tokens.xinwu]);

  // One line paid by the Xinwu bureau in 2027.
  const lines = await ok(w, 200, 'GET', '/v1/disbursements', { token: tokens.xinwu });
  const line = lines.items[0];
  expect(line.district).toBe('320214');
  await ok(w, 200, 'POST', `/v1/disbursements/${line.id}/approve`, { token: tokens.xinwu, now: at('2027-08-28'), body: { fundingSource: 'employment_subsidy' } });
  await ok(w, 200, 'POST', `/v1/disbursements/${line.id}/pay`, { token: tokens.xinwu, now: at('2027-09-01'), body: { paidOn: '2027-09-01', reference: '国库集中支付 2027-0901' } });
  paidFen = line.amountFen;
  expect(paidFen).toBeGreaterThan(0);
});

const stats = (token: string, query: string) => ok(w, 200, 'GET', `/v1/stats?${query}`, { token, now: at('2027-10-01') });

describe('R-KPI-1: yearly KPIs per district and city', () => {
  it('counts a district: enrolled, departed, senior share, passed and failed in the year training started', async () => {
    const s = await stats(w.tokens.xinwu, 'year=2026&district=320214');
    expect(s).toMatchObject({
      year: 2026, district: '320214', scope: 'district',
      enrolled: 5, departed: 1, retained: 4, seniorOrAbove: 2, passed: 1, failed: 1, subsidyPaidFen: 0,
      retentionRate: 0.8, seniorShare: 0.4,
      targets: { enrolledPerYear: 2000, retentionRate: 0.85, seniorShare: 0.2 },
      meetsTargets: { enrolledPerYear: null, retentionRate: false, seniorShare: true },
    });
    // A departure before training counts as enrolled and departed (retention over everyone enrolled).
    expect(await stats(w.tokens.binhu, 'year=2026')).toMatchObject({ district: '320211', enrolled: 2, departed: 1, passed: 1, failed: 0, retentionRate: 0.5, seniorShare: 0 });
  });

  it('sums a city over its districts (Query on the year partition by city prefix)', async () => {
    const s = await stats(w.tokens.cityBureau, 'year=2026');
    expect(s).toMatchObject({
      year: 2026, district: '320200', scope: 'city',
      enrolled: 8, departed: 2, retained: 6, seniorOrAbove: 2, passed: 3, failed: 1,
      retentionRate: 0.75, seniorShare: 0.25,
      meetsTargets: { enrolledPerYear: false, retentionRate: false, seniorShare: true },
    });
    expect(s.districts.map((d: { district: string; enrolled: number }) => [d.district, d.enrolled])).toEqual([['320211', 2], ['320213', 1], ['320214', 5]]);
    expect(await stats(w.tokens.cityBureau, 'year=2026&district=320213')).toMatchObject({ scope: 'district', enrolled: 1, departed: 0, passed: 1, retentionRate: 1 });
  });

  it('counts subsidy paid in the year of payment, for the paying district', async () => {
    const s = await stats(w.tokens.xinwu, 'year=2027');
    expect(s).toMatchObject({ district: '320214', enrolled: 0, subsidyPaidFen: paidFen, retentionRate: null, seniorShare: null, meetsTargets: { retentionRate: null, seniorShare: null } });
    expect((await stats(w.tokens.auditor, 'year=2027')).subsidyPaidFen).toBe(paidFen);
  });

  it('an auditor reads any district, city, or every district of a year', async () => {
    const all = await stats(w.tokens.auditor, 'year=2026');
    expect(all).toMatchObject({ district: null, scope: 'all', enrolled: 8, departed: 2, seniorOrAbove: 2 });
    expect(await stats(w.tokens.auditor, 'year=2026&district=320211')).toMatchObject({ enrolled: 2 });
    expect(await stats(w.tokens.auditor, 'year=2025')).toMatchObject({ enrolled: 0, retentionRate: null, districts: [] });
  });

  it('a district bureau reads its own district only, a city bureau its city; others are refused', async () => {
    const { tokens } = w;
    for (const [token, query] of [
      [tokens.xinwu, 'year=2026&district=320211'],
      [tokens.xinwu, 'year=2026&district=320200'],
      [tokens.cityBureau, 'year=2026&district=320505'],
      [tokens.smeA, 'year=2026'],
      [tokens.chamber, 'year=2026'],
    ] as const) {
      expect((await ok(w, 403, 'GET', `/v1/stats?${query}`, { token })).code).toBe('FORBIDDEN');
    }
    await ok(w, 400, 'GET', '/v1/stats?year=2026&district=32021', { token: tokens.auditor });
    // The year defaults to the current one (the request clock).
    expect((await ok(w, 200, 'GET', '/v1/stats', { token: tokens.xinwu, now: at('2026-12-01') })).year).toBe(2026);
  });
});
