/**
 * Drives joint classes through the HTTP API (the Lambda handler, X-Clock-Now), one named endpoint call at a
 * time, so the round-trip budgets (test/perf) and the benchmark (bench/) observe the very same calls.
 * Every call goes through `around(endpoint, run)`: observers count DynamoDB calls, time, replay.
 */
import { completeCreditCode } from '../../shared/domain/credit-code.js';
import { completeNationalId } from '../../shared/domain/national-id.js';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Hono } from 'hono';
import type { Role } from '../../shared/http/context.js';
import { handleHttpApi } from '../../shared/http/lambda.js';

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sets X-Clock-Now. */
  now?: string;
}

export interface CallResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** What the scenario needs of a harness (test/support/harness.ts createHarness() fits). */
export interface ApiClient {
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<CallResult<T>>;
  token(org: string, role: Role, sub?: string): Promise<string>;
  adminToken: string;
}

/**
 * The HTTP API payload 2.0 event API Gateway makes of a request (`path` with its query string;
 * header names as given: API Gateway's are in lower case).
 */
export function httpApiEvent(method: string, path: string, o: { headers?: Record<string, string>; body?: string; base64?: boolean; cookies?: string[] } = {}): APIGatewayProxyEventV2 {
  const [rawPath = path, rawQueryString = ''] = path.split(/\?(.*)/s);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(o.cookies ? { cookies: o.cookies } : {}),
    headers: { host: 'api.example.cn', ...o.headers },
    requestContext: {
      accountId: '000000000000', apiId: 'local', domainName: 'api.example.cn', domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'local', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0,
    },
    isBase64Encoded: o.base64 ?? false,
    ...(o.body !== undefined ? { body: o.body } : {}),
  };
}

type ApiHandler = ReturnType<typeof handleHttpApi>;
const handlers = new WeakMap<object, ApiHandler>();

/**
 * One call to the app in process, the way it reaches the Lambda function: a client's request (Bearer
 * token, X-Clock-Now, a JSON body with its Content-Length) as the HTTP API payload 2.0 event API
 * Gateway makes of it (header names in lower case, the query string apart), handed to the handler of
 * functions/api.ts (shared/http/lambda.ts). `ms` runs from the event to the handler's result; the
 * body is then parsed when it is JSON (CSV and HTML stay text; base64 bodies are decoded to text).
 */
export async function requestApp<T = any>(app: Pick<Hono<any>, 'fetch'>, method: string, path: string, o: CallOptions = {}): Promise<CallResult<T> & { ms: number }> {
  let handler = handlers.get(app);
  if (!handler) handlers.set(app, (handler = handleHttpApi(() => app)));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(o.headers ?? {})) headers[name.toLowerCase()] = value;
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.now) headers['x-clock-now'] = o.now;
  let body: string | undefined;
  if (o.body !== undefined) {
    body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
    headers['content-length'] ??= String(Buffer.byteLength(body));
  }
  const event = httpApiEvent(method, path, { headers, ...(body !== undefined ? { body } : {}) });
  const started = performance.now();
  const res = await handler(event);
  const ms = performance.now() - started;
  const text = res.isBase64Encoded ? Buffer.from(res.body ?? '', 'base64').toString('utf8') : (res.body ?? '');
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // CSV or HTML: keep the text
  }
  const resHeaders = new Headers(Object.entries(res.headers ?? {}).map(([k, v]) => [k, String(v)]));
  for (const cookie of res.cookies ?? []) resHeaders.append('set-cookie', cookie);
  return { status: res.statusCode ?? 200, body: parsed as T, headers: resHeaders, ms };
}

export type Around = (endpoint: string, run: () => Promise<CallResult>) => Promise<CallResult>;
const passThrough: Around = (_endpoint, run) => run();

let serial = 0;
const runTag = Date.now() % 100_000;

/** A valid credit code, unique within the process. */
export function uniqueCreditCode(district: string): string {
  const n = (runTag * 10_000 + serial++) % 31 ** 8;
  let body = '';
  for (let i = 0, v = n; i < 8; i++, v = Math.floor(v / 31)) body = '0123456789ABCDEFGHJKLMNPQRTUWXY'[v % 31] + body;
  return completeCreditCode(`91${district}${body}`);
}

/** A valid national ID number, unique within the process (born 1990–1999, so adult and eligible). */
export function uniqueNationalId(region = '320214'): string {
  const n = serial++;
  const year = 1990 + (n % 10);
  const day = Math.floor(n / 10) % 28;
  const month = Math.floor(n / 280) % 12;
  const seq = Math.floor(n / 3360) % 1000;
  return completeNationalId(`${region}${year}${String(month + 1).padStart(2, '0')}${String(day + 1).padStart(2, '0')}${String(seq).padStart(3, '0')}`);
}

