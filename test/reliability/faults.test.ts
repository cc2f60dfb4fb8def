/**
 * Database faults the real DynamoDB Local cannot produce, injected on the store's own client
 * (everything else goes to DynamoDB Local), and checked against the real table through a second,
 * unmocked client: throttling → 503 THROTTLED + Retry-After; transaction conflicts retried with
 * jittered backoff, 409 CONFLICT when they persist; timeouts and resets → 503 with nothing
 * half-written; a refused transaction leaves no audit event.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { createApp } from '../../shared/http/app.js';
import { errorCatalogue } from '../../shared/http/errors.js';
import { creditCode, type CallResult } from '../support/harness.js';
import { createFaultyHarness, dbFaults, FAULT_MARKER, type FaultKind } from './faults.js';
import { countEvents, diff, scanAll, snapshot } from './table.js';

let h: Awaited<ReturnType<typeof createFaultyHarness>>;
let chamberToken: string;

beforeAll(async () => {
  h = await createFaultyHarness();
  const chamber = await h.createOrg({ kind: 'chamber', district: '320214' });
  chamberToken = await h.token(chamber.id, 'chamber');
  h.faults.reset(); // forget the set-up calls
});

afterEach(() => h.faults.reset());

const newOrg = () => ({ kind: 'enterprise', name: `企业 ${Math.random().toString(36).slice(2, 8)}`, creditCode: creditCode('320214'), district: '320214' });
const createOrg = (body: object, headers: Record<string, string> = {}) => h.call('POST', '/v1/organizations', { token: h.adminToken, body, headers });

/** A 503 problem document with Retry-After and nothing of the injected error in it. */
function expectUnavailable(res: CallResult, code: 'THROTTLED' | 'UNAVAILABLE') {
  expect(res.status, JSON.stringify(res.body)).toBe(503);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status: 503, code, title: errorCatalogue[code].title.en });
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  expectClean(res);
}

