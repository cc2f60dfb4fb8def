/**
 * Scale: closing a 45- and a 450-trainee joint class; enrolling 200 trainees over 10 cohorts and
 * 2,000 over 100; listing a bureau's 100 and 1,000 cohorts page by page. Each size gets its own
 * table; seeding runs in parallel across cohorts (serially within one: a cohort is one version).
 */
import type { DbCall } from '../../shared/db/instrumentation.js';
import { estimateUnits, updatedKeys, type Units } from '../lib/capacity.js';
import { createBenchEnv, type BenchEnv } from '../lib/env.js';
import { describeCalls } from '../lib/observe.js';
import { ApiFailure, createBenchWorld, JointClass, pool, type Around } from '../lib/scenario.js';
import { growth, median, p95, round, table } from '../lib/stats.js';

const CONCURRENCY = 8;

async function unitsOf(env: BenchEnv, calls: DbCall[]): Promise<Units> {
  const sizes = await env.sizesOf(updatedKeys(calls));
  return calls.reduce<Units>((acc, c) => {
    const u = estimateUnits(c, (k) => sizes.get(`${k.PK}\u0000${k.SK}`));
    return { read: acc.read + u.read, write: acc.write + u.write };
  }, { read: 0, write: 0 });
}

/** A timing observer usable under concurrency (it does not rely on the shared lastMs). */
function timing() {
  const ms: number[] = [];
  const around: Around = async (_name, run) => {
    const started = performance.now();
    const res = await run();
    ms.push(performance.now() - started);
    return res;
  };
  return { around, ms };
}

/** A fresh table and world for seeding a workload: nothing is recorded while seeding. */
async function seedingEnv(endpoint: string) {
  const env = await createBenchEnv(endpoint);
  env.recorder.enabled = false;
  return { env, w: await createBenchWorld(env.api) };
}

/** Seeds a class of `trainees` up to `closing_review` (untimed). */
async function seedClosing(endpoint: string, trainees: number) {
  const { env, w } = await seedingEnv(endpoint);
  const c = new JointClass(w);
  const seedStarted = performance.now();
  await c.draft(trainees);
  await c.review();
  await c.filings();
  const departed = await c.departure();
  await c.assess(new Set([departed.id]), 80);
  await c.submitClosing();
  return { env, c, trainees, seedMs: performance.now() - seedStarted };
}

async function closing(seeded: Awaited<ReturnType<typeof seedClosing>>) {
  const { env, c, trainees, seedMs } = seeded;
  try {
    env.recorder.enabled = true;
    env.recorder.take();
    await c.acceptClosing();
    const ms = env.api.lastMs;
    const calls = env.recorder.take();
    const units = await unitsOf(env, calls);
    const transactions = calls.filter((x) => x.command === 'TransactWriteItems');
    return {
      trainees,
      ms: round(ms, 1),
      dbCalls: calls.length,
      shape: describeCalls(calls),
      transactionItems: transactions.map((x) => (x.input.TransactItems as unknown[]).length),
      dbMs: round(calls.reduce((n, x) => n + x.ms, 0), 1),
      rru: round(units.read, 1),
      wru: round(units.write, 1),
      seedMs: round(seedMs),
    };
  } finally {
    env.close();
  }
}

async function seedEnrolment(endpoint: string, cohorts: number) {
  const { env, w } = await seedingEnv(endpoint);
  const t = timing();
  const classes = Array.from({ length: cohorts }, () => new JointClass(w, t.around));
  await pool(CONCURRENCY, classes.map((c) => async () => { await c.create(); await c.addParticipants(); }));
  return { env, classes, t };
}

async function enrolment(seeded: Awaited<ReturnType<typeof seedEnrolment>>, perCohort: number) {
  const { env, classes, t } = seeded;
  try {
    t.ms.length = 0;
    env.recorder.enabled = true;
    env.recorder.take();
    const started = performance.now();
    await pool(CONCURRENCY, classes.map((c) => () => c.enrol(perCohort)));
    const wallMs = performance.now() - started;
    const calls = env.recorder.take();
    const units = await unitsOf(env, calls);
    const n = classes.length * perCohort;
    return {
      cohorts: classes.length,
      trainees: n,
      wallMs: round(wallMs),
      perSecond: round((n / wallMs) * 1000, 1),
      p50Ms: round(median(t.ms), 1),
      p95Ms: round(p95(t.ms), 1),
      dbCalls: calls.length,
      failedDbCalls: calls.filter((c) => c.error).length,
      rru: round(units.read, 1),
      wru: round(units.write, 1),
      wruPerTrainee: round(units.write / n, 2),
    };
  } finally {
    env.close();
  }
}

async function seedListing(endpoint: string, cohorts: number) {
  const { env, w } = await seedingEnv(endpoint);
  const seedStarted = performance.now();
  await pool(CONCURRENCY, Array.from({ length: cohorts }, () => () => new JointClass(w).create()));
  return { env, w, cohorts, seedMs: performance.now() - seedStarted };
}

