/**
 * Calendar dates as ISO strings `YYYY-MM-DD`, computed with integer day numbers (no time zone,
 * no floating point). "Today" is never read here: callers pass it (see cstDate).
 */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;
/** China Standard Time is UTC+8 all year (no daylight saving). */
const CST_OFFSET_MS = 8 * 3_600_000;

export interface DateParts {
  year: number;
  month: number; // 1–12
  day: number; // 1–31
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function partsOf(s: string): DateParts | undefined {
  const m = ISO_DATE.exec(s);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** A real calendar date written `YYYY-MM-DD` with a 4-digit year (0001–9999). */
export function isIsoDate(s: unknown): s is IsoDate {
  return typeof s === 'string' && partsOf(s) !== undefined;
}

/**
 * The dates a request may carry (contracts, hire dates, periods, assessments, payments): any real
 * date outside these is a typo, and inside them every derived date stays within 0001–9999 (a hire
 * date + 36 months for R-ELIG-6, a period's + 36 months for R-PERIOD-1), so none can throw later
 * when a view is computed.
 */
export const inputDateRange = { from: '1900-01-01', to: '2199-12-31' } as const;

export function isInputDate(s: unknown): s is IsoDate {
  return isIsoDate(s) && s >= inputDateRange.from && s <= inputDateRange.to;
}

/** Splits a date into numbers; throws RangeError for anything that is not a real ISO date. */
export function parseIsoDate(d: IsoDate): DateParts {
  const parts = typeof d === 'string' ? partsOf(d) : undefined;
  if (!parts) throw new RangeError(`Not an ISO date (YYYY-MM-DD): ${String(d)}`);
  return parts;
}

export function formatIsoDate({ year, month, day }: DateParts): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's days_from_civil). */
export function toEpochDay(d: IsoDate): number {
  const { year, month, day } = parseIsoDate(d);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Inverse of toEpochDay. */
export function fromEpochDay(n: number): IsoDate {
  if (!Number.isSafeInteger(n)) throw new RangeError(`Not an integer day number: ${n}`);
  const z = n + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1 || year > 9999) throw new RangeError(`Date out of range (years 0001–9999): day ${n}`);
  return formatIsoDate({ year, month, day });
}

/** The China Standard Time (UTC+8) calendar date of an instant: 2026-04-13T23:00Z → 2026-04-14. */
export function cstDate(instant: Date): IsoDate {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('Invalid Date');
  return fromEpochDay(Math.floor((ms + CST_OFFSET_MS) / MS_PER_DAY));
}

export function addDays(d: IsoDate, n: number): IsoDate {
  if (!Number.isSafeInteger(n)) throw new RangeError(`Not an integer number of days: ${n}`);
  return fromEpochDay(toEpochDay(d) + n);
}

/** Adds calendar months; a day past the target month's end is clamped: 2026-01-31 + 1 → 2026-02-28. */
export function addMonths(d: IsoDate, n: number): IsoDate {
  if (!Number.isSafeInteger(n)) throw new RangeError(`Not an integer number of months: ${n}`);
  const { year, month, day } = parseIsoDate(d);
  const index = year * 12 + (month - 1) + n;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  if (y < 1 || y > 9999) throw new RangeError(`Date out of range (years 0001–9999): ${d} + ${n} months`);
  return formatIsoDate({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

/** b − a in days (negative when b is before a). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toEpochDay(b) - toEpochDay(a);
}

/** −1, 0 or 1, for sorting. */
export function compareDates(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  const diff = toEpochDay(a) - toEpochDay(b);
  return diff < 0 ? -1 : diff > 0 ? 1 : 0;
}

/** The earliest of one or more dates. */
export function minDate(...dates: IsoDate[]): IsoDate {
  return pick(dates, (c) => c < 0);
}

/** The latest of one or more dates. */
export function maxDate(...dates: IsoDate[]): IsoDate {
  return pick(dates, (c) => c > 0);
}

function pick(dates: IsoDate[], better: (c: number) => boolean): IsoDate {
  const [first, ...rest] = dates;
  if (first === undefined) throw new RangeError('No dates given');
  let best = first;
  parseIsoDate(best);
  for (const d of rest) if (better(compareDates(d, best))) best = d;
  return best;
}

export function yearOf(d: IsoDate): number {
  return parseIsoDate(d).year;
}

/** Day of the week, 0 = Sunday … 6 = Saturday (as Date#getUTCDay). 1970-01-01 was a Thursday. */
export function dayOfWeek(d: IsoDate): number {
  return (((toEpochDay(d) + 4) % 7) + 7) % 7;
}

export function isWeekend(d: IsoDate): boolean {
  const w = dayOfWeek(d);
  return w === 0 || w === 6;
}

/**
 * Whole months from a to b: the largest n ≥ 0 with addMonths(a, n) ≤ b; 0 when b < a (R-SUB-2).
 */
export function wholeMonths(a: IsoDate, b: IsoDate): number {
  const pa = parseIsoDate(a);
  const pb = parseIsoDate(b);
  if (compareDates(b, a) < 0) return 0;
  // addMonths(a, n) is non-decreasing in n, and for this n it lands in b's month.
  let n = (pb.year - pa.year) * 12 + (pb.month - pa.month);
  if (n > 0 && compareDates(addMonths(a, n), b) > 0) n -= 1;
  return n;
}

/**
 * Length in whole months of a period whose end date is inclusive (R-PERIOD-1, R-ELIG-1):
 * counted up to the day after the end. 2026-09-01 … 2027-08-31 → 12.
 */
export function periodMonths(start: IsoDate, endInclusive: IsoDate): number {
  // The day after 9999-12-31 is off the calendar (a contract "ending" then is common for open-ended
  // ones): count to the end itself, a month short at most, still thousands of years.
  if (endInclusive === '9999-12-31') return wholeMonths(start, endInclusive);
  return wholeMonths(start, addDays(endInclusive, 1));
}