export class ApiFailure extends Error {}

export async function expectStatus(res: CallResult, status: number, what: string): Promise<CallResult> {
  if (res.status !== status) throw new ApiFailure(`${what} → ${res.status} (expected ${status}): ${JSON.stringify(res.body).slice(0, 600)}`);
  return res;
}

export interface Org {
  id: string;
  district: string;
}

/** A small Wuxi: city and three district bureaus, a chamber, SMEs per district, provider, evaluator, auditor. */
export async function createBenchWorld(api: ApiClient, opts: { smesPerDistrict?: number } = {}) {
  const perDistrict = opts.smesPerDistrict ?? 1;
  const org = async (kind: string, district: string, extra: Record<string, unknown> = {}): Promise<Org> => {
    const res = await api.call('POST', '/v1/organizations', {
      token: api.adminToken,
      body: { kind, name: `${kind} ${serial}`, creditCode: uniqueCreditCode(district), district, ...extra },
    });
    await expectStatus(res, 201, `create ${kind}`);
    return res.body as Org;
  };
  const [cityBureau, xinwu, binhu, liangxi] = await Promise.all([
    org('hr_bureau', '320200', { level: 'city' }),
    org('hr_bureau', '320214', { level: 'district' }),
    org('hr_bureau', '320211', { level: 'district' }),
    org('hr_bureau', '320213', { level: 'district' }),
  ]);
  const [chamber, provider, evaluator, auditor] = await Promise.all([
    org('chamber', '320214'),
    org('provider', '320214'),
    org('evaluator', '320213'),
    org('auditor', '320213'),
  ]);
  const districts = ['320214', '320211', '320213'];
  const smes = await Promise.all(Array.from({ length: 3 * perDistrict }, (_, i) => org('enterprise', districts[i % 3]!)));
  const occupation = `6-18-01-${String(10 + (serial++ % 89))}`;
  await expectStatus(
    await api.call('POST', '/v1/occupations', { token: api.adminToken, body: { code: occupation, name: '车工', skillEvaluation: true } }),
    201,
    'create occupation',
  );
  const smeTokens = new Map<string, string>();
  for (const s of smes) smeTokens.set(s.id, await api.token(s.id, 'enterprise'));
  const tokens = {
    admin: api.adminToken,
    cityBureau: await api.token(cityBureau.id, 'hr'),
    xinwu: await api.token(xinwu.id, 'hr'),
    binhu: await api.token(binhu.id, 'hr'),
    liangxi: await api.token(liangxi.id, 'hr'),
    chamber: await api.token(chamber.id, 'chamber'),
    provider: await api.token(provider.id, 'provider'),
    evaluator: await api.token(evaluator.id, 'evaluator'),
    auditor: await api.token(auditor.id, 'auditor'),
    experts: await Promise.all(['e1', 'e2', 'e3'].map((sub) => api.token(xinwu.id, 'expert', sub))),
  };
  const bureauTokenOf = new Map([
    ['320214', tokens.xinwu],
    ['320211', tokens.binhu],
    ['320213', tokens.liangxi],
  ]);
  return { api, orgs: { cityBureau, xinwu, binhu, liangxi, chamber, provider, evaluator, auditor }, smes, smeTokens, bureauTokenOf, occupation, tokens };
}

export type BenchWorld = Awaited<ReturnType<typeof createBenchWorld>>;

export const clock = {
  design: '2026-06-01T10:00:00+08:00',
  submit: '2026-06-10T10:00:00+08:00',
  accept: '2026-06-11T10:00:00+08:00',
  vote: '2026-06-20T10:00:00+08:00',
  decision: '2026-07-01T10:00:00+08:00',
  plan: '2026-07-10T10:00:00+08:00',
  filing: '2026-07-15T10:00:00+08:00',
  approve: '2026-07-20T10:00:00+08:00',
  departure: '2027-01-20T10:00:00+08:00',
  assess: '2027-08-12T10:00:00+08:00',
  closing: '2027-08-20T10:00:00+08:00',
  closingAccept: '2027-08-25T10:00:00+08:00',
};

/** The design of the joint class both the scenario and the test world use (the world names its own occupation and provider). */
export const cohortDesign = (w: { occupation: string; orgs: { provider: { id: string } } }, name = '数控车工联合组班') => ({
  mode: 'joint',
  name,
  occupationCode: w.occupation,
  level: 'intermediate',
  providerId: w.orgs.provider.id,
  plannedStart: '2026-09-01',
  plannedEnd: '2027-08-31',
  curriculum: { generalHours: 80, theoryHours: 240, practiceHours: 480, onlineHours: 200 },
});

