/**
 * Closing acceptance of a class too large for one transaction runs in chunks: stage the lines (and
 * the R-ELIG-4 subsidy marks), flip the cohort to `closed` with as many line publications as fit,
 * publish the rest, record that publishing is done. A crash at any of those points must leave a
 * state from which repeating the acceptance reaches exactly the result of a clean run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { bureausByDistrict, seededDraft, createWorld, CrashingStore, ok, storeFactory, toClosingReview, toPlanned, type Outcome, type World } from '../support/world.js';
import { keys } from '../../shared/db/keys.js';
import { loadTrainees, toCohort } from '../../shared/db/cohorts.js';

const DISTRICTS = ['320205', '320206', '320211', '320213', '320214'] as const;
const ACCEPT_AT = '2027-08-25T10:00:00+08:00';

let h: Harness;
let w: World;
let store: CrashingStore;
let bureaus: Map<string, { id: string; token: string }>;
let participants: { id: string; token: string; insured: string[] }[];

/** 15 SMEs × 5 insured districts = 75 lines: more than the flip transaction can publish (71 here). */
async function classAtClosingReview() {
  const draft = await seededDraft(w, { participants });
  await toPlanned(w, draft.cohortId, { organizer: w.tokens.chamber, bureau: w.tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: w.tokens.experts.slice(0, 3) });
  // The sixth trainee of the first six SMEs fails (j < 3) or leaves (3 ≤ j < 6): no line for them.
  const outcome = (t: { id: string; enterpriseId: string }): Outcome => {
    const j = participants.findIndex((p) => p.id === t.enterpriseId);
    const own = draft.trainees.filter((x) => x.enterpriseId === t.enterpriseId);
    if (own.length === 6 && own[5]!.id === t.id) return j < 3 ? 'failed' : 'departed';
    return 'passed';
  };
  await toClosingReview(w, { cohortId: draft.cohortId, organizer: w.tokens.chamber, participants, bureaus: DISTRICTS.map((d) => bureaus.get(d)!.token), trainees: draft.trainees, outcome });
  return draft.cohortId;
}

/** What a clean run produces, from the same engine, before anything is written. */
async function expectedLines(cohortId: string) {
  const cohort = toCohort((await h.store.get(keys.cohort(cohortId)))!);
  const trainees = await loadTrainees(h.store, cohortId);
  const policy = await h.services.policy.inForce(cohort.plannedStart);
  const lines = await h.services.subsidy.computeLines(cohort, trainees, policy, new Date(ACCEPT_AT).toISOString());
  return { lines: lines.map((l) => ({ id: l.id, payeeId: l.payeeId, payerBureauId: l.payerBureauId, amountFen: l.amountFen, cityShareFen: l.cityShareFen, districtShareFen: l.districtShareFen, traineeIds: l.traineeIds })), passed: trainees.filter((t) => t.status === 'passed') };
}

const accept = (cohortId: string) => w.h.call('POST', `/v1/cohorts/${cohortId}/closing/accept`, { token: w.tokens.xinwu, now: ACCEPT_AT });

