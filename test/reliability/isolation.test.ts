/**
 * Tenant isolation. Idempotency-Key records are scoped to (organisation, user), so one caller's key
 * never replays, blocks or leaks another caller's answer. Then a matrix GENERATED from the app's
 * own /openapi.json: every operation × every role of another tenant × the resources of a Suzhou
 * tenant (a closed joint class with trainees, a departure, paid and pending subsidy lines, a
 * demand): a foreign resource answers 404 exactly as a resource that does not exist would (403 only
 * where the role may never call the operation, or the role sees it by design: auditor writes), and
 * no answer carries the other tenant's names, ID numbers (full or masked), amounts or ids beyond
 * what the request itself contained. Finally R-PRIV-1 per viewer of that class, in every response
 * and file that carries ID numbers. Each request counts as an isolation case.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { signLocalToken } from '../../shared/http/local-tokens.js';
import { maskNationalId } from '../../shared/domain/national-id.js';
import { createHarness, creditCode, type Harness } from '../support/harness.js';
import { classDraft, commitment, createWorld, design, ok, sequentialNationalId, toClosingReview, toPlanned, traineeBody, type World } from '../support/world.js';
import { record } from './figures.js';
import { operationsOf, type OpenApiDoc, type Operation } from './hostile.js';
import { scanAll, stable } from './table.js';
import { leaksIn, send, type RawRequest, type RawResult, type Secrets } from './tenant.js';

let h: Harness;
let enterpriseToken: string;
let otherAdmin: string;
beforeAll(async () => {
  h = await createHarness();
  const enterprise = await h.createOrg({ kind: 'enterprise', district: '320214' });
  enterpriseToken = await h.token(enterprise.id, 'enterprise');
  otherAdmin = await signLocalToken({ sub: 'admin-2', org: 'platform', role: 'admin' });
});

const org = () => ({ kind: 'chamber', name: '商会', creditCode: creditCode('320214'), district: '320214' });

describe('Idempotency-Key is scoped to its caller', () => {
  it("another organisation's caller reusing a key gets its own answer (403), not a replay", async () => {
    const key = `iso-a-${Date.now()}`;
    const body = org();
    const first = await h.call('POST', '/v1/organizations', { token: h.adminToken, body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    const intruder = await h.call('POST', '/v1/organizations', { token: enterpriseToken, body, headers: { 'idempotency-key': key } });
    expect(intruder.status).toBe(403);
    expect(intruder.headers.get('idempotent-replayed')).toBeNull();
    expect(JSON.stringify(intruder.body)).not.toContain(first.body.id);
    record({ isolation: 1 });
  });

  it('another user of the same organisation with the same key and another body is not refused as a reuse', async () => {
    const key = `iso-b-${Date.now()}`;
    const a = await h.call('POST', '/v1/organizations', { token: h.adminToken, body: org(), headers: { 'idempotency-key': key } });
    const b = await h.call('POST', '/v1/organizations', { token: otherAdmin, body: org(), headers: { 'idempotency-key': key } });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    record({ isolation: 1 });
  });

  it('the same user with the same key and same body replays; the stored record names no caller or key in clear', async () => {
    const key = `iso-c-${Date.now()}`;
    const body = org();
    const first = await h.call('POST', '/v1/organizations', { token: h.adminToken, body, headers: { 'idempotency-key': key } });
    const again = await h.call('POST', '/v1/organizations', { token: h.adminToken, body, headers: { 'idempotency-key': key } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const records = (await scanAll(h.tableName)).filter((r) => r.PK.startsWith('IDEMPOTENCY#'));
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      expect(r.PK).not.toContain(key);
      expect(r.PK).not.toContain('admin-1');
      expect(typeof r.expiresAt).toBe('number');
    }
    record({ isolation: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// Two tenants: the test world in Wuxi (3202xx) attacks; a Suzhou tenant (3205xx) is the victim.

type Party = 'bureauA' | 'bureauB' | 'chamber' | 'v1' | 'v2' | 'provider' | 'evaluator';
interface VictimTrainee { id: string; enterpriseId: string; idNumber: string; name: string }
interface Victim {
  orgs: Record<Party, { id: string }>;
  tokens: Record<Party, string> & { experts: string[] };
  cohortId: string;
  trainees: VictimTrainee[];
  lines: { id: string; payeeId: string; status: string; amountFen: number; trainees: { amountFen: number }[] }[];
  demandId: string;
  secrets: Secrets;
}

let w: World;
let V: Victim;
/** The attacking tenant's own closed class: lists must show it, and never the victim's. */
let own: { cohortId: string; lines: { id: string; payeeId: string; payerBureauId: string }[] };

