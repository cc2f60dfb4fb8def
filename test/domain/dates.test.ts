import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isInputDate,
  addDays,
  addMonths,
  compareDates,
  cstDate,
  dayOfWeek,
  daysBetween,
  fromEpochDay,
  isIsoDate,
  maxDate,
  minDate,
  periodMonths,
  toEpochDay,
  wholeMonths,
  yearOf,
} from '../../shared/domain/dates.js';

const dateArb = fc
  .integer({ min: toEpochDay('1990-01-01'), max: toEpochDay('2060-12-31') })
  .map(fromEpochDay);

describe('ISO dates', () => {
  it('accepts real calendar dates only, with a 4-digit year', () => {
    expect(isIsoDate('2026-04-13')).toBe(true);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2000-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('1900-02-29')).toBe(false);
    expect(isIsoDate('2026-04-31')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-00-10')).toBe(false);
    expect(isIsoDate('2026-4-13')).toBe(false);
    expect(isIsoDate('26-04-13')).toBe(false);
    expect(isIsoDate('2026-04-13T00:00:00Z')).toBe(false);
    expect(isIsoDate('')).toBe(false);
    expect(isIsoDate(20260413)).toBe(false);
  });

  it('takes request dates from 1900-01-01 to 2199-12-31 only', () => {
    expect(isInputDate('1900-01-01')).toBe(true);
    expect(isInputDate('2199-12-31')).toBe(true);
    expect(isInputDate('1899-12-31')).toBe(false);
    expect(isInputDate('2200-01-01')).toBe(false);
    expect(isInputDate('2026-02-29')).toBe(false);
    // The latest input date still has room for the + 36 months the rules add (R-ELIG-6, R-PERIOD-1).
    expect(addMonths('2199-12-31', 36)).toBe('2202-12-31');
  });

  it('day numbers round-trip and agree with the JavaScript UTC calendar', () => {
    expect(toEpochDay('1970-01-01')).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: -700_000, max: 2_900_000 }), (n) => {
        const d = fromEpochDay(n);
        expect(toEpochDay(d)).toBe(n);
        expect(d).toBe(new Date(n * 86_400_000).toISOString().slice(0, 10));
      }),
    );
  });

  it('throws on malformed input instead of guessing', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addMonths('2026-01-01', 1.5)).toThrow(RangeError);
    expect(() => minDate()).toThrow(RangeError);
  });

  it('compares, orders and picks dates', () => {
    expect(compareDates('2026-01-02', '2026-01-10')).toBe(-1);
    expect(compareDates('2026-01-10', '2026-01-10')).toBe(0);
    expect(compareDates('2027-01-01', '2026-12-31')).toBe(1);
    expect(minDate('2026-05-01', '2026-04-30', '2026-06-01')).toBe('2026-04-30');
    expect(maxDate('2026-05-01', '2026-04-30', '2026-06-01')).toBe('2026-06-01');
    expect(yearOf('2031-07-01')).toBe(2031);
    expect(dayOfWeek('2026-04-13')).toBe(1); // a Monday
    expect(dayOfWeek('2026-04-12')).toBe(0); // a Sunday
  });
});

describe('Time: the China Standard Time (UTC+8) date of an instant', () => {
  it('is already the next day from 16:00 UTC', () => {
    expect(cstDate(new Date('2026-04-13T23:00:00Z'))).toBe('2026-04-14');
    expect(cstDate(new Date('2026-04-13T15:59:59.999Z'))).toBe('2026-04-13');
    expect(cstDate(new Date('2026-04-13T16:00:00Z'))).toBe('2026-04-14');
    expect(cstDate(new Date('2026-04-14T07:00:00+08:00'))).toBe('2026-04-14');
    expect(cstDate(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
  });

  it('refuses an invalid Date', () => {
    expect(() => cstDate(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('addDays and daysBetween', () => {
  it('cross month, year and leap day boundaries', () => {
    expect(addDays('2026-04-30', 1)).toBe('2026-05-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-04-14', '2026-04-29')).toBe(15);
    expect(daysBetween('2026-04-29', '2026-04-14')).toBe(-15);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
  });

  it('are inverse to each other', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: -5000, max: 5000 }), (d, n) => {
        expect(daysBetween(d, addDays(d, n))).toBe(n);
      }),
    );
  });
});

describe('addMonths clamps to the end of the target month', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-02-29', 48, '2028-02-29'],
    ['2026-03-31', 1, '2026-04-30'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2026-05-01', 16, '2027-09-01'],
    ['2026-11-15', 2, '2027-01-15'],
    ['2027-01-15', -2, '2026-11-15'],
    ['2026-08-31', 0, '2026-08-31'],
  ] as const)('%s + %i months = %s', (d, n, expected) => {
    expect(addMonths(d, n)).toBe(expected);
  });
});

describe('R-SUB-2 whole months (largest n with a + n months ≤ b)', () => {
  it.each([
    ['2026-05-01', '2027-09-16', 16],
    ['2026-05-01', '2027-09-01', 16],
    ['2026-05-01', '2027-08-31', 15],
    ['2026-01-31', '2026-02-28', 1],
    ['2026-01-31', '2026-02-27', 0],
    ['2026-01-31', '2026-03-30', 1],
    ['2026-01-31', '2026-03-31', 2],
    ['2024-02-29', '2025-02-28', 12],
    ['2024-02-29', '2025-02-27', 11],
    ['2026-04-10', '2026-04-10', 0],
    ['2026-04-10', '2026-04-09', 0],
    ['2027-01-01', '2026-01-01', 0],
  ] as const)('from %s to %s: %i', (a, b, n) => {
    expect(wholeMonths(a, b)).toBe(n);
  });

  it('is exactly the largest n with addMonths(a, n) ≤ b', () => {
    fc.assert(
      fc.property(dateArb, dateArb, (a, b) => {
        const n = wholeMonths(a, b);
        expect(n).toBeGreaterThanOrEqual(0);
        if (compareDates(b, a) < 0) {
          expect(n).toBe(0);
        } else {
          expect(compareDates(addMonths(a, n), b)).toBeLessThanOrEqual(0);
          expect(compareDates(addMonths(a, n + 1), b)).toBe(1);
        }
      }),
    );
  });

  it('wholeMonths(a, addMonths(a, n)) ≥ n, and = n when no clamping happens (day ≤ 28)', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 120 }), (a, n) => {
        expect(wholeMonths(a, addMonths(a, n))).toBeGreaterThanOrEqual(n);
        const firstDays = `${a.slice(0, 8)}${String(Math.min(Number(a.slice(8)), 28)).padStart(2, '0')}`;
        expect(wholeMonths(firstDays, addMonths(firstDays, n))).toBe(n);
      }),
    );
  });
});

describe('R-PERIOD-1 period length counts both end dates', () => {
  it.each([
    ['2026-09-01', '2027-08-31', 12],
    ['2026-09-01', '2027-08-30', 11],
    ['2026-05-01', '2027-10-31', 18],
    ['2026-01-31', '2027-01-30', 12],
    ['2026-03-01', '2026-03-31', 1],
    ['2026-03-01', '2026-03-01', 0],
  ] as const)('%s … %s is %i months', (start, end, months) => {
    expect(periodMonths(start, end)).toBe(months);
  });
});

describe('R-ELIG-1 open-ended contracts written with the far end date', () => {
  it('periodMonths to 9999-12-31 counts without running off the calendar', async () => {
    const { periodMonths } = await import('../../shared/domain/dates.js');
    expect(periodMonths('2025-07-01', '9999-12-31')).toBeGreaterThan(12);
  });
});
