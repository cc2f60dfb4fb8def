/**
 * During and after training over HTTP against DynamoDB Local: R-DEPART-1, R-ASSESS-1, R-CLOSE-1.
 * Each class is an `enterprise` class of SME A (新吴区) that entered training on 2026-07-20,
 * planned 2026-09-01 … 2027-08-31.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../../support/harness.js';
import { commitment, createWorld, enterpriseClassInTraining, ok, readyDraft, refused, rulesOf, toPlanned, type World } from '../../support/world.js';

let w: World;
beforeAll(async () => {
  w = await createWorld(await createHarness());
});

const result = (traineeId: string, assessedOn: string, passed = true) => ({ traineeId, passed, method: 'third_party', assessedOn, ...(passed ? { certificateNo: `CERT-${traineeId.slice(-6)}` } : {}) });

describe('R-DEPART-1: a departure is reported within 15 calendar days of the leaving date; later is accepted and flagged', () => {
  let cohortId: string;
  let trainees: { id: string }[];
  beforeAll(async () => {
    ({ cohortId, trainees } = await enterpriseClassInTraining(w, 4));
  });
  const depart = (traineeId: string, leftOn: string, now: string, token = w.tokens.smeA) =>
    w.h.call('POST', `/v1/cohorts/${cohortId}/trainees/${traineeId}/departure`, { token, now, body: { leftOn } });

  it('R-DEPART-1: left 2027-01-02, reported on the 15th day after (01-17) → lateReport false', async () => {
    const res = await depart(trainees[0]!.id, '2027-01-02', '2027-01-17T18:00:00+08:00');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect([res.body.status, res.body.lateReport, res.body.departure]).toEqual(['departed', false, expect.objectContaining({ leftOn: '2027-01-02', reportedOn: '2027-01-17', lateReport: false })]);
  });

  it('R-DEPART-1: left 2027-01-02, reported on the 16th day (01-18, 07:00 Beijing time) → accepted, lateReport true', async () => {
    const res = await depart(trainees[1]!.id, '2027-01-02', '2027-01-18T07:00:00+08:00');
    expect([res.status, res.body.lateReport, res.body.departure.reportedOn]).toEqual([200, true, '2027-01-18']);
  });

  it('R-DEPART-1: a leaving date in the future is refused; a departed trainee cannot depart again', async () => {
    const p = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${cohortId}/trainees/${trainees[2]!.id}/departure`, { token: w.tokens.smeA, now: '2027-01-10T10:00:00+08:00', body: { leftOn: '2027-01-11' } });
    expect(rulesOf(p)).toEqual(['R-DEPART-1']);
    const again = await depart(trainees[0]!.id, '2027-01-02', '2027-01-20T10:00:00+08:00');
    expect([again.status, again.body.code]).toEqual([409, 'INVALID_STATE']);
  });

  it('R-DEPART-1: only the trainee’s enterprise reports; strangers do not see the class', async () => {
    await refused(w, 403, 'FORBIDDEN', 'POST', `/v1/cohorts/${cohortId}/trainees/${trainees[2]!.id}/departure`, { token: w.tokens.xinwu, now: '2027-01-10T10:00:00+08:00', body: { leftOn: '2027-01-05' } });
    await refused(w, 403, 'FORBIDDEN', 'POST', `/v1/cohorts/${cohortId}/trainees/${trainees[2]!.id}/departure`, { token: w.tokens.provider, now: '2027-01-10T10:00:00+08:00', body: { leftOn: '2027-01-05' } });
    await refused(w, 404, 'NOT_FOUND', 'POST', `/v1/cohorts/${cohortId}/trainees/${trainees[2]!.id}/departure`, { token: w.tokens.smeB, now: '2027-01-10T10:00:00+08:00', body: { leftOn: '2027-01-05' } });
    const c = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.smeA });
    expect([c.status, c.counts.departed]).toEqual(['in_training', 2]);
  });
});

describe('R-ASSESS-1 and R-CLOSE-1: assessment within the 3 months before planned end; closing within a month of the last assessment', () => {
  let cohortId: string;
  let trainees: { id: string }[];
  beforeAll(async () => {
    ({ cohortId, trainees } = await enterpriseClassInTraining(w, 3));
  });
  const assess = (results: object[], now: string, token = w.tokens.smeA) => w.h.call('POST', `/v1/cohorts/${cohortId}/assessments`, { token, now, body: { results } });

  it('R-ASSESS-1: the window is shown in deadlines: plannedEnd − 3 months … plannedEnd', async () => {
    const c = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.smeA });
    expect([c.deadlines.assessmentFrom, c.deadlines.assessmentTo]).toEqual(['2027-05-31', '2027-08-31']);
  });

  it('R-ASSESS-1: assessed one day before plannedEnd − 3 months (2027-05-30) → 422 ASSESSMENT_WINDOW, nothing recorded', async () => {
    const res = await assess([result(trainees[0]!.id, '2027-05-30')], '2027-06-01T10:00:00+08:00');
    expect([res.status, res.body.code, rulesOf(res.body)]).toEqual([422, 'ASSESSMENT_WINDOW', ['R-ASSESS-1']]);
    const c = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.smeA });
    expect(c.counts.assessed).toBe(0);
  });

  it('R-ASSESS-1: assessed on plannedEnd − 3 months (2027-05-31) is accepted', async () => {
    const res = await assess([result(trainees[0]!.id, '2027-05-31')], '2027-06-01T10:00:00+08:00');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect([res.body.status, res.body.results[0].status, res.body.results[0].assessment.assessedOn]).toEqual(['in_training', 'passed', '2027-05-31']);
  });

  it('R-ASSESS-1: assessed after plannedEnd (2027-09-01) is refused with ASSESSMENT_WINDOW, nothing recorded', async () => {
    const before = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.smeA });
    const res = await assess([result(trainees[1]!.id, '2027-09-01')], '2027-09-02T10:00:00+08:00');
    expect([res.status, res.body.code]).toEqual([422, 'ASSESSMENT_WINDOW']);
    const after = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.smeA });
    expect([after.version, after.counts]).toEqual([before.version, before.counts]);
    const list = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/trainees`, { token: w.tokens.smeA });
    expect(list.items.find((t: { id: string }) => t.id === trainees[1]!.id).status).toBe('active');
  });

  it('R-ASSESS-1: an assessment dated after today, or a pass without certificate number, is refused', async () => {
    const future = await assess([result(trainees[1]!.id, '2027-08-20')], '2027-08-19T10:00:00+08:00');
    expect([future.status, rulesOf(future.body)]).toEqual([422, ['R-ASSESS-1']]);
    const noCert = await assess([{ traineeId: trainees[1]!.id, passed: true, method: 'direct', assessedOn: '2027-08-20' }], '2027-08-21T10:00:00+08:00');
    expect([noCert.status, rulesOf(noCert.body)]).toEqual([422, ['R-ASSESS-1']]);
    const assessedAgain = await assess([result(trainees[0]!.id, '2027-06-01')], '2027-08-21T10:00:00+08:00');
    expect([assessedAgain.status, assessedAgain.body.code]).toEqual([409, 'INVALID_STATE']);
  });

  it('R-ASSESS-1: on plannedEnd itself is accepted; the last remaining trainee assessed → `assessed`, closingDue one month after the last assessment', async () => {
    const res = await assess([result(trainees[1]!.id, '2027-08-31'), result(trainees[2]!.id, '2027-08-20', false)], '2027-08-31T20:00:00+08:00');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect([res.body.status, res.body.lastAssessedOn, res.body.deadlines.closingDue]).toEqual(['assessed', '2027-08-31', '2027-09-30']);
    expect(res.body.counts).toMatchObject({ assessed: 3, passed: 2, failed: 1 });
  });

  it('R-CLOSE-1: closing on the last day of the month after the last assessment (2027-09-30) → late false', async () => {
    const closing = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/closing`, { token: w.tokens.smeA, now: '2027-09-30T23:00:00+08:00', body: { materials: [{ name: '培训过程材料.pdf', sha256: 'c'.repeat(64) }] } });
    expect([closing.status, closing.closing.closingDue, closing.closing.late, closing.closing.submittedOn]).toEqual(['closing_review', '2027-09-30', false, '2027-09-30']);
  });

  it('R-CLOSE-1: closing one day after closingDue (assessed 08-10, closed 09-11) is accepted and flagged late', async () => {
    const { cohortId: id, trainees: ts } = await enterpriseClassInTraining(w, 1);
    const assessed = await ok(w, 200, 'POST', `/v1/cohorts/${id}/assessments`, { token: w.tokens.smeA, now: '2027-08-12T10:00:00+08:00', body: { results: [result(ts[0]!.id, '2027-08-10')] } });
    expect(assessed.deadlines.closingDue).toBe('2027-09-10');
    const closing = await ok(w, 200, 'POST', `/v1/cohorts/${id}/closing`, { token: w.tokens.smeA, now: '2027-09-11T09:00:00+08:00', body: { materials: [{ name: '材料.pdf', sha256: 'd'.repeat(64) }] } });
    expect([closing.status, closing.closing.late, closing.closing.closingDue]).toEqual(['closing_review', true, '2027-09-10']);
    const closed = await ok(w, 200, 'POST', `/v1/cohorts/${id}/closing/accept`, { token: w.tokens.xinwu, now: '2027-09-20T10:00:00+08:00' });
    expect(closed.status).toBe('closed');
    expect(Object.keys(closed.closing).sort()).toEqual(['acceptedAt', 'acceptedBy', 'closingDue', 'late', 'materials', 'submittedAt', 'submittedOn']);
  });

  it('R-CLOSE-1: only the organiser submits the closing materials, and only from `assessed`', async () => {
    const { cohortId: id } = await enterpriseClassInTraining(w, 1);
    const body = { materials: [{ name: '材料.pdf', sha256: 'e'.repeat(64) }] };
    await refused(w, 409, 'INVALID_STATE', 'POST', `/v1/cohorts/${id}/closing`, { token: w.tokens.smeA, now: '2027-09-01T10:00:00+08:00', body });
    await refused(w, 403, 'FORBIDDEN', 'POST', `/v1/cohorts/${id}/closing`, { token: w.tokens.xinwu, now: '2027-09-01T10:00:00+08:00', body });
  });
});

describe('cohort states: every trainee left before training', () => {
  it('R-DEPART-1: its only trainee left before anyone filed: the class is still filed, found `assessed`, and closed', async () => {
    const { orgs, tokens } = w;
    const { cohortId, trainees } = await readyDraft(w, { mode: 'enterprise', organizerToken: tokens.smeA, participants: [{ id: orgs.smeA.id, token: tokens.smeA, district: '320214', trainees: 1 }] });
    await toPlanned(w, cohortId, { organizer: tokens.smeA, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/trainees/${trainees[0]!.id}/departure`, { token: tokens.smeA, now: '2026-07-12T10:00:00+08:00', body: { leftOn: '2026-07-11' } });
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: tokens.smeA })).status).toBe('planned');
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeA, now: '2026-07-15T10:00:00+08:00', body: { enterpriseId: orgs.smeA.id, commitment } });
    const approved = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/filings/approve`, { token: tokens.xinwu, now: '2026-07-20T10:00:00+08:00' });
    expect(approved.status).toBe('assessed');
  });

  it('R-DEPART-1: filed, then its only trainee left: the class enters training already `assessed` (no one remains), closes, and pays nothing (R-SUB-3)', async () => {
    const { orgs, tokens } = w;
    const { cohortId, trainees } = await readyDraft(w, { mode: 'enterprise', organizerToken: tokens.smeA, participants: [{ id: orgs.smeA.id, token: tokens.smeA, district: '320214', trainees: 1 }] });
    await toPlanned(w, cohortId, { organizer: tokens.smeA, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeA, now: '2026-07-15T10:00:00+08:00', body: { enterpriseId: orgs.smeA.id, commitment } });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/trainees/${trainees[0]!.id}/departure`, { token: tokens.smeA, now: '2026-07-16T10:00:00+08:00', body: { leftOn: '2026-07-16' } });
    const approved = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/filings/approve`, { token: tokens.xinwu, now: '2026-07-20T10:00:00+08:00' });
    expect([approved.status, approved.enteredTrainingOn, approved.counts]).toEqual(['assessed', '2026-07-20', expect.objectContaining({ enrolled: 1, departed: 1, assessed: 0 })]);
    const alerts = await ok(w, 200, 'GET', '/v1/alerts', { token: tokens.xinwu, now: '2027-09-15T10:00:00+08:00' });
    expect(alerts.items.filter((a: { cohortId: string }) => a.cohortId === cohortId)).toEqual([]);
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/closing`, { token: tokens.smeA, now: '2026-07-21T10:00:00+08:00', body: { materials: [{ name: '结班材料.pdf', sha256: 'f'.repeat(64) }] } });
    const closed = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/closing/accept`, { token: tokens.xinwu, now: '2026-07-22T10:00:00+08:00' });
    expect(closed.status).toBe('closed');
    expect(await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/subsidy`, { token: tokens.smeA })).toMatchObject({ totalFen: 0, lines: [] });
  });
});
