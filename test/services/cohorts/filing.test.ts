/**
 * Class-opening filings over HTTP against DynamoDB Local: R-FILE-1 (10 working days on the official
 * calendar, FILING_DEADLINE_PASSED, years without a schedule), R-FILE-2 (commitment) and R-ROUTE-2
 * (filing units per participant and insured district, approved by that district's bureau).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../../support/harness.js';
import { commitment, createWorld, eventCount, smeParticipants, ok, readyDraft, refused, rulesOf, toPublicized, traineeBody, warningRules, type World } from '../../support/world.js';

let w: World;
beforeAll(async () => {
  w = await createWorld(await createHarness());
});

const smes = (n = 2) => smeParticipants(w, n);

describe('R-FILE-1: every participant files within 10 working days after the plan is published', () => {
  let cohortId: string;
  beforeAll(async () => {
    ({ cohortId } = await readyDraft(w, { participants: smes(3), now: '2026-03-01T10:00:00+08:00' }));
    await toPublicized(w, cohortId, {
      organizer: w.tokens.chamber, bureau: w.tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: w.tokens.experts.slice(0, 3),
      at: { submit: '2026-03-02T10:00:00+08:00', accept: '2026-03-03T10:00:00+08:00', vote: '2026-03-05T10:00:00+08:00', decide: '2026-03-18T10:00:00+08:00' },
    });
  });
  const file = (id: string, token: string, now: string, body: object = { enterpriseId: id, commitment }) => w.h.call('POST', `/v1/cohorts/${cohortId}/filings`, { token, now, body });

  it('R-FILE-1: plan published 2026-03-27 → filingDue 2026-04-13 (清明 4-4..4-6), no warning', async () => {
    const planned = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: w.tokens.xinwu, now: '2026-03-27T10:00:00+08:00' });
    expect([planned.status, planned.deadlines.filingDue, planned.plan.filingDue]).toEqual(['planned', '2026-04-13', '2026-04-13']);
    expect(planned.warnings).toEqual([]);
  });

  it('R-FILE-2: the commitment (承诺函) is required: missing signerName, statement, or a bad ledger hash → 400', async () => {
    const id = w.orgs.smeA.id;
    const now = '2026-04-01T10:00:00+08:00';
    for (const body of [
      { enterpriseId: id, commitment: { statement: '承诺' } },
      { enterpriseId: id, commitment: { signerName: '王芳' } },
      { enterpriseId: id, commitment: { signerName: '  ', statement: '承诺' } },
      { enterpriseId: id, commitment: { ...commitment, ledgerSha256: 'not-a-hash' } },
      { enterpriseId: id },
    ]) {
      const res = await file(id, w.tokens.smeA, now, body);
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.chamber })).filings).toEqual([]);
  });

  it('R-FILE-1: filing on the due date (23:30 Beijing time) is accepted, with its commitment and ledger hash', async () => {
    const ledgerSha256 = 'ab'.repeat(32);
    const res = await file(w.orgs.smeA.id, w.tokens.smeA, '2026-04-13T23:30:00+08:00', { enterpriseId: w.orgs.smeA.id, commitment: { ...commitment, ledgerSha256 } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect([res.body.filedOn, res.body.commitment]).toEqual(['2026-04-13', { ...commitment, ledgerSha256 }]);
  });

  it('R-FILE-1: filing on 2026-04-14 is refused with 422 FILING_DEADLINE_PASSED, even at 07:00 Beijing time (still 04-13 in UTC)', async () => {
    const res = await file(w.orgs.smeB.id, w.tokens.smeB, '2026-04-14T07:00:00+08:00');
    expect([res.status, res.body.code, rulesOf(res.body)]).toEqual([422, 'FILING_DEADLINE_PASSED', ['R-FILE-1']]);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    const late = await file(w.orgs.smeC.id, w.tokens.smeC, '2026-04-20T10:00:00+08:00');
    expect(late.body.code).toBe('FILING_DEADLINE_PASSED');
    const c = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.chamber });
    expect([c.status, c.filings.map((f: { enterpriseId: string }) => f.enterpriseId)]).toEqual(['planned', [w.orgs.smeA.id]]);
  });

  it('R-FILE-1: a deadline in a year without an official schedule is counted Monday to Friday and the cohort carries a warning; a loaded schedule replaces it', async () => {
    const dates = { submit: '2026-06-10T10:00:00+08:00', accept: '2026-06-11T10:00:00+08:00', vote: '2026-06-20T10:00:00+08:00', decide: '2027-03-01T10:00:00+08:00' };
    const designOverrides = { plannedStart: '2027-09-01', plannedEnd: '2028-08-31' };
    const plannedIn2027 = async () => {
      const { cohortId: id } = await readyDraft(w, { participants: smes(), designOverrides });
      await toPublicized(w, id, { organizer: w.tokens.chamber, bureau: w.tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: w.tokens.experts.slice(0, 3), at: dates });
      return ok(w, 200, 'POST', `/v1/cohorts/${id}/plan`, { token: w.tokens.xinwu, now: '2027-03-15T10:00:00+08:00' });
    };
    const weekdays = await plannedIn2027();
    expect(weekdays.deadlines.filingDue).toBe('2027-03-29');
    expect(warningRules(weekdays)).toEqual(['R-FILE-1']);
    expect(weekdays.warnings[0].message).toMatch(/2027/);
    // The plan keeps the warning it was listed with, in the caller's language like every warning.
    expect(weekdays.plan.warnings).toEqual([expect.objectContaining({ rule: 'R-FILE-1', message: expect.stringMatching(/2027/) })]);

    await ok(w, 200, 'PUT', '/v1/calendar/2027', { token: w.tokens.admin, body: { holidays: ['2027-03-22'], workdays: [] } });
    const loaded = await plannedIn2027();
    expect(loaded.deadlines.filingDue).toBe('2027-03-30');
    expect(loaded.warnings).toEqual([]);

    // The class listed before the year was loaded is judged by the loaded schedule too: a filing on
    // 03-30 is on time, and the class and its alert keep the new date.
    const filed = await ok(w, 201, 'POST', `/v1/cohorts/${weekdays.id}/filings`, { token: w.tokens.smeA, now: '2027-03-30T10:00:00+08:00', body: { enterpriseId: w.orgs.smeA.id, commitment } });
    expect(filed.enterpriseId).toBe(w.orgs.smeA.id);
    const after = await ok(w, 200, 'GET', `/v1/cohorts/${weekdays.id}`, { token: w.tokens.chamber });
    expect([after.deadlines.filingDue, after.plan.warnings, after.warnings]).toEqual(['2027-03-30', [], []]);
    const alert = (await ok(w, 200, 'GET', '/v1/alerts', { token: w.tokens.xinwu, now: '2027-03-31T10:00:00+08:00' })).items.find((a: { cohortId: string; rule: string }) => a.cohortId === weekdays.id && a.rule === 'R-FILE-1');
    expect(alert).toMatchObject({ rule: 'R-FILE-1', dueOn: '2027-03-30', overdueDays: 1, waitingFor: [w.orgs.smeB.id] });
  });
});

describe('R-ROUTE-2: filing units per (participant, insured district), each approved by that district’s bureau', () => {
  it('R-ROUTE-2: four units go to three district bureaus; each approves only its own; an unrelated bureau changes nothing', async () => {
    const { orgs, tokens } = w;
    const { cohortId } = await readyDraft(w, {
      participants: [
        { id: orgs.smeA.id, token: tokens.smeA, district: '320214', trainees: 1 },
        { id: orgs.smeB.id, token: tokens.smeB, district: '320211', trainees: 1 },
        { id: orgs.smeC.id, token: tokens.smeC, district: '320213', trainees: 2, insured: ['320213', '320214'] },
      ],
    });
    await toPublicized(w, cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: tokens.xinwu, now: '2026-07-10T10:00:00+08:00' });
    const path = `/v1/cohorts/${cohortId}`;
    for (const [id, token] of [[orgs.smeA.id, tokens.smeA], [orgs.smeB.id, tokens.smeB], [orgs.smeC.id, tokens.smeC]] as const) {
      await ok(w, 201, 'POST', `${path}/filings`, { token, now: '2026-07-15T10:00:00+08:00', body: { enterpriseId: id, commitment } });
    }
    const unitsOf = async () =>
      (await ok(w, 200, 'GET', `${path}/filings`, { token: tokens.chamber })).items
        .map((u: { enterpriseId: string; district: string; bureauId: string; status: string }) => `${u.enterpriseId}/${u.district}/${u.bureauId}/${u.status}`)
        .sort();
    const unit = (e: string, d: string, b: string, s: string) => `${e}/${d}/${b}/${s}`;
    expect(await unitsOf()).toEqual([
      unit(orgs.smeA.id, '320214', orgs.xinwu.id, 'pending'),
      unit(orgs.smeB.id, '320211', orgs.binhu.id, 'pending'),
      unit(orgs.smeC.id, '320213', orgs.liangxi.id, 'pending'),
      unit(orgs.smeC.id, '320214', orgs.xinwu.id, 'pending'),
    ].sort());
    expect((await ok(w, 200, 'GET', path, { token: tokens.chamber })).status).toBe('filed');

    const before = await ok(w, 200, 'GET', path, { token: tokens.auditor });
    await refused(w, 404, 'NOT_FOUND', 'POST', `${path}/filings/approve`, { token: tokens.cityBureau, now: '2026-07-20T10:00:00+08:00' });
    for (const token of [tokens.chamber, tokens.smeA, tokens.experts[0]!, tokens.auditor]) {
      await refused(w, 403, 'FORBIDDEN', 'POST', `${path}/filings/approve`, { token, now: '2026-07-20T10:00:00+08:00' });
    }
    expect((await ok(w, 200, 'GET', path, { token: tokens.auditor })).version).toBe(before.version);

    const afterBinhu = await ok(w, 200, 'POST', `${path}/filings/approve`, { token: tokens.binhu, now: '2026-07-20T10:00:00+08:00' });
    expect(afterBinhu.status).toBe('filed');
    expect(await unitsOf()).toEqual([
      unit(orgs.smeA.id, '320214', orgs.xinwu.id, 'pending'),
      unit(orgs.smeB.id, '320211', orgs.binhu.id, 'approved'),
      unit(orgs.smeC.id, '320213', orgs.liangxi.id, 'pending'),
      unit(orgs.smeC.id, '320214', orgs.xinwu.id, 'pending'),
    ].sort());
    await refused(w, 409, 'INVALID_STATE', 'POST', `${path}/filings/approve`, { token: tokens.binhu, now: '2026-07-20T11:00:00+08:00' });
    // 新吴区 approves both of its units (SME A's and SME C's trainees insured there) at once.
    expect((await ok(w, 200, 'POST', `${path}/filings/approve`, { token: tokens.xinwu, now: '2026-07-21T10:00:00+08:00' })).status).toBe('filed');
    const training = await ok(w, 200, 'POST', `${path}/filings/approve`, { token: tokens.liangxi, now: '2026-07-22T10:00:00+08:00' });
    expect([training.status, training.enteredTrainingOn]).toEqual(['in_training', '2026-07-22']);
    const approvedBy = training.filingUnits.map((u: { bureauId: string; approvedBy: string }) => [u.bureauId, u.approvedBy]);
    expect(approvedBy.every(([b, by]: [string, string]) => by === `hr-${b}`)).toBe(true);
  });

  it('R-ROUTE-2: the competent bureau of an enterprise class whose trainees are all insured elsewhere cannot approve them (403)', async () => {
    const { orgs, tokens } = w;
    const { cohortId } = await readyDraft(w, {
      mode: 'enterprise', organizerToken: tokens.smeA,
      participants: [{ id: orgs.smeA.id, token: tokens.smeA, district: '320214', trainees: 1, insured: ['320211'] }],
    });
    await toPublicized(w, cohortId, { organizer: tokens.smeA, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: tokens.xinwu, now: '2026-07-10T10:00:00+08:00' });
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeA, now: '2026-07-15T10:00:00+08:00', body: { enterpriseId: orgs.smeA.id, commitment } });
    await refused(w, 403, 'FORBIDDEN', 'POST', `/v1/cohorts/${cohortId}/filings/approve`, { token: tokens.xinwu, now: '2026-07-20T10:00:00+08:00' });
    await refused(w, 404, 'NOT_FOUND', 'POST', `/v1/cohorts/${cohortId}/filings/approve`, { token: tokens.liangxi, now: '2026-07-20T10:00:00+08:00' });
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/filings`, { token: tokens.xinwu })).items.map((u: { status: string }) => u.status)).toEqual(['pending']);
    expect((await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/filings/approve`, { token: tokens.binhu, now: '2026-07-20T10:00:00+08:00' })).status).toBe('in_training');
  });

  it('R-JOINT-2: a trainee removed after plan listing voids the agreement; no one files until every party signed the new version', async () => {
    const { orgs, tokens } = w;
    const { cohortId, trainees } = await readyDraft(w, { participants: [{ id: orgs.smeA.id, token: tokens.smeA, district: '320214', trainees: 2 }, smes()[1]!] });
    await toPublicized(w, cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: tokens.xinwu, now: '2026-07-10T10:00:00+08:00' });
    const now = '2026-07-13T10:00:00+08:00';
    await ok(w, 204, 'DELETE', `/v1/cohorts/${cohortId}/trainees/${trainees[0]!.id}`, { token: tokens.smeA, now });
    const voided = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: tokens.chamber });
    expect([voided.status, voided.agreement.status]).toEqual(['planned', 'void']);

    const p = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeA, now, body: { enterpriseId: orgs.smeA.id, commitment } });
    expect(rulesOf(p)).toEqual(['R-JOINT-2']);
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: tokens.chamber })).version).toBe(voided.version);

    const next = await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/agreement`, { token: tokens.chamber, now });
    expect([next.version, next.status]).toEqual([voided.agreement.version + 1, 'pending']);
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/agreement/signatures`, { token: tokens.smeA, now, body: { signerName: '王芳' } });
    await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeA, now, body: { enterpriseId: orgs.smeA.id, commitment } });
    for (const token of [tokens.chamber, tokens.smeB, tokens.provider]) await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/agreement/signatures`, { token, now, body: { signerName: '签署人' } });
    const filing = await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeA, now, body: { enterpriseId: orgs.smeA.id, commitment } });
    expect(filing.units).toEqual([expect.objectContaining({ district: '320214', trainees: 1 })]);
  });

  it('R-ROUTE-2: a participant whose trainees were all removed after submission has nothing to file; the others’ filings make the class `filed`', async () => {
    const { orgs, tokens } = w;
    const { cohortId, trainees } = await readyDraft(w, { participants: smes(3) });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/submit`, { token: tokens.chamber, now: '2026-06-10T10:00:00+08:00' });
    await ok(w, 204, 'DELETE', `/v1/cohorts/${cohortId}/trainees/${trainees[2]!.id}`, { token: tokens.smeC, now: '2026-06-10T11:00:00+08:00' });
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/agreement`, { token: tokens.chamber, now: '2026-06-10T12:00:00+08:00' });
    for (const token of [tokens.chamber, tokens.smeA, tokens.smeB, tokens.smeC, tokens.provider]) await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/agreement/signatures`, { token, now: '2026-06-10T12:00:00+08:00', body: { signerName: '签署人' } });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/accept`, { token: tokens.xinwu, now: '2026-06-11T10:00:00+08:00', body: { experts: ['e1', 'e2', 'e3'] } });
    for (const t of tokens.experts.slice(0, 3)) await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/votes`, { token: t, now: '2026-06-20T10:00:00+08:00', body: { decision: 'approve' } });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/decision`, { token: tokens.xinwu, now: '2026-07-01T10:00:00+08:00', body: { decision: 'approve' } });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: tokens.xinwu, now: '2026-07-10T10:00:00+08:00' });
    const now = '2026-07-15T10:00:00+08:00';
    const nothing = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeC, now, body: { enterpriseId: orgs.smeC.id, commitment } });
    expect(rulesOf(nothing)).toEqual(['R-ROUTE-2']);
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeA, now, body: { enterpriseId: orgs.smeA.id, commitment } });
    // Once filings have begun the roster stands: a trainee who leaves is a departure, not a removal,
    // so SME B cannot empty itself and leave the class waiting for a filing that can never come.
    const p = await refused(w, 409, 'INVALID_STATE', 'DELETE', `/v1/cohorts/${cohortId}/trainees/${trainees[1]!.id}`, { token: tokens.smeB, now });
    expect(p.detail).toMatch(/departure/);
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeB, now, body: { enterpriseId: orgs.smeB.id, commitment } });
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: tokens.chamber })).status).toBe('filed');
  });

  it('R-FILE-1: a participant whose trainees all left before filing has nothing to file; its last departure lets the class be `filed`', async () => {
    const { orgs, tokens } = w;
    const { cohortId, trainees } = await readyDraft(w, { participants: smes() });
    await toPublicized(w, cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: tokens.xinwu, now: '2026-07-10T10:00:00+08:00' });
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeA, now: '2026-07-15T10:00:00+08:00', body: { enterpriseId: orgs.smeA.id, commitment } });
    // SME B misses the deadline (07-24); its only trainee has left meanwhile.
    const late = await refused(w, 422, 'FILING_DEADLINE_PASSED', 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeB, now: '2026-07-28T10:00:00+08:00', body: { enterpriseId: orgs.smeB.id, commitment } });
    expect(rulesOf(late)).toEqual(['R-FILE-1']);
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/trainees/${trainees[1]!.id}/departure`, { token: tokens.smeB, now: '2026-07-28T11:00:00+08:00', body: { leftOn: '2026-07-20' } });
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: tokens.chamber })).status).toBe('filed');
    const training = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/filings/approve`, { token: tokens.xinwu, now: '2026-07-29T10:00:00+08:00' });
    expect(training.status).toBe('in_training');
    // The filing was completed late: the R-FILE-1 alert stays listed as late (R-ALERT-1).
    const alerts = await ok(w, 200, 'GET', '/v1/alerts', { token: tokens.xinwu, now: '2026-07-29T10:00:00+08:00' });
    expect(alerts.items.filter((a: { cohortId: string; rule: string }) => a.cohortId === cohortId && a.rule === 'R-FILE-1')).toEqual([expect.objectContaining({ status: 'late', doneOn: '2026-07-28' })]);
  });

  it('R-ROUTE-2: removing a trainee who had left keeps the unit’s count of the rest: its participant still files', async () => {
    const { orgs, tokens } = w;
    const { cohortId, trainees } = await readyDraft(w, { participants: [smes()[0]!, { id: orgs.smeB.id, token: tokens.smeB, district: '320211', trainees: 2 }] });
    await toPublicized(w, cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: tokens.xinwu, now: '2026-07-10T10:00:00+08:00' });
    const [left] = trainees.filter((t) => t.enterpriseId === orgs.smeB.id);
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/trainees/${left!.id}/departure`, { token: tokens.smeB, now: '2026-07-12T10:00:00+08:00', body: { leftOn: '2026-07-11' } });
    await ok(w, 204, 'DELETE', `/v1/cohorts/${cohortId}/trainees/${left!.id}`, { token: tokens.chamber, now: '2026-07-12T11:00:00+08:00' });
    const units = (await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: tokens.chamber })).participants.find((p: { enterpriseId: string }) => p.enterpriseId === orgs.smeB.id).units;
    expect(units['320211']).toMatchObject({ trainees: 1, departedBeforeTraining: 0 });
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/agreement`, { token: tokens.chamber, now: '2026-07-12T12:00:00+08:00' });
    for (const token of [tokens.chamber, tokens.smeA, tokens.smeB, tokens.provider]) await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/agreement/signatures`, { token, now: '2026-07-12T12:00:00+08:00', body: { signerName: '签署人' } });
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeA, now: '2026-07-15T10:00:00+08:00', body: { enterpriseId: orgs.smeA.id, commitment } });
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: tokens.chamber })).status).toBe('planned');
    const filing = await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeB, now: '2026-07-15T10:00:00+08:00', body: { enterpriseId: orgs.smeB.id, commitment } });
    expect(filing.units).toEqual([expect.objectContaining({ district: '320211', trainees: 1 })]);
  });

  it('R-FILE-1: after the deadline the organiser withdraws a participant that did not file, with its trainees; the others’ filings open the class', async () => {
    const { orgs, tokens } = w;
    const { cohortId, trainees } = await readyDraft(w, { participants: smes(3) });
    await toPublicized(w, cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: tokens.xinwu, now: '2026-07-10T10:00:00+08:00' });
    for (const [id, token] of [[orgs.smeA.id, tokens.smeA], [orgs.smeB.id, tokens.smeB]] as const) {
      await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token, now: '2026-07-15T10:00:00+08:00', body: { enterpriseId: id, commitment } });
    }
    const withdraw = (now: string, enterpriseId = orgs.smeC.id) => w.h.call('DELETE', `/v1/cohorts/${cohortId}/participants/${enterpriseId}`, { token: tokens.chamber, now });
    // Not before the deadline (07-24), not one that filed, and only the organiser.
    expect([(await withdraw('2026-07-24T20:00:00+08:00')).status, (await withdraw('2026-07-27T10:00:00+08:00', orgs.smeA.id)).status]).toEqual([409, 409]);
    await refused(w, 403, 'FORBIDDEN', 'DELETE', `/v1/cohorts/${cohortId}/participants/${orgs.smeC.id}`, { token: tokens.smeA, now: '2026-07-27T10:00:00+08:00' });
    const before = await eventCount(w, cohortId);
    expect((await withdraw('2026-07-27T10:00:00+08:00')).status).toBe(204);
    expect(await eventCount(w, cohortId)).toBe(before + 1);
    const filed = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: tokens.chamber });
    expect([filed.status, filed.participants.map((p: { enterpriseId: string }) => p.enterpriseId), filed.counts.enrolled]).toEqual(['filed', [orgs.smeA.id, orgs.smeB.id], 2]);
    // SME C's trainee is released (R-ELIG-4): another class may enrol the same person.
    const other = await readyDraft(w, { participants: [{ id: orgs.smeC.id, token: tokens.smeC, district: '320213', trainees: 0 }, smes()[0]!] });
    const again = trainees.find((t) => t.enterpriseId === orgs.smeC.id)!;
    await ok(w, 201, 'POST', `/v1/cohorts/${other.cohortId}/trainees`, { token: tokens.smeC, now: '2026-07-28T10:00:00+08:00', body: traineeBody(orgs.smeC.id, '320213', { idNumber: again.idNumber }) });
    // The filing completed late: the R-FILE-1 alert stays listed as late (R-ALERT-1), waiting for no one.
    const alerts = await ok(w, 200, 'GET', '/v1/alerts', { token: tokens.xinwu, now: '2026-07-28T10:00:00+08:00' });
    const late = alerts.items.filter((a: { cohortId: string; rule: string }) => a.cohortId === cohortId && a.rule === 'R-FILE-1');
    expect(late).toEqual([expect.objectContaining({ status: 'late', doneOn: '2026-07-27' })]);
    expect(late[0]).not.toHaveProperty('waitingFor');
    // 梁溪 (SME C's insured district) no longer sees it once SME C is gone.
    const liangxi = await ok(w, 200, 'GET', '/v1/alerts', { token: tokens.liangxi, now: '2026-07-28T10:00:00+08:00' });
    expect(liangxi.items.filter((a: { cohortId: string }) => a.cohortId === cohortId)).toEqual([]);
  });

  it('R-JOINT-2: a participant left with no trainee that will not sign the new version is withdrawn before the deadline; the others sign again and file', async () => {
    const { orgs, tokens } = w;
    const { cohortId, trainees } = await readyDraft(w, { participants: smes(3) });
    await toPublicized(w, cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: tokens.xinwu, now: '2026-07-10T10:00:00+08:00' });
    const now = '2026-07-13T10:00:00+08:00';
    const sign = async (signers: string[]) => {
      await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/agreement`, { token: tokens.chamber, now });
      for (const token of signers) await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/agreement/signatures`, { token, now, body: { signerName: '签署人' } });
    };
    await ok(w, 204, 'DELETE', `/v1/cohorts/${cohortId}/trainees/${trainees[2]!.id}`, { token: tokens.smeC, now });
    await sign([tokens.chamber, tokens.smeA, tokens.smeB, tokens.provider]); // SME C does not sign
    await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeA, now, body: { enterpriseId: orgs.smeA.id, commitment } });
    // A participant with trainees is not withdrawn before the deadline; one with none is.
    await refused(w, 409, 'INVALID_STATE', 'DELETE', `/v1/cohorts/${cohortId}/participants/${orgs.smeB.id}`, { token: tokens.chamber, now });
    await ok(w, 204, 'DELETE', `/v1/cohorts/${cohortId}/participants/${orgs.smeC.id}`, { token: tokens.chamber, now });
    const after = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: tokens.chamber });
    expect([after.status, after.agreement.status, after.participants.length]).toEqual(['planned', 'void', 2]);
    await sign([tokens.chamber, tokens.smeA, tokens.smeB, tokens.provider]);
    for (const [id, token] of [[orgs.smeA.id, tokens.smeA], [orgs.smeB.id, tokens.smeB]] as const) await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token, now, body: { enterpriseId: id, commitment } });
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: tokens.chamber })).status).toBe('filed');
  });

  it('R-JOINT-1: a joint class of two keeps both: the late one cannot be withdrawn (cancel instead)', async () => {
    const { orgs, tokens } = w;
    const { cohortId } = await readyDraft(w, { participants: smes() });
    await toPublicized(w, cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: tokens.xinwu, now: '2026-07-10T10:00:00+08:00' });
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeA, now: '2026-07-15T10:00:00+08:00', body: { enterpriseId: orgs.smeA.id, commitment } });
    const p = await refused(w, 422, 'RULE_VIOLATION', 'DELETE', `/v1/cohorts/${cohortId}/participants/${orgs.smeB.id}`, { token: tokens.chamber, now: '2026-07-27T10:00:00+08:00' });
    expect(rulesOf(p)).toEqual(['R-JOINT-1']);
  });

  it('R-ROUTE-2: a participant files only for itself; the organiser may file for it', async () => {
    const { orgs, tokens } = w;
    const { cohortId } = await readyDraft(w, { participants: smes() });
    await toPublicized(w, cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: tokens.xinwu, now: '2026-07-10T10:00:00+08:00' });
    const now = '2026-07-15T10:00:00+08:00';
    await refused(w, 403, 'FORBIDDEN', 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeA, now, body: { enterpriseId: orgs.smeB.id, commitment } });
    const byOrganiser = await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.chamber, now, body: { enterpriseId: orgs.smeB.id, commitment } });
    expect(byOrganiser.filedBy).toBe(orgs.chamber.id);
    await refused(w, 409, 'INVALID_STATE', 'POST', `/v1/cohorts/${cohortId}/filings`, { token: tokens.smeB, now, body: { enterpriseId: orgs.smeB.id, commitment } });
  });
});
