/**
 * Supervision (§一, §十一): alerts of what is overdue now and what was done late (R-ALERT-1), and
 * the yearly KPIs per district (R-KPI-1). Both read items the cohort services keep in step inside
 * the transactions of the changes themselves (deadline items, KPI counters): a Query, never a Scan.
 */
import { type Deadline, type DeadlineRule, type KpiCounter } from '../db/cohorts.js';
import { indexKeys, keys } from '../db/keys.js';
import { sortKeyPrefix, type Item, type Store } from '../db/store.js';
import { daysBetween, yearOf } from '../domain/dates.js';
import { cityOf, isCityCode } from '../domain/division.js';
import type { Principal, RequestContext } from '../http/context.js';
import { forbidden } from '../http/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../http/pagination.js';

export interface Alert {
  rule: DeadlineRule;
  cohortId: string;
  /** The trainee of a departure report (R-DEPART-1); absent when the subject is the cohort itself. */
  subjectId?: string;
  /** Division code of the bureau with jurisdiction (the insured district for departures). */
  district: string;
  dueOn: string;
  /** Days past due today (overdue), or days late when it was done (late). */
  overdueDays: number;
  status: 'overdue' | 'late';
  doneOn?: string;
  /** R-FILE-1: the participants that have not filed yet. */
  waitingFor?: string[];
}

/** R-KPI-1 targets of the notice (§一): ~2000 enrolled a year city-wide, retention ≥ 85%, senior+ ≥ 20%. */
export const kpiTargets = { enrolledPerYear: 2000, retentionRate: 0.85, seniorShare: 0.2 } as const;

const counters: readonly KpiCounter[] = ['enrolled', 'departed', 'seniorOrAbove', 'passed', 'failed', 'subsidyPaidFen'];
type Counts = Record<KpiCounter, number>;

/** Where a principal's alerts live: the index partition and, below city level, its own district. */
interface AlertScope {
  index: 'GSI2' | 'GSI3';
  partition: string;
  district?: string;
}

/** A city-level bureau at a city code (XXXX00) oversees its whole city; any other bureau its own district. */
const overseesCity = (p: Principal) => p.org?.level === 'city' && isCityCode(p.org.district);

function alertScope(p: Principal): AlertScope {
  if (p.role === 'auditor') return { index: 'GSI2', partition: indexKeys.deadlinesOf('ALL') };
  if (p.role === 'hr' && p.org) {
    const own = p.org.district;
    return overseesCity(p)
      ? { index: 'GSI3', partition: indexKeys.deadlinesOf(own) }
      : { index: 'GSI3', partition: indexKeys.deadlinesOf(cityOf(own)), district: own };
  }
  throw forbidden('Alerts are for labour bureaus (their jurisdiction) and auditors', '预警信息仅供人社部门（本辖区）和审计机构查看');
}

/** Open and due before today → overdue now; done after its due date → late (stays listed). */
export function toAlert(raw: Record<string, unknown>, today: string): Alert {
  const d = raw as unknown as Deadline;
  // A late act recorded "after" today can only be seen with a test clock set back: as of today it is overdue.
  const late = d.doneOn !== undefined && d.doneOn <= today;
  return {
    rule: d.rule,
    cohortId: d.cohortId,
    ...(d.subjectId && d.subjectId !== d.cohortId ? { subjectId: d.subjectId } : {}),
    district: d.district,
    dueOn: d.dueOn,
    overdueDays: daysBetween(d.dueOn, late ? d.doneOn! : today),
    status: late ? 'late' : 'overdue',
    ...(late ? { doneOn: d.doneOn } : {}),
    ...(d.waitingFor?.length ? { waitingFor: d.waitingFor } : {}),
  };
}

/** Round trips one page of alerts may take to fill itself when a filter drops items. */
const MAX_ROUNDS = 8;

export class SupervisionService {
  constructor(private readonly store: Store) {}