const NAMES = { v1: ['欧阳震华', '司马相如', '诸葛青云'], v2: ['上官婉儿', '慕容秋荻'] };
const COHORT_NAME = '虎丘精密数控联合组班';
const MENTORS = ['端木师傅', '公孙老师'];
const t = { draft: '2026-06-01T10:00:00+08:00', file: '2026-07-15T10:00:00+08:00', approve: '2026-07-20T10:00:00+08:00', depart: '2027-01-20T10:00:00+08:00', assess: '2027-08-12T10:00:00+08:00', closing: '2027-08-20T10:00:00+08:00', accept: '2027-08-25T10:00:00+08:00' };

/** The response shows this trainee's ID number in full, or masked, as expected. */
function expectIdShown(body: { idNumber: string }, trainee: { idNumber: string }, full: boolean, where: string) {
  expect(body.idNumber, where).toBe(full ? trainee.idNumber : maskNationalId(trainee.idNumber));
}

async function buildVictim(): Promise<Victim> {
  const org = (kind: string, district: string, extra: Record<string, unknown> = {}) => h.createOrg({ kind, district, ...extra });
  const orgs: Victim['orgs'] = {
    bureauA: await org('hr_bureau', '320505', { level: 'district' }),
    bureauB: await org('hr_bureau', '320506', { level: 'district' }),
    chamber: await org('chamber', '320505'),
    v1: await org('enterprise', '320505'),
    v2: await org('enterprise', '320506'),
    provider: await org('provider', '320505'),
    evaluator: await org('evaluator', '320505'),
  };
  const tokens: Victim['tokens'] = {
    bureauA: await h.token(orgs.bureauA.id, 'hr'),
    bureauB: await h.token(orgs.bureauB.id, 'hr'),
    chamber: await h.token(orgs.chamber.id, 'chamber'),
    v1: await h.token(orgs.v1.id, 'enterprise'),
    v2: await h.token(orgs.v2.id, 'enterprise'),
    provider: await h.token(orgs.provider.id, 'provider'),
    evaluator: await h.token(orgs.evaluator.id, 'evaluator'),
    experts: await Promise.all(['sz-e1', 'sz-e2', 'sz-e3'].map((sub) => h.token(orgs.bureauA.id, 'expert', sub))),
  };
  const now = t.draft;
  const c = await ok(w, 201, 'POST', '/v1/cohorts', { token: tokens.chamber, now, body: design(w, { name: COHORT_NAME, providerId: orgs.provider.id, evaluatorId: orgs.evaluator.id, plannedStart: '2026-10-01', plannedEnd: '2027-09-30' }) });
  const cohortId = c.id as string;
  const p = (s: string) => `/v1/cohorts/${cohortId}${s}`;
  for (const e of [orgs.v1, orgs.v2]) await ok(w, 201, 'POST', p('/participants'), { token: tokens.chamber, now, body: { enterpriseId: e.id } });

  // Enrolment answers show the ID number as R-PRIV-1 allows the caller: in full to the employer,
  // masked to the organising chamber even when it enrols on the employer's behalf.
  const trainees: VictimTrainee[] = [];
  const enrol = async (who: 'v1' | 'v2', name: string, byChamber: boolean) => {
    const district = who === 'v1' ? '320505' : '320506';
    const body = traineeBody(orgs[who].id, district, { name, idNumber: sequentialNationalId(district) });
    const res = await ok(w, 201, 'POST', p('/trainees'), { token: byChamber ? tokens.chamber : tokens[who], now, body });
    expectIdShown(res, body, !byChamber, `enrolment answer to ${byChamber ? 'the chamber' : who}`);
    trainees.push({ id: res.id, enterpriseId: orgs[who].id, idNumber: body.idNumber as string, name });
  };
  for (const name of NAMES.v1) await enrol('v1', name, false);
  await enrol('v2', NAMES.v2[0]!, true);
  await enrol('v2', NAMES.v2[1]!, false);
  await ok(w, 201, 'POST', p('/mentors'), { token: tokens.chamber, now, body: { kind: 'enterprise', name: MENTORS[0], organizationId: orgs.v1.id } });
  await ok(w, 201, 'POST', p('/mentors'), { token: tokens.provider, now, body: { kind: 'school', name: MENTORS[1], organizationId: orgs.provider.id } });
  await ok(w, 201, 'POST', p('/agreement'), { token: tokens.chamber, now });
  for (const token of [tokens.chamber, tokens.v1, tokens.v2, tokens.provider]) await ok(w, 201, 'POST', p('/agreement/signatures'), { token, now, body: { signerName: '签署人' } });
  await toPlanned(w, cohortId, { organizer: tokens.chamber, bureau: tokens.bureauA, experts: ['sz-e1', 'sz-e2', 'sz-e3'], expertTokens: tokens.experts });
  for (const who of ['v1', 'v2'] as const) await ok(w, 201, 'POST', p('/filings'), { token: tokens[who], now: t.file, body: { enterpriseId: orgs[who].id, commitment } });
  for (const token of [tokens.bureauA, tokens.bureauB]) await ok(w, 200, 'POST', p('/filings/approve'), { token, now: t.approve });

  // A late departure (an alert of the Suzhou jurisdiction), reported by its enterprise, as API.md
  // has it (the organising chamber may not): in full to the employer.
  const leaver = trainees[2]!;
  const byChamber = await w.h.call('POST', p(`/trainees/${leaver.id}/departure`), { token: tokens.chamber, now: t.depart, body: { leftOn: '2026-12-20' } });
  expect([byChamber.status, byChamber.body.code]).toEqual([403, 'FORBIDDEN']);
  const dep = await ok(w, 200, 'POST', p(`/trainees/${leaver.id}/departure`), { token: tokens.v1, now: t.depart, body: { leftOn: '2026-12-20' } });
  expect(dep.lateReport).toBe(true);
  expectIdShown(dep, leaver, true, 'departure answer to the employer');
  // The evaluator records SME 1's results (masked to it), SME 2 its own (in full) and completes the class.
  const result = (tr: VictimTrainee, passed: boolean, i: number) => ({ traineeId: tr.id, passed, method: 'third_party', assessedOn: '2027-07-20', ...(passed ? { certificateNo: `SZ${i}` } : {}) });
  const byEvaluator = await ok(w, 200, 'POST', p('/assessments'), { token: tokens.evaluator, now: t.assess, body: { results: [result(trainees[0]!, true, 0), result(trainees[1]!, true, 1)] } });
  for (const [i, r] of (byEvaluator.results as { idNumber: string }[]).entries()) expectIdShown(r, trainees[i]!, false, 'assessment answer to the evaluator');
  const byV2 = await ok(w, 200, 'POST', p('/assessments'), { token: tokens.v2, now: t.assess, body: { results: [result(trainees[3]!, true, 3), result(trainees[4]!, false, 4)] } });
  expect(byV2.status).toBe('assessed');
  for (const [i, r] of (byV2.results as { idNumber: string }[]).entries()) expectIdShown(r, trainees[3 + i]!, true, 'assessment answer to the employer');
  await ok(w, 200, 'POST', p('/closing'), { token: tokens.chamber, now: t.closing, body: { materials: [{ name: '结班材料.pdf', sha256: 'd'.repeat(64) }] } });
  await ok(w, 200, 'POST', p('/closing/accept'), { token: tokens.bureauA, now: t.accept });
  let subsidy = await ok(w, 200, 'GET', p('/subsidy'), { token: tokens.bureauA });
  const paid = subsidy.lines.find((l: { payerBureauId: string }) => l.payerBureauId === orgs.bureauA.id);
  await ok(w, 200, 'POST', `/v1/disbursements/${paid.id}/approve`, { token: tokens.bureauA, now: '2027-09-01T10:00:00+08:00', body: { fundingSource: 'employment_subsidy' } });
  await ok(w, 200, 'POST', `/v1/disbursements/${paid.id}/pay`, { token: tokens.bureauA, now: '2027-09-05T10:00:00+08:00', body: { paidOn: '2027-09-05', reference: '苏州国库 001' } });
  subsidy = await ok(w, 200, 'GET', p('/subsidy'), { token: tokens.bureauA });
  const demand = await ok(w, 201, 'POST', '/v1/demands', { token: tokens.v1, now: t.draft, body: { chamberId: orgs.chamber.id, occupationCode: w.occupation, level: 'intermediate', headcount: 7, preferredStart: '2027-03-01' } });

  const lines = subsidy.lines as Victim['lines'];
  expect(lines.map((l) => l.status).sort()).toEqual(['paid', 'pending']);
  const amounts = new Set<number>([subsidy.totalFen, ...lines.flatMap((l) => [l.amountFen, ...l.trainees.map((x) => x.amountFen)])]);
  return {
    orgs, tokens, cohortId, trainees, lines, demandId: demand.id,
    secrets: {
      names: [...NAMES.v1, ...NAMES.v2, ...MENTORS, COHORT_NAME],
      idNumbers: trainees.map((x) => x.idNumber),
      privateIds: [cohortId, demand.id, ...trainees.map((x) => x.id), ...lines.map((l) => l.id)],
      orgIds: Object.values(orgs).map((o) => o.id),
      amountsFen: [...amounts],
    },
  };
}

