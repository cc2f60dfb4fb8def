/**
 * The cohort state machine (SPEC "Cohort states") and optimistic concurrency (API.md: ETag on GET,
 * If-Match on PATCH and transitions, 412 on a mismatch), over HTTP against DynamoDB Local.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness.js';
import { commitment, createWorld, design, enterpriseClassInTraining, ok, readyDraft, refused, toPublicized, traineeBody, type World } from '../support/world.js';

let w: World;
beforeAll(async () => {
  w = await createWorld(await createHarness());
});

const NOW = '2026-06-20T10:00:00+08:00';
const joint = () =>
  readyDraft(w, {
    participants: [
      { id: w.orgs.smeA.id, token: w.tokens.smeA, district: '320214', trainees: 1 },
      { id: w.orgs.smeB.id, token: w.tokens.smeB, district: '320211', trainees: 1 },
    ],
  });
const review = { experts: ['e1', 'e2', 'e3'] };
const invalid = (token: string, method: string, path: string, body?: unknown) =>
  refused(w, 409, 'INVALID_STATE', method, path, { token, now: NOW, ...(body !== undefined ? { body } : {}) });
const statusOf = async (id: string) => (await ok(w, 200, 'GET', `/v1/cohorts/${id}`, { token: w.tokens.auditor })).status;

describe('State machine: a transition from the wrong state → 409 INVALID_STATE, nothing changes', () => {
  it('INVALID_STATE: a draft cannot be accepted, decided, planned, filed, approved, assessed or closed', async () => {
    const { cohortId, trainees } = await joint();
    const p = `/v1/cohorts/${cohortId}`;
    const version = (await ok(w, 200, 'GET', p, { token: w.tokens.chamber })).version;
    await invalid(w.tokens.xinwu, 'POST', `${p}/accept`, { experts: review.experts });
    await invalid(w.tokens.xinwu, 'POST', `${p}/decision`, { decision: 'approve' });
    await invalid(w.tokens.xinwu, 'POST', `${p}/plan`);
    await invalid(w.tokens.smeA, 'POST', `${p}/filings`, { enterpriseId: w.orgs.smeA.id, commitment });
    await invalid(w.tokens.xinwu, 'POST', `${p}/filings/approve`);
    await invalid(w.tokens.chamber, 'POST', `${p}/assessments`, { results: [{ traineeId: trainees[0]!.id, passed: false, method: 'direct', assessedOn: '2026-06-01' }] });
    await invalid(w.tokens.chamber, 'POST', `${p}/closing`, { materials: [{ name: 'm.pdf', sha256: 'a'.repeat(64) }] });
    await invalid(w.tokens.xinwu, 'POST', `${p}/closing/accept`);
    await invalid(w.tokens.smeA, 'POST', `${p}/trainees/${trainees[0]!.id}/departure`, { leftOn: '2026-06-01' });
    const after = await ok(w, 200, 'GET', p, { token: w.tokens.chamber });
    expect([after.status, after.version]).toEqual(['draft', version]);
  });

  it('INVALID_STATE: submitting twice; the design is frozen once submitted', async () => {
    const { cohortId } = await joint();
    const p = `/v1/cohorts/${cohortId}`;
    await ok(w, 200, 'POST', `${p}/submit`, { token: w.tokens.chamber, now: NOW });
    await invalid(w.tokens.chamber, 'POST', `${p}/submit`);
    await invalid(w.tokens.chamber, 'PATCH', p, { name: '改名' });
    await invalid(w.tokens.chamber, 'POST', `${p}/participants`, { enterpriseId: w.orgs.smeC.id });
    await invalid(w.tokens.smeA, 'POST', `${p}/trainees`, traineeBody(w.orgs.smeA.id, '320214'));
    await invalid(w.tokens.chamber, 'POST', `${p}/mentors`, { kind: 'enterprise', name: '张', organizationId: w.orgs.smeA.id });
    await invalid(w.tokens.chamber, 'POST', `${p}/agreement`);
    await invalid(w.tokens.xinwu, 'POST', `${p}/plan`);
    expect(await statusOf(cohortId)).toBe('submitted');
  });

  it('INVALID_STATE: a class in training cannot be cancelled (cancel only before in_training)', async () => {
    const { cohortId } = await enterpriseClassInTraining(w, 1);
    await invalid(w.tokens.smeA, 'POST', `/v1/cohorts/${cohortId}/cancel`, { reason: '太晚了' });
    expect(await statusOf(cohortId)).toBe('in_training');
  });

  it('Idempotency-Key: an INVALID_STATE answer is replayed for its key after the state moved on; another key acts', async () => {
    const { cohortId } = await readyDraft(w, { participants: [{ id: w.orgs.smeA.id, token: w.tokens.smeA, district: '320214', trainees: 1 }, { id: w.orgs.smeB.id, token: w.tokens.smeB, district: '320211', trainees: 1 }] });
    const p = `/v1/cohorts/${cohortId}`;
    const key = { 'Idempotency-Key': `plan-${cohortId}` };
    await ok(w, 200, 'POST', `${p}/submit`, { token: w.tokens.chamber, now: '2026-06-10T10:00:00+08:00' });
    await ok(w, 200, 'POST', `${p}/accept`, { token: w.tokens.xinwu, now: '2026-06-11T10:00:00+08:00', body: { experts: ['e1', 'e2', 'e3'] } });
    const early = await w.h.call('POST', `${p}/plan`, { token: w.tokens.xinwu, now: '2026-06-12T10:00:00+08:00', headers: key });
    expect([early.status, early.body.code]).toEqual([409, 'INVALID_STATE']);
    for (const t of w.tokens.experts.slice(0, 3)) await ok(w, 201, 'POST', `${p}/votes`, { token: t, now: '2026-06-20T10:00:00+08:00', body: { decision: 'approve' } });
    await ok(w, 200, 'POST', `${p}/decision`, { token: w.tokens.xinwu, now: '2026-07-01T10:00:00+08:00', body: { decision: 'approve' } });
    const replay = await w.h.call('POST', `${p}/plan`, { token: w.tokens.xinwu, now: '2026-07-10T10:00:00+08:00', headers: key });
    expect([replay.status, replay.body, replay.headers.get('idempotent-replayed')]).toEqual([409, early.body, 'true']);
    expect((await ok(w, 200, 'GET', p, { token: w.tokens.xinwu })).status).toBe('publicized');
    const planned = await ok(w, 200, 'POST', `${p}/plan`, { token: w.tokens.xinwu, now: '2026-07-10T10:00:00+08:00', headers: { 'Idempotency-Key': `plan-2-${cohortId}` } });
    expect(planned.status).toBe('planned');
  });

  it('cancel is allowed before in_training: from submitted, under_review, publicized and planned', async () => {
    for (const stop of ['submitted', 'under_review', 'publicized', 'planned'] as const) {
      const { cohortId } = await joint();
      const p = `/v1/cohorts/${cohortId}`;
      await ok(w, 200, 'POST', `${p}/submit`, { token: w.tokens.chamber, now: '2026-06-10T10:00:00+08:00' });
      if (stop !== 'submitted') await ok(w, 200, 'POST', `${p}/accept`, { token: w.tokens.xinwu, now: '2026-06-11T10:00:00+08:00', body: { experts: review.experts } });
      if (stop === 'publicized' || stop === 'planned') {
        for (const t of w.tokens.experts.slice(0, 3)) await ok(w, 201, 'POST', `${p}/votes`, { token: t, now: '2026-06-20T10:00:00+08:00', body: { decision: 'approve' } });
        await ok(w, 200, 'POST', `${p}/decision`, { token: w.tokens.xinwu, now: '2026-07-01T10:00:00+08:00', body: { decision: 'approve' } });
      }
      if (stop === 'planned') await ok(w, 200, 'POST', `${p}/plan`, { token: w.tokens.xinwu, now: '2026-07-10T10:00:00+08:00' });
      expect(await statusOf(cohortId)).toBe(stop);
      await refused(w, 403, 'FORBIDDEN', 'POST', `${p}/cancel`, { token: w.tokens.smeA, now: '2026-07-11T10:00:00+08:00' });
      const cancelled = await ok(w, 200, 'POST', `${p}/cancel`, { token: w.tokens.chamber, now: '2026-07-11T10:00:00+08:00', body: { reason: '企业调整' } });
      expect([cancelled.status, cancelled.cancellation.reason]).toEqual(['cancelled', '企业调整']);
    }
  });

  it('rejected is terminal: no decision, cancel, submit, edit, enrolment or plan afterwards', async () => {
    const { cohortId } = await joint();
    const p = `/v1/cohorts/${cohortId}`;
    await ok(w, 200, 'POST', `${p}/submit`, { token: w.tokens.chamber, now: '2026-06-10T10:00:00+08:00' });
    await ok(w, 200, 'POST', `${p}/accept`, { token: w.tokens.xinwu, now: '2026-06-11T10:00:00+08:00', body: { experts: review.experts } });
    for (const t of w.tokens.experts.slice(0, 3)) await ok(w, 201, 'POST', `${p}/votes`, { token: t, now: NOW, body: { decision: 'reject' } });
    const rejected = await ok(w, 200, 'POST', `${p}/decision`, { token: w.tokens.xinwu, now: '2026-07-01T10:00:00+08:00', body: { decision: 'reject', reason: '实训条件不足' } });
    expect([rejected.status, rejected.review.decision.reason]).toEqual(['rejected', '实训条件不足']);
    await invalid(w.tokens.xinwu, 'POST', `${p}/decision`, { decision: 'approve' });
    await invalid(w.tokens.chamber, 'POST', `${p}/cancel`);
    await invalid(w.tokens.chamber, 'POST', `${p}/submit`);
    await invalid(w.tokens.chamber, 'PATCH', p, { name: '再来' });
    await invalid(w.tokens.smeA, 'POST', `${p}/trainees`, traineeBody(w.orgs.smeA.id, '320214'));
    await invalid(w.tokens.xinwu, 'POST', `${p}/plan`);
    await invalid(w.tokens.xinwu, 'POST', `${p}/accept`, { experts: review.experts });
    expect(await statusOf(cohortId)).toBe('rejected');
  });

  it('cancelled is terminal: no second cancel, submit, edit, acceptance, participant, enrolment or agreement', async () => {
    const { cohortId } = await joint();
    const p = `/v1/cohorts/${cohortId}`;
    await ok(w, 200, 'POST', `${p}/cancel`, { token: w.tokens.chamber, now: NOW });
    await invalid(w.tokens.chamber, 'POST', `${p}/cancel`);
    await invalid(w.tokens.chamber, 'POST', `${p}/submit`);
    await invalid(w.tokens.chamber, 'PATCH', p, { name: '再来' });
    await invalid(w.tokens.xinwu, 'POST', `${p}/accept`, { experts: review.experts });
    await invalid(w.tokens.chamber, 'POST', `${p}/participants`, { enterpriseId: w.orgs.smeC.id });
    await invalid(w.tokens.smeA, 'POST', `${p}/trainees`, traineeBody(w.orgs.smeA.id, '320214'));
    await invalid(w.tokens.chamber, 'POST', `${p}/agreement`);
    expect(await statusOf(cohortId)).toBe('cancelled');
  });

  it('a class appears in listings under its current status', async () => {
    const { cohortId } = await joint();
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/cancel`, { token: w.tokens.chamber, now: NOW });
    const ids = async (status: string) => (await ok(w, 200, 'GET', `/v1/cohorts?status=${status}&limit=200`, { token: w.tokens.chamber })).items.map((c: { id: string }) => c.id);
    expect(await ids('cancelled')).toContain(cohortId);
    expect(await ids('draft')).not.toContain(cohortId);
  });
});

describe('Optimistic concurrency: ETag on GET, If-Match on PATCH and transitions', () => {
  it('GET returns the version as ETag; PATCH with the current ETag succeeds and returns the next one', async () => {
    const c = await ok(w, 201, 'POST', '/v1/cohorts', { token: w.tokens.chamber, now: NOW, body: design(w) });
    const get = await w.h.call('GET', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber });
    expect(get.headers.get('etag')).toBe(`"${get.body.version}"`);
    const patched = await w.h.call('PATCH', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber, now: NOW, headers: { 'if-match': get.headers.get('etag')! }, body: { name: '一期' } });
    expect([patched.status, patched.body.name, patched.headers.get('etag')]).toEqual([200, '一期', `"${get.body.version + 1}"`]);
  });

  it('PRECONDITION_FAILED: PATCH with a stale ETag → 412 and the class is unchanged', async () => {
    const c = await ok(w, 201, 'POST', '/v1/cohorts', { token: w.tokens.chamber, now: NOW, body: design(w) });
    const stale = (await w.h.call('GET', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber })).headers.get('etag')!;
    await ok(w, 200, 'PATCH', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber, now: NOW, body: { name: '别人先改了' } });
    await refused(w, 412, 'PRECONDITION_FAILED', 'PATCH', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber, now: NOW, headers: { 'if-match': stale }, body: { name: '我的修改' } });
    await refused(w, 412, 'PRECONDITION_FAILED', 'PATCH', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber, now: NOW, headers: { 'if-match': 'W/"abc"' }, body: { name: '我的修改' } });
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber })).name).toBe('别人先改了');
    // "*" matches any version.
    expect((await ok(w, 200, 'PATCH', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber, now: NOW, headers: { 'if-match': '*' }, body: { name: '任意' } })).name).toBe('任意');
    // If-Match compares strongly (RFC 9110): the weak form of the current tag does not match.
    const current = (await w.h.call('GET', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber })).headers.get('etag')!;
    await refused(w, 412, 'PRECONDITION_FAILED', 'PATCH', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber, now: NOW, headers: { 'if-match': `W/${current}` }, body: { name: '弱' } });
  });

  it('PRECONDITION_FAILED: removing a trainee or a participant honours If-Match too', async () => {
    const { cohortId, trainees } = await readyDraft(w, { participants: [{ id: w.orgs.smeA.id, token: w.tokens.smeA, district: '320214', trainees: 1 }, { id: w.orgs.smeB.id, token: w.tokens.smeB, district: '320211', trainees: 0 }] });
    const etag = (await w.h.call('GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.chamber })).headers.get('etag')!;
    const stale = `"${Number(etag.replaceAll('"', '')) - 1}"`;
    await refused(w, 412, 'PRECONDITION_FAILED', 'DELETE', `/v1/cohorts/${cohortId}/trainees/${trainees[0]!.id}`, { token: w.tokens.chamber, now: NOW, headers: { 'if-match': stale } });
    await refused(w, 412, 'PRECONDITION_FAILED', 'DELETE', `/v1/cohorts/${cohortId}/participants/${w.orgs.smeB.id}`, { token: w.tokens.chamber, now: NOW, headers: { 'if-match': stale } });
    await ok(w, 204, 'DELETE', `/v1/cohorts/${cohortId}/participants/${w.orgs.smeB.id}`, { token: w.tokens.chamber, now: NOW, headers: { 'if-match': etag } });
  });

  it('PRECONDITION_FAILED: submit with a stale ETag → 412 and the class stays a draft; with the current one it is submitted', async () => {
    const { cohortId } = await joint();
    const p = `/v1/cohorts/${cohortId}`;
    const etag = (await w.h.call('GET', p, { token: w.tokens.chamber })).headers.get('etag')!;
    const version = Number(etag.replaceAll('"', ''));
    await refused(w, 412, 'PRECONDITION_FAILED', 'POST', `${p}/submit`, { token: w.tokens.chamber, now: NOW, headers: { 'if-match': `"${version - 1}"` } });
    expect(await statusOf(cohortId)).toBe('draft');
    const submitted = await w.h.call('POST', `${p}/submit`, { token: w.tokens.chamber, now: NOW, headers: { 'if-match': etag } });
    expect([submitted.status, submitted.body.status, submitted.headers.get('etag')]).toEqual([200, 'submitted', `"${version + 1}"`]);
  });

  it('PRECONDITION_FAILED: a stale ETag on the bureau’s transitions (accept, decision, plan) → 412', async () => {
    const { cohortId } = await joint();
    const p = `/v1/cohorts/${cohortId}`;
    await ok(w, 200, 'POST', `${p}/submit`, { token: w.tokens.chamber, now: '2026-06-10T10:00:00+08:00' });
    await refused(w, 412, 'PRECONDITION_FAILED', 'POST', `${p}/accept`, { token: w.tokens.xinwu, now: NOW, headers: { 'if-match': '"1"' }, body: { experts: review.experts } });
    await ok(w, 200, 'POST', `${p}/cancel`, { token: w.tokens.chamber, now: NOW });
    const publicizedCase = await joint();
    const c = await toPublicized(w, publicizedCase.cohortId, { organizer: w.tokens.chamber, bureau: w.tokens.xinwu, experts: review.experts, expertTokens: w.tokens.experts.slice(0, 3) });
    await refused(w, 412, 'PRECONDITION_FAILED', 'POST', `/v1/cohorts/${publicizedCase.cohortId}/plan`, { token: w.tokens.xinwu, now: '2026-07-10T10:00:00+08:00', headers: { 'if-match': `"${c.version - 1}"` } });
    const planned = await ok(w, 200, 'POST', `/v1/cohorts/${publicizedCase.cohortId}/plan`, { token: w.tokens.xinwu, now: '2026-07-10T10:00:00+08:00', headers: { 'if-match': `"${c.version}"` } });
    expect(planned.status).toBe('planned');
  });

  it('concurrent enrolments without If-Match are all applied (retried on a fresh read), each bumping the version once', async () => {
    const c = await ok(w, 201, 'POST', '/v1/cohorts', { token: w.tokens.chamber, now: NOW, body: design(w) });
    for (const id of [w.orgs.smeA.id, w.orgs.smeB.id, w.orgs.smeC.id]) await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/participants`, { token: w.tokens.chamber, now: NOW, body: { enterpriseId: id } });
    const bodies = [
      [w.tokens.smeA, traineeBody(w.orgs.smeA.id, '320214')],
      [w.tokens.smeB, traineeBody(w.orgs.smeB.id, '320211')],
      [w.tokens.smeC, traineeBody(w.orgs.smeC.id, '320213')],
      [w.tokens.smeA, traineeBody(w.orgs.smeA.id, '320214')],
    ] as const;
    const results = await Promise.all(bodies.map(([token, body]) => w.h.call('POST', `/v1/cohorts/${c.id}/trainees`, { token, now: NOW, body })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const after = await ok(w, 200, 'GET', `/v1/cohorts/${c.id}`, { token: w.tokens.chamber });
    expect([after.counts.enrolled, after.version]).toEqual([4, 1 + 3 + 4]);
  });
});