  /**
   * R-ALERT-1: the deadlines of the caller's jurisdiction due before today, oldest first. Every
   * item of the index with a due date before today is an alert: open ones are overdue, closed ones
   * were closed late (deadlines met on time are deleted), so the key condition alone selects them.
   */
  async alerts(ctx: RequestContext, query: { rule?: DeadlineRule; limit: number; cursor?: string }): Promise<Page<Alert>> {
    const scope = alertScope(ctx.principal);
    const bound = { alerts: scope.partition, district: scope.district, rule: query.rule };
    let start = decodeCursor(query.cursor, bound);
    const filters: string[] = [];
    const values: Record<string, unknown> = { ':pk': scope.partition, ':today': ctx.today };
    if (scope.district) {
      // Its own district's deadlines, and the filings it waits to approve (R-FILE-1, R-ROUTE-2).
      filters.push('(#district = :district OR contains(alsoFor, :district))');
      values[':district'] = scope.district;
    }
    if (query.rule) {
      filters.push('#rule = :rule');
      values[':rule'] = query.rule;
    }
    const names = { ...(scope.district ? { '#district': 'district' } : {}), ...(query.rule ? { '#rule': 'rule' } : {}) };
    const items: Item[] = [];
    for (let round = 0; round < MAX_ROUNDS && items.length < query.limit; round++) {
      const page = await this.store.query({
        IndexName: scope.index,
        KeyConditionExpression: `${scope.index}PK = :pk AND ${scope.index}SK < :today`,
        ...(filters.length ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
        // Never more than the page still needs, so the cursor never skips a matching item.
        Limit: query.limit - items.length,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      items.push(...page.items);
      start = page.lastKey;
      if (!start) break;
    }
    return { items: items.map((raw) => toAlert(raw, ctx.today)), nextCursor: encodeCursor(start, bound) };
  }

  /**
   * R-KPI-1 for a year: a district code → that district; a city code (XXXX00) → the sum of its
   * districts; omitted → the caller's jurisdiction (bureaus) or every district (auditors).
   */
  async stats(ctx: RequestContext, query: { year?: number; district?: string }) {
    const p = ctx.principal;
    const year = query.year ?? yearOf(ctx.today);
    let district = query.district;
    if (p.role === 'hr' && p.org) {
      const own = p.org.district;
      district ??= own;
      const allowed = overseesCity(p) ? cityOf(district) === own : district === own;
      if (!allowed) throw forbidden('A bureau reads the statistics of its own jurisdiction', '人社部门仅可查看本辖区统计');
    } else if (p.role !== 'auditor') {
      throw forbidden('Statistics are for labour bureaus and auditors', '统计数据仅供人社部门和审计机构查看');
    }

    let rows: Item[];
    let scope: 'district' | 'city' | 'all';
    if (district === undefined) {
      scope = 'all';
      rows = await this.store.queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.kpiPartition(year) } });
    } else if (isCityCode(district)) {
      scope = 'city';
      rows = await this.store.queryAll(sortKeyPrefix(keys.kpiPartition(year), keys.kpiCityPrefix(district)));
    } else {
      scope = 'district';
      const one = await this.store.get(keys.kpi(year, district));
      rows = one ? [one] : [];
    }

    const total = zero();
    const districts = rows
      .map((row) => {
        const c = zero();
        for (const k of counters) c[k] = Number(row[k] ?? 0);
        for (const k of counters) total[k] += c[k];
        return { district: String(row.district), ...c };
      })
      .sort((a, b) => a.district.localeCompare(b.district));
    const retentionRate = total.enrolled > 0 ? (total.enrolled - total.departed) / total.enrolled : null;
    const seniorShare = total.enrolled > 0 ? total.seniorOrAbove / total.enrolled : null;
    return {
      year,
      district: district ?? null,
      scope,
      ...total,
      retained: total.enrolled - total.departed,
      retentionRate: round4(retentionRate),
      seniorShare: round4(seniorShare),
      targets: kpiTargets,
      meetsTargets: {
        // The enrolment target is city-wide: it says nothing about one district.
        enrolledPerYear: scope === 'district' ? null : total.enrolled >= kpiTargets.enrolledPerYear,
        retentionRate: retentionRate === null ? null : retentionRate >= kpiTargets.retentionRate,
        seniorShare: seniorShare === null ? null : seniorShare >= kpiTargets.seniorShare,
      },
      districts,
    };
  }
}

function zero(): Counts {
  return { enrolled: 0, departed: 0, seniorOrAbove: 0, passed: 0, failed: 0, subsidyPaidFen: 0 };
}

const round4 = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000);

