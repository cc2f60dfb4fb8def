/**
 * A small Wuxi for tests: municipal and district bureaus, a chamber, SMEs in three districts, a
 * group HQ with two members, a provider, an evaluator, an auditor, occupations, and tokens for all.
 * Helpers drive a cohort through its lifecycle with the test clock (X-Clock-Now).
 */
import { expect } from 'vitest';
import type { Harness, CallOptions } from './harness.js';
import { cohortDesign } from '../../bench/lib/scenario.js';
import { nationalId } from './harness.js';

export async function createWorld(h: Harness) {
  const org = (kind: string, district: string, extra: Record<string, unknown> = {}) => h.createOrg({ kind, district, ...extra });
  const cityBureau = await org('hr_bureau', '320200', { level: 'city' });
  const xinwu = await org('hr_bureau', '320214', { level: 'district' });
  const binhu = await org('hr_bureau', '320211', { level: 'district' });
  const liangxi = await org('hr_bureau', '320213', { level: 'district' });
  const chamber = await org('chamber', '320214');
  const smeA = await org('enterprise', '320214');
  const smeB = await org('enterprise', '320211');
  const smeC = await org('enterprise', '320213');
  const hq = await org('enterprise', '320214');
  const member1 = await org('enterprise', '320211', { parentId: hq.id });
  const member2 = await org('enterprise', '320213', { parentId: hq.id });
  const provider = await org('provider', '320214');
  const evaluator = await org('evaluator', '320213');
  const auditor = await org('auditor', '320213');
  const occupation = `6-18-01-${Math.floor(Math.random() * 90 + 10)}`;
  await h.call('POST', '/v1/occupations', { token: h.adminToken, body: { code: occupation, name: '车工', skillEvaluation: true } });
  const certOccupation = `X-${Math.floor(Math.random() * 9000 + 1000)}`;
  await h.call('POST', '/v1/occupations', { token: h.adminToken, body: { code: certOccupation, name: '工业机器人运维', skillEvaluation: false } });

  const tokens = {
    admin: h.adminToken,
    cityBureau: await h.token(cityBureau.id, 'hr'),
    xinwu: await h.token(xinwu.id, 'hr'),
    binhu: await h.token(binhu.id, 'hr'),
    liangxi: await h.token(liangxi.id, 'hr'),
    chamber: await h.token(chamber.id, 'chamber'),
    smeA: await h.token(smeA.id, 'enterprise'),
    smeB: await h.token(smeB.id, 'enterprise'),
    smeC: await h.token(smeC.id, 'enterprise'),
    hq: await h.token(hq.id, 'enterprise'),
    member1: await h.token(member1.id, 'enterprise'),
    member2: await h.token(member2.id, 'enterprise'),
    provider: await h.token(provider.id, 'provider'),
    evaluator: await h.token(evaluator.id, 'evaluator'),
    auditor: await h.token(auditor.id, 'auditor'),
    experts: await Promise.all(['e1', 'e2', 'e3', 'e4'].map((sub) => h.token(xinwu.id, 'expert', sub))),
    cityExperts: await Promise.all(['c1', 'c2', 'c3'].map((sub) => h.token(cityBureau.id, 'expert', sub))),
  };
  return { h, orgs: { cityBureau, xinwu, binhu, liangxi, chamber, smeA, smeB, smeC, hq, member1, member2, provider, evaluator, auditor }, occupation, certOccupation, tokens };
}

export type World = Awaited<ReturnType<typeof createWorld>>;

export const design = (w: World, overrides: Record<string, unknown> = {}) => ({ ...cohortDesign(w), ...overrides });

export const traineeBody = (enterpriseId: string, insuredDistrict: string, overrides: Record<string, unknown> = {}) => ({
  enterpriseId,
  name: '张伟',
  idNumber: nationalId(1998),
  skillPosition: true,
  contract: { start: '2025-07-01', end: '2028-06-30' },
  hireDate: '2025-07-01',
  insuredDistrict,
  ...overrides,
});

