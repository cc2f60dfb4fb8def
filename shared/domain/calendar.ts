/**
 * Working days for R-FILE-1 (备案 within 10 working days of the plan) and R-PLAN-1 (publicity):
 * the official PRC holiday schedule, including make-up working weekends (调休).
 *
 * The State Council publishes a year at a time. The known years ship with the `chinese-days`
 * package (as compact runs in official-calendar.ts, generated from it); an admin can load further
 * years (source 'loaded'); a year with neither is counted Monday to Friday and the result carries
 * a warning.
 */
import { addDays, isIsoDate, isWeekend, yearOf, type IsoDate } from './dates.js';
import { issue, type RuleIssue } from './messages.js';
import { officialCalendarRuns } from './official-calendar.js';

export interface YearSchedule {
  year: number;
  /** Official days off (放假), whether they fall on a weekday or a weekend. */
  holidays: IsoDate[];
  /** Make-up working days on a weekend (调休上班). */
  workdays: IsoDate[];
  source: 'official' | 'loaded' | 'weekdays-only';
}

/** The schedule of a year, or undefined when none is known. */
export type ScheduleLookup = (year: number) => YearSchedule | undefined;

/** The dates of one year's runs ("MMDD" or "MMDD+n", see scripts/lib/official-calendar.ts). */
function datesOfRuns(year: number, runs: string): IsoDate[] {
  if (!runs) return [];
  return runs.split(' ').flatMap((run) => {
    const [start = '', more = '0'] = run.split('+');
    const first = `${year}-${start.slice(0, 2)}-${start.slice(2)}`;
    return Array.from({ length: Number(more) + 1 }, (_, i) => addDays(first, i));
  });
}

/** The official years' schedules, decoded on the first lookup of each year. */
const official = new Map<number, YearSchedule>();

/** Years for which the shipped `chinese-days` data has an official schedule (2004–2026 in 1.5.7). */
export const officialScheduleYears: readonly number[] = Object.freeze(Object.keys(officialCalendarRuns).map(Number).sort((a, b) => a - b));

/**
 * The official schedule of a year from `chinese-days`, or undefined when the package has no data
 * for it (a year is covered when it has at least one holiday entry: every year has 元旦).
 * The returned object is frozen. A year is decoded when first asked for: a request touches one or
 * two years, and decoding all 23 at start-up cost ≈ 2–4 ms of every cold start.
 */
export function officialSchedule(year: number): YearSchedule | undefined {
  const known = official.get(year);
  if (known) return known;
  const runs = officialCalendarRuns[year];
  if (!runs) return undefined;
  const schedule = Object.freeze({
    year,
    holidays: Object.freeze(datesOfRuns(year, runs[0])) as IsoDate[],
    workdays: Object.freeze(datesOfRuns(year, runs[1])) as IsoDate[],
    source: 'official' as const,
  });
  official.set(year, schedule);
  return schedule;
}

/** A schedule with no holidays and no make-up days: Monday to Friday are working days. */
export function weekdaysOnlySchedule(year: number): YearSchedule {
  return { year, holidays: [], workdays: [], source: 'weekdays-only' };
}

/**
 * A lookup that prefers admin-loaded schedules and falls back to another lookup
 * (the official data by default).
 */
export function withLoadedSchedules(loaded: readonly YearSchedule[], fallback: ScheduleLookup = officialSchedule): ScheduleLookup {
  const byYear = new Map(loaded.map((s) => [s.year, s] as const));
  return (year) => byYear.get(year) ?? fallback(year);
}

interface DaySets {
  holidays: Set<IsoDate>;
  workdays: Set<IsoDate>;
}

const setsCache = new WeakMap<YearSchedule, DaySets>();

function setsOf(s: YearSchedule): DaySets {
  let sets = setsCache.get(s);
  if (!sets) {
    sets = { holidays: new Set(s.holidays), workdays: new Set(s.workdays) };
    setsCache.set(s, sets);
  }
  return sets;
}

