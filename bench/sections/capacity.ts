/**
 * Round trips and capacity per operation, and the cost of a whole 30-trainee joint class: one class
 * warms the caches, a second one is recorded endpoint by endpoint (the same scenario as
 * test/perf/round-trips.test.ts).
 */
import { DbRecorder } from '../../shared/db/instrumentation.js';
import { cost, estimateUnits, prices, updatedKeys, type Units } from '../lib/capacity.js';
import { createBenchEnv } from '../lib/env.js';
import { describeCalls } from '../lib/observe.js';
import { createBenchWorld, JointClass, type Around } from '../lib/scenario.js';
import { median, round, table } from '../lib/stats.js';

interface OpRow {
  endpoint: string;
  calls: number;
  roundTrips: string;
  reads: number;
  writes: number;
  rru: number;
  wru: number;
  reportedByLocal: Units;
  ms: number;
}

export async function capacitySection(endpoint: string, log: (s: string) => void) {
  const env = await createBenchEnv(endpoint, { consumedCapacity: 'TOTAL' });
  try {
    const w = await createBenchWorld(env.api);
    await new JointClass(w).full(6);
    env.recorder.take();

    const runs: { endpoint: string; units: Units; reported: Units; shape: string; reads: number; writes: number; ms: number; scans: number }[] = [];
    const around: Around = async (name, run) => {
      env.recorder.take();
      const res = await run();
      const ms = env.api.lastMs;
      const calls = env.recorder.take();
      const sizes = await env.sizesOf(updatedKeys(calls));
      const units = calls.reduce<Units>((acc, c) => {
        const u = estimateUnits(c, (k) => sizes.get(`${k.PK}\u0000${k.SK}`));
        return { read: acc.read + u.read, write: acc.write + u.write };
      }, { read: 0, write: 0 });
      const reported = DbRecorder.capacity(calls);
      const trips = DbRecorder.roundTrips(calls);
      runs.push({ endpoint: name, units, reported: { read: reported.read, write: reported.write }, shape: describeCalls(calls), reads: trips.reads, writes: trips.writes, ms, scans: calls.filter((c) => c.command === 'Scan').length });
      return res;
    };
    const trainees = 30;
    await new JointClass(w, around).full(trainees);

    const rows: OpRow[] = [];
    for (const name of [...new Set(runs.map((r) => r.endpoint))]) {
      const mine = runs.filter((r) => r.endpoint === name);
      rows.push({
        endpoint: name,
        calls: mine.length,
        roundTrips: [...new Set(mine.map((r) => r.shape))].join(' | '),
        reads: Math.max(...mine.map((r) => r.reads)),
        writes: Math.max(...mine.map((r) => r.writes)),
        rru: round(median(mine.map((r) => r.units.read)), 1),
        wru: round(median(mine.map((r) => r.units.write)), 1),
        reportedByLocal: { read: round(median(mine.map((r) => r.reported.read)), 1), write: round(median(mine.map((r) => r.reported.write)), 1) },
        ms: round(median(mine.map((r) => r.ms)), 1),
      });
    }
    const total = runs.reduce<Units>((a, r) => ({ read: a.read + r.units.read, write: a.write + r.units.write }), { read: 0, write: 0 });
    const reportedTotal = runs.reduce<Units>((a, r) => ({ read: a.read + r.reported.read, write: a.write + r.reported.write }), { read: 0, write: 0 });
    const lifecycle = {
      trainees,
      requests: runs.length,
      dbCalls: runs.reduce((n, r) => n + r.reads + r.writes, 0),
      scans: runs.reduce((n, r) => n + r.scans, 0),
      rru: round(total.read, 1),
      wru: round(total.write, 1),
      reportedByLocal: { rru: round(reportedTotal.read, 1), wru: round(reportedTotal.write, 1) },
      cost: Object.fromEntries(Object.entries(cost(total)).map(([region, c]) => [region, { currency: c.currency, perClass: round(c.amount, 6), per1000Classes: round(c.amount * 1000, 2) }])),
    };

    log(
      table([
        ['endpoint (median of n)', 'n', 'DynamoDB calls', 'RRU', 'WRU', 'Local RRU/WRU', 'app ms'],
        ...rows.map((r) => [r.endpoint, r.calls, r.roundTrips, r.rru, r.wru, `${r.reportedByLocal.read}/${r.reportedByLocal.write}`, r.ms]),
      ]),
    );
    log(
      `Whole joint class, ${trainees} trainees, ${lifecycle.requests} requests, ${lifecycle.dbCalls} DynamoDB calls, ${lifecycle.scans} Scan: ` +
        `${lifecycle.rru} RRU + ${lifecycle.wru} WRU → ${Object.entries(lifecycle.cost).map(([region, c]) => `${region} ${c.currency} ${c.perClass} per class (${c.per1000Classes} per 1,000)`).join('; ')}` +
        `\n  (DynamoDB Local's own ConsumedCapacity for the same calls: ${lifecycle.reportedByLocal.rru} RRU + ${lifecycle.reportedByLocal.wru} WRU — it counts one item per TransactWriteItems)`,
    );
    return {
      model: 'DynamoDB rules from item sizes (bench/lib/capacity.ts); Local-reported values beside them',
      prices,
      operations: rows,
      lifecycle,
    };
  } finally {
    env.close();
  }
}