/** Calls and expects a status, returning the body; shows the problem document when it fails. */
export async function ok<T = any>(w: World, status: number, method: string, path: string, options: CallOptions): Promise<T> {
  const res = await w.h.call<T>(method, path, options);
  expect(res.status, `${method} ${path} → ${JSON.stringify(res.body)}`).toBe(status);
  return res.body;
}

export interface DraftPlan {
  mode?: 'joint' | 'group' | 'enterprise';
  organizerToken?: string;
  participants: { id: string; token: string; district: string; trainees: number; insured?: string[] }[];
  designOverrides?: Record<string, unknown>;
  now?: string;
}

/**
 * The district bureau of each district a five-district class needs, with a token: the world's
 * 新吴, 滨湖 and 梁溪 bureaus plus one registered here for each of `extraDistricts`.
 */
export async function bureausByDistrict(w: World, extraDistricts: readonly string[]): Promise<Map<string, { id: string; token: string }>> {
  const out = new Map<string, { id: string; token: string }>([
    ['320214', { id: w.orgs.xinwu.id, token: w.tokens.xinwu }],
    ['320211', { id: w.orgs.binhu.id, token: w.tokens.binhu }],
    ['320213', { id: w.orgs.liangxi.id, token: w.tokens.liangxi }],
  ]);
  for (const d of extraDistricts) {
    const b = await w.h.createOrg({ kind: 'hr_bureau', district: d, level: 'district' });
    out.set(d, { id: b.id, token: await w.h.token(b.id, 'hr') });
  }
  return out;
}

/** The first `n` of SME A, B and C as participants, one trainee each, insured in their own districts. */
export const smeParticipants = (w: World, n = 2): DraftPlan['participants'] =>
  [
    { id: w.orgs.smeA.id, token: w.tokens.smeA, district: '320214', trainees: 1 },
    { id: w.orgs.smeB.id, token: w.tokens.smeB, district: '320211', trainees: 1 },
    { id: w.orgs.smeC.id, token: w.tokens.smeC, district: '320213', trainees: 1 },
  ].slice(0, n);

/** A draft cohort with participants, trainees, both mentors and an effective agreement. */
export async function readyDraft(w: World, plan: DraftPlan) {
  const now = plan.now ?? '2026-06-01T10:00:00+08:00';
  const organizer = plan.organizerToken ?? w.tokens.chamber;
  const mode = plan.mode ?? 'joint';
  const cohort = await ok(w, 201, 'POST', '/v1/cohorts', { token: organizer, now, body: design(w, { mode, ...plan.designOverrides }) });
  const trainees: { id: string; enterpriseId: string; insuredDistrict: string; idNumber: string }[] = [];
  for (const p of plan.participants) {
    if (mode !== 'enterprise') await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/participants`, { token: organizer, now, body: { enterpriseId: p.id } });
    for (let i = 0; i < p.trainees; i++) {
      const insured = p.insured?.[i % p.insured.length] ?? p.district;
      const body = traineeBody(p.id, insured);
      const t = await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/trainees`, { token: p.token, now, body });
      trainees.push({ id: t.id, enterpriseId: p.id, insuredDistrict: insured, idNumber: body.idNumber });
    }
  }
  const firstEnterprise = plan.participants[0]!.id;
  await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/mentors`, { token: organizer, now, body: { kind: 'enterprise', name: '王师傅', organizationId: firstEnterprise } });
  await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/mentors`, { token: w.tokens.provider, now, body: { kind: 'school', name: '李老师', organizationId: w.orgs.provider.id } });
  if (mode !== 'enterprise') {
    await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/agreement`, { token: organizer, now });
    const signers = new Map<string, string>([[cohort.organizerId, organizer], [w.orgs.provider.id, w.tokens.provider]]);
    for (const p of plan.participants) signers.set(p.id, p.token);
    for (const token of signers.values()) await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/agreement/signatures`, { token, now, body: { signerName: '签署人' } });
  }
  return { cohortId: cohort.id as string, trainees, organizer, now };
}

