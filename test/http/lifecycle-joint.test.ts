import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness.js';
import { createWorld, ok, readyDraft, toPlanned, type World } from '../support/world.js';

let w: World;
beforeAll(async () => {
  w = await createWorld(await createHarness());
});

describe('joint class of three SMEs in three districts, from creation to closed (R-JOINT-1..3, R-ROUTE-2)', () => {
  it('runs the whole lifecycle with the test clock', async () => {
    const { orgs, tokens } = w;
    const { cohortId, trainees } = await readyDraft(w, {
      participants: [
        { id: orgs.smeA.id, token: tokens.smeA, district: '320214', trainees: 2 },
        { id: orgs.smeB.id, token: tokens.smeB, district: '320211', trainees: 2 },
        { id: orgs.smeC.id, token: tokens.smeC, district: '320213', trainees: 2, insured: ['320213', '320214'] },
      ],
    });
    const draft = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: tokens.chamber });
    expect(draft.reviewBureauId).toBe(orgs.xinwu.id);
    expect(draft.agreement.status).toBe('effective');

    const planned = await toPlanned(w, cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    expect(planned.status).toBe('planned');
    expect(planned.deadlines.filingDue).toBe('2026-07-24');

    for (const [id, token] of [[orgs.smeA.id, tokens.smeA], [orgs.smeB.id, tokens.smeB], [orgs.smeC.id, tokens.smeC]] as const) {
      await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token, now: '2026-07-15T10:00:00+08:00', body: { enterpriseId: id, commitment: { signerName: '王芳', statement: '承诺信息真实' } } });
    }
    const filings = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/filings`, { token: tokens.chamber });
    expect(filings.items).toHaveLength(4);
    for (const token of [tokens.xinwu, tokens.binhu, tokens.liangxi]) {
      await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/filings/approve`, { token, now: '2026-07-20T10:00:00+08:00' });
    }
    const training = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: tokens.chamber });
    expect(training.status).toBe('in_training');

    const departed = trainees[1]!;
    const dep = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/trainees/${departed.id}/departure`, { token: tokens.smeA, now: '2027-01-20T10:00:00+08:00', body: { leftOn: '2027-01-02' } });
    expect(dep.lateReport).toBe(true);

    const rest = trainees.filter((t) => t.id !== departed.id);
    const results = rest.map((t, i) => ({ traineeId: t.id, passed: i !== 0, method: 'third_party', assessedOn: '2027-08-10', ...(i !== 0 ? { certificateNo: `CERT-${i}` } : {}) }));
    const assessed = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/assessments`, { token: tokens.chamber, now: '2027-08-12T10:00:00+08:00', body: { results } });
    expect(assessed.status).toBe('assessed');
    expect(assessed.deadlines.closingDue).toBe('2027-09-10');

    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/closing`, { token: tokens.chamber, now: '2027-08-20T10:00:00+08:00', body: { materials: [{ name: '材料.pdf', sha256: 'a'.repeat(64) }] } });
    const closed = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/closing/accept`, { token: tokens.xinwu, now: '2027-08-25T10:00:00+08:00' });
    expect(closed.status).toBe('closed');

    const subsidy = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/subsidy`, { token: tokens.xinwu });
    // 4 passed trainees; trained 2026-09-01 (planned start, later than... entered 2026-07-20) to 2027-08-10 → 11 whole months.
    expect(subsidy.lines.flatMap((l: { traineeIds: string[] }) => l.traineeIds)).toHaveLength(4);
    expect(subsidy.totalFen).toBe(subsidy.lines.reduce((s: number, l: { amountFen: number }) => s + l.amountFen, 0));
    for (const line of subsidy.lines) expect(line.cityShareFen + line.districtShareFen).toBe(line.amountFen);
    // R-JOINT-3: each participant is its own payee, the organising chamber never; SME A (one failed, one
    // departed) gets nothing. R-SUB-4: one line per (payee, payer), 458,333 fen per trainee (5000 × 11 / 12).
    const pairs = subsidy.lines.map((l: { payeeId: string; payerBureauId: string; traineeIds: string[]; amountFen: number }) => [l.payeeId, l.payerBureauId, l.traineeIds.length, l.amountFen]);
    expect(pairs.sort()).toEqual([
      [orgs.smeB.id, orgs.binhu.id, 2, 916_666],
      [orgs.smeC.id, orgs.liangxi.id, 1, 458_333],
      [orgs.smeC.id, orgs.xinwu.id, 1, 458_333],
    ].sort());

    const events = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/events?limit=200`, { token: tokens.auditor });
    expect(events.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['cohort.created', 'cohort.submitted', 'closing.accepted']));
  });
});
