/**
 * No personal data in logs. A whole joint class is driven through an app built with a capturing
 * Powertools Logger (every line kept exactly as it would be printed): enrolment of trainees with
 * known names and ID numbers, a departure, assessments, the closing, approvals and payments, the
 * ledger downloaded in every format, and a client that puts an ID number in a query string. No log
 * line may contain a name, an ID number (full or masked, or its hash) or a bearer token. Then the
 * error paths: a database fault (503) and an unhandled error (500) while enrolling someone: the log
 * names the request id (no personal data), the answer quotes that id and carries no stack trace.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { createApp } from '../../shared/http/app.js';
import { maskNationalId } from '../../shared/domain/national-id.js';
import { classDraft, createWorld, design, ok, sequentialNationalId, toClosingReview, toPlanned, traineeBody, type World } from '../support/world.js';
import { CapturingLogger, harnessOn } from './capture.js';
import { createFaultyHarness, FAULT_MARKER } from './faults.js';

let h: Awaited<ReturnType<typeof createFaultyHarness>>;
let w: World;
let logger: CapturingLogger;
let sent: { calls: number };
const people: { name: string; idNumber: string }[] = [];
let cohortId: string;
let lines: { id: string; payerBureauId: string }[];

/** Everything that must never reach a log line. */
function secrets(): string[] {
  const tokens = Object.values(w.tokens).flat() as string[];
  return [
    ...people.flatMap((p) => [p.name, p.idNumber, maskNationalId(p.idNumber), h.services.cohorts.personHash(p.idNumber)]),
    ...tokens,
    // A token's signature alone identifies it too.
    ...tokens.map((t) => t.split('.')[2]!),
  ];
}

function expectNoSecretsIn(logLines: string[]) {
  const all = secrets();
  const found: string[] = [];
  for (const line of logLines) for (const s of all) if (line.includes(s)) found.push(`${s} in ${line.slice(0, 200)}`);
  expect(found, found.join('\n')).toEqual([]);
}

beforeAll(async () => {
  h = await createFaultyHarness();
  logger = new CapturingLogger();
  // The harness's app again, on the same table, with the capturing logger (as fuzz.test.ts does).
  const logged = harnessOn(h, createApp({ store: h.store, config: h.config, logger }).app);
  sent = logged.sent;
  w = await createWorld(logged);
  h.faults.reset();
}, 60_000);