/** From a ready draft to `planned`: submit, accept with experts, votes, approve, plan after publicity. */
export async function toPlanned(w: World, cohortId: string, opts: { organizer: string; bureau: string; experts: string[]; expertTokens: string[] }) {
  await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/submit`, { token: opts.organizer, now: '2026-06-10T10:00:00+08:00' });
  await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/accept`, { token: opts.bureau, now: '2026-06-11T10:00:00+08:00', body: { experts: opts.experts } });
  for (const t of opts.expertTokens) await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/votes`, { token: t, now: '2026-06-20T10:00:00+08:00', body: { decision: 'approve' } });
  await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/decision`, { token: opts.bureau, now: '2026-07-01T10:00:00+08:00', body: { decision: 'approve', onSiteVerified: true } });
  return ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/plan`, { token: opts.bureau, now: '2026-07-10T10:00:00+08:00' });
}

// ---------------------------------------------------------------------------------------------
// Helpers for the cohort specification tests (test/services/cohorts, test/http). Append only.

/** Expects a refusal with this status and stable code as problem+json; returns the problem document. */
export async function refused(w: World, status: number, code: string, method: string, path: string, options: CallOptions) {
  const res = await w.h.call(method, path, options);
  expect(res.status, `${method} ${path} → ${JSON.stringify(res.body)}`).toBe(status);
  expect(res.body?.code, JSON.stringify(res.body)).toBe(code);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/problem\+json/);
  return res.body as { code: string; status: number; detail: string; errors?: { path: string; message: string; rule?: string }[] };
}

/** The rule ids named by a 422 problem document (errors[].rule). */
export const rulesOf = (problem: { errors?: { rule?: string }[] }) => [...new Set((problem.errors ?? []).map((e) => e.rule))];

/** The rule ids of a cohort's warnings. */
export const warningRules = (cohort: { warnings: { rule: string }[] }) => [...new Set(cohort.warnings.map((x) => x.rule))];

/** Number of audit events of a cohort, read as the auditor. */
export async function eventCount(w: World, cohortId: string): Promise<number> {
  const events = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/events?limit=200`, { token: w.tokens.auditor });
  return events.items.length;
}

export interface ReviewInstants {
  submit?: string;
  accept?: string;
  vote?: string;
  decide?: string;
}

/** Submit, accept with the panel, every expert approves, the bureau approves → `publicized`. */
export async function toPublicized(
  w: World,
  cohortId: string,
  opts: { organizer: string; bureau: string; experts: string[]; expertTokens: string[]; at?: ReviewInstants },
) {
  const at = { submit: '2026-06-10T10:00:00+08:00', accept: '2026-06-11T10:00:00+08:00', vote: '2026-06-20T10:00:00+08:00', decide: '2026-07-01T10:00:00+08:00', ...opts.at };
  await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/submit`, { token: opts.organizer, now: at.submit });
  await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/accept`, { token: opts.bureau, now: at.accept, body: { experts: opts.experts } });
  for (const t of opts.expertTokens) await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/votes`, { token: t, now: at.vote, body: { decision: 'approve' } });
  return ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/decision`, { token: opts.bureau, now: at.decide, body: { decision: 'approve', onSiteVerified: true } });
}

export const commitment = { signerName: '王芳', statement: '本企业承诺所报学徒信息真实有效' };

