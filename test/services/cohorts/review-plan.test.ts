/**
 * Review, publicity and plan listing over HTTP against DynamoDB Local: R-REVIEW-1, R-REVIEW-2 and
 * R-PLAN-1 (default 5 working days).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../../support/harness.js';
import { createWorld, ok, smeParticipants, readyDraft, refused, rulesOf, toPublicized, type World } from '../../support/world.js';

let w: World;
beforeAll(async () => {
  w = await createWorld(await createHarness());
});

const smes = (n = 2) => smeParticipants(w, n);

/** A joint class of SME A and B, submitted on 2026-06-10 and accepted on 2026-06-11 with the given panel. */
async function underReview(experts: string[], acceptAt = '2026-06-11T10:00:00+08:00') {
  const { cohortId } = await readyDraft(w, { participants: smes() });
  await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/submit`, { token: w.tokens.chamber, now: '2026-06-10T10:00:00+08:00' });
  const accepted = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/accept`, { token: w.tokens.xinwu, now: acceptAt, body: { experts } });
  return { cohortId, accepted };
}
const expertToken = (sub: string) => w.tokens.experts[['e1', 'e2', 'e3', 'e4'].indexOf(sub)]!;
const vote = (id: string, sub: string, decision: 'approve' | 'reject') =>
  w.h.call('POST', `/v1/cohorts/${id}/votes`, { token: expertToken(sub), now: '2026-06-20T10:00:00+08:00', body: { decision } });
const decide = (id: string, token: string, decision: 'approve' | 'reject' = 'approve', now = '2026-07-01T10:00:00+08:00') =>
  w.h.call('POST', `/v1/cohorts/${id}/decision`, { token, now, body: { decision } });

