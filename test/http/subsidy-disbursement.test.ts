/**
 * Subsidy lines through the API: created only at closing acceptance (R-SUB-3), one per (payee
 * enterprise, payer bureau of the insured district) (R-SUB-4, R-JOINT-3, R-ROUTE-2), the policy
 * version in force on the planned start (R-SUB-1) and its per-district cost sharing (R-SUB-5), and
 * disbursement pending → approved → paid, paid at most once whatever is retried (R-SUB-6).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness.js';
import { classDraft, createWorld, GatedStore, ok, refused, storeFactory, toClosingReview, toPlanned, type World } from '../support/world.js';
import { keys } from '../../shared/db/keys.js';
import { policy2024, splitShares, traineeSubsidy, type PolicyVersion } from '../../shared/domain/subsidy.js';

interface Line {
  id: string; cohortId: string; payeeId: string; payerBureauId: string; district: string; traineeIds: string[];
  amountFen: number; cityShareFen: number; districtShareFen: number; cityShareBasisPoints: number; policyVersion: string; status: string; version: number;
  trainees: { traineeId: string; months: number; rateFenPerYear: number; amountFen: number }[];
  approval?: { fundingSource: string; approvedOn: string }; payment?: { paidOn: string; reference: string };
}

let w: World;
let bureauOf: Record<string, { id: string; token: string }>;

/** The main class: SME A (新吴), B (滨湖), C (梁溪); some trainees insured outside their employer's district. */
let main: { cohortId: string; trainees: { id: string; enterpriseId: string; insuredDistrict: string }[] };
const outcomes = ['passed', 'passed', 'passed', 'passed', 'failed', 'passed', 'passed', 'departed'] as const;