export const traineeBody = (enterpriseId: string, insuredDistrict: string) => ({
  enterpriseId,
  name: '张伟',
  idNumber: uniqueNationalId(insuredDistrict),
  skillPosition: true,
  contract: { start: '2025-07-01', end: '2028-06-30' },
  hireDate: '2025-07-01',
  insuredDistrict,
});

export interface Trainee {
  id: string;
  enterpriseId: string;
}

/** One joint class of the world's SMEs (the first `participants`), driven step by step. */
export class JointClass {
  id = '';
  readonly trainees: Trainee[] = [];
  readonly participants: Org[];

  constructor(
    readonly w: BenchWorld,
    readonly around: Around = passThrough,
    participants = 3,
  ) {
    this.participants = w.smes.slice(0, participants);
  }

  private async step(endpoint: string, method: string, path: string, options: CallOptions, status: number): Promise<CallResult> {
    const res = await this.around(endpoint, () => this.w.api.call(method, path, options));
    return expectStatus(res, status, `${endpoint} (${method} ${path})`);
  }

  private get base() {
    return `/v1/cohorts/${this.id}`;
  }

  async create() {
    const res = await this.step('POST /cohorts', 'POST', '/v1/cohorts', { token: this.w.tokens.chamber, now: clock.design, body: cohortDesign(this.w) }, 201);
    this.id = res.body.id;
    return res;
  }

  patch() {
    return this.step('PATCH /cohorts/{id}', 'PATCH', this.base, { token: this.w.tokens.chamber, now: clock.design, body: { name: '数控车工联合组班（修订）' } }, 200);
  }

  async addParticipants() {
    for (const p of this.participants) {
      await this.step('POST participants', 'POST', `${this.base}/participants`, { token: this.w.tokens.chamber, now: clock.design, body: { enterpriseId: p.id } }, 201);
    }
  }

  /** Enrols `n` trainees spread over the participants, one request after the other. */
  async enrol(n: number) {
    for (let i = 0; i < n; i++) {
      const p = this.participants[i % this.participants.length]!;
      const res = await this.step('POST trainees', 'POST', `${this.base}/trainees`, { token: this.w.smeTokens.get(p.id)!, now: clock.design, body: traineeBody(p.id, p.district) }, 201);
      this.trainees.push({ id: res.body.id, enterpriseId: p.id });
    }
  }

  async mentorsAndAgreement() {
    const { tokens, orgs } = this.w;
    await this.step('POST mentors', 'POST', `${this.base}/mentors`, { token: tokens.chamber, now: clock.design, body: { kind: 'enterprise', name: '王师傅', organizationId: this.participants[0]!.id } }, 201);
    await this.step('POST mentors', 'POST', `${this.base}/mentors`, { token: tokens.provider, now: clock.design, body: { kind: 'school', name: '李老师', organizationId: orgs.provider.id } }, 201);
    await this.step('POST agreement', 'POST', `${this.base}/agreement`, { token: tokens.chamber, now: clock.design }, 201);
    const signers = [tokens.chamber, tokens.provider, ...this.participants.map((p) => this.w.smeTokens.get(p.id)!)];
    for (const token of signers) await this.step('POST agreement/signatures', 'POST', `${this.base}/agreement/signatures`, { token, now: clock.design, body: { signerName: '签署人' } }, 201);
  }

  /** Design half: create, patch, participants, `trainees` enrolments, mentors, agreement. */
  async draft(trainees: number) {
    await this.create();
    await this.patch();
    await this.addParticipants();
    await this.enrol(trainees);
    await this.mentorsAndAgreement();
  }

  reads() {
    const { tokens } = this.w;
    return [
      () => this.step('GET /cohorts/{id}', 'GET', this.base, { token: tokens.chamber }, 200),
      () => this.step('GET /cohorts (list)', 'GET', '/v1/cohorts?limit=50', { token: tokens.chamber }, 200),
      () => this.step('GET trainees (list)', 'GET', `${this.base}/trainees?limit=50`, { token: tokens.chamber }, 200),
      () => this.step('GET events (list)', 'GET', `${this.base}/events?limit=50`, { token: tokens.auditor }, 200),
    ];
  }

  async review() {
    const { tokens } = this.w;
    await this.step('POST submit', 'POST', `${this.base}/submit`, { token: tokens.chamber, now: clock.submit }, 200);
    await this.step('POST accept', 'POST', `${this.base}/accept`, { token: tokens.xinwu, now: clock.accept, body: { experts: ['e1', 'e2', 'e3'] } }, 200);
    for (const t of tokens.experts) await this.step('POST votes', 'POST', `${this.base}/votes`, { token: t, now: clock.vote, body: { decision: 'approve' } }, 201);
    await this.step('POST decision', 'POST', `${this.base}/decision`, { token: tokens.xinwu, now: clock.decision, body: { decision: 'approve', onSiteVerified: true } }, 200);
    await this.step('POST plan', 'POST', `${this.base}/plan`, { token: tokens.xinwu, now: clock.plan }, 200);
  }

