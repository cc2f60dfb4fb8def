/**
 * A group class (集中备案, R-GROUP-1) end to end over HTTP against DynamoDB Local: an HQ in 新吴区
 * (320214) with trainees of its own and two member companies in 滨湖区 (320211) and 梁溪区 (320213).
 * The application goes to the municipal bureau (R-ROUTE-1), each company files for itself and each
 * district bureau approves its own filing units (R-ROUTE-2), through assessment and closing to
 * `closed`. Every successful change appends exactly one audit event (R-AUDIT-1).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness.js';
import { commitment, createWorld, eventCount, ok, readyDraft, refused, rulesOf, traineeBody, type World } from '../support/world.js';

let w: World;
beforeAll(async () => {
  w = await createWorld(await createHarness());
});

describe('group class of an HQ and two members in other districts, from creation to closed (R-GROUP-1, R-ROUTE-1, R-ROUTE-2)', () => {
  it('runs the whole lifecycle with the test clock', async () => {
    const { orgs, tokens } = w;
    const { cohortId, trainees } = await readyDraft(w, {
      mode: 'group',
      organizerToken: tokens.hq,
      participants: [
        { id: orgs.hq.id, token: tokens.hq, district: '320214', trainees: 2 },
        { id: orgs.member1.id, token: tokens.member1, district: '320211', trainees: 2 },
        { id: orgs.member2.id, token: tokens.member2, district: '320213', trainees: 1 },
      ],
    });
    const path = `/v1/cohorts/${cohortId}`;
    /** A successful change with exactly one new audit event (R-AUDIT-1). */
    const step = async (status: number, method: string, sub: string, token: string, now: string, body?: unknown) => {
      const before = await eventCount(w, cohortId);
      const res = await ok(w, status, method, `${path}${sub}`, { token, now, ...(body !== undefined ? { body } : {}) });
      expect(await eventCount(w, cohortId), `${method} ${sub}: one event`).toBe(before + 1);
      return res;
    };

    // R-ROUTE-1: the HQ's application goes to the municipal bureau; the agreement binds HQ, members and provider.
    const draft = await ok(w, 200, 'GET', path, { token: tokens.hq });
    expect([draft.mode, draft.organizerId, draft.reviewBureauId]).toEqual(['group', orgs.hq.id, orgs.cityBureau.id]);
    expect(draft.agreement.status).toBe('effective');
    expect(draft.agreement.parties.map((p: { organizationId: string; role: string }) => [p.organizationId, p.role])).toEqual([
      [orgs.hq.id, 'organizer'], [orgs.member1.id, 'participant'], [orgs.member2.id, 'participant'], [orgs.provider.id, 'provider'],
    ]);
    await refused(w, 403, 'FORBIDDEN', 'POST', `${path}/submit`, { token: tokens.member1, now: '2026-06-10T10:00:00+08:00' });
    expect((await step(200, 'POST', '/submit', tokens.hq, '2026-06-10T10:00:00+08:00')).status).toBe('submitted');

    // The district bureau of the HQ is a filing bureau here, not the competent one.
    await refused(w, 403, 'FORBIDDEN', 'POST', `${path}/accept`, { token: tokens.xinwu, now: '2026-06-11T10:00:00+08:00', body: { experts: ['e1', 'e2', 'e3'] } });
    const accepted = await step(200, 'POST', '/accept', tokens.cityBureau, '2026-06-11T10:00:00+08:00', { experts: ['c1', 'c2', 'c3'] });
    expect([accepted.status, accepted.deadlines.reviewDue]).toEqual(['under_review', '2026-07-11']);
    for (const t of tokens.cityExperts) await step(201, 'POST', '/votes', t, '2026-06-20T10:00:00+08:00', { decision: 'approve' });
    const publicized = await step(200, 'POST', '/decision', tokens.cityBureau, '2026-07-01T10:00:00+08:00', { decision: 'approve', onSiteVerified: true });
    expect(publicized.publicity.until).toBe('2026-07-08');
    const planned = await step(200, 'POST', '/plan', tokens.cityBureau, '2026-07-10T10:00:00+08:00');
    expect([planned.status, planned.deadlines.filingDue]).toEqual(['planned', '2026-07-24']);

    // R-GROUP-1: each company files its class opening itself; a member cannot file for another company.
    await refused(w, 403, 'FORBIDDEN', 'POST', `${path}/filings`, { token: tokens.member1, now: '2026-07-15T10:00:00+08:00', body: { enterpriseId: orgs.member2.id, commitment } });
    await refused(w, 403, 'FORBIDDEN', 'POST', `${path}/filings`, { token: tokens.member1, now: '2026-07-15T10:00:00+08:00', body: { enterpriseId: orgs.hq.id, commitment } });
    // Nor does the HQ file for a member, as the organiser of a joint class may (R-GROUP-1).
    const byHq = await refused(w, 422, 'RULE_VIOLATION', 'POST', `${path}/filings`, { token: tokens.hq, now: '2026-07-15T10:00:00+08:00', body: { enterpriseId: orgs.member1.id, commitment } });
    expect(rulesOf(byHq)).toEqual(['R-GROUP-1']);
    for (const [id, token] of [[orgs.member1.id, tokens.member1], [orgs.member2.id, tokens.member2], [orgs.hq.id, tokens.hq]] as const) {
      const filing = await step(201, 'POST', '/filings', token, '2026-07-15T10:00:00+08:00', { enterpriseId: id, commitment });
      expect(filing.filedBy).toBe(id);
    }
    const units = (await ok(w, 200, 'GET', `${path}/filings`, { token: tokens.hq })).items;
    expect(units.map((u: { enterpriseId: string; district: string; bureauId: string }) => [u.enterpriseId, u.district, u.bureauId]).sort()).toEqual(
      [[orgs.hq.id, '320214', orgs.xinwu.id], [orgs.member1.id, '320211', orgs.binhu.id], [orgs.member2.id, '320213', orgs.liangxi.id]].sort(),
    );

    // R-ROUTE-2: the municipal bureau has no unit to approve; each district bureau approves its own.
    await refused(w, 403, 'FORBIDDEN', 'POST', `${path}/filings/approve`, { token: tokens.cityBureau, now: '2026-07-20T10:00:00+08:00' });
    for (const token of [tokens.xinwu, tokens.binhu]) expect((await step(200, 'POST', '/filings/approve', token, '2026-07-20T10:00:00+08:00')).status).toBe('filed');
    const training = await step(200, 'POST', '/filings/approve', tokens.liangxi, '2026-07-21T10:00:00+08:00');
    expect([training.status, training.enteredTrainingOn]).toEqual(['in_training', '2026-07-21']);

    // Assessment: each company records its own trainees; not another company's.
    const own = (id: string) => trainees.filter((t) => t.enterpriseId === id);
    const results = (id: string, passed = true) => own(id).map((t, i) => ({ traineeId: t.id, passed, method: 'third_party', assessedOn: '2027-08-10', ...(passed ? { certificateNo: `G-${id.slice(-4)}-${i}` } : {}) }));
    await refused(w, 403, 'FORBIDDEN', 'POST', `${path}/assessments`, { token: tokens.member1, now: '2027-08-12T10:00:00+08:00', body: { results: results(orgs.member2.id) } });
    await step(200, 'POST', '/assessments', tokens.member1, '2027-08-12T10:00:00+08:00', { results: results(orgs.member1.id) });
    await step(200, 'POST', '/assessments', tokens.member2, '2027-08-12T10:00:00+08:00', { results: results(orgs.member2.id, false) });
    const assessed = await step(200, 'POST', '/assessments', tokens.hq, '2027-08-12T10:00:00+08:00', { results: results(orgs.hq.id) });
    expect([assessed.status, assessed.counts, assessed.deadlines.closingDue]).toEqual(['assessed', { enrolled: 5, departed: 0, assessed: 5, passed: 4, failed: 1 }, '2027-09-10']);

    // Closing by the HQ, accepted by the municipal bureau.
    const materials = { materials: [{ name: '集团培训过程材料.pdf', sha256: 'f'.repeat(64) }] };
    await refused(w, 403, 'FORBIDDEN', 'POST', `${path}/closing`, { token: tokens.member1, now: '2027-08-20T10:00:00+08:00', body: materials });
    const closing = await step(200, 'POST', '/closing', tokens.hq, '2027-08-20T10:00:00+08:00', materials);
    expect([closing.status, closing.closing.late]).toEqual(['closing_review', false]);
    await refused(w, 403, 'FORBIDDEN', 'POST', `${path}/closing/accept`, { token: tokens.xinwu, now: '2027-08-25T10:00:00+08:00' });
    const closed = await ok(w, 200, 'POST', `${path}/closing/accept`, { token: tokens.cityBureau, now: '2027-08-25T10:00:00+08:00' });
    expect(closed.status).toBe('closed');

    // R-JOINT-3 / R-SUB-4: one line per (company, paying district bureau) for those who passed.
    const subsidy = await ok(w, 200, 'GET', `${path}/subsidy`, { token: tokens.cityBureau });
    expect(subsidy.lines.map((l: { payeeId: string; payerBureauId: string; traineeIds: string[] }) => [l.payeeId, l.payerBureauId, l.traineeIds.length]).sort()).toEqual(
      [[orgs.hq.id, orgs.xinwu.id, 2], [orgs.member1.id, orgs.binhu.id, 2]].sort(),
    );

    // R-ELIG-4: subsidised once per (occupation, level), ever — a passed trainee cannot enrol again at that level.
    const again = await ok(w, 201, 'POST', '/v1/cohorts', { token: tokens.hq, now: '2027-09-01T10:00:00+08:00', body: { mode: 'group', name: '二期', occupationCode: w.occupation, level: 'intermediate', providerId: orgs.provider.id, plannedStart: '2027-10-01', plannedEnd: '2028-09-30', curriculum: { generalHours: 80, theoryHours: 240, practiceHours: 480, onlineHours: 200 } } });
    await ok(w, 201, 'POST', `/v1/cohorts/${again.id}/participants`, { token: tokens.hq, now: '2027-09-01T10:00:00+08:00', body: { enterpriseId: orgs.member1.id } });
    const passed = own(orgs.member1.id)[0]!;
    const failed = own(orgs.member2.id)[0]!;
    const dup = await w.h.call('POST', `/v1/cohorts/${again.id}/trainees`, { token: tokens.member1, now: '2027-09-01T10:00:00+08:00', body: traineeBody(orgs.member1.id, '320211', { idNumber: passed.idNumber }) });
    expect([dup.status, dup.body.code]).toEqual([409, 'DUPLICATE_ENROLMENT']);
    // The trainee who failed was never subsidised: the closed class no longer holds them.
    await ok(w, 201, 'POST', `/v1/cohorts/${again.id}/trainees`, { token: tokens.hq, now: '2027-09-01T10:00:00+08:00', body: traineeBody(orgs.member1.id, '320211', { idNumber: failed.idNumber }) });
  }, 300_000); // ~100 requests: a whole two-year lifecycle with an audit count around every step
});
