/**
 * Overhead of the app over the database: for each endpoint call, the latency of the Lambda handler
 * on its HTTP API event (in process: the adapter, routing, auth, validation, services, marshalling,
 * JSON; lib/scenario.ts requestApp) and the latency of replaying
 * the very DynamoDB calls it made with a client configured like the app's, against a mirror table
 * kept in the app table's state (lib/replay.ts). Same DynamoDB Local, same run, one pair after the
 * other (reads: repeated, in alternating order); ratio = app ÷ raw.
 */
import { createBenchEnv } from '../lib/env.js';
import { DbRecorder, type DbCall } from '../../shared/db/instrumentation.js';
import { assertMirrored, canReplay, mirror, replay } from '../lib/replay.js';
import { ensureTable } from '../../shared/db/bootstrap.js';
import { createBenchWorld, JointClass, type Around } from '../lib/scenario.js';
import { median, p95, round, table } from '../lib/stats.js';

export interface OverheadRow {
  endpoint: string;
  n: number;
  dbCalls: number;
  appMedianMs: number;
  rawMedianMs: number;
  ratioMedian: number;
  ratioP95: number;
  appP95Ms: number;
  /** The app's latency minus its own DynamoDB calls as timed inside the SDK (wire, DynamoDB, parsing). */
  inAppMedianMs: number;
}

export async function overheadSection(endpoint: string, log: (s: string) => void, opts: { classes?: number; warmUpClasses?: number; trainees?: number; readRepeats?: number } = {}) {
  // A warm container's steady state (the cold start has its own section): enough warm-up for the
  // JIT to settle on every endpoint's path, and enough samples per endpoint for a stable median.
  const classes = opts.classes ?? 24;
  const warmUpClasses = opts.warmUpClasses ?? 6;
  const trainees = opts.trainees ?? 6;
  const readRepeats = opts.readRepeats ?? 3;
  // No ReturnConsumedCapacity here: the app's calls are exactly what it sends in production.
  const env = await createBenchEnv(endpoint, { consumedCapacity: 'NONE', itemSizes: false });
  const mirrorTable = `${env.tableName}-mirror`;
  await ensureTable(env.raw, mirrorTable);
  try {
    const w = await createBenchWorld(env.api);
    const samples = new Map<string, { app: number[]; raw: number[]; ratio: number[]; calls: number[]; inApp: number[] }>();
    /** Time spent in DynamoDB calls: per round trip, its longest call. */
    const dbTime = (calls: DbCall[]) => DbRecorder.roundTripGroups(calls).reduce((sum, group) => sum + Math.max(...group.map((c) => c.ms)), 0);
    let measuring = false;
    let rawFirst = false;
    const around: Around = async (name, run) => {
      // Whatever the app wrote outside a measured call (the world's set-up) reaches the mirror first.
      await mirror(env.raw, env.recorder.take(), mirrorTable);
      const res = await run();
      let appMs = env.api.lastMs;
      const calls = env.recorder.take();
      if (!measuring || calls.length === 0 || !canReplay(calls)) {
        await mirror(env.raw, calls, mirrorTable);
        return res;
      }
      let rawMs: number;
      let timedCalls = calls;
      if (name.startsWith('GET ')) {
        // Reads can be repeated. The call above and one replay, both untimed, absorb what the
        // preceding writes left DynamoDB Local doing (the first read of a table after a write was up
        // to 0.4 ms slower); then app and raw are timed in alternating order.
        await replay(env.raw, calls, mirrorTable);
        rawFirst = !rawFirst;
        const before = rawFirst ? await replay(env.raw, calls, mirrorTable) : undefined;
        await run();
        appMs = env.api.lastMs;
        timedCalls = env.recorder.take();
        rawMs = before ?? (await replay(env.raw, calls, mirrorTable));
      } else {
        // Writes cannot be repeated: the replay, right after the app's write, makes the same change
        // to the mirror, which thereby stays in the app table's state.
        rawMs = await replay(env.raw, calls, mirrorTable);
      }
      const s = samples.get(name) ?? { app: [], raw: [], ratio: [], calls: [], inApp: [] };
      s.inApp.push(appMs - dbTime(timedCalls));
      s.app.push(appMs);
      s.raw.push(rawMs);
      s.ratio.push(appMs / rawMs);
      s.calls.push(calls.length);
      samples.set(name, s);
      return res;
    };

    // Warm-up (JIT, caches, connections), unmeasured.
    for (let i = 0; i < warmUpClasses; i++) await new JointClass(w, around).full(trainees);
    measuring = true;
    for (let i = 0; i < classes; i++) {
      const c = new JointClass(w, around);
      await c.draft(trainees);
      for (let r = 0; r < readRepeats; r++) for (const read of c.reads()) await read();
      await c.rest();
      await c.subsidy();
      await c.disbursements();
    }
    await mirror(env.raw, env.recorder.take(), mirrorTable);
    await assertMirrored(env.raw, env.tableName, mirrorTable);

    const rows: OverheadRow[] = [...samples].map(([name, s]) => ({
      endpoint: name,
      n: s.app.length,
      dbCalls: round(median(s.calls), 1),
      appMedianMs: round(median(s.app)),
      rawMedianMs: round(median(s.raw)),
      ratioMedian: round(median(s.ratio)),
      ratioP95: round(p95(s.ratio)),
      appP95Ms: round(p95(s.app)),
      inAppMedianMs: round(median(s.inApp)),
    }));
    const all = [...samples.values()].flatMap((s) => s.ratio);
    const overall = { n: all.length, ratioMedian: round(median(all)), ratioP95: round(p95(all)), target: 1.3 };
    log(
      table([
        ['endpoint', 'n', 'db calls', 'app p50 ms', 'raw p50 ms', 'ratio p50', 'ratio p95', 'app p95 ms', 'in app p50 ms'],
        ...rows.map((r) => [r.endpoint, r.n, r.dbCalls, r.appMedianMs, r.rawMedianMs, r.ratioMedian, r.ratioP95, r.appP95Ms, r.inAppMedianMs]),
        ['ALL', overall.n, '', '', '', overall.ratioMedian, overall.ratioP95, '', ''],
      ]),
    );
    const over = rows.filter((r) => r.ratioMedian > overall.target).map((r) => r.endpoint);
    log(`median ratio target ≤ ${overall.target}: ${over.length ? `exceeded by ${over.join(', ')}` : 'met by every endpoint'}`);
    log("  in app: the app's latency minus the time of its own DynamoDB calls, timed inside the SDK (what routing, auth, validation, services and JSON cost)");
    return { method: 'Lambda handler on an HTTP API v2 event (in process) vs replay of the same captured calls with a DynamoDBClient configured like the app\'s, against a mirror table in the same state, pairwise, logging SILENT', warmUpClasses, classes, trainees, rows, overall, exceeded: over };
  } finally {
    env.close();
  }
}