async function buildOwn() {
  const { orgs, tokens } = w;
  const draft = await classDraft(w, { participants: [{ id: orgs.smeA.id, token: tokens.smeA, insured: ['320214'] }, { id: orgs.smeB.id, token: tokens.smeB, insured: ['320211'] }] });
  await toPlanned(w, draft.cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
  await toClosingReview(w, { cohortId: draft.cohortId, organizer: tokens.chamber, participants: [{ id: orgs.smeA.id, token: tokens.smeA }, { id: orgs.smeB.id, token: tokens.smeB }], bureaus: [tokens.xinwu, tokens.binhu], trainees: draft.trainees });
  await ok(w, 200, 'POST', `/v1/cohorts/${draft.cohortId}/closing/accept`, { token: tokens.xinwu, now: t.accept });
  await ok(w, 201, 'POST', '/v1/demands', { token: tokens.smeA, now: t.draft, body: { chamberId: orgs.chamber.id, occupationCode: w.occupation, level: 'intermediate', headcount: 3, preferredStart: '2027-03-01' } });
  const lines = (await ok(w, 200, 'GET', `/v1/cohorts/${draft.cohortId}/subsidy`, { token: tokens.xinwu })).lines as { id: string; payeeId: string; payerBureauId: string }[];
  return { cohortId: draft.cohortId, lines };
}

// Both tenants, for the matrix and the R-PRIV-1 checks below.
beforeAll(async () => {
  w = await createWorld(h);
  V = await buildVictim();
  own = await buildOwn();
}, 180_000);

// ---------------------------------------------------------------------------------------------
// The generated matrix.

const CATALOGUE = /^\/v1\/(organizations|occupations|calendar|policy)\b/;
type Values = Record<'cohort' | 'demand' | 'trainee' | 'enterprise' | 'line' | 'chamber' | 'district', string>;

interface Cell {
  op: Operation;
  role: string;
  token: string;
  /** The request addresses a resource of the other tenant (path id, scoping query, referenced demand). */
  foreign: boolean;
  catalogue: boolean;
  build: (v: Values) => RawRequest;
}

/** A request for `op` aimed at the values given (the victim's, or fresh ids that exist nowhere). */
function requestFor(op: Operation, token: string, format: string | undefined, v: Values): RawRequest {
  const catalogue = CATALOGUE.test(op.path);
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (name === 'id') return catalogue ? V.orgs.v1.id : op.path.startsWith('/v1/demands/') ? v.demand : v.cohort;
    const known: Record<string, string> = { traineeId: v.trainee, enterpriseId: v.enterprise, lineId: v.line, year: '2027' };
    if (!(name in known)) throw new Error(`${op.id}: no value for path parameter {${name}}; teach the isolation matrix about it`);
    return encodeURIComponent(known[name]!);
  });
  const query = new URLSearchParams();
  for (const param of op.params.filter((x) => x.in === 'query')) {
    const known: Record<string, string> = { chamberId: v.chamber, district: v.district, enterpriseId: v.enterprise, from: '2027-01-01', to: '2027-12-31', year: '2027' };
    if (param.name === 'format') {
      if (format) query.set('format', format);
    } else if (param.name in known) query.set(param.name, known[param.name]!);
    else if (param.required) throw new Error(`${op.id}: no value for required query parameter ${param.name}`);
  }
  const rewrite = (value: unknown, key?: string): unknown => {
    if (key === 'demandIds') return [v.demand];
    if (Array.isArray(value)) return value.map((x) => rewrite(x, key));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, rewrite(x, k)]));
    // Chambers and providers are public (any enterprise may address any chamber): a body names the
    // caller's own; the other tenant's resources are named by path, scoping query and demand ids.
    const byKey: Record<string, string> = { enterpriseId: v.enterprise, traineeId: v.trainee, organizationId: v.enterprise, chamberId: w.orgs.chamber.id, providerId: w.orgs.provider.id, occupationCode: w.occupation };
    return typeof value === 'string' && key && key in byKey ? byKey[key] : value;
  };
  const body = op.bodyExample !== undefined ? rewrite(structuredClone(op.bodyExample)) : ['POST', 'PUT', 'PATCH'].includes(op.method) && op.body ? {} : undefined;
  const qs = query.toString();
  return { method: op.method, path: `${path}${qs ? `?${qs}` : ''}`, token, body, now: '2027-10-10T10:00:00+08:00' };
}