describe('no personal data in logs', () => {
  it('a whole lifecycle logs one line per request, with its request id, and no name, ID number or token', async () => {
    const { orgs, tokens } = w;
    const draft = await classDraft(w, {
      participants: [
        { id: orgs.smeA.id, token: tokens.smeA, insured: ['320214', '320214', '320211'] },
        { id: orgs.smeB.id, token: tokens.smeB, insured: ['320211', '320211'] },
      ],
      idNumber: (_e, i) => {
        const idNumber = sequentialNationalId(i % 2 ? '320211' : '320214');
        people.push({ name: '', idNumber });
        return idNumber;
      },
    });
    cohortId = draft.cohortId;
    draft.trainees.forEach((tr, i) => (people[i]!.name = tr.name));
    // A trainee with a distinctive full name, enrolled by its employer.
    const extra = { name: '欧阳明月', idNumber: sequentialNationalId() };
    people.push(extra);
    const p = (s: string) => `/v1/cohorts/${cohortId}${s}`;
    const t = await ok(w, 201, 'POST', p('/trainees'), { token: tokens.smeA, now: draft.now, body: traineeBody(orgs.smeA.id, '320214', extra) });
    await ok(w, 201, 'POST', p('/agreement'), { token: tokens.chamber, now: draft.now });
    for (const token of [tokens.chamber, tokens.smeA, tokens.smeB, tokens.provider]) await ok(w, 201, 'POST', p('/agreement/signatures'), { token, now: draft.now, body: { signerName: '签署人' } });

    await toPlanned(w, cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
    const trainees = [...draft.trainees, { id: t.id as string, enterpriseId: orgs.smeA.id }];
    await toClosingReview(w, {
      cohortId, organizer: tokens.chamber,
      participants: [{ id: orgs.smeA.id, token: tokens.smeA }, { id: orgs.smeB.id, token: tokens.smeB }],
      bureaus: [tokens.xinwu, tokens.binhu], trainees,
      outcome: (_tr, i) => (i === 1 ? 'departed' : i === 3 ? 'failed' : 'passed'),
    });
    await ok(w, 200, 'POST', p('/closing/accept'), { token: tokens.xinwu, now: '2027-08-25T10:00:00+08:00' });
    lines = (await ok(w, 200, 'GET', p('/subsidy'), { token: tokens.xinwu })).lines;
    const payer = new Map([[orgs.xinwu.id, tokens.xinwu], [orgs.binhu.id, tokens.binhu]]);
    for (const line of lines) {
      const token = payer.get(line.payerBureauId)!;
      await ok(w, 200, 'POST', `/v1/disbursements/${line.id}/approve`, { token, now: '2027-09-01T10:00:00+08:00', body: { fundingSource: 'employment_subsidy' } });
      await ok(w, 200, 'POST', `/v1/disbursements/${line.id}/pay`, { token, now: '2027-09-05T10:00:00+08:00', body: { paidOn: '2027-09-05', reference: '国库支付' } });
    }
    // Reads that carry the personal data back out, in every format.
    for (const token of [tokens.smeA, tokens.xinwu, tokens.auditor]) {
      for (const suffix of ['/trainees?limit=200', '/ledger', '/ledger?format=csv', '/ledger?format=xlsx', '/events?limit=200', '/subsidy']) {
        expect((await w.h.call('GET', p(suffix), { token })).status).toBe(200);
      }
    }
    // A client that puts personal data where it does not belong: the query string, a header.
    await w.h.call('GET', `/v1/cohorts?cursor=${people[0]!.idNumber}&name=${encodeURIComponent(people[0]!.name)}`, { token: tokens.chamber });
    await w.h.call('GET', p('/trainees'), { token: tokens.smeA, headers: { 'x-trainee': people[1]!.idNumber } });
    // A refused enrolment echoes nothing of the refused person to the log either.
    const refused = await w.h.call('POST', p('/trainees'), { token: tokens.smeA, body: traineeBody(orgs.smeA.id, '320214', extra) });
    expect(refused.status).toBeGreaterThanOrEqual(400);

    const requests = logger.entries.filter((e) => e.message === 'request');
    expect(requests.length).toBe(sent.calls);
    expect(logger.entries.filter((e) => e.level !== 'INFO')).toEqual([]);
    for (const e of requests) {
      expect(typeof e.requestId).toBe('string');
      expect(e).toMatchObject({ level: 'INFO', service: 'apprenticeship' });
      // Only these fields, whatever the request carried.
      for (const key of Object.keys(e)) expect(['level', 'message', 'timestamp', 'service', 'sampling_rate', 'xray_trace_id', 'requestId', 'method', 'path', 'status', 'ms']).toContain(key);
    }
    expect(new Set(requests.map((e) => e.requestId)).size).toBe(requests.length);
    expectNoSecretsIn(logger.lines);
  });

  /** A draft joint class with SME A as participant, ready for SME A to enrol someone. */
  async function draftWithSmeA(): Promise<{ id: string }> {
    const c = await ok(w, 201, 'POST', '/v1/cohorts', { token: w.tokens.chamber, now: '2026-06-01T10:00:00+08:00', body: design(w) });
    await ok(w, 201, 'POST', `/v1/cohorts/${c.id}/participants`, { token: w.tokens.chamber, now: '2026-06-01T10:00:00+08:00', body: { enterpriseId: w.orgs.smeA.id } });
    return c;
  }

  it('a database fault while enrolling: 503, one warning with the request id and the error name only', async () => {
    const person = { name: '诸葛明月', idNumber: sequentialNationalId() };
    people.push(person);
    const c = await draftWithSmeA();
    const from = logger.lines.length;
    h.faults.on(TransactWriteItemsCommand, () => Object.assign(new Error(`Rate exceeded (${FAULT_MARKER}) for ${person.idNumber}`), { name: 'ThrottlingException' }), { times: 1 });
    const res = await w.h.call('POST', `/v1/cohorts/${c.id}/trainees`, { token: w.tokens.smeA, now: '2026-06-01T10:00:00+08:00', body: traineeBody(w.orgs.smeA.id, '320214', person), headers: { 'x-request-id': 'req-fault-1' } });
    h.faults.reset();
    expect(res.status).toBe(503);
    expect(res.headers.get('x-request-id')).toBe('req-fault-1');
    const logged = logger.entries.slice(from);
    const warning = logged.find((e) => e.message === 'database fault');
    expect(warning).toMatchObject({ level: 'WARN', requestId: 'req-fault-1', code: 'THROTTLED', error: 'ThrottlingException' });
    // Even an error whose own message carried an ID number is logged by name only.
    expectNoSecretsIn(logger.lines.slice(from));
    expect(logger.lines.slice(from).join('\n')).not.toContain(FAULT_MARKER);
  });

  it('an unhandled error while enrolling: 500 quoting the request id, no stack trace in the answer; the error log has the id and no personal data', async () => {
    const person = { name: '上官飞燕', idNumber: sequentialNationalId() };
    people.push(person);
    const c = await draftWithSmeA();
    const from = logger.lines.length;
    // What DynamoDB answers for an item it refuses (not a fault the store classifies): unhandled.
    h.faults.on(TransactWriteItemsCommand, () => Object.assign(new Error(`Item size has exceeded the maximum allowed size (${FAULT_MARKER})`), { name: 'ValidationException', $fault: 'client' }), { times: 1 });
    const res = await w.h.call('POST', `/v1/cohorts/${c.id}/trainees`, { token: w.tokens.smeA, now: '2026-06-01T10:00:00+08:00', body: traineeBody(w.orgs.smeA.id, '320214', person) });
    h.faults.reset();
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const requestId = res.headers.get('x-request-id')!;
    expect(requestId).toBeTruthy();
    expect(res.body).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(res.body.detail).toContain(requestId);
    const answer = JSON.stringify(res.body);
    for (const leak of [FAULT_MARKER, 'ValidationException', 'Item size', '.ts:', 'node_modules', h.tableName]) expect(answer).not.toContain(leak);
    expect(answer).not.toMatch(/\bat \S+ \(|\n\s+at /);

    const logged = logger.entries.slice(from);
    const error = logged.find((e) => e.message === 'unhandled error');
    expect(error, JSON.stringify(logged)).toMatchObject({ level: 'ERROR', requestId, error: { name: 'ValidationException' } });
    // The stack trace belongs in the log (for the operator), not in the answer.
    expect(JSON.stringify(error!.error)).toContain('at ');
    expect(logged.find((e) => e.message === 'request')).toMatchObject({ requestId, status: 500 });
    expectNoSecretsIn(logger.lines.slice(from));
    // Nothing of the refused enrolment was written.
    const rows = await ok(w, 200, 'GET', `/v1/cohorts/${c.id}/trainees`, { token: w.tokens.smeA });
    expect(rows.items).toEqual([]);
  });
});