describe('R-REVIEW-1: acceptance with ≥ 3 distinct experts, one vote each, approval by a majority of ≥ 3 votes', () => {
  it('R-REVIEW-1: fewer than 3 distinct experts are refused (2 experts, or 3 names of which 2 distinct)', async () => {
    const { cohortId } = await readyDraft(w, { participants: smes() });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/submit`, { token: w.tokens.chamber, now: '2026-06-10T10:00:00+08:00' });
    for (const experts of [['e1', 'e2'], ['e1', 'e1', 'e2']]) {
      const p = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${cohortId}/accept`, { token: w.tokens.xinwu, now: '2026-06-11T10:00:00+08:00', body: { experts } });
      expect(rulesOf(p)).toEqual(['R-REVIEW-1']);
    }
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.chamber })).status).toBe('submitted');
  });

  it('R-REVIEW-1: only the competent bureau accepts (a filing bureau → 403, an unrelated bureau → 404)', async () => {
    const { cohortId } = await readyDraft(w, { participants: smes() });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/submit`, { token: w.tokens.chamber, now: '2026-06-10T10:00:00+08:00' });
    const body = { experts: ['e1', 'e2', 'e3'] };
    await refused(w, 403, 'FORBIDDEN', 'POST', `/v1/cohorts/${cohortId}/accept`, { token: w.tokens.binhu, now: '2026-06-11T10:00:00+08:00', body });
    await refused(w, 404, 'NOT_FOUND', 'POST', `/v1/cohorts/${cohortId}/accept`, { token: w.tokens.liangxi, now: '2026-06-11T10:00:00+08:00', body });
    await refused(w, 404, 'NOT_FOUND', 'POST', `/v1/cohorts/${cohortId}/accept`, { token: w.tokens.cityBureau, now: '2026-06-11T10:00:00+08:00', body });
  });

  it('R-REVIEW-1: an expert not assigned cannot vote (404); an assigned expert votes once (409)', async () => {
    const { cohortId } = await underReview(['e1', 'e2', 'e3']);
    const stranger = await vote(cohortId, 'e4', 'approve');
    expect([stranger.status, stranger.body.code]).toEqual([404, 'NOT_FOUND']);
    expect((await vote(cohortId, 'e1', 'approve')).status).toBe(201);
    const twice = await vote(cohortId, 'e1', 'reject');
    expect([twice.status, twice.body.code]).toEqual([409, 'INVALID_STATE']);
    const c = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.xinwu });
    expect(c.review.votes.map((v: { expert: string; decision: string }) => [v.expert, v.decision])).toEqual([['e1', 'approve']]);
  });

  it('R-REVIEW-1: an expert of another bureau’s pool with an assigned sub neither votes nor sees the class (404)', async () => {
    const { cohortId } = await underReview(['e1', 'e2', 'e3']);
    const binhuExpert = await w.h.token(w.orgs.binhu.id, 'expert', 'e2');
    for (const [method, path, body] of [['POST', '/votes', { decision: 'approve' }], ['GET', '', undefined], ['GET', '/trainees', undefined]] as const) {
      const res = await w.h.call(method, `/v1/cohorts/${cohortId}${path}`, { token: binhuExpert, now: '2026-06-20T10:00:00+08:00', ...(body ? { body } : {}) });
      expect([res.status, res.body.code], `${method} ${path}`).toEqual([404, 'NOT_FOUND']);
    }
    const list = await ok(w, 200, 'GET', '/v1/cohorts?limit=200', { token: binhuExpert });
    expect(list.items.map((c: { id: string }) => c.id)).not.toContain(cohortId);
    expect((await vote(cohortId, 'e2', 'approve')).status).toBe(201);
    const own = await ok(w, 200, 'GET', '/v1/cohorts?limit=200', { token: expertToken('e2') });
    expect(own.items.map((c: { id: string }) => c.id)).toContain(cohortId);
  });

  it('R-REVIEW-1: approve with 2 approve – 1 reject is accepted → publicized', async () => {
    const { cohortId } = await underReview(['e1', 'e2', 'e3']);
    for (const [sub, d] of [['e1', 'approve'], ['e2', 'reject'], ['e3', 'approve']] as const) expect((await vote(cohortId, sub, d)).status).toBe(201);
    const res = await decide(cohortId, w.tokens.xinwu);
    expect([res.status, res.body.status]).toEqual([200, 'publicized']);
  });

  it('R-REVIEW-1: approve with only 2 votes (1–1) is refused, a 2–2 tie is refused; rejection remains possible', async () => {
    const { cohortId } = await underReview(['e1', 'e2', 'e3', 'e4']);
    await vote(cohortId, 'e1', 'approve');
    await vote(cohortId, 'e2', 'reject');
    const early = await decide(cohortId, w.tokens.xinwu);
    expect([early.status, early.body.code, rulesOf(early.body)]).toEqual([422, 'RULE_VIOLATION', ['R-REVIEW-1']]);
    await vote(cohortId, 'e3', 'approve');
    await vote(cohortId, 'e4', 'reject');
    const tie = await decide(cohortId, w.tokens.xinwu);
    expect([tie.status, tie.body.code, rulesOf(tie.body)]).toEqual([422, 'RULE_VIOLATION', ['R-REVIEW-1']]);
    expect((await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.xinwu })).status).toBe('under_review');
    const rejected = await decide(cohortId, w.tokens.xinwu, 'reject');
    expect([rejected.status, rejected.body.status]).toEqual([200, 'rejected']);
  });

  it('R-REVIEW-1: only the competent bureau decides (filing bureau, expert, organiser → 403; unrelated bureau → 404)', async () => {
    const { cohortId } = await underReview(['e1', 'e2', 'e3']);
    for (const sub of ['e1', 'e2', 'e3']) await vote(cohortId, sub, 'approve');
    for (const token of [w.tokens.binhu, w.tokens.experts[0]!, w.tokens.chamber, w.tokens.auditor]) {
      const res = await decide(cohortId, token);
      expect([res.status, res.body.code]).toEqual([403, 'FORBIDDEN']);
    }
    for (const token of [w.tokens.liangxi, w.tokens.cityBureau]) expect((await decide(cohortId, token)).status).toBe(404);
    expect((await decide(cohortId, w.tokens.xinwu)).body.status).toBe('publicized');
  });
});

describe('R-REVIEW-2: the review is due one month after acceptance', () => {
  it('R-REVIEW-2: accepted 2026-06-11 → deadlines.reviewDue 2026-07-11', async () => {
    const { accepted } = await underReview(['e1', 'e2', 'e3']);
    expect(accepted.deadlines.reviewDue).toBe('2026-07-11');
    expect(accepted.review.acceptedOn).toBe('2026-06-11');
  });

  it('R-REVIEW-2: accepted 2026-08-31 → due 2026-09-30 (end of a shorter month); the CST date counts', async () => {
    expect((await underReview(['e1', 'e2', 'e3'], '2026-08-31T10:00:00+08:00')).accepted.deadlines.reviewDue).toBe('2026-09-30');
    // 07:00 on 1 September in Beijing is still 31 August in UTC: the review is due 1 October.
    expect((await underReview(['e1', 'e2', 'e3'], '2026-09-01T07:00:00+08:00')).accepted.deadlines.reviewDue).toBe('2026-10-01');
  });
});

describe('R-PLAN-1: publicity for 5 working days before plan listing (default configuration)', () => {
  const publicized = async (decideAt: string) => {
    const { cohortId } = await readyDraft(w, { participants: smes() });
    const c = await toPublicized(w, cohortId, { organizer: w.tokens.chamber, bureau: w.tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: w.tokens.experts.slice(0, 3), at: { decide: decideAt } });
    return { cohortId, c };
  };

  it('R-PLAN-1: approved Wed 2026-07-01, publicity until Wed 07-08: plan on 07-08 refused, on 07-09 listed', async () => {
    const { cohortId, c } = await publicized('2026-07-01T10:00:00+08:00');
    expect([c.status, c.publicity, c.deadlines.publicityUntil]).toEqual(['publicized', { from: '2026-07-01', until: '2026-07-08' }, '2026-07-08']);
    const p = await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${cohortId}/plan`, { token: w.tokens.xinwu, now: '2026-07-08T18:00:00+08:00' });
    expect(rulesOf(p)).toEqual(['R-PLAN-1']);
    const planned = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: w.tokens.xinwu, now: '2026-07-09T09:00:00+08:00' });
    expect([planned.status, planned.plan.publishedOn]).toEqual(['planned', '2026-07-09']);
  });

  it('R-PLAN-1: publicity counts official working days (国庆 2026 and the make-up Saturday 10-10)', async () => {
    const { cohortId, c } = await publicized('2026-09-29T10:00:00+08:00');
    // 09-30, 10-08, 10-09, 10-10 (调休), 10-12.
    expect(c.publicity.until).toBe('2026-10-12');
    await refused(w, 422, 'RULE_VIOLATION', 'POST', `/v1/cohorts/${cohortId}/plan`, { token: w.tokens.xinwu, now: '2026-10-12T10:00:00+08:00' });
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: w.tokens.xinwu, now: '2026-10-13T10:00:00+08:00' });
  });

  it('R-PLAN-1: only the competent bureau lists the class', async () => {
    const { cohortId } = await publicized('2026-07-01T10:00:00+08:00');
    await refused(w, 403, 'FORBIDDEN', 'POST', `/v1/cohorts/${cohortId}/plan`, { token: w.tokens.binhu, now: '2026-07-10T10:00:00+08:00' });
  });
});
