import { describe, expect, it } from 'vitest';
import { checkCurriculum, checkMentors, checkPeriod } from '../../shared/domain/cohort-rules.js';

const rulesOf = (issues: { rule: string }[]) => issues.map((i) => i.rule);

describe('R-PERIOD-1 planned period', () => {
  const start = '2026-09-01';
  it.each([
    ['2027-07-31', 11],
    ['2027-08-30', 11],
  ])('refuses less than 12 months (end %s: %i months)', (plannedEnd) => {
    expect(rulesOf(checkPeriod({ plannedStart: start, plannedEnd }))).toEqual(['R-PERIOD-1']);
  });

  it.each([
    ['2027-08-31', 12],
    ['2028-02-29', 18],
    ['2028-08-31', 24],
  ])('accepts 12 to 24 months without a reason (end %s: %i months)', (plannedEnd) => {
    expect(checkPeriod({ plannedStart: start, plannedEnd })).toEqual([]);
  });

  it.each([
    ['2028-09-30', 25],
    ['2029-08-31', 36],
  ])('needs an extension reason for 25 to 36 months (end %s: %i months)', (plannedEnd) => {
    expect(checkPeriod({ plannedStart: start, plannedEnd })).toMatchObject([{ rule: 'R-PERIOD-1', path: 'extensionReason' }]);
    expect(checkPeriod({ plannedStart: start, plannedEnd, extensionReason: '   ' })).toHaveLength(1);
    expect(checkPeriod({ plannedStart: start, plannedEnd, extensionReason: '特殊情况：工艺复杂' })).toEqual([]);
  });

  it('refuses over 36 months even with a reason (37 months)', () => {
    expect(checkPeriod({ plannedStart: start, plannedEnd: '2029-09-30', extensionReason: 'long' })).toMatchObject([
      { rule: 'R-PERIOD-1', path: 'plannedEnd' },
    ]);
  });

  it('refuses an end before the start and malformed dates', () => {
    expect(checkPeriod({ plannedStart: start, plannedEnd: '2026-08-31' })[0]?.message.en).toMatch(/before/);
    expect(checkPeriod({ plannedStart: '2026-02-30', plannedEnd: '2027-08-31' })).toMatchObject([{ path: 'plannedStart' }]);
  });

  it('counts month ends with clamping: 2026-01-31 … 2027-01-30 is 12 months', () => {
    expect(checkPeriod({ plannedStart: '2026-01-31', plannedEnd: '2027-01-30' })).toEqual([]);
    expect(checkPeriod({ plannedStart: '2026-01-31', plannedEnd: '2027-01-29' })).toHaveLength(1);
  });
});

describe('R-CURR-1 online hours at most 40% of total (error)', () => {
  it('accepts exactly 40%', () => {
    expect(checkCurriculum({ generalHours: 10, theoryHours: 30, practiceHours: 60, onlineHours: 40 }).errors).toEqual([]);
    expect(checkCurriculum({ generalHours: 100, theoryHours: 300, practiceHours: 600, onlineHours: 400 }).errors).toEqual([]);
  });

  it('refuses 40% + 1 hour', () => {
    const r = checkCurriculum({ generalHours: 10, theoryHours: 30, practiceHours: 60, onlineHours: 41 });
    expect(r.errors).toMatchObject([{ rule: 'R-CURR-1', path: 'onlineHours' }]);
    expect(
      checkCurriculum({ generalHours: 100, theoryHours: 300, practiceHours: 600, onlineHours: 401 }).errors,
    ).toMatchObject([{ rule: 'R-CURR-1' }]);
  });

  it('is exact where 40% is not a whole number of hours (total 97: 38 ok, 39 refused)', () => {
    // 40% of 97 = 38.8
    expect(checkCurriculum({ generalHours: 10, theoryHours: 29, practiceHours: 58, onlineHours: 38 }).errors).toEqual([]);
    expect(checkCurriculum({ generalHours: 10, theoryHours: 29, practiceHours: 58, onlineHours: 39 }).errors).toHaveLength(1);
  });

  it('refuses a curriculum without hours and negative or fractional hours', () => {
    expect(checkCurriculum({ generalHours: 0, theoryHours: 0, practiceHours: 0, onlineHours: 0 }).errors).toHaveLength(1);
    expect(
      checkCurriculum({ generalHours: -1, theoryHours: 30, practiceHours: 60, onlineHours: 0 }).errors,
    ).toMatchObject([{ path: 'generalHours' }]);
    expect(
      checkCurriculum({ generalHours: 10, theoryHours: 30.5, practiceHours: 60, onlineHours: 0 }).errors,
    ).toMatchObject([{ path: 'theoryHours' }]);
  });
});

describe('R-CURR-2 shares 1:3:6, deviation above 10 points is a warning', () => {
  it('gives no warning at the default ratio', () => {
    expect(checkCurriculum({ generalHours: 80, theoryHours: 240, practiceHours: 480, onlineHours: 0 })).toEqual({
      errors: [],
      warnings: [],
    });
  });

  it('gives no warning at exactly 10 points', () => {
    // general 20% (+10), theory 20% (−10), practice 60%
    expect(checkCurriculum({ generalHours: 20, theoryHours: 20, practiceHours: 60, onlineHours: 0 }).warnings).toEqual([]);
    // practice 70% (+10), theory 20% (−10)
    expect(checkCurriculum({ generalHours: 10, theoryHours: 20, practiceHours: 70, onlineHours: 0 }).warnings).toEqual([]);
  });

  it('warns at 11 points, once per deviating share, without an error', () => {
    const r = checkCurriculum({ generalHours: 21, theoryHours: 19, practiceHours: 60, onlineHours: 0 });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toMatchObject([
      { rule: 'R-CURR-2', path: 'generalHours' },
      { rule: 'R-CURR-2', path: 'theoryHours' },
    ]);
  });

  it('is exact for fractions: 10.1 points warns (total 1000)', () => {
    const r = checkCurriculum({ generalHours: 201, theoryHours: 199, practiceHours: 600, onlineHours: 0 });
    expect(r.warnings.map((w) => w.path)).toEqual(['generalHours', 'theoryHours']);
  });
});

describe('R-CURR-3 online above general + theory is a warning', () => {
  it('warns when online hours exceed general + theory', () => {
    const r = checkCurriculum({ generalHours: 10, theoryHours: 20, practiceHours: 70, onlineHours: 31 });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toMatchObject([{ rule: 'R-CURR-3', path: 'onlineHours' }]);
  });

  it('does not warn at exactly general + theory', () => {
    expect(checkCurriculum({ generalHours: 10, theoryHours: 20, practiceHours: 70, onlineHours: 30 }).warnings).toEqual([]);
  });
});

describe('R-MENTOR-1 enterprise mentor and school mentor (双导师)', () => {
  it('accepts one of each', () => {
    expect(checkMentors([{ kind: 'school' }, { kind: 'enterprise' }])).toEqual([]);
  });

  it('names each missing kind', () => {
    expect(checkMentors([{ kind: 'school' }, { kind: 'school' }]).map((i) => i.message.zh)).toEqual(['至少需要一名企业导师']);
    expect(checkMentors([{ kind: 'enterprise' }]).map((i) => i.message.zh)).toEqual(['至少需要一名院校导师']);
    expect(rulesOf(checkMentors([]))).toEqual(['R-MENTOR-1', 'R-MENTOR-1']);
  });
});