function isWorkingDayIn(date: IsoDate, schedule: YearSchedule | undefined): boolean {
  if (schedule) {
    const sets = setsOf(schedule);
    if (sets.workdays.has(date)) return true;
    if (sets.holidays.has(date)) return false;
  }
  return !isWeekend(date);
}

/** Whether a date is a working day; a year without schedule counts Monday to Friday. */
export function isWorkingDay(date: IsoDate, lookup: ScheduleLookup): boolean {
  return isWorkingDayIn(date, lookup(yearOf(date)));
}

export function noScheduleWarning(year: number): RuleIssue {
  return issue('R-FILE-1', {
    en: `No official holiday schedule for ${year}: counted Monday to Friday`,
    zh: `${year}年暂无官方节假日安排：按周一至周五计算工作日`,
  });
}

/**
 * The n-th working day after `date` (the date itself is not counted; n = 0 gives `date`).
 * R-FILE-1 example: plan published 2026-03-27 → + 10 working days → filing due 2026-04-13.
 * One warning per year without a schedule that the count runs through.
 */
export function addWorkingDays(
  date: IsoDate,
  n: number,
  lookup: ScheduleLookup,
): { date: IsoDate; warnings: RuleIssue[] } {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Working days must be a non-negative integer: ${n}`);
  if (!isIsoDate(date)) throw new RangeError(`Not an ISO date (YYYY-MM-DD): ${String(date)}`);
  const missingYears: number[] = [];
  let year = yearOf(date);
  let schedule = lookup(year);
  let current = date;
  let remaining = n;
  while (remaining > 0) {
    current = addDays(current, 1);
    const y = yearOf(current);
    if (y !== year) {
      year = y;
      schedule = lookup(year);
    }
    if (!schedule && !missingYears.includes(year)) missingYears.push(year);
    if (isWorkingDayIn(current, schedule)) remaining -= 1;
  }
  return { date: current, warnings: missingYears.map(noScheduleWarning) };
}

/** Checks an admin-loaded schedule before it is stored (R-FILE-1). Returns errors; empty = valid. */
export function validateYearSchedule(s: YearSchedule): RuleIssue[] {
  const errors: RuleIssue[] = [];
  const err = (path: string, en: string, zh: string) => errors.push(issue('R-FILE-1', { en, zh }, path));
  if (!Number.isInteger(s.year) || s.year < 1900 || s.year > 9999) {
    err('year', `Year must be an integer from 1900: ${String(s.year)}`, `年份须为1900年以后的整数：${String(s.year)}`);
    return errors;
  }
  if (!['official', 'loaded', 'weekdays-only'].includes(s.source)) {
    err('source', `Unknown schedule source: ${String(s.source)}`, `未知的日程来源：${String(s.source)}`);
  }
  const checkList = (field: 'holidays' | 'workdays'): Set<string> => {
    const seen = new Set<string>();
    const list: unknown = s[field];
    if (!Array.isArray(list)) {
      err(field, `${field} must be a list of dates`, `${field === 'holidays' ? '放假日期' : '调休上班日期'}须为日期列表`);
      return seen;
    }
    list.forEach((d: unknown, i) => {
      const path = `${field}[${i}]`;
      if (!isIsoDate(d)) {
        err(path, `Not a date (YYYY-MM-DD): ${String(d)}`, `日期格式无效（应为YYYY-MM-DD）：${String(d)}`);
        return;
      }
      if (yearOf(d) !== s.year) {
        err(path, `${d} is not in ${s.year}`, `${d}不在${s.year}年内`);
        return;
      }
      if (seen.has(d)) err(path, `${d} is listed twice`, `${d}重复列出`);
      seen.add(d);
      if (field === 'workdays' && !isWeekend(d)) {
        err(path, `Make-up working day ${d} is not a Saturday or Sunday`, `调休上班日${d}不是周六或周日`);
      }
    });
    return seen;
  };
  const holidays = checkList('holidays');
  const workdays = checkList('workdays');
  for (const d of holidays) {
    if (workdays.has(d)) err('workdays', `${d} is both a holiday and a working day`, `${d}既是放假日又是上班日`);
  }
  return errors;
}
