/**
 * Round-trip budgets (issue 8): every DynamoDB call of the main endpoints, counted by an
 * instrumented DynamoDBClient (shared/db/instrumentation.ts) while a 30-trainee joint class runs
 * its whole lifecycle, after a first class has warmed the caches (organisations, occupation,
 * calendar, policy). Rules:
 *
 * - a single-resource read: one GetItem; a list: one Query per page;
 * - a state change: ONE read round trip (GetItem or BatchGetItem of the cohort and what the command
 *   needs), then exactly ONE TransactWriteItems, which is the last call (change + audit + counters);
 * - no Scan, anywhere.
 *
 * Documented exceptions are budgets of their own (`exception`), asserted exactly as they are, so a
 * change in either direction is noticed. Known defects are `it.fails`: they turn red once fixed,
 * and the entry then moves to the plain budgets.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DbRecorder, isReadCommand, isWriteCommand, type DbCall } from '../../shared/db/instrumentation.js';
import { byEndpoint, describeCalls, recordingAround, type EndpointCalls } from '../../bench/lib/observe.js';
import { cohortDesign, createBenchWorld, JointClass, type BenchWorld } from '../../bench/lib/scenario.js';
import { instrumentedHarness } from './instrumented-harness.js';

interface Budget {
  /**
   * Read commands allowed, how many read calls at most, and in how many sequential round trips
   * (default: one per call; calls sent together count once).
   */
  reads: { max: number; commands: string[]; roundTrips?: number };
  /** TransactWriteItems calls (and no other write command). */
  transactions: number;
  /** Why this endpoint needs more than the rule (documented exception). */
  exception?: string;
}

const read1 = (command: string): Budget => ({ reads: { max: 1, commands: [command] }, transactions: 0 });
const change: Budget = { reads: { max: 1, commands: ['GetItem', 'BatchGetItem'] }, transactions: 1 };
const create: Budget = { reads: { max: 0, commands: [] }, transactions: 1 };

const budgets: Record<string, Budget> = {
  'GET /cohorts/{id}': read1('GetItem'),
  'GET filings (list)': read1('GetItem'),
  'GET /cohorts (list)': read1('Query'),
  'GET disbursements (list)': read1('Query'),
  'GET trainees (list)': {
    reads: { max: 2, commands: ['GetItem', 'Query'], roundTrips: 1 },
    transactions: 0,
    exception: 'one Query page, sent together with the GetItem of the cohort (who may see it, and full ID numbers or not, R-PRIV-1): one round trip',
  },
  'GET events (list)': {
    reads: { max: 2, commands: ['GetItem', 'Query'], roundTrips: 1 },
    transactions: 0,
    exception: 'one Query page, sent together with the GetItem of the cohort (may the caller see it?): one round trip',
  },
  'GET subsidy': {
    reads: { max: 2, commands: ['GetItem', 'Query'], roundTrips: 1 },
    transactions: 0,
    exception: 'the Query of its lines (one page: one line per payee and bureau), sent together with the GetItem of the cohort (visibility): one round trip',
  },
  'POST /cohorts': create,
  'PATCH /cohorts/{id}': change,
  'POST participants': change,
  'POST trainees': change,
  'POST mentors': change,
  'POST agreement': change,
  'POST agreement/signatures': change,
  // One consistent Query reads the cohort with its roster (R-JOINT-1: every participant brings
  // trainees; every trainee re-checked), so the version check covers the roster; one 1 MB page
  // holds ~1,500 trainees.
  'POST submit': { reads: { max: 1, commands: ['Query'] }, transactions: 1 },
  'POST accept': change,
  'POST votes': change,
  'POST decision': change,
  'POST plan': change,
  'POST filings': change,
  'POST filings/approve': change,
  'POST departure': change,
  'POST assessments': change,
  'POST closing': change,
  // The line id carries its cohort's id: one GetItem of the line, then the transaction.
  'POST disbursements/approve': change,
  'POST disbursements/pay': change,
};

/**
 * Over budget today, reported to the lead (service and route code is not owned here). `it.fails`
 * keeps them visible without failing the suite; once fixed, the test turns red: delete the entry.
 */
const overBudget: Record<string, string> = {
};

