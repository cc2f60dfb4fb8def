/**
 * R-PRIV-1 (ID numbers masked except for the trainee's enterprise, bureaus with jurisdiction and
 * auditors) and R-AUDIT-1 (every change appends exactly one event with actor and before/after;
 * a refused request appends none), over HTTP against DynamoDB Local.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { completeNationalId } from '../../shared/domain/national-id.js';
import { createHarness } from '../support/harness.js';
import { createWorld, design, eventCount, ok, readyDraft, refused, traineeBody, type World } from '../support/world.js';

let w: World;
beforeAll(async () => {
  w = await createWorld(await createHarness());
});

const mask = (id: string) => `${id.slice(0, 6)}********${id.slice(-4)}`;

describe('R-PRIV-1: national ID numbers masked (first 6, last 4) except for the trainee’s enterprise, the bureaus with jurisdiction and auditors', () => {
  let cohortId: string;
  const idA = completeNationalId('32021419980512001'); // SME A's trainee, insured in 新吴区 (320214)
  const idB = completeNationalId('32021119970304002'); // SME B's trainee, insured in 滨湖区 (320211)
  let tA: string;
  let tB: string;

  beforeAll(async () => {
    const { orgs, tokens } = w;
    const c = await ok(w, 201, 'POST', '/v1/cohorts', { token: tokens.chamber, now: '2026-06-01T10:00:00+08:00', body: design(w, { evaluatorId: orgs.evaluator.id }) });
    cohortId = c.id;
    const now = '2026-06-01T10:00:00+08:00';
    for (const id of [orgs.smeA.id, orgs.smeB.id]) await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/participants`, { token: tokens.chamber, now, body: { enterpriseId: id } });
    // The enterprise enrolling its own trainee gets the full number back…
    const a = await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/trainees`, { token: tokens.smeA, now, body: traineeBody(orgs.smeA.id, '320214', { idNumber: idA }) });
    expect(a.idNumber).toBe(idA);
    // …the organiser enrolling on SME B's behalf gets it masked.
    const b = await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/trainees`, { token: tokens.chamber, now, body: traineeBody(orgs.smeB.id, '320211', { idNumber: idB }) });
    expect(b.idNumber).toBe(mask(idB));
    [tA, tB] = [a.id, b.id];
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/mentors`, { token: tokens.chamber, now, body: { kind: 'enterprise', name: '王师傅', organizationId: orgs.smeA.id } });
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/mentors`, { token: tokens.provider, now, body: { kind: 'school', name: '李老师', organizationId: orgs.provider.id } });
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/agreement`, { token: tokens.chamber, now });
    for (const t of [tokens.chamber, tokens.smeA, tokens.smeB, tokens.provider]) await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/agreement/signatures`, { token: t, now, body: { signerName: '签署人' } });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/submit`, { token: tokens.chamber, now: '2026-06-10T10:00:00+08:00' });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/accept`, { token: tokens.xinwu, now: '2026-06-11T10:00:00+08:00', body: { experts: ['e1', 'e2', 'e3'] } });
  });

  const idsSeenBy = async (token: string) => {
    const list = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/trainees`, { token });
    const byId = new Map(list.items.map((t: { id: string; idNumber: string }) => [t.id, t.idNumber]));
    return [byId.get(tA), byId.get(tB)];
  };

  it('R-PRIV-1: an ID number shows as 6 + 8 stars + 4 (320214********0016), as the service masks it', async () => {
    const list = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/trainees`, { token: w.tokens.chamber });
    const shown = list.items.map((t: { idNumber: string }) => t.idNumber);
    expect(shown).toHaveLength(2);
    for (const id of shown) expect(id).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
    expect(shown).toContain(`${idA.slice(0, 6)}********${idA.slice(14)}`);
  });

  it('R-PRIV-1: the organising chamber sees both numbers masked', async () => {
    expect(await idsSeenBy(w.tokens.chamber)).toEqual([mask(idA), mask(idB)]);
  });

  it('R-PRIV-1: each participant sees its own trainee in full and the other participant’s masked', async () => {
    expect(await idsSeenBy(w.tokens.smeA)).toEqual([idA, mask(idB)]);
    expect(await idsSeenBy(w.tokens.smeB)).toEqual([mask(idA), idB]);
  });

  it('R-PRIV-1: the provider, the named evaluator and an assigned expert see masked numbers', async () => {
    for (const token of [w.tokens.provider, w.tokens.evaluator, w.tokens.experts[0]!]) expect(await idsSeenBy(token)).toEqual([mask(idA), mask(idB)]);
  });

  it('R-PRIV-1: the competent (review) bureau and the auditor see full numbers', async () => {
    expect(await idsSeenBy(w.tokens.xinwu)).toEqual([idA, idB]);
    expect(await idsSeenBy(w.tokens.auditor)).toEqual([idA, idB]);
  });

  it('R-PRIV-1: the filing bureau of the insured district (滨湖区) sees its trainee in full', async () => {
    const [, b] = await idsSeenBy(w.tokens.binhu);
    expect(b).toBe(idB);
  });

  it('R-PRIV-1: the audit trail never carries a full ID number, whoever reads it', async () => {
    for (const token of [w.tokens.chamber, w.tokens.auditor, w.tokens.xinwu]) {
      const text = JSON.stringify(await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/events?limit=200`, { token }));
      expect(text).not.toContain(idA);
      expect(text).not.toContain(idB);
    }
  });
});

describe('R-AUDIT-1: every change appends exactly one event with actor and before/after; a refused request appends none', () => {
  let cohortId: string;
  const NOW = '2026-06-01T10:00:00+08:00';

  /** Runs a call, then checks exactly one new event by this actor (or none when refused). */
  async function audited(expected: { action: string; actor: { token: string; sub: string; role: string; orgId: string } }, method: string, path: string, body?: unknown) {
    const before = await eventCount(w, cohortId);
    const res = await w.h.call(method, path, { token: expected.actor.token, now: NOW, ...(body !== undefined ? { body } : {}) });
    expect(res.status, `${method} ${path} → ${JSON.stringify(res.body)}`).toBeLessThan(300);
    const events = (await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/events?limit=200`, { token: w.tokens.auditor })).items;
    expect(events).toHaveLength(before + 1);
    const e = events.at(-1);
    expect(e.action).toBe(expected.action);
    expect(e.actor).toEqual({ sub: expected.actor.sub, role: expected.actor.role, orgId: expected.actor.orgId });
    expect(e.at).toBe(new Date(NOW).toISOString());
    expect(e.before).toEqual(expect.objectContaining({ cohort: expect.objectContaining({ status: expect.any(String), version: expect.any(Number) }) }));
    expect(e.after).toEqual(expect.objectContaining({ cohort: expect.objectContaining({ status: expect.any(String), version: e.before.cohort.version + 1 }) }));
    return { res, event: e };
  }
  async function notAudited(status: number, code: string, token: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) {
    const before = await eventCount(w, cohortId);
    await refused(w, status, code, method, path, { token, now: NOW, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
    expect(await eventCount(w, cohortId)).toBe(before);
  }
  const actor = (key: 'chamber' | 'smeA' | 'smeB' | 'provider') => {
    const org = w.orgs[key];
    const role = key === 'chamber' ? 'chamber' : key === 'provider' ? 'provider' : 'enterprise';
    return { token: w.tokens[key], sub: `${role}-${org.id}`, role, orgId: org.id };
  };

  it('R-AUDIT-1: creation appends cohort.created with the actor and the created cohort as `after`', async () => {
    const c = await ok(w, 201, 'POST', '/v1/cohorts', { token: w.tokens.chamber, now: NOW, body: design(w) });
    cohortId = c.id;
    const events = (await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/events`, { token: w.tokens.auditor })).items;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'cohort.created', subjectType: 'cohort', subjectId: cohortId, actor: { role: 'chamber', orgId: w.orgs.chamber.id } });
    expect(events[0].after).toMatchObject({ id: cohortId, status: 'draft', version: 1 });
  });

  it('R-AUDIT-1: each design change appends one event (participant, trainee, mentor, agreement, signature, edit, submit)', async () => {
    const { orgs } = w;
    const p = `/v1/cohorts/${cohortId}`;
    const added = await audited({ action: 'participant.added', actor: actor('chamber') }, 'POST', `${p}/participants`, { enterpriseId: orgs.smeA.id });
    expect(added.event.after.data).toMatchObject({ enterpriseId: orgs.smeA.id });
    await audited({ action: 'participant.added', actor: actor('chamber') }, 'POST', `${p}/participants`, { enterpriseId: orgs.smeB.id });
    const enrolled = await audited({ action: 'trainee.enrolled', actor: actor('smeA') }, 'POST', `${p}/trainees`, traineeBody(orgs.smeA.id, '320214'));
    expect(enrolled.event).toMatchObject({ subjectType: 'trainee', subjectId: enrolled.res.body.id });
    await audited({ action: 'trainee.enrolled', actor: actor('smeB') }, 'POST', `${p}/trainees`, traineeBody(orgs.smeB.id, '320211'));
    await audited({ action: 'mentor.added', actor: actor('chamber') }, 'POST', `${p}/mentors`, { kind: 'enterprise', name: '王师傅', organizationId: orgs.smeA.id });
    await audited({ action: 'mentor.added', actor: actor('provider') }, 'POST', `${p}/mentors`, { kind: 'school', name: '李老师', organizationId: orgs.provider.id });
    const edit = await audited({ action: 'cohort.updated', actor: actor('chamber') }, 'PATCH', p, { name: '新名称' });
    expect([edit.event.before.data.name, edit.event.after.data.name]).toEqual(['数控车工联合组班', '新名称']);
    await audited({ action: 'agreement.created', actor: actor('chamber') }, 'POST', `${p}/agreement`);
    for (const who of ['chamber', 'smeA', 'smeB', 'provider'] as const) {
      await audited({ action: 'agreement.signed', actor: actor(who) }, 'POST', `${p}/agreement/signatures`, { signerName: '签署人' });
    }
    const submitted = await audited({ action: 'cohort.submitted', actor: actor('chamber') }, 'POST', `${p}/submit`);
    expect([submitted.event.before.cohort.status, submitted.event.after.cohort.status]).toEqual(['draft', 'submitted']);
  });

  it('R-AUDIT-1: a repeated signature changes nothing and appends nothing', async () => {
    const before = await eventCount(w, cohortId);
    const res = await w.h.call('POST', `/v1/cohorts/${cohortId}/agreement/signatures`, { token: w.tokens.smeA, now: NOW, body: { signerName: '签署人' } });
    expect(res.status).toBe(200);
    expect(await eventCount(w, cohortId)).toBe(before);
  });

  it('R-AUDIT-1: refused requests append nothing (409 state, 422 rule, 412 stale, 403 role, 404 stranger, 400 schema, 409 duplicate)', async () => {
    const p = `/v1/cohorts/${cohortId}`;
    await notAudited(409, 'INVALID_STATE', w.tokens.chamber, 'POST', `${p}/submit`);
    await notAudited(409, 'INVALID_STATE', w.tokens.chamber, 'PATCH', p, { name: 'x' });
    await notAudited(422, 'RULE_VIOLATION', w.tokens.xinwu, 'POST', `${p}/accept`, { experts: ['e1', 'e2'] });
    await notAudited(403, 'FORBIDDEN', w.tokens.auditor, 'POST', `${p}/cancel`);
    await notAudited(404, 'NOT_FOUND', w.tokens.smeC, 'POST', `${p}/cancel`);
    await notAudited(400, 'VALIDATION_FAILED', w.tokens.xinwu, 'POST', `${p}/accept`, { experts: 'e1' });
    // A fresh draft for the 412 and duplicate cases.
    const d = await readyDraft(w, { participants: [{ id: w.orgs.smeA.id, token: w.tokens.smeA, district: '320214', trainees: 1 }, { id: w.orgs.smeB.id, token: w.tokens.smeB, district: '320211', trainees: 1 }] });
    const saved = cohortId;
    cohortId = d.cohortId;
    await notAudited(412, 'PRECONDITION_FAILED', w.tokens.chamber, 'PATCH', `/v1/cohorts/${cohortId}`, { name: 'x' }, { 'if-match': '"1"' });
    await notAudited(412, 'PRECONDITION_FAILED', w.tokens.chamber, 'POST', `/v1/cohorts/${cohortId}/submit`, undefined, { 'if-match': '"2"' });
    await notAudited(409, 'DUPLICATE_ENROLMENT', w.tokens.smeA, 'POST', `/v1/cohorts/${cohortId}/trainees`, traineeBody(w.orgs.smeA.id, '320214', { idNumber: d.trainees[0]!.idNumber }));
    await notAudited(422, 'RULE_VIOLATION', w.tokens.smeA, 'POST', `/v1/cohorts/${cohortId}/trainees`, traineeBody(w.orgs.smeA.id, '320214', { skillPosition: false }));
    cohortId = saved;
  });

  it('R-AUDIT-1: acceptance, each vote, the decision and the cancellation append one event each, by their actor', async () => {
    const p = `/v1/cohorts/${cohortId}`;
    const bureau = { token: w.tokens.xinwu, sub: `hr-${w.orgs.xinwu.id}`, role: 'hr', orgId: w.orgs.xinwu.id };
    const accepted = await audited({ action: 'cohort.accepted', actor: bureau }, 'POST', `${p}/accept`, { experts: ['e1', 'e2', 'e3'] });
    expect(accepted.event.after.data).toMatchObject({ experts: ['e1', 'e2', 'e3'], reviewDue: '2026-07-01' });
    for (const [i, sub] of ['e1', 'e2', 'e3'].entries()) {
      await audited({ action: 'review.voted', actor: { token: w.tokens.experts[i]!, sub, role: 'expert', orgId: w.orgs.xinwu.id } }, 'POST', `${p}/votes`, { decision: 'approve' });
    }
    const approved = await audited({ action: 'review.approved', actor: bureau }, 'POST', `${p}/decision`, { decision: 'approve' });
    expect([approved.event.before.cohort.status, approved.event.after.cohort.status]).toEqual(['under_review', 'publicized']);
    const cancelled = await audited({ action: 'cohort.cancelled', actor: actor('chamber') }, 'POST', `${p}/cancel`, { reason: '企业调整' });
    expect([cancelled.event.before.cohort.status, cancelled.event.after.cohort.status, cancelled.event.after.data]).toEqual(['publicized', 'cancelled', { reason: '企业调整' }]);
  });
});