function expectClean(res: CallResult) {
  const text = JSON.stringify(res.body);
  for (const leak of [FAULT_MARKER, 'REQ-INTERNAL', 'Exception', 'ECONNRESET', 'TimeoutError', '.ts:', 'local-dev-secret', h.tableName]) {
    expect(text).not.toContain(leak);
  }
  expect(text).not.toMatch(/\bat \S+ \(|\n\s+at /);
}

/** Runs `act` and asserts the table (idempotency records included unless `ignoreIdempotency`) did not change. */
async function expectNothingWritten(act: () => Promise<void>, options: { keepIdempotency?: boolean } = { keepIdempotency: true }) {
  const before = await snapshot(h.tableName, options);
  const eventsBefore = await countEvents(h.tableName);
  await act();
  const change = diff(before, await snapshot(h.tableName, options));
  expect(change, 'the table changed').toMatchObject({ added: [], removed: [], changed: [] });
  expect(await countEvents(h.tableName)).toBe(eventsBefore);
}

async function orgsWithCreditCode(code: string) {
  const rows = await scanAll(h.tableName);
  const orgs = rows.filter((r) => r.SK === 'ORG' && r.creditCode === code);
  const events = rows.filter((r) => r.SK.startsWith('EVENT#') && orgs.some((o) => o.PK === r.PK));
  const guard = rows.filter((r) => r.PK === `CREDITCODE#${code}`);
  return { orgs, events, guard };
}

describe('throttling → 503 THROTTLED with Retry-After, nothing written', () => {
  const throttles: FaultKind[] = ['provisionedThroughput', 'throttling', 'requestLimit', 'transactionThrottled'];

  it.each(throttles)('%s on the TransactWriteItems of a create', async (kind) => {
    h.faults.on(TransactWriteItemsCommand, dbFaults[kind]);
    const body = newOrg();
    await expectNothingWritten(async () => expectUnavailable(await createOrg(body), 'THROTTLED'));
    expect(h.faults.calls(TransactWriteItemsCommand)).toHaveLength(1); // not retried in the app: the client retries after Retry-After
    h.faults.reset();
    expect((await createOrg(body)).status).toBe(201); // the same request goes through once the database recovers
  });

  it('on a GetItem (read of one resource), in Chinese on request', async () => {
    h.faults.on(GetItemCommand, dbFaults.provisionedThroughput);
    const res = await h.call('GET', '/v1/organizations/01NOSUCHORGANIZATION0000000', { token: h.adminToken, headers: { 'accept-language': 'zh-CN' } });
    expectUnavailable({ ...res, body: { ...res.body, title: errorCatalogue.THROTTLED.title.en } }, 'THROTTLED');
    expect(res.body.title).toBe(errorCatalogue.THROTTLED.title.zh);
  });

  it('on a Query (list)', async () => {
    h.faults.on(QueryCommand, dbFaults.throttling);
    expectUnavailable(await h.call('GET', '/v1/organizations?kind=chamber', { token: chamberToken }), 'THROTTLED');
  });

  it('on the token organisation lookup: 503, never 401 (a valid caller is not logged out by throttling)', async () => {
    const org = await h.createOrg({ kind: 'provider', district: '320214' });
    const token = await h.token(org.id, 'provider');
    // A cold app on the same store: its organisation cache is empty, so auth must read the table.
    const cold = createApp({ store: h.store, config: h.config, logger: new Logger({ logLevel: 'SILENT' }) }).app;
    h.faults.on(GetItemCommand, dbFaults.provisionedThroughput, { when: (input) => (input.Key as { PK?: { S?: string } }).PK?.S === `ORG#${org.id}` });
    const res = await cold.request('/v1/occupations', { headers: { authorization: `Bearer ${token}` } });
    expectUnavailable({ status: res.status, headers: res.headers, body: await res.json() }, 'THROTTLED');
    h.faults.reset();
    expect((await cold.request('/v1/occupations', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('on the Idempotency-Key claim: nothing stored, and the key still works afterwards', async () => {
    const body = newOrg();
    const headers = { 'idempotency-key': `throttled-claim-${Date.now()}` };
    h.faults.on(PutItemCommand, dbFaults.provisionedThroughput, { times: 1 });
    await expectNothingWritten(async () => expectUnavailable(await createOrg(body, headers), 'THROTTLED'));
    const first = await createOrg(body, headers);
    const replay = await createOrg(body, headers);
    expect(first.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect((await orgsWithCreditCode(body.creditCode)).orgs).toHaveLength(1);
  });
});

describe('TransactionConflict → retried with jittered backoff; 409 CONFLICT when it persists', () => {
  it.each([1, 2])('%i conflict(s), then success: one organisation, one audit event', async (conflicts) => {
    h.faults.on(TransactWriteItemsCommand, dbFaults.transactionConflict, { times: conflicts });
    const body = newOrg();
    const res = await createOrg(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(h.faults.calls(TransactWriteItemsCommand)).toHaveLength(conflicts + 1);
    const stored = await orgsWithCreditCode(body.creditCode);
    expect(stored.orgs).toHaveLength(1);
    expect(stored.guard).toHaveLength(1);
    expect(stored.events).toHaveLength(1);
  });

  it('a persistent conflict answers 409 CONFLICT after a bounded number of attempts, nothing written', async () => {
    h.faults.on(TransactWriteItemsCommand, dbFaults.transactionConflict);
    const body = newOrg();
    await expectNothingWritten(async () => {
      const res = await createOrg(body);
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('CONFLICT');
      expectClean(res);
    });
    const attempts = h.faults.calls(TransactWriteItemsCommand).length;
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(10);
  });

  it('the backoff between attempts grows and is jittered', async () => {
    // Which waits the store asks for, with the random source pinned low and high: deterministic,
    // unlike wall-clock gaps on a loaded machine (timers there fire late, in bunches).
    h.faults.on(TransactWriteItemsCommand, dbFaults.transactionConflict);
    const waitsWith = async (random: number) => {
      const waits: number[] = [];
      const realSetTimeout = globalThis.setTimeout;
      const timer = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
        if (typeof ms === 'number' && ms > 0) waits.push(ms);
        return realSetTimeout(fn, ms);
      }) as typeof setTimeout);
      const rng = vi.spyOn(Math, 'random').mockReturnValue(random);
      try {
        expect((await createOrg(newOrg())).body.code).toBe('CONFLICT');
      } finally {
        rng.mockRestore();
        timer.mockRestore();
      }
      return waits;
    };
    const low = await waitsWith(0);
    const high = await waitsWith(0.999);
    expect(low.length).toBeGreaterThanOrEqual(1);
    expect(high).toHaveLength(low.length);
    for (let i = 1; i < low.length; i++) expect(low[i]!, `waits ${low}`).toBeGreaterThanOrEqual(1.5 * low[i - 1]!); // grows
    low.forEach((w, i) => expect(high[i]!, `waits ${low} vs ${high}`).toBeGreaterThan(w)); // randomness in every wait
    expect(h.faults.calls(TransactWriteItemsCommand)).toHaveLength(2 * (low.length + 1));
  });

  it('a 409 after conflicts does not burn the Idempotency-Key: the retry creates it once', async () => {
    const body = newOrg();
    const headers = { 'idempotency-key': `conflict-${Date.now()}` };
    h.faults.on(TransactWriteItemsCommand, dbFaults.transactionConflict);
    await expectNothingWritten(async () => expect((await createOrg(body, headers)).status).toBe(409));
    h.faults.reset();
    const retry = await createOrg(body, headers);
    expect(retry.status).toBe(201);
    expect((await createOrg(body, headers)).headers.get('idempotent-replayed')).toBe('true');
    expect((await orgsWithCreditCode(body.creditCode)).orgs).toHaveLength(1);
  });
});

describe('timeouts and network errors → 503 UNAVAILABLE, nothing half-written', () => {
  const network: FaultKind[] = ['timeout', 'connectionReset', 'internalServerError'];

  it.each(network)('%s before the transaction reaches the table', async (kind) => {
    h.faults.on(TransactWriteItemsCommand, dbFaults[kind]);
    await expectNothingWritten(async () => expectUnavailable(await createOrg(newOrg(), { 'idempotency-key': `net-${kind}-${Date.now()}` }), 'UNAVAILABLE'));
  });

  it.each(network)('%s on a read', async (kind) => {
    h.faults.on(QueryCommand, dbFaults[kind]);
    expectUnavailable(await h.call('GET', '/v1/occupations', { token: chamberToken }), 'UNAVAILABLE');
  });

  it.each(['timeout', 'connectionReset'] as const)(
    '%s after the transaction committed (answer lost): all of it is stored, never part, and a retry makes no duplicate',
    async (kind) => {
      h.faults.on(TransactWriteItemsCommand, dbFaults[kind], { times: 1, after: true });
      const body = newOrg();
      const headers = { 'idempotency-key': `lost-${kind}-${Date.now()}` };
      expectUnavailable(await createOrg(body, headers), 'UNAVAILABLE');
      const stored = await orgsWithCreditCode(body.creditCode);
      // The transaction is atomic: the organisation, its credit-code guard and its audit event together.
      expect([stored.orgs.length, stored.guard.length, stored.events.length]).toEqual([1, 1, 1]);
      const retry = await createOrg(body, headers);
      expect([201, 422]).toContain(retry.status); // today 422 UNIQUE: the first answer is not replayed (see report)
      expect((await orgsWithCreditCode(body.creditCode)).orgs).toHaveLength(1);
    },
  );

  it('a reset while storing the idempotent response: 503, the key is released, no duplicate on retry', async () => {
    const body = newOrg();
    const headers = { 'idempotency-key': `done-${Date.now()}` };
    h.faults.on(PutItemCommand, dbFaults.connectionReset, { times: 1, when: (input) => (input.Item as { state?: { S?: string } }).state?.S === 'done' });
    expectUnavailable(await createOrg(body, headers), 'UNAVAILABLE');
    const keys = (await scanAll(h.tableName)).filter((r) => r.PK.startsWith('IDEMPOTENCY#') && r.state === 'in_flight');
    expect(keys).toHaveLength(0);
    expect((await createOrg(body, headers)).status).toBeLessThan(500);
    expect((await orgsWithCreditCode(body.creditCode)).orgs).toHaveLength(1);
  });
});

describe('a refused transaction leaves no audit event (real DynamoDB Local, no mock)', () => {
  it('duplicate credit code → 422, the table and its events unchanged', async () => {
    const body = newOrg();
    expect((await createOrg(body)).status).toBe(201);
    await expectNothingWritten(async () => {
      const dup = await createOrg({ ...body, name: 'another name' });
      expect(dup.status).toBe(422);
      expect(dup.body.code).toBe('RULE_VIOLATION');
    });
    expect(h.faults.calls(TransactWriteItemsCommand)).toHaveLength(2); // went through the mock, not faulted
  });

  it('duplicate occupation code → 422, no second event', async () => {
    const occ = { code: `9-99-${Date.now() % 100000}`, name: '测试工种', skillEvaluation: true };
    expect((await h.call('POST', '/v1/occupations', { token: h.adminToken, body: occ })).status).toBe(201);
    await expectNothingWritten(async () => {
      expect((await h.call('POST', '/v1/occupations', { token: h.adminToken, body: { ...occ, name: 'x' } })).status).toBe(422);
    });
  });
});
