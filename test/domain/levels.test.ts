import { describe, expect, it } from 'vitest';
import {
  checkOccupationLevel,
  isLevel,
  isSeniorOrAbove,
  levelNames,
  levels,
  prerequisiteLevel,
} from '../../shared/domain/levels.js';

describe('Levels and rates (§九)', () => {
  it('are the five levels with their Chinese names', () => {
    expect(levels).toEqual(['intermediate', 'senior', 'technician', 'senior_technician', 'certificate']);
    expect(levels.map((l) => levelNames[l].zh)).toEqual(['中级工', '高级工', '技师', '高级技师', '合格证书']);
    expect(isLevel('senior')).toBe(true);
    expect(isLevel('expert')).toBe(false);
  });
});

describe('R-ELIG-3 prerequisite level', () => {
  it('is the next lower skill level for senior and above, none otherwise', () => {
    expect(prerequisiteLevel('senior')).toBe('intermediate');
    expect(prerequisiteLevel('technician')).toBe('senior');
    expect(prerequisiteLevel('senior_technician')).toBe('technician');
    expect(prerequisiteLevel('intermediate')).toBeUndefined();
    expect(prerequisiteLevel('certificate')).toBeUndefined();
  });
});

describe('R-KPI-1 senior level and above', () => {
  it.each([
    ['intermediate', false],
    ['senior', true],
    ['technician', true],
    ['senior_technician', true],
    ['certificate', false],
  ] as const)('%s → %s', (level, expected) => {
    expect(isSeniorOrAbove(level)).toBe(expected);
  });
});

describe('R-OCC-1 occupation and level', () => {
  it('an occupation without skill evaluation allows only certificate', () => {
    expect(checkOccupationLevel(false, 'certificate')).toEqual([]);
    for (const level of ['intermediate', 'senior', 'technician', 'senior_technician'] as const) {
      const issues = checkOccupationLevel(false, level);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ rule: 'R-OCC-1', path: 'level' });
    }
  });

  it('an occupation with skill evaluation allows the four skill levels only', () => {
    for (const level of ['intermediate', 'senior', 'technician', 'senior_technician'] as const) {
      expect(checkOccupationLevel(true, level)).toEqual([]);
    }
    expect(checkOccupationLevel(true, 'certificate')).toMatchObject([{ rule: 'R-OCC-1', path: 'level' }]);
  });
});