let w: BenchWorld;
let recorder: DbRecorder;
let log: EndpointCalls[] = [];
const everything: DbCall[] = [];

beforeAll(async () => {
  const h = await instrumentedHarness();
  recorder = h.recorder;
  w = await createBenchWorld(h);
  await new JointClass(w).full(6);
  everything.push(...recorder.take());
  const observed = recordingAround(recorder);
  await new JointClass(w, observed.around).full(30);
  log = observed.log;
  for (const e of log) everything.push(...e.calls);
}, 300_000);

function check(endpoint: string, budget: Budget) {
  const runs = byEndpoint(log).get(endpoint);
  expect(runs?.length, `${endpoint} was not called`).toBeGreaterThan(0);
  for (const run of runs!) {
    const what = `${endpoint}: ${describeCalls(run.calls)}`;
    const reads = run.calls.filter((c) => isReadCommand(c.command));
    const writes = run.calls.filter((c) => isWriteCommand(c.command));
    expect(reads.length, what).toBeLessThanOrEqual(budget.reads.max);
    expect(DbRecorder.sequentialRoundTrips(reads), what).toBeLessThanOrEqual(budget.reads.roundTrips ?? budget.reads.max);
    for (const r of reads) expect(budget.reads.commands, what).toContain(r.command);
    expect(writes.map((c) => c.command), what).toEqual(Array(budget.transactions).fill('TransactWriteItems'));
    // The write is the last round trip: nothing is read again after the change.
    if (budget.transactions === 1) expect(run.calls.at(-1)!.command, what).toBe('TransactWriteItems');
  }
}

describe('round-trip budgets of the main endpoints (warm caches, 30-trainee joint class)', () => {
  it('never Scans', () => {
    expect(everything.length).toBeGreaterThan(100);
    expect(everything.filter((c) => c.command === 'Scan')).toEqual([]);
  });

  for (const [endpoint, budget] of Object.entries(budgets)) {
    const label = `${endpoint}: ≤ ${budget.reads.max} read (${budget.reads.commands.join('/') || 'none'}), ${budget.transactions} TransactWriteItems`;
    const over = overBudget[endpoint];
    if (over) it.fails(`${label} — OVER BUDGET (reported): ${over}`, () => check(endpoint, budget));
    else it(budget.exception ? `${label} — exception: ${budget.exception}` : label, () => check(endpoint, budget));
  }

  it('POST closing/accept: one read of the cohort with its roster, one transaction when lines and marks fit (larger classes stage in chunks: test/services/subsidy-resume.test.ts)', () => {
    const [run] = byEndpoint(log).get('POST closing/accept')!;
    const calls = run!.calls.map((c) => c.command);
    // Query of the cohort with its roster · TransactWriteItems: the cohort closed, its event and
    // listing items, 3 lines and 28 once-ever subsidy marks (30 trainees, 1 departed, 1 failed).
    expect(calls).toEqual(['Query', 'TransactWriteItems']);
  });

  it('POST with Idempotency-Key — exception: + PutItem claim before and + PutItem record after the transaction; a replay is PutItem (refused) + GetItem', async () => {
    const options = { token: w.tokens.chamber, now: '2026-06-01T10:00:00+08:00', headers: { 'idempotency-key': 'perf-budget-1' }, body: cohortDesign(w) };
    recorder.take();
    expect((await w.api.call('POST', '/v1/cohorts', options)).status).toBe(201);
    expect(recorder.take().map((c) => c.command)).toEqual(['PutItem', 'TransactWriteItems', 'PutItem']);
    const replay = await w.api.call('POST', '/v1/cohorts', options);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(recorder.take().map((c) => [c.command, c.error])).toEqual([['PutItem', 'ConditionalCheckFailedException'], ['GetItem', undefined]]);
  });

  it('reports every endpoint (printed for the record)', () => {
    const rows = [...byEndpoint(log)].map(([endpoint, runs]) => `${endpoint.padEnd(30)} ${[...new Set(runs.map((r) => describeCalls(r.calls)))].join(' | ')}`);
    console.log(rows.join('\n'));
    expect(rows.length).toBeGreaterThan(20);
  });
});
