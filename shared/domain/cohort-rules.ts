/** Class design rules (§二(二)–(四)): period, curriculum, mentors. */
import { compareDates, isIsoDate, periodMonths, type IsoDate } from './dates.js';
import { issue, type RuleIssue } from './messages.js';

export const minPeriodMonths = 12;
export const maxRegularPeriodMonths = 24;
export const maxExtendedPeriodMonths = 36;

/**
 * R-PERIOD-1: 12–24 months; 25–36 only with an extension reason (特殊情况可延长至3年);
 * more than 36, less than 12, or an end before the start is refused. Both end dates count.
 */
export function checkPeriod(input: { plannedStart: IsoDate; plannedEnd: IsoDate; extensionReason?: string | null }): RuleIssue[] {
  const { plannedStart, plannedEnd, extensionReason } = input;
  const rule = 'R-PERIOD-1';
  const bad: RuleIssue[] = [];
  if (!isIsoDate(plannedStart)) bad.push(issue(rule, { en: 'Planned start is not a date (YYYY-MM-DD)', zh: '计划开始日期无效' }, 'plannedStart'));
  if (!isIsoDate(plannedEnd)) bad.push(issue(rule, { en: 'Planned end is not a date (YYYY-MM-DD)', zh: '计划结束日期无效' }, 'plannedEnd'));
  if (bad.length > 0) return bad;
  if (compareDates(plannedEnd, plannedStart) < 0) {
    return [issue(rule, { en: 'The planned end is before the planned start', zh: '计划结束日期早于开始日期' }, 'plannedEnd')];
  }
  const months = periodMonths(plannedStart, plannedEnd);
  if (months < minPeriodMonths) {
    return [
      issue(
        rule,
        { en: `The training period is ${months} months; it must be at least 12`, zh: `培训期限为${months}个月，不得少于12个月` },
        'plannedEnd',
      ),
    ];
  }
  if (months > maxExtendedPeriodMonths) {
    return [
      issue(
        rule,
        { en: `The training period is ${months} months; it may not exceed 36`, zh: `培训期限为${months}个月，最长不得超过36个月` },
        'plannedEnd',
      ),
    ];
  }
  if (months > maxRegularPeriodMonths && (extensionReason ?? '').trim() === '') {
    return [
      issue(
        rule,
        {
          en: `The training period is ${months} months; over 24 months needs an extension reason`,
          zh: `培训期限为${months}个月，超过24个月须说明延长理由`,
        },
        'extensionReason',
      ),
    ];
  }
  return [];
}

export interface CurriculumHours {
  /** 通用素质 */
  generalHours: number;
  /** 专业理论 */
  theoryHours: number;
  /** 技能实训 */
  practiceHours: number;
  /** Hours taught online, part of the three above (线上课时). */
  onlineHours: number;
}

/** Default shares general : theory : practice = 1 : 3 : 6, in percent (R-CURR-2). */
export const defaultCurriculumSharesPercent = { generalHours: 10, theoryHours: 30, practiceHours: 60 } as const;
/** R-CURR-1: online ≤ 40 % of total. */
export const maxOnlinePercent = 40;
/** R-CURR-2: a deviation above this many percentage points gives a warning. */
export const curriculumTolerancePoints = 10;

const SHARE_NAMES = {
  generalHours: { en: 'general', zh: '通用素质' },
  theoryHours: { en: 'theory', zh: '专业理论' },
  practiceHours: { en: 'practice', zh: '技能实训' },
} as const;

/**
 * R-CURR-1 (error): online hours ≤ 40 % of total hours (general + theory + practice).
 * R-CURR-2 (warning): any share deviating more than 10 points from 10/30/60.
 * R-CURR-3 (warning): online hours above general + theory (practice is done offline).
 * All comparisons are on integers (100 × hours vs percent × total), never on fractions.
 */
export function checkCurriculum(hours: CurriculumHours): { errors: RuleIssue[]; warnings: RuleIssue[] } {
  const errors: RuleIssue[] = [];
  const warnings: RuleIssue[] = [];
  for (const key of ['generalHours', 'theoryHours', 'practiceHours', 'onlineHours'] as const) {
    const v = hours[key];
    if (!Number.isSafeInteger(v) || v < 0) {
      errors.push(issue('R-CURR-1', { en: `${key} must be a whole number of hours ≥ 0`, zh: '课时须为非负整数' }, key));
    }
  }
  if (errors.length > 0) return { errors, warnings };

  const { generalHours, theoryHours, practiceHours, onlineHours } = hours;
  const total = generalHours + theoryHours + practiceHours;
  if (total <= 0) {
    errors.push(issue('R-CURR-1', { en: 'The curriculum has no hours', zh: '培训总课时须大于0' }, 'practiceHours'));
    return { errors, warnings };
  }
  if (100 * onlineHours > maxOnlinePercent * total) {
    errors.push(
      issue(
        'R-CURR-1',
        {
          en: `Online hours (${onlineHours}) exceed 40% of the ${total} total hours`,
          zh: `线上课时（${onlineHours}）超过总课时（${total}）的40%`,
        },
        'onlineHours',
      ),
    );
  }
  for (const key of ['generalHours', 'theoryHours', 'practiceHours'] as const) {
    const expected = defaultCurriculumSharesPercent[key];
    if (Math.abs(100 * hours[key] - expected * total) > curriculumTolerancePoints * total) {
      const name = SHARE_NAMES[key];
      warnings.push(
        issue(
          'R-CURR-2',
          {
            en: `The ${name.en} share deviates more than 10 percentage points from ${expected}% (1:3:6)`,
            zh: `${name.zh}课时占比偏离${expected}%超过10个百分点（建议1:3:6）`,
          },
          key,
        ),
      );
    }
  }
  if (onlineHours > generalHours + theoryHours) {
    warnings.push(
      issue(
        'R-CURR-3',
        {
          en: `Online hours (${onlineHours}) exceed general + theory hours (${generalHours + theoryHours}); practice should be offline`,
          zh: `线上课时（${onlineHours}）超过通用素质与专业理论课时之和（${generalHours + theoryHours}），技能实操应在线下完成`,
        },
        'onlineHours',
      ),
    );
  }
  return { errors, warnings };
}

export type MentorKind = 'enterprise' | 'school';

/** R-MENTOR-1 (双导师): at least one enterprise mentor and one school mentor before submission. */
export function checkMentors(mentors: readonly { kind: MentorKind }[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (!mentors.some((m) => m.kind === 'enterprise')) {
    issues.push(issue('R-MENTOR-1', { en: 'At least one enterprise mentor is required', zh: '至少需要一名企业导师' }, 'mentors'));
  }
  if (!mentors.some((m) => m.kind === 'school')) {
    issues.push(issue('R-MENTOR-1', { en: 'At least one school mentor is required', zh: '至少需要一名院校导师' }, 'mentors'));
  }
  return issues;
}
