/**
 * shared/domain/official-calendar.ts is generated from the `chinese-days` package
 * (scripts/lib/official-calendar.ts). These tests fail when the package changes and the module was
 * not regenerated, and when the compact runs would decode to other dates than the package's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { officialSchedule, officialScheduleYears } from '../../shared/domain/calendar.js';
import { yearOf } from '../../shared/domain/dates.js';
import { packageCalendar, renderOfficialCalendar, toRuns } from '../../scripts/lib/official-calendar.js';

describe('R-FILE-1 official calendar generated from chinese-days', () => {
  it('is the rendering of the installed package (else run npm run generate:calendar)', () => {
    const committed = readFileSync(new URL('../../shared/domain/official-calendar.ts', import.meta.url), 'utf8');
    expect(committed).toBe(renderOfficialCalendar());
  });

  it('decodes to exactly the package’s days off and make-up working days, year by year', () => {
    const { data } = packageCalendar();
    const byYear = (dates: string[]) => {
      const years = new Map<number, string[]>();
      for (const date of dates.sort()) years.set(yearOf(date), [...(years.get(yearOf(date)) ?? []), date]);
      return years;
    };
    const holidays = byYear(Object.keys(data.holidays));
    const workdays = byYear(Object.keys(data.workdays));
    expect(officialScheduleYears).toEqual([...holidays.keys()]);
    for (const year of officialScheduleYears) {
      const schedule = officialSchedule(year)!;
      expect(schedule.holidays, `${year} holidays`).toEqual(holidays.get(year));
      expect(schedule.workdays, `${year} workdays`).toEqual(workdays.get(year) ?? []);
    }
  });

  it('writes consecutive dates as one run, across a month end, and single dates alone', () => {
    expect(toRuns(['2023-10-06', '2023-09-29', '2023-09-30', '2023-10-01', '2023-10-02', '2023-10-03', '2023-10-04', '2023-10-05'])).toBe('0929+7');
    expect(toRuns(['2026-01-04', '2026-02-14', '2026-02-28'])).toBe('0104 0214 0228');
    expect(toRuns([])).toBe('');
  });
});