  async filings() {
    for (const p of this.participants) {
      await this.step('POST filings', 'POST', `${this.base}/filings`, {
        token: this.w.smeTokens.get(p.id)!,
        now: clock.filing,
        body: { enterpriseId: p.id, commitment: { signerName: '王芳', statement: '承诺信息真实' } },
      }, 201);
    }
    await this.step('GET filings (list)', 'GET', `${this.base}/filings`, { token: this.w.tokens.chamber }, 200);
    const districts = [...new Set(this.participants.map((p) => p.district))];
    for (const d of districts) await this.step('POST filings/approve', 'POST', `${this.base}/filings/approve`, { token: this.w.bureauTokenOf.get(d)!, now: clock.approve }, 200);
  }

  /** The last trainee leaves (reported within 15 days). */
  async departure() {
    const t = this.trainees[this.trainees.length - 1]!;
    await this.step('POST departure', 'POST', `${this.base}/trainees/${t.id}/departure`, { token: this.w.smeTokens.get(t.enterpriseId)!, now: clock.departure, body: { leftOn: '2027-01-15' } }, 200);
    return t;
  }

  readonly assessed = new Set<string>();

  /** Every remaining trainee passes (the very first fails), `batch` results per request (the API takes ≤ 80). */
  async assess(departed: Set<string>, batch = 80) {
    const rest = this.trainees.filter((t) => !departed.has(t.id) && !this.assessed.has(t.id));
    for (let i = 0; i < rest.length; i += batch) {
      const slice = rest.slice(i, i + batch);
      const results = slice.map((t) => {
        const passed = t.id !== this.trainees[0]!.id;
        return { traineeId: t.id, passed, method: 'third_party', assessedOn: '2027-08-10', ...(passed ? { certificateNo: `CERT-${t.id}` } : {}) };
      });
      await this.step('POST assessments', 'POST', `${this.base}/assessments`, { token: this.w.tokens.chamber, now: clock.assess, body: { results } }, 200);
      for (const t of slice) this.assessed.add(t.id);
    }
  }

  submitClosing() {
    return this.step('POST closing', 'POST', `${this.base}/closing`, { token: this.w.tokens.chamber, now: clock.closing, body: { materials: [{ name: '材料.pdf', sha256: 'a'.repeat(64) }] } }, 200);
  }

  acceptClosing() {
    return this.step('POST closing/accept', 'POST', `${this.base}/closing/accept`, { token: this.w.tokens.xinwu, now: clock.closingAccept }, 200);
  }

  subsidy() {
    return this.step('GET subsidy', 'GET', `${this.base}/subsidy`, { token: this.w.tokens.xinwu }, 200);
  }

  /** The competent bureau lists its lines, approves and pays the first one. */
  async disbursements() {
    const { tokens } = this.w;
    const list = await this.step('GET disbursements (list)', 'GET', '/v1/disbursements?status=pending&limit=50', { token: tokens.xinwu }, 200);
    const line = (list.body.items as { id: string; cohortId: string }[]).find((l) => l.cohortId === this.id);
    if (!line) throw new ApiFailure(`no pending line of cohort ${this.id} for the competent bureau`);
    await this.step('POST disbursements/approve', 'POST', `/v1/disbursements/${line.id}/approve`, { token: tokens.xinwu, now: '2027-09-01T10:00:00+08:00', body: { fundingSource: 'employment_subsidy' } }, 200);
    await this.step('POST disbursements/pay', 'POST', `/v1/disbursements/${line.id}/pay`, { token: tokens.xinwu, now: '2027-09-10T10:00:00+08:00', body: { paidOn: '2027-09-10', reference: `REF-${this.id}` } }, 200);
  }

  /** From `planned`… to `closed`: review, filings, one departure, assessments, closing. */
  async rest(batch = 80) {
    await this.review();
    await this.filings();
    const departed = await this.departure();
    await this.assess(new Set([departed.id]), batch);
    await this.submitClosing();
    await this.acceptClosing();
  }

  /** The whole lifecycle with `trainees` trainees, and the main reads once in between. */
  async full(trainees: number, opts: { batch?: number; reads?: boolean } = {}) {
    await this.draft(trainees);
    if (opts.reads !== false) for (const read of this.reads()) await read();
    await this.rest(opts.batch);
    if (opts.reads !== false) {
      await this.subsidy();
      await this.disbursements();
    }
  }
}

/** Runs `tasks` with at most `limit` in flight; results in order. */
export async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < tasks.length; i = next++) out[i] = await tasks[i]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}
