import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  isWorkingDay,
  officialSchedule,
  officialScheduleYears,
  validateYearSchedule,
  weekdaysOnlySchedule,
  withLoadedSchedules,
  type ScheduleLookup,
  type YearSchedule,
} from '../../shared/domain/calendar.js';
import { addDays, isWeekend } from '../../shared/domain/dates.js';

/** Counts Monday–Friday days independently of the implementation. */
function nthWeekdayAfter(date: string, n: number): string {
  let d = date;
  while (n > 0) {
    d = addDays(d, 1);
    if (!isWeekend(d)) n -= 1;
  }
  return d;
}

describe('R-FILE-1 official schedules from chinese-days', () => {
  it('covers a contiguous run of years up to at least 2026', () => {
    expect(officialScheduleYears).toContain(2024);
    expect(officialScheduleYears).toContain(2025);
    expect(officialScheduleYears).toContain(2026);
    const first = officialScheduleYears[0]!;
    officialScheduleYears.forEach((y, i) => expect(y).toBe(first + i));
  });

  it('has no schedule for a year without official data', () => {
    expect(officialSchedule(2035)).toBeUndefined();
    expect(officialSchedule(1990)).toBeUndefined();
  });

  it('lists 2026 holidays and make-up working days (调休)', () => {
    const s = officialSchedule(2026)!;
    expect(s.source).toBe('official');
    expect(s.year).toBe(2026);
    expect(s.holidays).toEqual(expect.arrayContaining(['2026-01-01', '2026-04-06', '2026-10-01', '2026-10-07']));
    expect(s.workdays).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect(validateYearSchedule(s)).toEqual([]);
  });

  it('every shipped year passes the admin validation', () => {
    for (const y of officialScheduleYears) expect(validateYearSchedule(officialSchedule(y)!)).toEqual([]);
  });
});

describe('R-FILE-1 working days', () => {
  it('follow holidays and make-up weekends', () => {
    expect(isWorkingDay('2026-10-01', officialSchedule)).toBe(false); // National Day, Thursday
    expect(isWorkingDay('2026-04-06', officialSchedule)).toBe(false); // Qingming, Monday
    expect(isWorkingDay('2026-10-10', officialSchedule)).toBe(true); // make-up Saturday
    expect(isWorkingDay('2026-09-20', officialSchedule)).toBe(true); // make-up Sunday
    expect(isWorkingDay('2026-04-11', officialSchedule)).toBe(false); // ordinary Saturday
    expect(isWorkingDay('2026-04-13', officialSchedule)).toBe(true); // ordinary Monday
  });

  it('are Monday to Friday in a year without schedule', () => {
    expect(isWorkingDay('2035-10-01', officialSchedule)).toBe(true); // a Monday
    expect(isWorkingDay('2035-10-06', officialSchedule)).toBe(false); // a Saturday
  });
});

