import { issue, type RuleIssue } from './messages.js';

/** Training levels (§九); `certificate` is for occupations without skill-level evaluation. */
export const levels = ['intermediate', 'senior', 'technician', 'senior_technician', 'certificate'] as const;
export type Level = (typeof levels)[number];

export const levelNames: Record<Level, { en: string; zh: string }> = {
  intermediate: { en: 'intermediate', zh: '中级工' },
  senior: { en: 'senior', zh: '高级工' },
  technician: { en: 'technician', zh: '技师' },
  senior_technician: { en: 'senior technician', zh: '高级技师' },
  certificate: { en: 'certificate of completion', zh: '合格证书' },
};

export function isLevel(s: unknown): s is Level {
  return typeof s === 'string' && (levels as readonly string[]).includes(s);
}

/** The four skill levels (职业技能等级). */
export const skillLevels = ['intermediate', 'senior', 'technician', 'senior_technician'] as const satisfies readonly Level[];

const PREREQUISITE: Partial<Record<Level, Level>> = {
  senior: 'intermediate',
  technician: 'senior',
  senior_technician: 'technician',
};

/** R-ELIG-3: the certificate level a trainee needs before this level, if any. */
export function prerequisiteLevel(level: Level): Level | undefined {
  return PREREQUISITE[level];
}

/** R-KPI-1: 高级工以上 — senior, technician, senior technician. */
export function isSeniorOrAbove(level: Level): boolean {
  return level === 'senior' || level === 'technician' || level === 'senior_technician';
}

/**
 * R-OCC-1: an occupation without skill-level evaluation allows only `certificate`;
 * one with skill-level evaluation allows only the four skill levels.
 */
export function checkOccupationLevel(skillEvaluation: boolean, level: Level): RuleIssue[] {
  if (!isLevel(level)) {
    return [issue('R-OCC-1', { en: `Unknown level: ${String(level)}`, zh: `未知的培训等级：${String(level)}` }, 'level')];
  }
  if (!skillEvaluation && level !== 'certificate') {
    return [
      issue(
        'R-OCC-1',
        {
          en: `The occupation has no skill-level evaluation: only level 'certificate' is allowed, not '${level}'`,
          zh: `该职业（工种）尚未开展技能等级评价，只能选择合格证书，不能选择${levelNames[level].zh}`,
        },
        'level',
      ),
    ];
  }
  if (skillEvaluation && level === 'certificate') {
    return [
      issue(
        'R-OCC-1',
        {
          en: "The occupation has skill-level evaluation: choose a skill level, not 'certificate'",
          zh: '该职业（工种）已开展技能等级评价，应选择技能等级，不能选择合格证书',
        },
        'level',
      ),
    ];
  }
  return [];
}
