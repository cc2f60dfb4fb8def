/**
 * The daily deadline scan (R-ALERT-1): finds the deadlines that became overdue since they were last
 * seen and records each one once — a marker item plus an `alert.overdue` event in the cohort's audit
 * trail, in one transaction — then reports the new ones per rule as a CloudWatch metric.
 *
 * Reads are a Query on GSI2 (DUE#ALL, due date before today), page by page; never a Scan. The
 * marker is keyed by (due date, cohort, rule, subject), i.e. once per overdue episode, not per day,
 * so running the scan twice, or every day while a deadline stays overdue, records nothing more.
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { auditOp } from '../db/audit.js';
import { deadlineRules, type Deadline, type DeadlineRule } from '../db/cohorts.js';
import { indexKeys, keys } from '../db/keys.js';
import type { Store, WriteOp } from '../db/store.js';
import { daysBetween, type IsoDate } from '../domain/dates.js';
import type { Principal, RequestContext } from '../http/context.js';
import { ApiError } from '../http/errors.js';

/** What the scan needs of Powertools Metrics (a Metrics instance fits). */
export type ScanMetrics = Pick<Metrics, 'addDimension' | 'addMetric' | 'publishStoredMetrics'>;

export interface ScanOptions {
  /** The CST date the scan runs for: deadlines due before it and still open are overdue. */
  today: IsoDate;
  /** Timestamp of the audit events; defaults to the wall clock. */
  now?: Date;
  metrics?: ScanMetrics;
  /** Items per Query page. */
  pageSize?: number;
  /** Transactions in flight at once. */
  concurrency?: number;
}

export interface ScanResult {
  today: IsoDate;
  /** Open overdue deadlines read. */
  overdue: number;
  /** Of those, recorded by an earlier run. */
  alreadyRecorded: number;
  /** Newly recorded now, in total and per rule. */
  newOverdue: number;
  counts: Record<DeadlineRule, number>;
}

export const OVERDUE_METRIC = 'OverdueNew';

/** The scanner acts as the platform itself; `system` is not a role any token can carry. */
const scannerPrincipal = { sub: 'deadline-scanner', role: 'system', orgId: 'platform' } as unknown as Principal;

class AlreadyRecorded extends ApiError {
  constructor() {
    super('CONFLICT', { en: 'Overdue deadline already recorded', zh: '该逾期事项已记录' });
  }
}

export const scanMarkerKey = (d: Pick<Deadline, 'dueOn' | 'cohortId' | 'rule' | 'subjectId'>) => keys.scanMarker(d.dueOn, d.cohortId, d.rule, d.subjectId);

export async function scanDeadlines(store: Store, options: ScanOptions): Promise<ScanResult> {
  const { today, metrics } = options;
  const now = options.now ?? new Date();
  const ctx: RequestContext = { principal: scannerPrincipal, now, today, requestId: `deadline-scan-${today}` };
  const counts = Object.fromEntries(deadlineRules.map((r) => [r, 0])) as Record<DeadlineRule, number>;
  const result: ScanResult = { today, overdue: 0, alreadyRecorded: 0, newOverdue: 0, counts };
  const failures: unknown[] = [];

  let start: Record<string, unknown> | undefined;
  do {
    const page = await store.query<Deadline & { PK: string; SK: string }>({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :today',
      FilterExpression: 'attribute_not_exists(doneOn)',
      ExpressionAttributeValues: { ':pk': indexKeys.deadlinesOf('ALL'), ':today': today },
      Limit: options.pageSize ?? 200,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    start = page.lastKey;
    const open = page.items.filter((d) => !d.doneOn && d.dueOn < today);
    result.overdue += open.length;
    // One batch read skips what earlier runs recorded, without a failed transaction per item.
    const seen = new Set((await store.getMany(open.map(scanMarkerKey))).map((m) => `${m.PK}|${m.SK}`));
    const fresh = open.filter((d) => {
      const k = scanMarkerKey(d);
      return !seen.has(`${k.PK}|${k.SK}`);
    });
    result.alreadyRecorded += open.length - fresh.length;
    await inParallel(fresh, options.concurrency ?? 8, async (d) => {
      try {
        await store.transact(recordOps(ctx, d));
        counts[d.rule] += 1;
        result.newOverdue += 1;
      } catch (error) {
        if (error instanceof AlreadyRecorded) result.alreadyRecorded += 1;
        else failures.push(error);
      }
    });
  } while (start);

  if (metrics) {
    // One flush per rule: each EMF document carries its own `rule` dimension.
    for (const rule of deadlineRules) {
      metrics.addDimension('rule', rule);
      metrics.addMetric(OVERDUE_METRIC, MetricUnit.Count, counts[rule]);
      metrics.publishStoredMetrics();
    }
  }
  if (failures.length) {
    // What was recorded stays recorded; a retry of the whole scan records only the rest.
    throw new AggregateError(failures, `${failures.length} overdue deadline(s) could not be recorded`);
  }
  return result;
}

function recordOps(ctx: RequestContext, d: Deadline): WriteOp[] {
  const overdueDays = daysBetween(d.dueOn, ctx.today);
  return [
    {
      op: {
        Put: {
          Item: {
            ...scanMarkerKey(d),
            type: 'scanMarker',
            rule: d.rule,
            cohortId: d.cohortId,
            subjectId: d.subjectId,
            district: d.district,
            dueOn: d.dueOn,
            detectedOn: ctx.today,
            detectedAt: ctx.now.toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      onConditionFailed: () => new AlreadyRecorded(),
    },
    auditOp(ctx, keys.cohortPK(d.cohortId), {
      action: 'alert.overdue',
      subjectType: 'deadline',
      subjectId: d.subjectId,
      after: { rule: d.rule, dueOn: d.dueOn, district: d.district, detectedOn: ctx.today, overdueDays },
    }),
  ];
}

async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
