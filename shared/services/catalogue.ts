/** Occupations (职业/工种) and the working-day calendar (R-FILE-1). */
import { officialSchedule, weekdaysOnlySchedule, validateYearSchedule, type ScheduleLookup, type YearSchedule } from '../domain/calendar.js';
import { auditOp } from '../db/audit.js';
import { keys } from '../db/keys.js';
import { sortKeyPrefix, storedItem, type Store } from '../db/store.js';
import type { RequestContext } from '../http/context.js';
import { ApiError, ruleViolation } from '../http/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../http/pagination.js';

export interface Occupation {
  code: string;
  name: string;
  /** Whether skill-level evaluation (技能等级评价) exists for it (R-OCC-1). */
  skillEvaluation: boolean;
  createdAt: string;
}

export class OccupationService {
  private readonly cache = new Map<string, Occupation>();
  constructor(private readonly store: Store) {}

  async create(ctx: RequestContext, input: Omit<Occupation, 'createdAt'>): Promise<Occupation> {
    const occupation: Occupation = { ...input, createdAt: ctx.now.toISOString() };
    await this.store.transact([
      {
        op: { Put: { Item: storedItem(keys.occupation(input.code), 'occupation', occupation), ConditionExpression: 'attribute_not_exists(PK)' } },
        onConditionFailed: () => ruleViolation([{ rule: 'UNIQUE', path: 'code', message: { en: 'occupation code already exists', zh: '职业（工种）代码已存在' } }]),
      },
      auditOp(ctx, keys.occupation(input.code).PK, { action: 'occupation.created', subjectType: 'occupation', subjectId: input.code, after: occupation }),
    ]);
    return occupation;
  }

  /** Occupations are immutable once created, so the process cache never goes stale. */
  async find(code: string): Promise<Occupation | undefined> {
    const cached = this.cache.get(code);
    if (cached) return cached;
    const raw = await this.store.get(keys.occupation(code));
    if (!raw) return undefined;
    const occupation = toOccupation(raw);
    this.cache.set(code, occupation);
    return occupation;
  }

  /** The catalogue in code order, one Query per page. */
  async list(query: { limit: number; cursor?: string }): Promise<Page<Occupation>> {
    const bound = { occupations: true };
    const start = decodeCursor(query.cursor, bound);
    const page = await this.store.query({
      ...sortKeyPrefix(keys.occupationsPartition, keys.occupationPrefix),
      Limit: query.limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return { items: page.items.map(toOccupation), nextCursor: encodeCursor(page.lastKey, bound) };
  }
}

const toOccupation = (raw: Record<string, unknown>): Occupation => {
  const { code, name, skillEvaluation, createdAt } = raw as unknown as Occupation;
  return { code, name, skillEvaluation, createdAt };
};

export class CalendarService {
  /** Admin-loaded years, cached briefly so deadlines need no extra read on most requests. */
  private readonly loaded = new Map<number, { schedule: YearSchedule | null; at: number }>();
  constructor(private readonly store: Store) {}

  async get(year: number): Promise<YearSchedule> {
    const lookup = await this.lookupFor([year]);
    return lookup(year) ?? weekdaysOnlySchedule(year);
  }

  async put(ctx: RequestContext, year: number, input: { holidays: string[]; workdays: string[] }): Promise<YearSchedule> {
    const schedule: YearSchedule = {
      year,
      holidays: [...new Set(input.holidays)].sort(),
      workdays: [...new Set(input.workdays)].sort(),
      source: 'loaded',
    };
    const issues = validateYearSchedule(schedule);
    if (issues.length) throw ruleViolation(issues);
    const before = await this.get(year);
    await this.store.transact([
      { op: { Put: { Item: storedItem(keys.calendarYear(year), 'calendar', schedule, { loadedAt: ctx.now.toISOString() }) } } },
      auditOp(ctx, 'CALENDAR', { action: 'calendar.loaded', subjectType: 'calendar', subjectId: String(year), before, after: schedule }),
    ]);
    this.loaded.set(year, { schedule, at: Date.now() });
    return schedule;
  }

  /**
   * Drops the year's loaded schedule: the shipped official one (or Monday to Friday) is in force
   * again. The way back from a load that was a mistake, since a load replaces the official year.
   */
  async unload(ctx: RequestContext, year: number): Promise<YearSchedule> {
    const before = await this.get(year);
    if (before.source !== 'loaded') throw new ApiError('NOT_FOUND', { en: `No schedule was loaded for ${year}`, zh: `${year}年未导入过工作日安排` });
    await this.store.transact([
      { op: { Delete: { Key: keys.calendarYear(year), ConditionExpression: 'attribute_exists(PK)' } }, onConditionFailed: () => new ApiError('CONFLICT') },
      auditOp(ctx, 'CALENDAR', { action: 'calendar.unloaded', subjectType: 'calendar', subjectId: String(year), before }),
    ]);
    this.loaded.set(year, { schedule: null, at: Date.now() });
    return this.get(year);
  }

  /**
   * A synchronous lookup for the pure addWorkingDays(): admin-loaded years win over the shipped
   * official data; years with neither are left undefined (the domain then counts Monday–Friday
   * and warns).
   */
  async lookupFor(years: number[]): Promise<ScheduleLookup> {
    const fresh = Date.now() - 60_000;
    const missing = [...new Set(years)].filter((y) => (this.loaded.get(y)?.at ?? 0) < fresh);
    if (missing.length) {
      const items = await this.store.getMany(missing.map((y) => keys.calendarYear(y)));
      for (const y of missing) this.loaded.set(y, { schedule: null, at: Date.now() });
      for (const raw of items) {
        const { year, holidays, workdays } = raw as unknown as YearSchedule;
        this.loaded.set(year, { schedule: { year, holidays, workdays, source: 'loaded' }, at: Date.now() });
      }
    }
    return (year) => this.loaded.get(year)?.schedule ?? officialSchedule(year);
  }
}
