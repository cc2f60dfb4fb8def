/**
 * Visibility matrix (API.md: "A resource the caller may not see answers 404 NOT_FOUND, never 403").
 * For a draft joint class of the chamber, every stranger (role × endpoint) gets 404 problem+json
 * and no data; the auditor (§十一) reads everything and changes nothing (403 on every write).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness.js';
import { commitment, createWorld, eventCount, ok, readyDraft, traineeBody, type World } from '../support/world.js';

let w: World;
let cohortId: string;
let traineeId: string;
let idNumbers: string[];
let initial: { version: number; events: number };
const strangers: Record<string, string> = {};
const NOW = '2026-06-05T10:00:00+08:00';

beforeAll(async () => {
  w = await createWorld(await createHarness());
  const { orgs, tokens } = w;
  const draft = await readyDraft(w, {
    participants: [
      { id: orgs.smeA.id, token: tokens.smeA, district: '320214', trainees: 1 },
      { id: orgs.smeB.id, token: tokens.smeB, district: '320211', trainees: 1 },
    ],
  });
  cohortId = draft.cohortId;
  traineeId = draft.trainees[0]!.id;
  idNumbers = draft.trainees.map((t) => t.idNumber);
  initial = { version: (await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: tokens.chamber })).version, events: await eventCount(w, cohortId) };
  const otherChamber = await w.h.createOrg({ kind: 'chamber', district: '320214' });
  const otherProvider = await w.h.createOrg({ kind: 'provider', district: '320214' });
  Object.assign(strangers, {
    'another chamber': await w.h.token(otherChamber.id, 'chamber'),
    'another enterprise': tokens.smeC,
    'a member company of an unrelated group': tokens.member1,
    'another provider': await w.h.token(otherProvider.id, 'provider'),
    'another district bureau': tokens.liangxi,
    'the municipal bureau (not competent for this joint class)': tokens.cityBureau,
    'an expert not assigned': tokens.experts[3]!,
    'an evaluator not named': tokens.evaluator,
    'the platform admin': tokens.admin,
  });
});

type Case = { name: string; method: string; path: (id: string) => string; body?: () => unknown };
const reads: Case[] = [
  { name: 'GET cohort', method: 'GET', path: (id) => `/v1/cohorts/${id}` },
  { name: 'GET trainees', method: 'GET', path: (id) => `/v1/cohorts/${id}/trainees` },
  { name: 'GET events', method: 'GET', path: (id) => `/v1/cohorts/${id}/events` },
  { name: 'GET filings', method: 'GET', path: (id) => `/v1/cohorts/${id}/filings` },
  { name: 'GET subsidy', method: 'GET', path: (id) => `/v1/cohorts/${id}/subsidy` },
];
const designWrites: Case[] = [
  { name: 'PATCH cohort', method: 'PATCH', path: (id) => `/v1/cohorts/${id}`, body: () => ({ name: '改名' }) },
  { name: 'POST participants', method: 'POST', path: (id) => `/v1/cohorts/${id}/participants`, body: () => ({ enterpriseId: w.orgs.smeC.id }) },
  { name: 'POST trainees', method: 'POST', path: (id) => `/v1/cohorts/${id}/trainees`, body: () => traineeBody(w.orgs.smeA.id, '320214') },
  { name: 'POST mentors', method: 'POST', path: (id) => `/v1/cohorts/${id}/mentors`, body: () => ({ kind: 'school', name: '李老师', organizationId: w.orgs.provider.id }) },
  { name: 'POST agreement', method: 'POST', path: (id) => `/v1/cohorts/${id}/agreement` },
  { name: 'POST agreement/signatures', method: 'POST', path: (id) => `/v1/cohorts/${id}/agreement/signatures`, body: () => ({ signerName: '签署人' }) },
  { name: 'POST submit', method: 'POST', path: (id) => `/v1/cohorts/${id}/submit` },
  { name: 'POST cancel', method: 'POST', path: (id) => `/v1/cohorts/${id}/cancel`, body: () => ({ reason: 'x' }) },
  { name: 'DELETE trainee', method: 'DELETE', path: (id) => `/v1/cohorts/${id}/trainees/${traineeId}` },
  { name: 'DELETE participant', method: 'DELETE', path: (id) => `/v1/cohorts/${id}/participants/${w.orgs.smeB.id}` },
];
const lifecycleWrites: Case[] = [
  { name: 'POST accept', method: 'POST', path: (id) => `/v1/cohorts/${id}/accept`, body: () => ({ experts: ['e1', 'e2', 'e3'] }) },
  { name: 'POST votes', method: 'POST', path: (id) => `/v1/cohorts/${id}/votes`, body: () => ({ decision: 'approve' }) },
  { name: 'POST decision', method: 'POST', path: (id) => `/v1/cohorts/${id}/decision`, body: () => ({ decision: 'approve' }) },
  { name: 'POST plan', method: 'POST', path: (id) => `/v1/cohorts/${id}/plan` },
  { name: 'POST filings', method: 'POST', path: (id) => `/v1/cohorts/${id}/filings`, body: () => ({ enterpriseId: w.orgs.smeA.id, commitment }) },
  { name: 'POST filings/approve', method: 'POST', path: (id) => `/v1/cohorts/${id}/filings/approve` },
  { name: 'POST departure', method: 'POST', path: (id) => `/v1/cohorts/${id}/trainees/${traineeId}/departure`, body: () => ({ leftOn: '2026-06-01' }) },
  { name: 'POST assessments', method: 'POST', path: (id) => `/v1/cohorts/${id}/assessments`, body: () => ({ results: [{ traineeId, passed: false, method: 'direct', assessedOn: '2026-06-01' }] }) },
  { name: 'POST closing', method: 'POST', path: (id) => `/v1/cohorts/${id}/closing`, body: () => ({ materials: [{ name: 'm.pdf', sha256: 'a'.repeat(64) }] }) },
  { name: 'POST closing/accept', method: 'POST', path: (id) => `/v1/cohorts/${id}/closing/accept` },
];

const call = (token: string, c: Case) => w.h.call(c.method, c.path(cohortId), { token, now: NOW, ...(c.body ? { body: c.body() } : {}) });

/** A 404 that says nothing about the cohort: problem+json with only the problem members. */
function expectBareNotFound(res: { status: number; body: any; headers: Headers }) {
  expect(res.status, JSON.stringify(res.body)).toBe(404);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body.code).toBe('NOT_FOUND');
  expect(Object.keys(res.body).every((k) => ['type', 'title', 'status', 'detail', 'code', 'instance'].includes(k))).toBe(true);
  expect(res.headers.get('etag')).toBeNull();
  const text = JSON.stringify(res.body);
  for (const secret of [cohortId, ...idNumbers, w.orgs.chamber.id, '数控车工']) expect(text).not.toContain(secret);
}

