/**
 * Races, fired with race() (N = 50 at once against DynamoDB Local): exactly one winner where there
 * must be one, losers answer 4xx problem documents (409 CONFLICT / INVALID_STATE, or the documented
 * idempotent 200), never 5xx, and the real table holds exactly what one sequential request would
 * have written, each change with its one audit event. Organisations, Idempotency-Key and the
 * calendar first; then every state-changing step of a cohort's life, from enrolment to payment.
 * Cohort races go through InterleavingStore: every racer has read the same state and computed its
 * write before any of them commits, so each race is certain, not merely likely.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness, creditCode, type CallResult, type Harness } from '../support/harness.js';
import { race, retryTransient, type RaceOutcome } from './race.js';
import { cohortEvents, queryPartition, scanAll } from './table.js';
import { InterleavingStore } from './interleave.js';
import { commitment, createWorld, design, ok, sequentialNationalId, storeFactory, traineeBody, type World } from '../support/world.js';
import { keys } from '../../shared/db/keys.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({}, storeFactory(InterleavingStore));
});

const N = 50;

async function stored(code: string) {
  const rows = await scanAll(h.tableName);
  const orgs = rows.filter((r) => r.SK === 'ORG' && r.creditCode === code);
  return {
    orgs,
    guards: rows.filter((r) => r.PK === `CREDITCODE#${code}`),
    events: rows.filter((r) => r.SK.startsWith('EVENT#') && orgs.some((o) => o.PK === r.PK)),
  };
}

function expectNoServerErrors(r: RaceOutcome) {
  expect(r.errors, 'a call threw').toEqual([]);
  for (const res of r.results) {
    expect(res!.status, r.summary).toBeLessThan(500);
    if (res!.status >= 400) expect(res!.headers.get('content-type')).toContain('application/problem+json');
  }
}

describe('races', () => {
  it(`${N} creates with the same credit code: one 201, the rest refused, one organisation and one event stored`, async () => {
    const code = creditCode('320214');
    const r = await race(N, (i) => h.call('POST', '/v1/organizations', { token: h.adminToken, body: { kind: 'enterprise', name: `企业 ${i}`, creditCode: code, district: '320214' } }));
    expectNoServerErrors(r);
    expect(r.count(201), r.summary).toBe(1);
    expect(r.count(422) + r.count(409), r.summary).toBe(N - 1);
    const s = await stored(code);
    expect([s.orgs.length, s.guards.length, s.events.length]).toEqual([1, 1, 1]);
    expect(s.guards[0]!.organizationId).toBe(s.orgs[0]!.id);
  });

  it(`${N} identical requests with one Idempotency-Key: one organisation; every 201 is the same answer`, async () => {
    const body = { kind: 'provider', name: '培训机构', creditCode: creditCode('320214'), district: '320214' };
    const key = `race-${Date.now()}`;
    const r = await race(N, () => h.call('POST', '/v1/organizations', { token: h.adminToken, body, headers: { 'idempotency-key': key } }));
    expectNoServerErrors(r);
    // The first wins; the others replay it (201) or, while it is in flight, get 409 CONFLICT.
    expect(r.count(201) + r.count(409), r.summary).toBe(N);
    expect(r.count(201), r.summary).toBeGreaterThanOrEqual(1);
    const created = r.results.filter((x) => x!.status === 201).map((x) => JSON.stringify(x!.body));
    expect(new Set(created).size).toBe(1);
    expect((await stored(body.creditCode)).orgs).toHaveLength(1);
    const after = await h.call('POST', '/v1/organizations', { token: h.adminToken, body, headers: { 'idempotency-key': key } });
    expect(after.status).toBe(201);
    expect(after.headers.get('idempotent-replayed')).toBe('true');
  });

  it(`${N} hr bureaus for one district: exactly one is registered`, async () => {
    const district = '320206';
    const r = await race(N, () => h.call('POST', '/v1/organizations', { token: h.adminToken, body: { kind: 'hr_bureau', level: 'district', name: '人社局', creditCode: creditCode(district), district } }));
    expectNoServerErrors(r);
    expect(r.count(201), r.summary).toBe(1);
    const rows = await scanAll(h.tableName);
    expect(rows.filter((x) => x.SK === 'ORG' && x.kind === 'hr_bureau' && x.district === district)).toHaveLength(1);
    expect(rows.filter((x) => x.PK === `BUREAU#${district}`)).toHaveLength(1);
  });

  it(`${N} different calendars for one year: the year ends as exactly one of them, everywhere`, async () => {
    const year = 2031;
    const day = (i: number) => `${year}-${10 + Math.floor(i / 28)}-${String((i % 28) + 1).padStart(2, '0')}`;
    const bodies = Array.from({ length: N }, (_, i) => ({ holidays: [`${year}-01-01`, day(i)], workdays: [] as string[] }));
    const r = await race(N, (i) => h.call('PUT', `/v1/calendar/${year}`, { token: h.adminToken, body: bodies[i] }));
    expectNoServerErrors(r);
    expect(r.count(200) + r.count(409), r.summary).toBe(N);
    const table = (await scanAll(h.tableName)).find((x) => x.PK === 'CALENDAR' && x.SK === `YEAR#${year}`)!;
    const candidates = bodies.map((b) => JSON.stringify([...b.holidays].sort()));
    expect(candidates).toContain(JSON.stringify(table.holidays));
    // What the API answers (it caches loaded years) is what the table holds.
    const served = await h.call('GET', `/v1/calendar/${year}`, { token: h.adminToken });
    expect(served.body.holidays, 'the API serves another calendar than the table holds').toEqual(table.holidays);
    const events = (await scanAll(h.tableName)).filter((x) => x.PK === 'CALENDAR' && x.SK.startsWith('EVENT#') && x.subjectId === String(year));
    expect(events).toHaveLength(r.count(200));
  });
});

// ---------------------------------------------------------------------------------------------
// Cohort races: one joint class (chamber; SME A insured in 新吴, SME B in 滨湖) driven through its
// whole life, each step raced N times; the table is read after each race.

type Race = RaceOutcome;
let w: World;
let store: InterleavingStore;

const at = {
  draft: '2026-06-01T10:00:00+08:00',
  submit: '2026-06-10T10:00:00+08:00',
  accept: '2026-06-11T10:00:00+08:00',
  vote: '2026-06-20T10:00:00+08:00',
  decide: '2026-07-01T10:00:00+08:00',
  plan: '2026-07-10T10:00:00+08:00',
  file: '2026-07-15T10:00:00+08:00',
  approve: '2026-07-20T10:00:00+08:00',
  depart: '2027-01-20T10:00:00+08:00',
  assess: '2027-08-12T10:00:00+08:00',
  closing: '2027-08-20T10:00:00+08:00',
  closeAccept: '2027-08-25T10:00:00+08:00',
  lineApprove: '2027-09-01T10:00:00+08:00',
  pay: '2027-09-05T10:00:00+08:00',
};

/** "409 INVALID_STATE" per answer that is not the winner's status. */
function refusals(r: Race, winner: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const res of r.results) {
    if (!res || res.status === winner) continue;
    const k = `${res.status} ${(res.body as { code?: string })?.code ?? ''}`.trim();
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** One winner with `status`; every other answer one of `allowed` ("409 INVALID_STATE", …). */
function expectOneWinner(r: Race, status: number, allowed: string[]) {
  expectNoServerErrors(r);
  expect(r.count(status), r.summary).toBe(1);
  const refused = refusals(r, status);
  for (const k of Object.keys(refused)) expect(allowed, `unexpected refusal ${k} (${r.summary})`).toContain(k);
  expect(Object.values(refused).reduce((a, b) => a + b, 0)).toBe(N - 1);
}

/** Holds the next N writes carrying `action` so they are released together, then races them. */
async function interleaved(action: string, n: number, call: (i: number) => Promise<CallResult>, expectedWriters = n): Promise<Race> {
  store.holdWrites(action, expectedWriters);
  const before = store.transactions.length;
  const r = await retryTransient(await race(n, call), call);
  // Every racer computed its change from the same state: they all tried to commit it.
  const attempted = store.transactions.slice(before).filter((t) => t.label === action).length;
  expect(store.releasedTogether, `${action}: writers released together`).toBe(expectedWriters);
  expect(attempted, `${action}: write attempts`).toBeGreaterThanOrEqual(expectedWriters);
  return r;
}

const cohortItem = async (id: string) => (await store.get<Record<string, any>>(keys.cohort(id)))!;
const kpi = async (year: number, district: string) => (await store.get<Record<string, number>>(keys.kpi(year, district))) ?? ({} as Record<string, number>);
const trainees = async (cohortId: string) => queryPartition(h.tableName, `COHORT#${cohortId}`, 'COHORT#TRAINEE#');

// Slow only on a loaded machine: the assertions never depend on time.
describe('cohort races (N = 50, writes interleaved)', { timeout: 180_000 }, () => {
  const K = 4;
  const M: { id: string; trainees: { id: string; enterpriseId: string; idNumber: string; name: string }[]; lines: { id: string; payerBureauId: string; amountFen: number; district: string }[] } = { id: '', trainees: [], lines: [] };
  const path = (suffix = '') => `/v1/cohorts/${M.id}${suffix}`;

  beforeAll(async () => {
    w = await createWorld(h);
    store = h.store as InterleavingStore;
    const { orgs, tokens } = w;
    const c = await ok(w, 201, 'POST', '/v1/cohorts', { token: tokens.chamber, now: at.draft, body: design(w) });
    M.id = c.id;
    for (const id of [orgs.smeA.id, orgs.smeB.id]) await ok(w, 201, 'POST', path('/participants'), { token: tokens.chamber, now: at.draft, body: { enterpriseId: id } });
    await ok(w, 201, 'POST', path('/mentors'), { token: tokens.chamber, now: at.draft, body: { kind: 'enterprise', name: '王师傅', organizationId: orgs.smeA.id } });
    await ok(w, 201, 'POST', path('/mentors'), { token: tokens.provider, now: at.draft, body: { kind: 'school', name: '李老师', organizationId: orgs.provider.id } });
    // A small class for the lifecycle races (each racer reads the whole class): K trainees, half each.
    for (let i = 0; i < K; i++) {
      const [enterpriseId, token, insured] = i % 2 ? [orgs.smeB.id, tokens.smeB, '320211'] : [orgs.smeA.id, tokens.smeA, '320214'];
      const body = traineeBody(enterpriseId, insured, { idNumber: sequentialNationalId(), name: `学徒${i}` });
      const tr = await ok(w, 201, 'POST', path('/trainees'), { token, now: at.draft, body });
      M.trainees.push({ id: tr.id, enterpriseId, idNumber: body.idNumber as string, name: body.name as string });
    }
  }, 60_000);

  it(`R-ELIG-4: ${N} concurrent enrolments of one person into two cohorts → one 201, the rest 409 DUPLICATE_ENROLMENT; one trainee, one lock, one event`, async () => {
    const { orgs, tokens } = w;
    const [x, y] = await Promise.all([0, 1].map(async () => {
      const c = await ok(w, 201, 'POST', '/v1/cohorts', { token: tokens.chamber, now: at.draft, body: design(w) });
      await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/participants`, { token: tokens.chamber, now: at.draft, body: { enterpriseId: orgs.smeA.id } });
      return c.id as string;
    }));
    const idNumber = sequentialNationalId();
    const r = await interleaved('trainee.enrolled', N, (i) =>
      h.call('POST', `/v1/cohorts/${i % 2 ? y : x}/trainees`, { token: tokens.smeA, now: at.draft, body: traineeBody(orgs.smeA.id, '320214', { idNumber, name: `并发学徒${i}` }) }),
    );
    expectOneWinner(r, 201, ['409 DUPLICATE_ENROLMENT']);
    const rows = [...(await trainees(x!)), ...(await trainees(y!))];
    expect(rows.map((t) => t.idNumber)).toEqual([idNumber]);
    const hash = h.services.cohorts.personHash(idNumber);
    const lock = await store.get<{ cohortId: string; traineeId: string }>(keys.personEnrolment(hash));
    expect(lock).toMatchObject({ cohortId: rows[0]!.cohortId, traineeId: rows[0]!.id });
    const events = [...(await cohortEvents(h.tableName, x!, 'trainee.enrolled')), ...(await cohortEvents(h.tableName, y!, 'trainee.enrolled'))];
    expect(events).toHaveLength(1);
    expect([(await cohortItem(x!)).counts.enrolled + (await cohortItem(y!)).counts.enrolled]).toEqual([1]);

    // Cancelling the cohort that lost: N cancels, one wins, one event; the other cohort untouched.
    const loser = rows[0]!.cohortId === x ? y! : x!;
    const cancel = await interleaved('cohort.cancelled', N, () => h.call('POST', `/v1/cohorts/${loser}/cancel`, { token: tokens.chamber, now: at.draft, body: {} }));
    expectOneWinner(cancel, 200, ['409 INVALID_STATE']);
    expect((await cohortItem(loser)).status).toBe('cancelled');
    expect(await cohortEvents(h.tableName, loser, 'cohort.cancelled')).toHaveLength(1);
  });

  it(`${N} different people enrolled into one cohort at once: every one gets in, counts.enrolled = ${N}, ${N} trainee items, ${N} events, never one lost or doubled`, async () => {
    const { orgs, tokens } = w;
    const e = await ok(w, 201, 'POST', '/v1/cohorts', { token: tokens.chamber, now: at.draft, body: design(w) });
    for (const id of [orgs.smeA.id, orgs.smeB.id]) await ok(w, 201, 'POST', `/v1/cohorts/${e.id}/participants`, { token: tokens.chamber, now: at.draft, body: { enterpriseId: id } });
    const people = Array.from({ length: N }, (_, i) => {
      const [enterpriseId, token, insured] = i % 2 ? [orgs.smeB.id, tokens.smeB, '320211'] : [orgs.smeA.id, tokens.smeA, '320214'];
      return { enterpriseId, token, insured, idNumber: sequentialNationalId(), name: `学徒${String(i).padStart(2, '0')}` };
    });
    const versionBefore = (await cohortItem(e.id)).version;
    const enrol = (i: number) => {
      const p = people[i]!;
      return h.call('POST', `/v1/cohorts/${e.id}/trainees`, { token: p.token, now: at.draft, body: traineeBody(p.enterpriseId, p.insured, { idNumber: p.idNumber, name: p.name }) });
    };
    const r = await interleaved('trainee.enrolled', N, enrol);
    expectNoServerErrors(r);
    // Each enrolment rewrites the cohort item, so all N collide on its version and are retried on
    // fresh data (mutateCohort). On an idle machine all N answer 201 at once; on a loaded one a few
    // may exhaust the retry budget and answer 409 CONFLICT ("safe to retry") — but never is one lost.
    expect(r.count(201) + (r.codes.CONFLICT ?? 0), r.summary).toBe(N);
    const firstRound = r.count(201);
    expect((await trainees(e.id)).length, r.summary).toBe(firstRound);
    expect((await cohortItem(e.id)).counts.enrolled, r.summary).toBe(firstRound);
    expect((await cohortItem(e.id)).version - versionBefore, r.summary).toBe(firstRound);
    expect(await cohortEvents(h.tableName, e.id, 'trainee.enrolled'), r.summary).toHaveLength(firstRound);
    // The client retries what answered CONFLICT, as the contract allows, until everyone is in.
    let pending = r.results.flatMap((res, i) => (res!.status === 409 ? [i] : []));
    for (let round = 0; pending.length > 0 && round < 5; round++) {
      const again = await Promise.all(pending.map(enrol));
      for (const res of again) expect([201, 409], JSON.stringify(res.body)).toContain(res.status);
      pending = pending.filter((_, k) => again[k]!.status !== 201);
    }
    expect(pending).toEqual([]);
    const rows = await trainees(e.id);
    expect(rows).toHaveLength(N);
    expect(new Set(rows.map((t) => t.idNumber))).toEqual(new Set(people.map((p) => p.idNumber)));
    const cohort = await cohortItem(e.id);
    expect(cohort.counts.enrolled).toBe(N);
    expect(cohort.version - versionBefore).toBe(N);
    const units = Object.fromEntries(cohort.participants.map((p: { enterpriseId: string; units: Record<string, { trainees: number }> }) => [p.enterpriseId, p.units]));
    expect(units[orgs.smeA.id]['320214'].trainees + units[orgs.smeB.id]['320211'].trainees).toBe(N);
    expect(await cohortEvents(h.tableName, e.id, 'trainee.enrolled')).toHaveLength(N);
    const locks = await Promise.all(people.map((p) => store.get<{ cohortId: string }>(keys.personEnrolment(h.services.cohorts.personHash(p.idNumber)))));
    expect(locks.every((l) => l?.cohortId === e.id)).toBe(true);
  });

  it('the version retry, deterministically: an enrolment that loses the version check 6 times in a row still answers 201; one that always loses answers 409 CONFLICT after a bounded number of attempts, writing nothing', async () => {
    const { orgs, tokens } = w;
    const c = await ok(w, 201, 'POST', '/v1/cohorts', { token: tokens.chamber, now: at.draft, body: design(w) });
    await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/participants`, { token: tokens.chamber, now: at.draft, body: { enterpriseId: orgs.smeA.id } });
    const enrol = (idNumber: string) => h.call('POST', `/v1/cohorts/${c.id}/trainees`, { token: tokens.smeA, now: at.draft, body: traineeBody(orgs.smeA.id, '320214', { idNumber }) });
    try {
      store.loseWrites('trainee.enrolled', 6);
      const lucky = await enrol(sequentialNationalId());
      expect([lucky.status, store.lost]).toEqual([201, 6]);
      store.loseWrites('trainee.enrolled', 1000);
      const idNumber = sequentialNationalId();
      const unlucky = await enrol(idNumber);
      expect([unlucky.status, unlucky.body.code]).toEqual([409, 'CONFLICT']);
      expect(store.lost, 'attempts before giving up').toBeGreaterThan(6);
      expect(store.lost, 'attempts before giving up').toBeLessThanOrEqual(20);
      expect(await store.get(keys.personEnrolment(h.services.cohorts.personHash(idNumber)))).toBeUndefined();
    } finally {
      store.loseWrites('trainee.enrolled', 0);
    }
    expect((await trainees(c.id)).length).toBe(1);
    expect((await cohortItem(c.id)).counts.enrolled).toBe(1);
    expect(await cohortEvents(h.tableName, c.id, 'trainee.enrolled')).toHaveLength(1);
  });

  it(`R-JOINT-2: ${N} signatures by the same party → one signature, one event (201 once, the repeats 200)`, async () => {
    const { orgs, tokens } = w;
    await ok(w, 201, 'POST', path('/agreement'), { token: tokens.chamber, now: at.draft });
    const r = await interleaved('agreement.signed', N, () => h.call('POST', path('/agreement/signatures'), { token: tokens.chamber, now: at.draft, body: { signerName: '商会代表' } }));
    expectNoServerErrors(r);
    expect([r.count(201), r.count(200)], r.summary).toEqual([1, N - 1]);
    const agreement = (await cohortItem(M.id)).agreement;
    expect(agreement.status).toBe('pending');
    expect(agreement.parties.filter((p: { signedAt?: string }) => p.signedAt).map((p: { organizationId: string }) => p.organizationId)).toEqual([orgs.chamber.id]);
    expect(await cohortEvents(h.tableName, M.id, 'agreement.signed')).toHaveLength(1);
  });

  it(`R-JOINT-2: ${N} signatures by every party at once → effective, exactly one signature event per party`, async () => {
    const { orgs, tokens } = w;
    const parties = [[orgs.chamber.id, tokens.chamber], [orgs.smeA.id, tokens.smeA], [orgs.smeB.id, tokens.smeB], [orgs.provider.id, tokens.provider]] as const;
    // The chamber has signed already: its repeats change nothing and never reach the table.
    const writers = Array.from({ length: N }, (_, i) => i % parties.length).filter((k) => k !== 0).length;
    const r = await interleaved('agreement.signed', N, (i) => h.call('POST', path('/agreement/signatures'), { token: parties[i % parties.length]![1], now: at.draft, body: { signerName: `代表${i}` } }), writers);
    expectNoServerErrors(r);
    expect(r.count(201), r.summary).toBe(parties.length - 1);
    expect(r.count(200), r.summary).toBe(N - (parties.length - 1));
    const agreement = (await cohortItem(M.id)).agreement;
    expect(agreement.status).toBe('effective');
    const events = await cohortEvents(h.tableName, M.id, 'agreement.signed');
    expect(events.map((e) => (e.after as { data: { organizationId: string } }).data.organizationId).sort()).toEqual(parties.map(([id]) => id).sort());
    // Each party's recorded signer is the one whose request answered 201.
    for (const [id] of parties.slice(1)) {
      const party = agreement.parties.find((p: { organizationId: string }) => p.organizationId === id);
      const won = r.results.filter((x) => x!.status === 201 && x!.body.parties.find((p: { organizationId: string; signerName?: string }) => p.organizationId === id && p.signerName === party.signerName));
      expect(won.length, id).toBeGreaterThanOrEqual(1);
    }
  });

  /** A transition raced N times by its one legitimate caller: one 200, the rest 409; one event; the status moved once. */
  async function transitionRace(step: string, action: string, call: () => Promise<CallResult>, status: string, winner = 200) {
    const versionBefore = (await cohortItem(M.id)).version;
    const r = await interleaved(action, N, call);
    expectOneWinner(r, winner, ['409 INVALID_STATE']);
    const after = await cohortItem(M.id);
    expect(after.status, step).toBe(status);
    expect(after.version - versionBefore, `${step}: versions`).toBe(1);
    expect(await cohortEvents(h.tableName, M.id, action), step).toHaveLength(1);
    return r;
  }

  it(`submit, accept, vote (one expert), decision, plan: ${N}× each → one transition, one event, the rest 409`, async () => {
    const { tokens } = w;
    await transitionRace('submit', 'cohort.submitted', () => h.call('POST', path('/submit'), { token: tokens.chamber, now: at.submit }), 'submitted');
    await transitionRace('accept', 'cohort.accepted', () => h.call('POST', path('/accept'), { token: tokens.xinwu, now: at.accept, body: { experts: ['e1', 'e2', 'e3'] } }), 'under_review');
    expect((await queryPartition(h.tableName, `COHORT#${M.id}`, 'DUE#R-REVIEW-2'))).toHaveLength(1);

    const votes = await interleaved('review.voted', N, () => h.call('POST', path('/votes'), { token: tokens.experts[0]!, now: at.vote, body: { decision: 'approve' } }));
    expectOneWinner(votes, 201, ['409 INVALID_STATE']);
    expect((await cohortItem(M.id)).review.votes.map((v: { expert: string }) => v.expert)).toEqual(['e1']);
    expect(await cohortEvents(h.tableName, M.id, 'review.voted')).toHaveLength(1);
    for (const t of tokens.experts.slice(1, 3)) await ok(w, 201, 'POST', path('/votes'), { token: t, now: at.vote, body: { decision: 'approve' } });

    await transitionRace('decision', 'review.approved', () => h.call('POST', path('/decision'), { token: tokens.xinwu, now: at.decide, body: { decision: 'approve', onSiteVerified: true } }), 'publicized');
    await transitionRace('plan', 'cohort.planned', () => h.call('POST', path('/plan'), { token: tokens.xinwu, now: at.plan }), 'planned');
    expect((await queryPartition(h.tableName, `COHORT#${M.id}`, 'DUE#R-FILE-1'))).toHaveLength(1);
  });

  it(`filings (one participant ${N}×) and filing approvals (each bureau ${N}×): one filing, units approved once, KPI enrolled counted once`, async () => {
    const { orgs, tokens } = w;
    const filing = await interleaved('filing.submitted', N, () => h.call('POST', path('/filings'), { token: tokens.smeA, now: at.file, body: { enterpriseId: orgs.smeA.id, commitment } }));
    expectOneWinner(filing, 201, ['409 INVALID_STATE']);
    let c = await cohortItem(M.id);
    expect(c.filings.map((f: { enterpriseId: string }) => f.enterpriseId)).toEqual([orgs.smeA.id]);
    expect(c.filingUnits).toHaveLength(1);
    expect(await cohortEvents(h.tableName, M.id, 'filing.submitted')).toHaveLength(1);
    await ok(w, 201, 'POST', path('/filings'), { token: tokens.smeB, now: at.file, body: { enterpriseId: orgs.smeB.id, commitment } });
    expect((await cohortItem(M.id)).status).toBe('filed');

    const kpiBefore = { a: await kpi(2026, '320214'), b: await kpi(2026, '320211') };
    const xinwu = await interleaved('filing.approved', N, () => h.call('POST', path('/filings/approve'), { token: tokens.xinwu, now: at.approve }));
    expectOneWinner(xinwu, 200, ['409 INVALID_STATE']);
    const binhu = await interleaved('filing.approved', N, () => h.call('POST', path('/filings/approve'), { token: tokens.binhu, now: at.approve }));
    expectOneWinner(binhu, 200, ['409 INVALID_STATE']);
    c = await cohortItem(M.id);
    expect(c.status).toBe('in_training');
    expect(c.filingUnits.map((u: { status: string; bureauId: string }) => `${u.bureauId}:${u.status}`).sort()).toEqual([`${orgs.xinwu.id}:approved`, `${orgs.binhu.id}:approved`].sort());
    const events = await cohortEvents(h.tableName, M.id, 'filing.approved');
    expect(events.map((e) => e.subjectId).sort()).toEqual([orgs.xinwu.id, orgs.binhu.id].sort());
    const half = K / 2;
    expect(((await kpi(2026, '320214')).enrolled ?? 0) - (kpiBefore.a.enrolled ?? 0)).toBe(half);
    expect(((await kpi(2026, '320211')).enrolled ?? 0) - (kpiBefore.b.enrolled ?? 0)).toBe(half);
  });

  it(`a departure reported ${N}× → departed once, KPI departed counted once; assessments of the whole class ${N}× → recorded once, KPI passed counted once`, async () => {
    const { orgs, tokens } = w;
    const leaver = M.trainees.find((t) => t.enterpriseId === orgs.smeA.id)!;
    const kpiBefore = await kpi(2026, '320214');
    const dep = await interleaved('trainee.departed', N, () => h.call('POST', path(`/trainees/${leaver.id}/departure`), { token: tokens.smeA, now: at.depart, body: { leftOn: '2027-01-10' } }));
    expectOneWinner(dep, 200, ['409 INVALID_STATE']);
    expect((await store.get<{ status: string }>(keys.trainee(M.id, leaver.id)))!.status).toBe('departed');
    expect((await cohortItem(M.id)).counts.departed).toBe(1);
    expect(((await kpi(2026, '320214')).departed ?? 0) - (kpiBefore.departed ?? 0)).toBe(1);
    expect(await cohortEvents(h.tableName, M.id, 'trainee.departed')).toHaveLength(1);

    const active = M.trainees.filter((t) => t.id !== leaver.id);
    // SME B has two left: one fails, one passes; SME A's one passes: a line for each payer bureau.
    const failedOne = active.find((t) => t.enterpriseId === orgs.smeB.id)!.id;
    const results = active.map((t, i) => ({ traineeId: t.id, passed: t.id !== failedOne, method: 'third_party', assessedOn: '2027-08-10', ...(t.id !== failedOne ? { certificateNo: `S${String(i).padStart(6, '0')}` } : {}) }));
    const kpi27 = { a: await kpi(2026, '320214'), b: await kpi(2026, '320211') };
    const assess = await interleaved('assessment.recorded', N, () => h.call('POST', path('/assessments'), { token: tokens.chamber, now: at.assess, body: { results } }));
    expectOneWinner(assess, 200, ['409 INVALID_STATE']);
    const c = await cohortItem(M.id);
    expect(c.status).toBe('assessed');
    expect(c.counts).toMatchObject({ enrolled: K, departed: 1, assessed: K - 1, passed: K - 2, failed: 1 });
    const after = { a: await kpi(2026, '320214'), b: await kpi(2026, '320211') };
    const passedDelta = (after.a.passed ?? 0) - (kpi27.a.passed ?? 0) + (after.b.passed ?? 0) - (kpi27.b.passed ?? 0);
    const failedDelta = (after.a.failed ?? 0) - (kpi27.a.failed ?? 0) + (after.b.failed ?? 0) - (kpi27.b.failed ?? 0);
    expect([passedDelta, failedDelta]).toEqual([K - 2, 1]);
    expect(await cohortEvents(h.tableName, M.id, 'assessment.recorded')).toHaveLength(1);
  });

  it(`closing ${N}× and closing acceptance ${N}× → closed once, lines created once, one event each`, async () => {
    const { tokens } = w;
    await transitionRace('closing', 'closing.submitted', () => h.call('POST', path('/closing'), { token: tokens.chamber, now: at.closing, body: { materials: [{ name: '结班材料.pdf', sha256: 'c'.repeat(64) }] } }), 'closing_review');
    const versionBefore = (await cohortItem(M.id)).version;
    const r = await interleaved('closing.accepted', N, () => h.call('POST', path('/closing/accept'), { token: tokens.xinwu, now: at.closeAccept }));
    expectOneWinner(r, 200, ['409 INVALID_STATE', '409 CONFLICT']);
    const c = await cohortItem(M.id);
    expect(c.status).toBe('closed');
    expect(c.version - versionBefore).toBe(1);
    expect(await cohortEvents(h.tableName, M.id, 'closing.accepted')).toHaveLength(1);
    const lines = await queryPartition(h.tableName, `COHORT#${M.id}`, 'LINE#');
    expect(lines.map((l) => l.status)).toEqual(['pending', 'pending']);
    expect(lines.flatMap((l) => l.traineeIds as string[])).toHaveLength(K - 2);
    expect(c.subsidy).toMatchObject({ lines: 2, totalFen: lines.reduce((s, l) => s + (l.amountFen as number), 0) });
    M.lines = lines.map((l) => ({ id: l.id as string, payerBureauId: l.payerBureauId as string, amountFen: l.amountFen as number, district: l.district as string }));
  });

  it(`R-SUB-6: ${N} approvals of a line → approved once, one event, every answer the approved line (200)`, async () => {
    const line = M.lines.find((l) => l.payerBureauId === w.orgs.xinwu.id)!;
    const r = await interleaved('subsidy.approved', N, () => h.call('POST', `/v1/disbursements/${line.id}/approve`, { token: w.tokens.xinwu, now: at.lineApprove, body: { fundingSource: 'employment_subsidy' } }));
    expectNoServerErrors(r);
    expect(r.count(200), r.summary).toBe(N);
    for (const x of r.results) expect(x!.body).toEqual(r.results[0]!.body);
    const stored = await store.get<Record<string, any>>(keys.subsidyLine(M.id, line.id));
    expect([stored!.status, stored!.version, stored!.amountFen]).toEqual(['approved', 2, line.amountFen]);
    expect((await cohortEvents(h.tableName, M.id, 'subsidy.approved')).filter((e) => e.subjectId === line.id)).toHaveLength(1);
  });

  it(`R-SUB-6, R-KPI-1: ${N} pays of a line → paid once, one 'subsidy.paid' event, subsidyPaidFen counted once`, async () => {
    const line = M.lines.find((l) => l.payerBureauId === w.orgs.xinwu.id)!;
    const before = (await kpi(2027, line.district)).subsidyPaidFen ?? 0;
    const r = await interleaved('subsidy.paid', N, (i) => h.call('POST', `/v1/disbursements/${line.id}/pay`, { token: w.tokens.xinwu, now: at.pay, body: { paidOn: '2027-09-05', reference: `国库支付 ${i}` } }));
    expectNoServerErrors(r);
    expect(r.count(200), r.summary).toBe(N);
    // Every answer is the one payment that happened.
    expect(new Set(r.results.map((x) => x!.body.payment.reference)).size).toBe(1);
    const stored = await store.get<Record<string, any>>(keys.subsidyLine(M.id, line.id));
    expect([stored!.status, stored!.version, stored!.payment.reference]).toEqual(['paid', 3, r.results[0]!.body.payment.reference]);
    expect((await cohortEvents(h.tableName, M.id, 'subsidy.paid')).filter((e) => e.subjectId === line.id)).toHaveLength(1);
    expect(((await kpi(2027, line.district)).subsidyPaidFen ?? 0) - before).toBe(line.amountFen);
    const stats = await ok(w, 200, 'GET', `/v1/stats?year=2027&district=${line.district}`, { token: w.tokens.xinwu });
    expect(stats.subsidyPaidFen).toBe(before + line.amountFen);
  });

  it(`design edits: ${N} identical PATCHes → one change, one event; ${N} additions of one participant → one; ${N} removals of one trainee → one`, async () => {
    const { orgs, tokens } = w;
    const c = await ok(w, 201, 'POST', '/v1/cohorts', { token: tokens.chamber, now: at.draft, body: design(w) });
    const p = (s = '') => `/v1/cohorts/${c.id}${s}`;
    const patch = await interleaved('cohort.updated', N, () => h.call('PATCH', p(), { token: tokens.chamber, now: at.draft, body: { name: '数控车工联合组班（二期）' } }));
    expectNoServerErrors(patch);
    expect(patch.count(200), patch.summary).toBe(N);
    expect(((await cohortItem(c.id)).version)).toBe(2);
    expect(await cohortEvents(h.tableName, c.id, 'cohort.updated')).toHaveLength(1);

    const add = await interleaved('participant.added', N, () => h.call('POST', p('/participants'), { token: tokens.chamber, now: at.draft, body: { enterpriseId: orgs.smeC.id } }));
    expectOneWinner(add, 201, ['422 RULE_VIOLATION']);
    expect((await cohortItem(c.id)).participants).toHaveLength(1);
    expect(await cohortEvents(h.tableName, c.id, 'participant.added')).toHaveLength(1);

    const t = await ok(w, 201, 'POST', p('/trainees'), { token: tokens.smeC, now: at.draft, body: traineeBody(orgs.smeC.id, '320213', { idNumber: sequentialNationalId() }) });
    const del = await interleaved('trainee.removed', N, () => h.call('DELETE', p(`/trainees/${t.id}`), { token: tokens.smeC, now: at.draft }));
    expectOneWinner(del, 204, ['404 NOT_FOUND']);
    expect(await trainees(c.id)).toHaveLength(0);
    expect((await cohortItem(c.id)).counts.enrolled).toBe(0);
    expect(await cohortEvents(h.tableName, c.id, 'trainee.removed')).toHaveLength(1);
    const hash = h.services.cohorts.personHash(t.idNumber);
    expect(await store.get(keys.personEnrolment(hash))).toBeUndefined();
  });
});