const requestText = (r: RawRequest) => `${r.path} ${r.body !== undefined ? JSON.stringify(r.body) : ''}`;

describe('tenant isolation matrix (generated from /openapi.json)', () => {
  let operations: Operation[];
  let roles: [string, string][];
  let realValues: Values;
  let victimRows: () => Promise<string>;
  let before: string;

  beforeAll(async () => {
    operations = operationsOf((await h.call('GET', '/openapi.json')).body as OpenApiDoc).filter((op) => op.path.startsWith('/v1/'));
    roles = [
      ['chamber', w.tokens.chamber], ['enterprise', w.tokens.smeA], ['provider', w.tokens.provider], ['evaluator', w.tokens.evaluator],
      ['hr district bureau', w.tokens.xinwu], ['hr city bureau', w.tokens.cityBureau], ['expert', w.tokens.experts[0]!], ['auditor', w.tokens.auditor], ['admin', w.tokens.admin],
    ];
    const pending = V.lines.find((l) => l.status === 'pending')!;
    realValues = { cohort: V.cohortId, demand: V.demandId, trainee: V.trainees[0]!.id, enterprise: V.orgs.v1.id, line: pending.id, chamber: V.orgs.chamber.id, district: '320505' };
    // Everything stored about the victim's class, demand and lines: no request of the matrix may change it.
    const ids = [V.cohortId, V.demandId, ...V.lines.map((l) => l.id)];
    victimRows = async () => stable((await scanAll(h.tableName)).filter((r) => ids.some((id) => r.PK.includes(id))).sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`)));
    before = await victimRows();
  });

  it('every operation × every role of another tenant: 404 as for a resource that does not exist, never the other tenant’s data', async () => {
    const cells: Cell[] = [];
    for (const op of operations) {
      const formats = op.params.find((x) => x.in === 'query' && x.name === 'format') ? [undefined, 'csv', 'xlsx'] : [undefined];
      for (const [role, token] of roles) {
        const catalogue = CATALOGUE.test(op.path);
        // The platform operator's own catalogue writes change no tenant's data: not a tenant case.
        if (catalogue && role === 'admin' && op.method !== 'GET') continue;
        for (const format of formats) {
          const probe = requestFor(op, token, format, realValues);
          const foreign = !catalogue && (/\{\w+\}/.test(op.path) || /[?&](chamberId|district)=/.test(probe.path) || requestText(probe).includes(V.demandId));
          cells.push({ op, role, token, foreign, catalogue, build: (v) => requestFor(op, token, format, v) });
        }
      }
    }
    const problems: string[] = [];
    let entitled = 0;
    const run = async (cell: Cell) => {
      const real = cell.build(realValues);
      const label = `${cell.role} ${real.method} ${real.path}`;
      const res = await send(h, real);
      if (res.status >= 500) return problems.push(`${label} → ${res.status} ${res.text.slice(0, 200)}`);
      if (cell.foreign && cell.role === 'auditor') {
        // Auditors read everything and change nothing (SPEC roles): visible, so writes are 403.
        entitled++;
        const want = real.method === 'GET' ? 200 : 403;
        if (res.status !== want) problems.push(`${label} → ${res.status}, want ${want} (auditor) ${res.text.slice(0, 160)}`);
        return;
      }
      if (cell.foreign) {
        if (res.status !== 404 && res.status !== 403) return problems.push(`${label} → ${res.status}, want 404 ${res.text.slice(0, 200)}`);
        // The same request for ids that exist nowhere must be answered identically: no existence oracle.
        const fake: Values = { cohort: ulid(), demand: ulid(), trainee: ulid(), enterprise: ulid(), line: `L${ulid().slice(4)}`, chamber: ulid(), district: '320599' };
        const twin = await send(h, cell.build(fake));
        let twinText = twin.text;
        for (const key of Object.keys(fake) as (keyof Values)[]) twinText = twinText.split(fake[key]).join(realValues[key]);
        if (twin.status !== res.status || twinText !== res.text) problems.push(`${label} → ${res.status} ${res.text.slice(0, 160)} but for a resource that does not exist → ${twin.status} ${twin.text.slice(0, 160)}`);
      }
      if (!cell.foreign && cell.role === 'auditor') return; // auditors' lists span every tenant by design
      const leaks = leaksIn(res.text, requestText(real), V.secrets, { orgIdsPublic: cell.catalogue });
      if (leaks.length) problems.push(`${label} → ${res.status} leaks ${leaks.map((l) => `${l.kind} ${l.value}`).join(', ')}`);
    };
    for (let i = 0; i < cells.length; i += 8) await Promise.all(cells.slice(i, i + 8).map(run));
    record({ isolation: cells.length });
    expect(problems, problems.join('\n')).toEqual([]);
    expect(cells.filter((c) => c.foreign).length).toBeGreaterThan(30 * roles.length);
    expect(entitled).toBeGreaterThan(30);
    expect(await victimRows(), 'a request of another tenant changed the victim’s data').toBe(before);
  });

  it('lists of another tenant show its own data and none of the victim’s', async () => {
    const lineOf = (pred: (l: { payeeId: string; payerBureauId: string }) => boolean) => own.lines.find(pred)!.id;
    const smeALine = lineOf((l) => l.payeeId === w.orgs.smeA.id);
    const xinwuLine = lineOf((l) => l.payerBureauId === w.orgs.xinwu.id);
    const seen = [
      ['chamber', w.tokens.chamber, '/v1/cohorts?limit=200', own.cohortId],
      ['enterprise', w.tokens.smeA, '/v1/disbursements?limit=200', smeALine],
      ['enterprise', w.tokens.smeA, '/v1/demands?limit=200', w.orgs.smeA.id],
      ['hr district bureau', w.tokens.xinwu, '/v1/disbursements?limit=200', xinwuLine],
      ['hr district bureau', w.tokens.xinwu, '/v1/disbursements/statement?from=2027-01-01&to=2027-12-31', xinwuLine],
      ['hr district bureau', w.tokens.xinwu, '/v1/cohorts?limit=200', own.cohortId],
      ['provider', w.tokens.provider, '/v1/cohorts?limit=200', own.cohortId],
      ['expert', w.tokens.experts[0]!, '/v1/cohorts?limit=200', own.cohortId],
    ] as const;
    for (const [role, token, path, mine] of seen) {
      const res = await send(h, { method: 'GET', path, token });
      expect(res.status, `${role} ${path}`).toBe(200);
      expect(res.text, `${role} ${path} should list its own`).toContain(mine);
      expect(leaksIn(res.text, path, V.secrets), `${role} ${path}`).toEqual([]);
    }
    // The auditor lists both tenants (it reads everything), the victim's class included.
    const audit = await send(h, { method: 'GET', path: '/v1/cohorts?limit=200', token: w.tokens.auditor });
    expect(audit.text).toContain(V.cohortId);
    expect(audit.text).toContain(own.cohortId);
    record({ isolation: seen.length + 1 });
  });
});

describe('R-PRIV-1: every viewer of the class sees ID numbers exactly as allowed, in every format', () => {
  it('full ID numbers only for the trainee’s employer, the bureaus with jurisdiction and auditors; masked for everyone else', async () => {
    const { orgs, tokens } = V;
    const viewers: [string, string, (tr: VictimTrainee) => boolean][] = [
      ['organising chamber', tokens.chamber, () => false],
      ['participant SME 1', tokens.v1, (tr) => tr.enterpriseId === orgs.v1.id],
      ['participant SME 2', tokens.v2, (tr) => tr.enterpriseId === orgs.v2.id],
      ['provider', tokens.provider, () => false],
      ['evaluator', tokens.evaluator, () => false],
      ['expert', tokens.experts[0]!, () => false],
      ['competent (review) bureau', tokens.bureauA, () => true],
      ['filing bureau', tokens.bureauB, () => true],
      ['auditor', w.tokens.auditor, () => true],
    ];
    const p = `/v1/cohorts/${V.cohortId}`;
    // Responses that list the trainees must show each one, in full or masked.
    const listing = ['/trainees?limit=200', '/ledger', '/ledger?format=csv', '/ledger?format=xlsx'];
    // Responses that may carry trainee data in passing: never a full ID number the viewer may not see.
    const passing = ['/events?limit=200', '/subsidy', '/filings', ''];
    let cases = 0;
    for (const [label, token, full] of viewers) {
      for (const suffix of [...listing, ...passing]) {
        const res: RawResult = await send(h, { method: 'GET', path: `${p}${suffix}`, token });
        expect(res.status, `${label} GET ${suffix}`).toBe(200);
        for (const tr of V.trainees) {
          const where = `${label} GET ${suffix || '/'} for ${tr.name}`;
          if (full(tr)) {
            if (listing.includes(suffix)) expect(res.text, where).toContain(tr.idNumber);
          } else {
            expect(res.text, where).not.toContain(tr.idNumber);
            if (listing.includes(suffix)) expect(res.text, where).toContain(maskNationalId(tr.idNumber));
          }
        }
        cases++;
      }
    }
    // The payee's and payer's own lists and the statement carry names and amounts, never an ID number.
    for (const [token, path] of [[tokens.v1, '/v1/disbursements'], [tokens.bureauA, '/v1/disbursements'], [tokens.bureauA, '/v1/disbursements/statement?from=2027-01-01&to=2027-12-31&format=csv'], [tokens.bureauA, '/v1/disbursements/statement?from=2027-01-01&to=2027-12-31&format=xlsx']] as const) {
      const res = await send(h, { method: 'GET', path, token });
      expect(res.status).toBe(200);
      for (const tr of V.trainees) {
        expect(res.text, path).not.toContain(tr.idNumber);
        expect(res.text, path).not.toContain(maskNationalId(tr.idNumber));
      }
      cases++;
    }
    record({ isolation: cases });
  });
});