async function listing(seeded: Awaited<ReturnType<typeof seedListing>>, limit = 50) {
  const { env, w, cohorts, seedMs } = seeded;
  try {
    env.recorder.enabled = true;
    env.recorder.take();
    const pageMs: number[] = [];
    let cursor: string | null = null;
    let items = 0;
    const started = performance.now();
    do {
      const res: { status: number; body: any } = await env.api.call('GET', `/v1/cohorts?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token: w.tokens.xinwu });
      if (res.status !== 200) throw new ApiFailure(`list → ${res.status}`);
      pageMs.push(env.api.lastMs);
      items += res.body.items.length;
      cursor = res.body.nextCursor;
    } while (cursor);
    const wallMs = performance.now() - started;
    const calls = env.recorder.take();
    const units = await unitsOf(env, calls);
    if (items !== cohorts) throw new Error(`listed ${items} of ${cohorts} cohorts`);
    return { cohorts, pageSize: limit, pages: pageMs.length, wallMs: round(wallMs, 1), pageP50Ms: round(median(pageMs), 1), pageP95Ms: round(p95(pageMs), 1), queries: calls.filter((c) => c.command === 'Query').length, otherCalls: calls.filter((c) => c.command !== 'Query').length, rru: round(units.read, 1), seedMs: round(seedMs) };
  } finally {
    env.close();
  }
}

export async function scaleSection(endpoint: string, log: (s: string) => void) {
  // Seeding (untimed) runs all at once, each workload in its own table; the measurements below
  // then run one at a time with nothing else in flight.
  const seedStarted = performance.now();
  const [c45, c450, e10, e100, l100, l1000] = await Promise.all([
    seedClosing(endpoint, 45),
    seedClosing(endpoint, 450),
    seedEnrolment(endpoint, 10),
    seedEnrolment(endpoint, 100),
    seedListing(endpoint, 100),
    seedListing(endpoint, 1000),
  ]);
  const seedSeconds = round((performance.now() - seedStarted) / 1000, 1);
  log(`seeded in ${seedSeconds} s`);

  const close = [await closing(c45), await closing(c450)];
  const closeGrowth = { ms: growth(close[0]!.ms, close[1]!.ms, 10), wru: growth(close[0]!.wru, close[1]!.wru, 10), rru: growth(close[0]!.rru, close[1]!.rru, 10) };
  log(table([
    ['closing/accept', 'ms', 'DynamoDB calls (items per transaction)', 'RRU', 'WRU'],
    ...close.map((r) => [`${r.trainees} trainees`, r.ms, `${r.shape} (${r.transactionItems.join(', ')})`, r.rru, r.wru]),
    ['growth ×10 size', `×${closeGrowth.ms.ratio} (${closeGrowth.ms.verdict})`, '', `×${closeGrowth.rru.ratio}`, `×${closeGrowth.wru.ratio}`],
  ]));

  const enrol = [await enrolment(e10, 20), await enrolment(e100, 20)];
  const enrolGrowth = { ms: growth(enrol[0]!.wallMs, enrol[1]!.wallMs, 10), wru: growth(enrol[0]!.wru, enrol[1]!.wru, 10) };
  log(table([
    [`enrolment (${CONCURRENCY} cohorts at a time)`, 'wall ms', '/s', 'p50 ms', 'p95 ms', 'db calls', 'RRU', 'WRU', 'WRU/trainee'],
    ...enrol.map((r) => [`${r.trainees} over ${r.cohorts} cohorts`, r.wallMs, r.perSecond, r.p50Ms, r.p95Ms, r.dbCalls, r.rru, r.wru, r.wruPerTrainee]),
    ['growth ×10 size', `×${enrolGrowth.ms.ratio} (${enrolGrowth.ms.verdict})`, '', '', '', '', '', `×${enrolGrowth.wru.ratio}`, ''],
  ]));

  const list = [await listing(l100), await listing(l1000)];
  const listGrowth = { ms: growth(list[0]!.wallMs, list[1]!.wallMs, 10), rru: growth(list[0]!.rru, list[1]!.rru, 10) };
  log(table([
    ['bureau listing (limit 50)', 'pages', 'Queries', 'total ms', 'page p50 ms', 'page p95 ms', 'RRU'],
    ...list.map((r) => [`${r.cohorts} cohorts`, r.pages, r.queries, r.wallMs, r.pageP50Ms, r.pageP95Ms, r.rru]),
    ['growth ×10 size', '', '', `×${listGrowth.ms.ratio} (${listGrowth.ms.verdict})`, '', '', `×${listGrowth.rru.ratio}`],
  ]));
  return { concurrency: CONCURRENCY, seedSeconds, closing: { runs: close, growth: closeGrowth }, enrolment: { runs: enrol, growth: enrolGrowth }, listing: { runs: list, growth: listGrowth } };
}