beforeAll(async () => {
  w = await createWorld(await createHarness({}, storeFactory(GatedStore)));
  const { orgs, tokens } = w;
  bureauOf = {
    '320214': { id: orgs.xinwu.id, token: tokens.xinwu },
    '320211': { id: orgs.binhu.id, token: tokens.binhu },
    '320213': { id: orgs.liangxi.id, token: tokens.liangxi },
  };
  main = await classDraft(w, {
    participants: [
      { id: orgs.smeA.id, token: tokens.smeA, insured: ['320214', '320214'] },
      { id: orgs.smeB.id, token: tokens.smeB, insured: ['320211', '320214', '320211'] },
      { id: orgs.smeC.id, token: tokens.smeC, insured: ['320213', '320214', '320213'] },
    ],
  });
  await toPlanned(w, main.cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
  await toClosingReview(w, {
    cohortId: main.cohortId, organizer: tokens.chamber,
    participants: [{ id: orgs.smeA.id, token: tokens.smeA }, { id: orgs.smeB.id, token: tokens.smeB }, { id: orgs.smeC.id, token: tokens.smeC }],
    bureaus: [tokens.xinwu, tokens.binhu, tokens.liangxi],
    trainees: main.trainees,
    outcome: (_t, i) => outcomes[i]!,
  });
}, 60_000);

const lineList = async (token: string, query = '') => (await ok(w, 200, 'GET', `/v1/disbursements?limit=200${query}`, { token })).items as Line[];

describe('R-SUB-3: nothing exists before the closing is accepted', () => {
  it('GET subsidy is empty and no listing shows a line while the class is in closing_review', async () => {
    const cohort = await ok(w, 200, 'GET', `/v1/cohorts/${main.cohortId}`, { token: w.tokens.chamber });
    expect(cohort.status).toBe('closing_review');
    expect(await ok(w, 200, 'GET', `/v1/cohorts/${main.cohortId}/subsidy`, { token: w.tokens.xinwu })).toEqual({ totalFen: 0, lines: [] });
    for (const token of [w.tokens.xinwu, w.tokens.binhu, w.tokens.liangxi, w.tokens.smeA, w.tokens.smeB, w.tokens.auditor]) {
      expect(await lineList(token)).toEqual([]);
    }
  });
});

describe('closing acceptance creates the lines', () => {
  let lines: Line[];
  beforeAll(async () => {
    await ok(w, 200, 'POST', `/v1/cohorts/${main.cohortId}/closing/accept`, { token: w.tokens.xinwu, now: '2027-08-25T10:00:00+08:00' });
    lines = (await ok(w, 200, 'GET', `/v1/cohorts/${main.cohortId}/subsidy`, { token: w.tokens.chamber })).lines;
  });

  it('R-SUB-3: departed and failed trainees get nothing; every passed trainee is in exactly one line', () => {
    const paidIds = lines.flatMap((l) => l.traineeIds).sort();
    const passed = main.trainees.filter((_, i) => outcomes[i] === 'passed').map((t) => t.id).sort();
    expect(paidIds).toEqual(passed);
  });

  it('R-JOINT-3: each participant enterprise is its own payee; the organising chamber is never paid', () => {
    expect(new Set(lines.map((l) => l.payeeId))).toEqual(new Set([w.orgs.smeA.id, w.orgs.smeB.id, w.orgs.smeC.id]));
    for (const l of lines) {
      expect(l.payeeId).not.toBe(w.orgs.chamber.id);
      for (const id of l.traineeIds) expect(main.trainees.find((t) => t.id === id)!.enterpriseId).toBe(l.payeeId);
    }
  });

  it('R-ROUTE-2, R-SUB-4: the payer is the bureau of the trainees’ insured district, one line per (payee, payer)', () => {
    const pairs = lines.map((l) => `${l.payeeId}|${l.payerBureauId}`);
    expect(new Set(pairs).size).toBe(lines.length);
    // A: 新吴; B: 滨湖 and 新吴; C: 梁溪 and 新吴 (its 梁溪 trainees: one failed, one passed).
    expect(lines).toHaveLength(5);
    for (const l of lines) {
      expect(l.payerBureauId).toBe(bureauOf[l.district]!.id);
      for (const id of l.traineeIds) expect(main.trainees.find((t) => t.id === id)!.insuredDistrict).toBe(l.district);
    }
    const smeBInXinwu = lines.find((l) => l.payeeId === w.orgs.smeB.id && l.district === '320214')!;
    expect(smeBInXinwu.payerBureauId).toBe(w.orgs.xinwu.id);
  });

  it('R-SUB-2, R-SUB-5: 2024 rates, 11 months each (2026-09-01 → 2027-08-10), split 50/50 under the 2024 policy', () => {
    const each = traineeSubsidy({ level: 'intermediate', policy: policy2024, trainingStart: '2026-09-01', assessedOn: '2027-08-10', plannedStart: '2026-09-01', plannedEnd: '2027-08-31' });
    expect(each).toMatchObject({ months: 11, amountFen: 458333 });
    for (const l of lines) {
      expect(l.policyVersion).toBe('2024-04-02');
      expect(l.amountFen).toBe(each.amountFen * l.traineeIds.length);
      expect({ cityShareFen: l.cityShareFen, districtShareFen: l.districtShareFen }).toEqual(splitShares(l.amountFen, 5000));
      expect(l.cityShareFen + l.districtShareFen).toBe(l.amountFen);
      expect(l.trainees.every((t) => t.months === 11 && t.rateFenPerYear === 500000)).toBe(true);
    }
  });

  it('R-ROUTE-2: a payer bureau lists only its own lines; an enterprise only the lines paid to it; the auditor all', async () => {
    for (const [district, b] of Object.entries(bureauOf)) {
      const own = await lineList(b.token);
      expect(own.map((l) => l.id).sort()).toEqual(lines.filter((l) => l.district === district).map((l) => l.id).sort());
    }
    const a = await lineList(w.tokens.smeA);
    expect(a.map((l) => l.id).sort()).toEqual(lines.filter((l) => l.payeeId === w.orgs.smeA.id).map((l) => l.id).sort());
    expect(await lineList(w.tokens.hq)).toEqual([]);
    expect((await lineList(w.tokens.auditor)).map((l) => l.id).sort()).toEqual(lines.map((l) => l.id).sort());
    for (const token of [w.tokens.chamber, w.tokens.provider]) {
      expect((await w.h.call('GET', '/v1/disbursements', { token })).status).toBe(403);
    }
  });

  it('R-SUB-6: a bureau acts only on its own lines (others: 404); payees and auditors may not act (403)', async () => {
    const xinwuLine = lines.find((l) => l.payerBureauId === w.orgs.xinwu.id && l.payeeId === w.orgs.smeA.id)!;
    const body = { fundingSource: 'employment_subsidy' };
    const other = await w.h.call('POST', `/v1/disbursements/${xinwuLine.id}/approve`, { token: w.tokens.binhu, now: '2027-09-01T10:00:00+08:00', body });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('NOT_FOUND');
    const payee = await w.h.call('POST', `/v1/disbursements/${xinwuLine.id}/approve`, { token: w.tokens.smeA, now: '2027-09-01T10:00:00+08:00', body });
    expect(payee.status).toBe(403);
    expect(payee.body.code).toBe('FORBIDDEN');
    const notPayee = await w.h.call('POST', `/v1/disbursements/${xinwuLine.id}/approve`, { token: w.tokens.smeB, now: '2027-09-01T10:00:00+08:00', body });
    expect(notPayee.status).toBe(404);
    const auditor = await w.h.call('POST', `/v1/disbursements/${xinwuLine.id}/pay`, { token: w.tokens.auditor, now: '2027-09-01T10:00:00+08:00', body: { paidOn: '2027-09-01', reference: 'X' } });
    expect(auditor.status).toBe(403);
    expect((await w.h.call('POST', '/v1/disbursements/Lnosuchline000000000000/approve', { token: w.tokens.xinwu, body })).status).toBe(404);
  });

  it('R-SUB-6: pending → approved (funding source recorded) → paid; the amount never changes; a repeat never pays twice', async () => {
    const line = lines.find((l) => l.payerBureauId === w.orgs.xinwu.id && l.payeeId === w.orgs.smeA.id)!;
    const path = `/v1/disbursements/${line.id}`;
    const xinwu = w.tokens.xinwu;
    const early = await w.h.call('POST', `${path}/pay`, { token: xinwu, now: '2027-09-01T10:00:00+08:00', body: { paidOn: '2027-09-01', reference: '国库支付 001' } });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('INVALID_STATE');

    const approved = await ok<Line>(w, 200, 'POST', `${path}/approve`, { token: xinwu, now: '2027-09-02T10:00:00+08:00', body: { fundingSource: 'skills_upgrading' } });
    expect(approved.status).toBe('approved');
    expect(approved.approval).toMatchObject({ fundingSource: 'skills_upgrading', approvedOn: '2027-09-02' });
    // Approving again the same way answers the same line; another funding source is refused.
    expect((await ok<Line>(w, 200, 'POST', `${path}/approve`, { token: xinwu, now: '2027-09-03T10:00:00+08:00', body: { fundingSource: 'skills_upgrading' } })).approval).toEqual(approved.approval);
    const changed = await w.h.call('POST', `${path}/approve`, { token: xinwu, now: '2027-09-03T10:00:00+08:00', body: { fundingSource: 'employment_subsidy' } });
    expect(changed.status).toBe(409);

    const before = await w.h.call('POST', `${path}/pay`, { token: xinwu, now: '2027-09-05T10:00:00+08:00', body: { paidOn: '2027-09-01', reference: '国库支付 001' } });
    expect(before.status).toBe(422);
    expect(before.body.errors[0].rule).toBe('R-SUB-6');
    const future = await w.h.call('POST', `${path}/pay`, { token: xinwu, now: '2027-09-05T10:00:00+08:00', body: { paidOn: '2027-09-06', reference: '国库支付 001' } });
    expect(future.status).toBe(422);

    const paid = await ok<Line>(w, 200, 'POST', `${path}/pay`, { token: xinwu, now: '2027-09-05T10:00:00+08:00', body: { paidOn: '2027-09-05', reference: '国库支付 001' } });
    expect(paid.status).toBe('paid');
    expect(paid.payment).toMatchObject({ paidOn: '2027-09-05', reference: '国库支付 001' });
    const again = await ok<Line>(w, 200, 'POST', `${path}/pay`, { token: xinwu, now: '2027-09-06T10:00:00+08:00', body: { paidOn: '2027-09-06', reference: '国库支付 002' } });
    expect(again.payment).toEqual(paid.payment);
    expect(again.version).toBe(paid.version);
    const reapprove = await w.h.call('POST', `${path}/approve`, { token: xinwu, now: '2027-09-06T10:00:00+08:00', body: { fundingSource: 'skills_upgrading' } });
    expect(reapprove.status).toBe(409);

    for (const l of [approved, paid, again]) {
      expect([l.amountFen, l.cityShareFen, l.districtShareFen, l.traineeIds]).toEqual([line.amountFen, line.cityShareFen, line.districtShareFen, line.traineeIds]);
    }
    const stored = (await ok(w, 200, 'GET', `/v1/cohorts/${main.cohortId}/subsidy`, { token: xinwu })).lines.find((l: Line) => l.id === line.id);
    expect(stored).toMatchObject({ status: 'paid', amountFen: line.amountFen, cityShareFen: line.cityShareFen, districtShareFen: line.districtShareFen });
    expect((await lineList(xinwu, '&status=paid')).map((l) => l.id)).toEqual([line.id]);
    expect((await lineList(w.tokens.smeA, '&status=paid')).map((l) => l.id)).toEqual([line.id]);
    expect((await lineList(xinwu, '&status=pending')).map((l) => l.id)).not.toContain(line.id);
  });

  it('R-SUB-6: GET a line gives its version as ETag; approve and pay honour If-Match (stale → 412, nothing changes)', async () => {
    const line = lines.find((l) => l.payeeId === w.orgs.smeB.id && l.district === '320214')!;
    const path = `/v1/disbursements/${line.id}`;
    const xinwu = w.tokens.xinwu;
    const read = await w.h.call<Line>('GET', path, { token: xinwu });
    expect([read.status, read.headers.get('etag'), read.body.status]).toEqual([200, `"${line.version}"`, 'pending']);
    expect((await w.h.call('GET', path, { token: w.tokens.auditor })).status).toBe(200);
    expect((await w.h.call('GET', path, { token: w.tokens.binhu })).status).toBe(404);
    expect((await w.h.call('GET', path, { token: w.tokens.smeB })).status).toBe(200);
    expect((await w.h.call('GET', path, { token: w.tokens.smeA })).status).toBe(404);

    const stale = `"${line.version + 5}"`;
    await refused(w, 412, 'PRECONDITION_FAILED', 'POST', `${path}/approve`, { token: xinwu, now: '2027-09-02T10:00:00+08:00', headers: { 'If-Match': stale }, body: { fundingSource: 'employment_subsidy' } });
    expect((await ok<Line>(w, 200, 'GET', path, { token: xinwu })).status).toBe('pending');
    const approved = await w.h.call<Line>('POST', `${path}/approve`, { token: xinwu, now: '2027-09-02T10:00:00+08:00', headers: { 'If-Match': read.headers.get('etag')! }, body: { fundingSource: 'employment_subsidy' } });
    expect([approved.status, approved.body.status, approved.headers.get('etag')]).toEqual([200, 'approved', `"${line.version + 1}"`]);

    await refused(w, 412, 'PRECONDITION_FAILED', 'POST', `${path}/pay`, { token: xinwu, now: '2027-09-05T10:00:00+08:00', headers: { 'If-Match': read.headers.get('etag')! }, body: { paidOn: '2027-09-05', reference: 'B-1' } });
    expect((await ok<Line>(w, 200, 'GET', path, { token: xinwu })).status).toBe('approved');
    const paid = await ok<Line>(w, 200, 'POST', `${path}/pay`, { token: xinwu, now: '2027-09-05T10:00:00+08:00', headers: { 'If-Match': approved.headers.get('etag')! }, body: { paidOn: '2027-09-05', reference: 'B-1' } });
    expect(paid.status).toBe('paid');
  });

  it('R-SUB-6: concurrent approvals under one If-Match: one wins, every other answers 412, however the race falls', async () => {
    const line = lines.find((l) => l.payeeId === w.orgs.smeC.id && l.district === '320214')!;
    const etag = (await w.h.call<Line>('GET', `/v1/disbursements/${line.id}`, { token: w.tokens.xinwu })).headers.get('etag')!;
    const sources = Array.from({ length: 10 }, (_, i) => (i % 2 ? 'skills_upgrading' : 'employment_subsidy'));
    const answers = await Promise.all(sources.map((fundingSource) => w.h.call('POST', `/v1/disbursements/${line.id}/approve`, { token: w.tokens.xinwu, now: '2027-09-02T10:00:00+08:00', headers: { 'If-Match': etag }, body: { fundingSource } })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(9).fill(412)]);
  });

  it('R-SUB-6, R-KPI-1: 20 concurrent pays of one line pay it exactly once: one event, subsidyPaidFen counted once', async () => {
    const line = lines.find((l) => l.payerBureauId === w.orgs.binhu.id)!;
    const path = `/v1/disbursements/${line.id}`;
    const kpiBefore = (await w.h.store.get<{ subsidyPaidFen?: number }>(keys.kpi(2027, '320211')))?.subsidyPaidFen ?? 0;
    await ok(w, 200, 'POST', `${path}/approve`, { token: w.tokens.binhu, now: '2027-09-10T10:00:00+08:00', body: { fundingSource: 'employment_subsidy' } });
    // All 20 read the line as approved before any of them writes: a real race, not 19 late repeats.
    const store = w.h.store as GatedStore;
    const attempts = store.transactions.length;
    store.holdReads((k) => k.SK === `LINE#${line.id}`, 20);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => w.h.call<Line>('POST', `${path}/pay`, { token: w.tokens.binhu, now: '2027-09-12T10:00:00+08:00', body: { paidOn: '2027-09-12', reference: `滨湖国库 ${i}` } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(store.transactions.slice(attempts).filter((t) => t.label === 'subsidy.paid').length).toBeGreaterThan(1);
    const references = new Set(results.map((r) => r.body.payment!.reference));
    expect(references.size).toBe(1);
    expect(results.every((r) => r.body.status === 'paid' && r.body.amountFen === line.amountFen)).toBe(true);

    const events = (await ok(w, 200, 'GET', `/v1/cohorts/${main.cohortId}/events?limit=200`, { token: w.tokens.auditor })).items as { action: string; subjectId: string }[];
    expect(events.filter((e) => e.action === 'subsidy.paid' && e.subjectId === line.id)).toHaveLength(1);
    expect(events.filter((e) => e.action === 'subsidy.approved' && e.subjectId === line.id)).toHaveLength(1);
    const kpi = await w.h.store.get<{ subsidyPaidFen: number; year: number; district: string }>(keys.kpi(2027, '320211'));
    expect(kpi!.subsidyPaidFen - kpiBefore).toBe(line.amountFen);

    // A sequential repeat afterwards does not count again either.
    await ok(w, 200, 'POST', `${path}/pay`, { token: w.tokens.binhu, now: '2027-09-13T10:00:00+08:00', body: { paidOn: '2027-09-13', reference: 'again' } });
    expect((await w.h.store.get<{ subsidyPaidFen: number }>(keys.kpi(2027, '320211')))!.subsidyPaidFen - kpiBefore).toBe(line.amountFen);
  });

  it('R-SUB-6: concurrent identical approvals all answer the approved line', async () => {
    const line = lines.find((l) => l.payerBureauId === w.orgs.liangxi.id)!;
    const store = w.h.store as GatedStore;
    const attempts = store.transactions.length;
    store.holdReads((k) => k.SK === `LINE#${line.id}`, 8);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => w.h.call<Line>('POST', `/v1/disbursements/${line.id}/approve`, { token: w.tokens.liangxi, now: '2027-09-10T10:00:00+08:00', body: { fundingSource: 'employment_subsidy' } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(store.transactions.slice(attempts).filter((t) => t.label === 'subsidy.approved').length).toBeGreaterThan(1);
    const events = (await ok(w, 200, 'GET', `/v1/cohorts/${main.cohortId}/events?limit=200`, { token: w.tokens.auditor })).items as { action: string; subjectId: string }[];
    expect(events.filter((e) => e.action === 'subsidy.approved' && e.subjectId === line.id)).toHaveLength(1);
  });
});

describe('R-SUB-1, R-SUB-5: the policy version in force on the planned start, with its per-district ratios', () => {
  const next: PolicyVersion = {
    version: '锡人社〔2026〕新标准',
    effectiveFrom: '2026-10-01',
    ratesYuanPerYear: { intermediate: 6000, senior: 7000, technician: 8000, senior_technician: 9000, certificate: 6000 },
    defaultCityShareBasisPoints: 5000,
    cityShareBasisPointsByDistrict: { '320214': 4000, '320211': 6000 },
  };
  const times = { assess: '2027-09-20T10:00:00+08:00', closing: '2027-09-25T10:00:00+08:00' };

  async function closedClass(plannedStart: string, plannedEnd: string) {
    const { orgs, tokens } = w;
    const draft = await classDraft(w, {
      participants: [
        { id: orgs.smeA.id, token: tokens.smeA, insured: ['320214'] },
        { id: orgs.smeB.id, token: tokens.smeB, insured: ['320211'] },
      ],
      designOverrides: { plannedStart, plannedEnd },
    });
    await toPlanned(w, draft.cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    await toClosingReview(w, {
      cohortId: draft.cohortId, organizer: tokens.chamber, participants: [{ id: orgs.smeA.id, token: tokens.smeA }, { id: orgs.smeB.id, token: tokens.smeB }],
      bureaus: [tokens.xinwu, tokens.binhu], trainees: draft.trainees, assessedOn: () => '2027-09-15', times,
    });
    await ok(w, 200, 'POST', `/v1/cohorts/${draft.cohortId}/closing/accept`, { token: tokens.xinwu, now: '2027-09-28T10:00:00+08:00' });
    return (await ok(w, 200, 'GET', `/v1/cohorts/${draft.cohortId}/subsidy`, { token: tokens.xinwu })) as { totalFen: number; policyVersion: string; lines: Line[] };
  }

  it('an admin adds a future version; a class starting on its first day uses it, one starting the day before uses 2024’s', async () => {
    await ok(w, 201, 'POST', '/v1/policy/versions', { token: w.tokens.admin, now: '2026-05-01T10:00:00+08:00', body: next });

    const later = await closedClass('2026-10-01', '2027-09-30');
    expect(later.policyVersion).toBe(next.version);
    // 2026-10-01 → 2027-09-15 (counted to 09-16) = 11 months at 6000 yuan = 550,000 fen.
    const xinwu = later.lines.find((l) => l.district === '320214')!;
    const binhu = later.lines.find((l) => l.district === '320211')!;
    expect(xinwu).toMatchObject({ amountFen: 550000, cityShareBasisPoints: 4000, cityShareFen: 220000, districtShareFen: 330000, policyVersion: next.version });
    expect(binhu).toMatchObject({ amountFen: 550000, cityShareBasisPoints: 6000, cityShareFen: 330000, districtShareFen: 220000 });
    expect(xinwu.trainees[0]).toMatchObject({ months: 11, rateFenPerYear: 600000 });

    const earlier = await closedClass('2026-09-30', '2027-09-29');
    expect(earlier.policyVersion).toBe('2024-04-02');
    // 2026-09-30 → 2027-09-16 = 11 months at 5000 yuan = 458,333.33… → 458,333 fen; 50/50 → 229,167 + 229,166.
    for (const l of earlier.lines) {
      expect(l).toMatchObject({ amountFen: 458333, cityShareBasisPoints: 5000, cityShareFen: 229167, districtShareFen: 229166, policyVersion: '2024-04-02' });
      expect(l.trainees[0]).toMatchObject({ months: 11, rateFenPerYear: 500000 });
    }
  }, 60_000);
});