/** From `planned`: every participant files for itself, then every filing bureau approves → `in_training`. */
export async function toInTraining(w: World, cohortId: string, opts: { filers: { id: string; token: string }[]; bureaus: string[]; fileAt?: string; approveAt?: string }) {
  for (const f of opts.filers) {
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token: f.token, now: opts.fileAt ?? '2026-07-15T10:00:00+08:00', body: { enterpriseId: f.id, commitment } });
  }
  let cohort: any;
  for (const b of opts.bureaus) cohort = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/filings/approve`, { token: b, now: opts.approveAt ?? '2026-07-20T10:00:00+08:00' });
  expect(cohort.status).toBe('in_training');
  return cohort;
}

/** An `enterprise`-mode class of SME A (新吴区) with n trainees insured in 320214, driven to `in_training`. */
export async function enterpriseClassInTraining(w: World, trainees: number, designOverrides: Record<string, unknown> = {}) {
  const { orgs, tokens } = w;
  const draft = await readyDraft(w, {
    mode: 'enterprise',
    organizerToken: tokens.smeA,
    participants: [{ id: orgs.smeA.id, token: tokens.smeA, district: '320214', trainees }],
    designOverrides,
  });
  await toPlanned(w, draft.cohortId, { organizer: tokens.smeA, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
  await toInTraining(w, draft.cohortId, { filers: [{ id: orgs.smeA.id, token: tokens.smeA }], bureaus: [tokens.xinwu] });
  return draft;
}

// ---------------------------------------------------------------------------------------------
// Subsidy and export helpers (appended): unique IDs for large classes, and the second half of the
// lifecycle from `planned` to `closing_review`.
import { completeNationalId } from '../../shared/domain/national-id.js';

let sequentialIdCounter = 0;
/**
 * A valid national ID number that is unique within the test process (nationalId() draws at random
 * and collides once a class has hundreds of trainees). Born 1985, so it never meets nationalId(1998).
 */
export function sequentialNationalId(region = '320214'): string {
  const n = sequentialIdCounter++;
  const day = String((n % 28) + 1).padStart(2, '0');
  const month = String((Math.floor(n / 28) % 12) + 1).padStart(2, '0');
  const seq = String(Math.floor(n / 336) % 1000).padStart(3, '0');
  return completeNationalId(`${region}1985${month}${day}${seq}`);
}

export type Outcome = 'passed' | 'failed' | 'departed';

export interface ClosingRun {
  cohortId: string;
  /** Organiser's token. */
  organizer: string;
  /** Every participant with its token (files for itself; reports its departures). */
  participants: { id: string; token: string }[];
  /** Tokens of every bureau with filing units in the class. */
  bureaus: string[];
  trainees: { id: string; enterpriseId: string }[];
  outcome?: (t: { id: string; enterpriseId: string }, i: number) => Outcome;
  /** Default 2027-08-10 (window of a class planned to end 2027-08-31). */
  assessedOn?: (t: { id: string; enterpriseId: string }, i: number) => string;
  times?: { file?: string; approve?: string; depart?: string; leftOn?: string; assess?: string; closing?: string };
}

/**
 * From `planned` to `closing_review`: every participant files, every bureau approves its units,
 * departures are reported, results are recorded in batches (the batch that completes the
 * assessment is kept small: it also rewrites every listing item of the class), then the closing.
 */
export async function toClosingReview(w: World, run: ClosingRun) {
  const t = { file: '2026-07-15T10:00:00+08:00', approve: '2026-07-20T10:00:00+08:00', depart: '2027-01-20T10:00:00+08:00', leftOn: '2027-01-10', assess: '2027-08-12T10:00:00+08:00', closing: '2027-08-20T10:00:00+08:00', ...run.times };
  const { cohortId } = run;
  for (const p of run.participants) {
    await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/filings`, { token: p.token, now: t.file, body: { enterpriseId: p.id, commitment: { signerName: '王芳', statement: '承诺所报信息真实有效' } } });
  }
  for (const token of run.bureaus) await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/filings/approve`, { token, now: t.approve });
  const outcome = run.outcome ?? (() => 'passed');
  const tokenOf = new Map(run.participants.map((p) => [p.id, p.token]));
  const results: { traineeId: string; passed: boolean; method: string; assessedOn: string; certificateNo?: string }[] = [];
  for (const [i, tr] of run.trainees.entries()) {
    const o = outcome(tr, i);
    if (o === 'departed') {
      await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/trainees/${tr.id}/departure`, { token: tokenOf.get(tr.enterpriseId)!, now: t.depart, body: { leftOn: t.leftOn } });
    } else {
      const passed = o === 'passed';
      results.push({ traineeId: tr.id, passed, method: 'third_party', assessedOn: run.assessedOn?.(tr, i) ?? '2027-08-10', ...(passed ? { certificateNo: `S${String(i).padStart(6, '0')}` } : {}) });
    }
  }
  // The last batch is a full one: the call that completes the class also moves every listing item.
  const last = results.splice(-Math.min(80, results.length));
  for (let i = 0; i < results.length; i += 80) {
    await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/assessments`, { token: run.organizer, now: t.assess, body: { results: results.slice(i, i + 80) } });
  }
  const assessed = await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/assessments`, { token: run.organizer, now: t.assess, body: { results: last } });
  expect(assessed.status).toBe('assessed');
  return ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/closing`, { token: run.organizer, now: t.closing, body: { materials: [{ name: '培训过程材料.pdf', sha256: 'b'.repeat(64) }] } });
}

export interface ClassPlan {
  mode?: 'joint' | 'group' | 'enterprise';
  organizerToken?: string;
  /** One trainee per entry of `insured` (its insured district), enrolled by the participant itself. */
  participants: { id: string; token: string; insured: string[] }[];
  designOverrides?: Record<string, unknown>;
  now?: string;
  /** National ID per trainee; default sequentialNationalId(). */
  idNumber?: (enterpriseId: string, i: number) => string;
}

/** Like readyDraft, for large classes: unique ID numbers, trainees insured where the plan says. */
export async function classDraft(w: World, plan: ClassPlan) {
  const now = plan.now ?? '2026-06-01T10:00:00+08:00';
  const organizer = plan.organizerToken ?? w.tokens.chamber;
  const mode = plan.mode ?? 'joint';
  const cohort = await ok(w, 201, 'POST', '/v1/cohorts', { token: organizer, now, body: design(w, { mode, ...plan.designOverrides }) });
  const trainees: { id: string; enterpriseId: string; insuredDistrict: string; idNumber: string; name: string }[] = [];
  let n = 0;
  for (const p of plan.participants) {
    if (mode !== 'enterprise') await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/participants`, { token: organizer, now, body: { enterpriseId: p.id } });
    for (const insured of p.insured) {
      const idNumber = plan.idNumber?.(p.id, n) ?? sequentialNationalId();
      const name = `学徒${String(++n).padStart(3, '0')}`;
      const t = await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/trainees`, { token: p.token, now, body: traineeBody(p.id, insured, { idNumber, name }) });
      trainees.push({ id: t.id, enterpriseId: p.id, insuredDistrict: insured, idNumber, name });
    }
  }
  await addMentorsAndSign(w, cohort, plan, organizer, now);
  return { cohortId: cohort.id as string, trainees, organizer, now };
}

// Store wrappers for subsidy tests (appended): one records every transaction's size and what it
// carried, one fails a chosen transaction once, as a crash between chunks would.
import { Store, type WriteOp } from '../../shared/db/store.js';
import { createDynamoDbClient } from '../../shared/db/client.js';

/** Both mentors (the first participant's, the provider's), then the agreement signed by every party. */
async function addMentorsAndSign(w: World, cohort: { id: string; organizerId: string }, plan: ClassPlan, organizer: string, now: string) {
  await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/mentors`, { token: organizer, now, body: { kind: 'enterprise', name: '王师傅', organizationId: plan.participants[0]!.id } });
  await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/mentors`, { token: w.tokens.provider, now, body: { kind: 'school', name: '李老师', organizationId: w.orgs.provider.id } });
  if ((plan.mode ?? 'joint') === 'enterprise') return;
  await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/agreement`, { token: organizer, now });
  const signers = new Map<string, string>([[cohort.organizerId, organizer], [w.orgs.provider.id, w.tokens.provider]]);
  for (const p of plan.participants) signers.set(p.id, p.token);
  for (const token of signers.values()) await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/agreement/signatures`, { token, now, body: { signerName: '签署人' } });
}

/** What a transaction carried: the audit action of its event, else the key prefix of its first item. */
export function transactionLabel(ops: WriteOp[]): string {
  for (const { op } of ops) {
    const item = op.Put?.Item as { type?: string; action?: string } | undefined;
    if (item?.type === 'event' && item.action) return item.action;
  }
  const first = ops[0]?.op;
  const key = (first?.Put?.Item ?? first?.Update?.Key ?? first?.Delete?.Key ?? first?.ConditionCheck?.Key) as { SK?: string; type?: string } | undefined;
  // The item's entity type when the first write is a Put, else its sort key's first segment.
  return `${key?.type ?? String(key?.SK ?? '?').split('#')[0]} (${first?.Put ? 'Put' : first?.Update ? 'Update' : first?.Delete ? 'Delete' : 'ConditionCheck'})`;
}

export class RecordingStore extends Store {
  readonly transactions: { label: string; items: number }[] = [];

  override async transact(ops: WriteOp[], attempts?: number): Promise<void> {
    this.transactions.push({ label: transactionLabel(ops), items: ops.length });
    return super.transact(ops, attempts);
  }

  /** Largest transaction per label, biggest first. */
  largest(): { label: string; items: number }[] {
    const max = new Map<string, number>();
    for (const t of this.transactions) max.set(t.label, Math.max(max.get(t.label) ?? 0, t.items));
    return [...max].map(([label, items]) => ({ label, items })).sort((a, b) => b.items - a.items);
  }
}

/** A network failure as the SDK reports it: the API answers 503 UNAVAILABLE, never 500. */
export function simulatedCrash(): Error {
  const error = new Error('simulated crash between chunks');
  error.name = 'TimeoutError';
  return error;
}

/**
 * Fails one transaction, once: the (k+1)-th transact after arm(k). `before` = the write never
 * reaches the table (process died first); `after` = the write happens but its answer is lost.
 */
export class CrashingStore extends RecordingStore {
  private armed: { remaining: number; mode: 'before' | 'after' } | undefined;
  crashed = 0;

  arm(successfulCalls: number, mode: 'before' | 'after' = 'before') {
    this.armed = { remaining: successfulCalls, mode };
  }

  override async transact(ops: WriteOp[], attempts?: number): Promise<void> {
    const armed = this.armed;
    if (armed && armed.remaining-- === 0) {
      this.armed = undefined;
      this.crashed += 1;
      if (armed.mode === 'after') await super.transact(ops, attempts);
      throw simulatedCrash();
    }
    return super.transact(ops, attempts);
  }
}

export const storeFactory =
  <S extends Store>(Kind: new (client: ReturnType<typeof createDynamoDbClient>, table: string) => S) =>
  (tableName: string): S =>
    new Kind(createDynamoDbClient({ tableName, endpoint: process.env.DYNAMODB_ENDPOINT! }), tableName);

/**
 * Makes a race certain instead of likely: the next `count` reads whose key matches wait for each
 * other (at most `timeoutMs`), so every racer has read the same state before any of them writes.
 */
export class GatedStore extends RecordingStore {
  private gate: { match: (key: { PK: string; SK: string }) => boolean; count: number; waiting: (() => void)[] } | undefined;
  released = 0;

  holdReads(match: (key: { PK: string; SK: string }) => boolean, count: number, timeoutMs = 3000) {
    const gate = { match, count, waiting: [] as (() => void)[] };
    this.gate = gate;
    setTimeout(() => this.open(gate), timeoutMs).unref();
  }

  private open(gate: NonNullable<GatedStore['gate']>) {
    if (this.gate === gate) this.gate = undefined;
    this.released += gate.waiting.length;
    for (const go of gate.waiting.splice(0)) go();
  }

  override async get<T = Record<string, unknown>>(key: { PK: string; SK: string }, consistent = true): Promise<T | undefined> {
    const gate = this.gate;
    const item = await super.get<T>(key, consistent);
    // Wait after the read, not before: released together, racers that read late could otherwise
    // see the winner's write (with one GetItem per request, a fast winner often finished first).
    if (gate && gate.match(key)) {
      await new Promise<void>((resolve) => {
        gate.waiting.push(resolve);
        if (gate.waiting.length >= gate.count) this.open(gate);
      });
    }
    return item;
  }
}

import { enrolmentLockOp, traineeItem } from '../../shared/db/cohorts.js';
import { newId } from '../../shared/db/ids.js';
import { cstDate } from '../../shared/domain/dates.js';
import { mutateCohort } from '../../shared/services/cohorts/mutation.js';
import type { Trainee } from '../../shared/services/cohorts/model.js';

/**
 * classDraft for classes of hundreds: creation, participants, mentors and the signed agreement go
 * through the API, but the trainees are seeded through the data layer — the same trainee,
 * enrolment-lock and cohort items POST /trainees writes, in batches of 100. Enrolling one by one
 * serialises on the cohort's version (each enrolment rewrites the cohort item) and takes most of a
 * minute on a busy host; enrolment itself is specified by the cohort tests.
 */
export async function seededDraft(w: World, plan: ClassPlan) {
  const now = plan.now ?? '2026-06-01T10:00:00+08:00';
  const organizer = plan.organizerToken ?? w.tokens.chamber;
  const mode = plan.mode ?? 'joint';
  const cohort = await ok(w, 201, 'POST', '/v1/cohorts', { token: organizer, now, body: design(w, { mode, ...plan.designOverrides }) });
  if (mode !== 'enterprise') {
    for (const p of plan.participants) await ok(w, 201, 'POST', `/v1/cohorts/${cohort.id}/participants`, { token: organizer, now, body: { enterpriseId: p.id } });
  }
  const at = new Date(now);
  const ctx = { principal: { sub: 'seed', orgId: cohort.organizerId as string, role: (mode === 'joint' ? 'chamber' : 'enterprise') as 'chamber' | 'enterprise' }, now: at, today: cstDate(at), requestId: 'seed' };
  const trainees: Trainee[] = [];
  let n = 0;
  for (const p of plan.participants) {
    for (const insured of p.insured) {
      const idNumber = plan.idNumber?.(p.id, n) ?? sequentialNationalId();
      const body = traineeBody(p.id, insured, { idNumber, name: `学徒${String(++n).padStart(3, '0')}` });
      const bureauId = await w.h.services.organizations.filingBureauOf(insured);
      if (!bureauId) throw new Error(`no bureau for insured district ${insured}`);
      trainees.push({
        id: newId(at), cohortId: cohort.id, enterpriseId: p.id, name: body.name, idNumber, personHash: w.h.services.cohorts.personHash(idNumber),
        skillPosition: true, contract: body.contract, hireDate: body.hireDate, insuredDistrict: insured, bureauId, declaredTags: [],
        status: 'active', enrolledOn: ctx.today, enrolledAt: at.toISOString(),
      });
    }
  }
  const ops = trainees.flatMap((t) => [{ op: { Put: { Item: traineeItem(t), ConditionExpression: 'attribute_not_exists(PK)' } } }, enrolmentLockOp(t.personHash, t.cohortId, t.id)]);
  for (let i = 0; i < ops.length; i += 100) await w.h.store.transact(ops.slice(i, i + 100));
  await mutateCohort(w.h.store, ctx, cohort.id, {}, (m) => {
    for (const t of trainees) {
      const unit = (m.cohort.participants.find((p) => p.enterpriseId === t.enterpriseId)!.units[t.insuredDistrict] ??= { bureauId: t.bureauId, trainees: 0 });
      unit.trainees += 1;
    }
    m.cohort.counts.enrolled += trainees.length;
    m.event('trainees.seeded', { after: { trainees: trainees.length } });
  });
  await addMentorsAndSign(w, cohort, plan, organizer, now);
  return { cohortId: cohort.id as string, trainees, organizer, now };
}