async function allEvents(cohortId: string) {
  const out: { action: string; before?: { cohort?: { status: string } }; after?: { cohort?: { status: string } } }[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: typeof out; nextCursor: string | null } = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/events?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: w.tokens.auditor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** The observable end state: lines, listings, marks, events, the cohort. */
async function finalState(cohortId: string) {
  const subsidy = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/subsidy`, { token: w.tokens.auditor });
  const listed: string[] = [];
  for (const d of DISTRICTS) {
    const page = await ok(w, 200, 'GET', '/v1/disbursements?limit=200', { token: bureaus.get(d)!.token });
    listed.push(...page.items.filter((l: { cohortId: string }) => l.cohortId === cohortId).map((l: { id: string }) => l.id));
  }
  const cohort = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.xinwu });
  const events = await allEvents(cohortId);
  return {
    cohort,
    lines: (subsidy.lines as { id: string; payeeId: string; payerBureauId: string; amountFen: number; cityShareFen: number; districtShareFen: number; traineeIds: string[]; status: string }[])
      .map(({ id, payeeId, payerBureauId, amountFen, cityShareFen, districtShareFen, traineeIds, status }) => ({ id, payeeId, payerBureauId, amountFen, cityShareFen, districtShareFen, traineeIds, status }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    totalFen: subsidy.totalFen as number,
    listed: listed.sort(),
    accepted: events.filter((e) => e.action === 'closing.accepted').length,
    closedTransitions: events.filter((e) => e.before?.cohort?.status === 'closing_review' && e.after?.cohort?.status === 'closed').length,
  };
}

async function expectCleanResult(cohortId: string, expected: Awaited<ReturnType<typeof expectedLines>>) {
  const state = await finalState(cohortId);
  expect(state.cohort.status).toBe('closed');
  expect(toCohort((await h.store.get(keys.cohort(cohortId)))!).closing!.linesToPublish).toBe(0);
  const want = [...expected.lines].sort((a, b) => (a.id < b.id ? -1 : 1)).map((l) => ({ ...l, status: 'pending' }));
  expect(state.lines).toEqual(want);
  expect(state.totalFen).toBe(want.reduce((s, l) => s + l.amountFen, 0));
  // Every line published to its payer's listing, each exactly once.
  expect(state.listed).toEqual(want.map((l) => l.id).sort());
  expect(state.accepted).toBe(1);
  expect(state.closedTransitions).toBe(1);
  // R-ELIG-4 marks: exactly the passed trainees, each pointing at this cohort.
  const cohort = toCohort((await h.store.get(keys.cohort(cohortId)))!);
  const marks = await h.store.getMany(expected.passed.map((t) => keys.personSubsidy(t.personHash, cohort.occupationCode, cohort.level)));
  expect(marks).toHaveLength(expected.passed.length);
  expect(marks.every((m) => m.cohortId === cohortId)).toBe(true);
  return state;
}

const scenarios: { name: string; k: number; mode: 'before' | 'after' }[] = [
  { name: 'between staging chunks', k: 1, mode: 'before' },
  { name: 'before the flip to closed', k: 2, mode: 'before' },
  { name: 'after the flip was written but its answer lost', k: 2, mode: 'after' },
  { name: 'before publishing the lines that did not fit the flip', k: 3, mode: 'before' },
  { name: 'before recording that publishing is done', k: 4, mode: 'before' },
];

let clean: { cohortId: string; state: Awaited<ReturnType<typeof finalState>> };
const prepared = new Map<string, string>();

beforeAll(async () => {
  h = await createHarness({}, storeFactory(CrashingStore));
  store = h.store as CrashingStore;
  w = await createWorld(h);
  bureaus = await bureausByDistrict(w, ['320205', '320206']);
  const smes = await Promise.all(Array.from({ length: 15 }, (_, j) => h.createOrg({ kind: 'enterprise', district: DISTRICTS[j % 5]!, name: `无锡第${j + 1}机电有限公司` })));
  participants = await Promise.all(
    smes.map(async (e, j) => ({ id: e.id, token: await h.token(e.id, 'enterprise'), insured: [...DISTRICTS, ...(j < 6 ? [e.district] : [])] })),
  );
  // One clean run + one class per crash scenario. Built one after another: DynamoDB Local serialises
  // writes, and concurrent builds were four times slower than sequential ones.
  const ids: string[] = [];
  for (let i = 0; i <= scenarios.length; i++) ids.push(await classAtClosingReview());
  const [cleanId, ...rest] = ids;
  scenarios.forEach((s, i) => prepared.set(s.name, rest[i]!));
  const expected = await expectedLines(cleanId!);
  const before = store.transactions.length;
  const res = await accept(cleanId!);
  expect(res.status).toBe(200);
  const labels = store.transactions.slice(before).map((t) => t.label);
  // The phases the crash points below refer to: 2 staging chunks (75 lines + 75 subsidy marks, 98
  // per transaction and its event), flip, 1 publishing chunk, done. Every one writes its event (R-AUDIT-1).
  expect(labels).toEqual(['subsidy.lines_staged', 'subsidy.lines_staged', 'closing.accepted', 'subsidy.lines_listed', 'subsidy.lines_published']);
  clean = { cohortId: cleanId!, state: await expectCleanResult(cleanId!, expected) };
}, 180_000);

describe('R-SUB-3, R-SUB-6: closing acceptance resumes after a crash to the result of a clean run', () => {
  it('a clean run publishes 75 lines, 4 of them after the flip', () => {
    expect(clean.state.lines).toHaveLength(75);
    expect(clean.state.lines.every((l) => l.traineeIds.length === 1)).toBe(true);
  });

  for (const s of scenarios) {
    it(`crash ${s.name} (transaction ${s.k + 1}, ${s.mode}): 503, then a repeat completes the same lines once`, async () => {
      const cohortId = prepared.get(s.name)!;
      const expected = await expectedLines(cohortId);
      store.arm(s.k, s.mode);
      const failed = await accept(cohortId);
      expect(store.crashed).toBeGreaterThan(0);
      expect(failed.status).toBe(503);
      expect(failed.body.code).toBe('UNAVAILABLE');

      // Before the flip nothing is visible to anyone (R-SUB-3): no lines, no listing entries.
      const flipped = s.k > 2 || (s.k === 2 && s.mode === 'after');
      const midway = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/subsidy`, { token: w.tokens.xinwu });
      if (!flipped) {
        expect(midway.lines).toEqual([]);
        const listed = await ok(w, 200, 'GET', '/v1/disbursements?limit=200', { token: w.tokens.xinwu });
        expect(listed.items.filter((l: { cohortId: string }) => l.cohortId === cohortId)).toEqual([]);
      } else {
        expect(midway.lines).toHaveLength(75);
      }

      const again = await accept(cohortId);
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      expect(again.body.status).toBe('closed');
      const state = await expectCleanResult(cohortId, expected);
      // Same amounts per (payee, payer) as the clean twin class.
      const byPair = (lines: typeof state.lines) => lines.map((l) => `${l.payeeId}|${l.payerBureauId}|${l.amountFen}|${l.cityShareFen}|${l.districtShareFen}`).sort();
      expect(byPair(state.lines)).toEqual(byPair(clean.state.lines));

      // A further repeat changes nothing: the closing is accepted once (INVALID_STATE, as SPEC's state table says).
      const third = await accept(cohortId);
      expect(third.status).toBe(409);
      expect(third.body.code).toBe('INVALID_STATE');
      expect((await finalState(cohortId)).accepted).toBe(1);
    });
  }

  it('a crash after the very last write leaves the class closed and complete; the repeat answers 409 INVALID_STATE', async () => {
    const cohortId = await classAtClosingReview();
    const expected = await expectedLines(cohortId);
    store.arm(4, 'after');
    const failed = await accept(cohortId);
    expect(failed.status).toBe(503);
    await expectCleanResult(cohortId, expected);
    const again = await accept(cohortId);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('INVALID_STATE');
  }, 60_000);
});