const strangerNames = [
  'another chamber', 'another enterprise', 'a member company of an unrelated group', 'another provider', 'another district bureau',
  'the municipal bureau (not competent for this joint class)', 'an expert not assigned', 'an evaluator not named', 'the platform admin',
];

describe('Visibility: a stranger gets 404 NOT_FOUND with no data on every endpoint of a draft joint class (R-PRIV-1, API.md)', () => {
  for (const who of strangerNames) {
    describe(`as ${who}`, () => {
      for (const c of [...reads, ...designWrites, ...lifecycleWrites]) {
        it(`${c.name} → 404 NOT_FOUND`, async () => {
          expectBareNotFound(await call(strangers[who]!, c));
        });
      }
    });
  }

  it('a stranger’s listing of cohorts does not contain the class (the platform admin’s is empty)', async () => {
    for (const who of strangerNames) {
      const list = await ok(w, 200, 'GET', '/v1/cohorts?limit=200', { token: strangers[who]! });
      expect(list.items.map((c: { id: string }) => c.id), who).not.toContain(cohortId);
    }
    expect(await ok(w, 200, 'GET', '/v1/cohorts', { token: strangers['the platform admin']! })).toEqual({ items: [], nextCursor: null });
  });

  it('a stranger’s page request with a cursor (valid, foreign or garbage) still answers 404: the cohort is read with the page, and its answer comes first', async () => {
    const page = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/trainees?limit=1`, { token: w.tokens.chamber });
    expect(page.nextCursor).toEqual(expect.any(String));
    const foreign = (await ok(w, 200, 'GET', '/v1/cohorts?limit=1', { token: w.tokens.chamber })).nextCursor ?? 'x';
    for (const cursor of [page.nextCursor, foreign, 'not-a-cursor']) {
      for (const list of ['trainees', 'events']) {
        expectBareNotFound(await w.h.call('GET', `/v1/cohorts/${cohortId}/${list}?limit=1&cursor=${encodeURIComponent(cursor)}`, { token: strangers['another chamber']! }));
      }
    }
  });

  it('an unknown cohort id answers exactly like an invisible one', async () => {
    const res = await w.h.call('GET', '/v1/cohorts/01JXXXXXXXXXXXXXXXXXXXXXXX', { token: w.tokens.chamber });
    const invisible = await w.h.call('GET', `/v1/cohorts/${cohortId}`, { token: strangers['another chamber']! });
    expect([res.status, res.body.code, res.body.title]).toEqual([invisible.status, invisible.body.code, invisible.body.title]);
  });

  it('after every stranger tried everything, the class is unchanged and no event was appended', async () => {
    const c = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.chamber });
    expect([c.status, c.version, c.name, c.participants.length, c.counts.enrolled]).toEqual(['draft', initial.version, '数控车工联合组班', 2, 2]);
    expect(c.agreement.status).toBe('effective');
    expect(await eventCount(w, cohortId)).toBe(initial.events);
  });
});

describe('Visibility: the auditor (第三方机构, §十一) reads everything and changes nothing', () => {
  it('auditor: every read answers 200 with the data', async () => {
    for (const c of reads) {
      const res = await call(w.tokens.auditor, c);
      expect(res.status, `${c.name} ${JSON.stringify(res.body)}`).toBe(200);
    }
    expect((await call(w.tokens.auditor, reads[0]!)).headers.get('etag')).toMatch(/^"\d+"$/);
    expect((await call(w.tokens.auditor, reads[1]!)).body.items).toHaveLength(2);
  });

  for (const c of [...designWrites, ...lifecycleWrites]) {
    it(`auditor: ${c.name} → 403 FORBIDDEN`, async () => {
      const res = await call(w.tokens.auditor, c);
      expect([res.status, res.body.code], JSON.stringify(res.body)).toEqual([403, 'FORBIDDEN']);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });
  }

  it('auditor: after all the refused writes nothing changed and no event was appended', async () => {
    const before = await eventCount(w, cohortId);
    for (const c of [...designWrites, ...lifecycleWrites]) await call(w.tokens.auditor, c);
    expect(await eventCount(w, cohortId)).toBe(before);
    const c = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}`, { token: w.tokens.auditor });
    expect([c.status, c.name, c.counts.enrolled, c.participants.length]).toEqual(['draft', '数控车工联合组班', 2, 2]);
  });
});

describe('Visibility: the parties and bureaus with jurisdiction see the draft', () => {
  it('organiser, participants, provider, the competent bureau and the filing bureau of an insured district read it (200)', async () => {
    for (const token of [w.tokens.chamber, w.tokens.smeA, w.tokens.smeB, w.tokens.provider, w.tokens.xinwu, w.tokens.binhu]) {
      expect((await call(token, reads[0]!)).status).toBe(200);
    }
  });
});