describe('R-FILE-1 addWorkingDays: the n-th working day after a date', () => {
  it('SPEC example: plan published 2026-03-27 → filing due 2026-04-13 (Qingming 4–6 April)', () => {
    expect(addWorkingDays('2026-03-27', 10, officialSchedule)).toEqual({ date: '2026-04-13', warnings: [] });
  });

  it('2026-09-25 + 10 → 2026-10-15 (Mid-autumn, National Day and make-up Saturday 10 October)', () => {
    expect(addWorkingDays('2026-09-25', 10, officialSchedule)).toEqual({ date: '2026-10-15', warnings: [] });
  });

  it('counts a make-up Sunday: 2026-09-18 + 1 → 2026-09-20', () => {
    expect(addWorkingDays('2026-09-18', 1, officialSchedule).date).toBe('2026-09-20');
  });

  it('does not count the start date itself, even when it is a working day', () => {
    expect(addWorkingDays('2026-04-13', 1, officialSchedule).date).toBe('2026-04-14');
    expect(addWorkingDays('2026-04-13', 0, officialSchedule)).toEqual({ date: '2026-04-13', warnings: [] });
  });

  it('R-PLAN-1 publicity: 5 working days after 2026-04-30 skip Labour Day, then include make-up Saturday 9 May', () => {
    // 1–5 May off; 6, 7, 8 May (Wed–Fri), 9 May (make-up Saturday), 11 May.
    expect(addWorkingDays('2026-04-30', 5, officialSchedule).date).toBe('2026-05-11');
  });

  it('counts Monday to Friday in a year without schedule, with one warning for it', () => {
    const result = addWorkingDays('2035-03-02', 10, officialSchedule);
    expect(result.date).toBe(nthWeekdayAfter('2035-03-02', 10));
    expect(result.warnings).toEqual([
      {
        rule: 'R-FILE-1',
        message: {
          en: 'No official holiday schedule for 2035: counted Monday to Friday',
          zh: '2035年暂无官方节假日安排：按周一至周五计算工作日',
        },
      },
    ]);
  });

  it('warns once per missing year when the count crosses into it', () => {
    const only2026: ScheduleLookup = (y) => (y === 2026 ? officialSchedule(2026) : undefined);
    const result = addWorkingDays('2026-12-28', 10, only2026);
    expect(result.date).toBe(nthWeekdayAfter('2026-12-28', 10));
    expect(result.warnings.map((w) => w.message.en)).toEqual([
      'No official holiday schedule for 2027: counted Monday to Friday',
    ]);
    const threeYears = addWorkingDays('2030-12-20', 300, () => undefined);
    expect(threeYears.warnings.map((w) => w.message.en)).toEqual([
      'No official holiday schedule for 2030: counted Monday to Friday',
      'No official holiday schedule for 2031: counted Monday to Friday',
      'No official holiday schedule for 2032: counted Monday to Friday',
    ]);
  });

  it('gives no warning when the start date alone is in a year without schedule', () => {
    const only2027: ScheduleLookup = (y) => (y === 2027 ? weekdaysOnlySchedule(2027) : undefined);
    expect(addWorkingDays('2026-12-31', 1, only2027)).toEqual({ date: '2027-01-01', warnings: [] });
  });

  it('uses an admin-loaded schedule for a new year, without warning', () => {
    const loaded: YearSchedule = {
      year: 2035,
      holidays: ['2035-10-01', '2035-10-02', '2035-10-03', '2035-10-04', '2035-10-05'],
      workdays: ['2035-10-07'],
      source: 'loaded',
    };
    expect(validateYearSchedule(loaded)).toEqual([]);
    const lookup = withLoadedSchedules([loaded]);
    // 2035-09-28 is a Friday: 10/1–10/5 off, 10/6 Saturday, 10/7 make-up Sunday, 10/8 Monday.
    expect(addWorkingDays('2035-09-28', 2, lookup)).toEqual({ date: '2035-10-08', warnings: [] });
    expect(lookup(2026)).toBe(officialSchedule(2026));
  });

  it('refuses a negative or fractional count', () => {
    expect(() => addWorkingDays('2026-04-13', -1, officialSchedule)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-04-13', 1.5, officialSchedule)).toThrow(RangeError);
  });
});

describe('R-FILE-1 validateYearSchedule (admin-loaded years)', () => {
  const base: YearSchedule = { year: 2035, holidays: ['2035-01-01'], workdays: [], source: 'loaded' };

  it('refuses dates outside the year', () => {
    const errors = validateYearSchedule({ ...base, holidays: ['2034-12-31'] });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ rule: 'R-FILE-1', path: 'holidays[0]' });
  });

  it('refuses a day that is both a holiday and a working day', () => {
    const errors = validateYearSchedule({ ...base, holidays: ['2035-01-06'], workdays: ['2035-01-06'] });
    expect(errors.map((e) => e.path)).toEqual(['workdays']);
  });

  it('refuses a make-up working day on a weekday', () => {
    const errors = validateYearSchedule({ ...base, workdays: ['2035-01-02'] });
    expect(errors.map((e) => e.path)).toEqual(['workdays[0]']);
    expect(errors[0]!.message.zh).toContain('不是周六或周日');
  });

  it('refuses malformed and duplicate dates and bad years', () => {
    expect(validateYearSchedule({ ...base, holidays: ['2035-02-30', '2035-01-01', '2035-01-01'] }).map((e) => e.path)).toEqual([
      'holidays[0]',
      'holidays[2]',
    ]);
    expect(validateYearSchedule({ ...base, year: 35 }).map((e) => e.path)).toEqual(['year']);
  });
});
