/** Eligibility of trainees (§二(一)): R-ELIG-1, -2, -3, -5, and the statistics tags of R-ELIG-6. */
import { addMonths, compareDates, isIsoDate, periodMonths, wholeMonths, type IsoDate } from './dates.js';
import { levelNames, prerequisiteLevel, type Level } from './levels.js';
import { issue, type RuleIssue } from './messages.js';
import { nationalIdProblem } from './national-id.js';

export interface LabourContract {
  start: IsoDate;
  /** Inclusive last day; absent for an open-ended contract (无固定期限). */
  end?: IsoDate | null;
  openEnded?: boolean;
}

export interface PriorCertificate {
  level: Level;
  occupationCode: string;
  issuedOn: IsoDate;
}

export interface TraineeEligibilityInput {
  contract: LabourContract;
  enrolledOn: IsoDate;
  skillPosition: boolean;
  hireDate: IsoDate;
  plannedStart: IsoDate;
  level: Level;
  occupationCode: string;
  priorCertificate?: PriorCertificate | null;
  /** Normalised (see normalizeNationalId). */
  idNumber: string;
}

export const minContractMonths = 12;
export const prerequisiteHeldMonths = 24;

/** All eligibility errors of one trainee; empty when eligible. */
export function checkTrainee(input: TraineeEligibilityInput): RuleIssue[] {
  return [...checkContract(input), ...checkSkillPosition(input), ...checkPrerequisite(input), ...checkIdNumber(input)];
}

/**
 * R-ELIG-1: a labour contract of at least 12 months (both end dates counted) or open-ended,
 * in force on the enrolment date.
 */
function checkContract({ contract, enrolledOn, hireDate }: TraineeEligibilityInput): RuleIssue[] {
  const rule = 'R-ELIG-1';
  const bad: RuleIssue[] = [];
  if (!isIsoDate(contract.start)) bad.push(issue(rule, { en: 'Contract start is not a date', zh: '劳动合同起始日期无效' }, 'contract.start'));
  if (!contract.openEnded && contract.end != null && !isIsoDate(contract.end)) {
    bad.push(issue(rule, { en: 'Contract end is not a date', zh: '劳动合同终止日期无效' }, 'contract.end'));
  }
  if (!isIsoDate(enrolledOn)) bad.push(issue(rule, { en: 'Enrolment date is not a date', zh: '报名日期无效' }, 'enrolledOn'));
  if (bad.length > 0) return bad;

  const issues: RuleIssue[] = [];
  // Contradictions a form would not allow: an open-ended contract with an end date, or a hire date
  // after the enrolment date (the trainee must already be the enterprise's employee).
  if (contract.openEnded && contract.end != null) {
    issues.push(issue(rule, { en: 'An open-ended contract has no end date', zh: '无固定期限劳动合同不应填写终止日期' }, 'contract.end'));
  }
  if (isIsoDate(hireDate) && compareDates(hireDate, enrolledOn) > 0) {
    issues.push(issue(rule, { en: `Hired after the enrolment date ${enrolledOn}`, zh: `入职日期晚于报名日${enrolledOn}` }, 'hireDate'));
  }
  const end = contract.openEnded ? undefined : (contract.end ?? undefined);
  if (!contract.openEnded) {
    if (end === undefined) {
      issues.push(
        issue(rule, { en: 'A fixed-term contract needs an end date', zh: '固定期限劳动合同须填写终止日期' }, 'contract.end'),
      );
    } else if (compareDates(end, contract.start) < 0 || periodMonths(contract.start, end) < minContractMonths) {
      issues.push(
        issue(
          rule,
          {
            en: 'The labour contract must run at least 12 months or be open-ended',
            zh: '须与企业签订1年以上或无固定期限劳动合同',
          },
          'contract.end',
        ),
      );
    }
  }
  const started = compareDates(contract.start, enrolledOn) <= 0;
  const notEnded = end === undefined || compareDates(enrolledOn, end) <= 0;
  if (!started || !notEnded) {
    issues.push(
      issue(
        rule,
        { en: `The labour contract is not in force on the enrolment date ${enrolledOn}`, zh: `报名日${enrolledOn}劳动合同不在有效期内` },
        started ? 'contract.end' : 'contract.start',
      ),
    );
  }
  return issues;
}

/** R-ELIG-2: the enterprise attests a skill position (技能岗位). */
function checkSkillPosition({ skillPosition }: TraineeEligibilityInput): RuleIssue[] {
  return skillPosition === true
    ? []
    : [issue('R-ELIG-2', { en: 'The trainee must hold a skill position', zh: '学徒须为技能岗位职工' }, 'skillPosition')];
}

/**
 * R-ELIG-3: senior and above need a certificate of the next lower level in the same occupation,
 * issued at least 24 whole months before the planned start (取得低一等级证书且满2年).
 */
function checkPrerequisite({ level, occupationCode, priorCertificate, plannedStart }: TraineeEligibilityInput): RuleIssue[] {
  const needed = prerequisiteLevel(level);
  if (needed === undefined) return [];
  const rule = 'R-ELIG-3';
  const neededName = levelNames[needed];
  if (!priorCertificate) {
    return [
      issue(
        rule,
        { en: `Level ${level} needs a prior ${neededName.en} certificate`, zh: `参加${levelNames[level].zh}培训须持有${neededName.zh}证书` },
        'priorCertificate',
      ),
    ];
  }
  const issues: RuleIssue[] = [];
  if (priorCertificate.level !== needed) {
    issues.push(
      issue(
        rule,
        { en: `The prior certificate must be of level ${needed}`, zh: `须持有${neededName.zh}证书` },
        'priorCertificate.level',
      ),
    );
  }
  if (priorCertificate.occupationCode !== occupationCode) {
    issues.push(
      issue(
        rule,
        { en: 'The prior certificate must be in the same occupation', zh: '证书须为同一职业（工种）' },
        'priorCertificate.occupationCode',
      ),
    );
  }
  if (!isIsoDate(priorCertificate.issuedOn) || !isIsoDate(plannedStart)) {
    issues.push(issue(rule, { en: 'Certificate issue date is not a date', zh: '证书发证日期无效' }, 'priorCertificate.issuedOn'));
  } else if (wholeMonths(priorCertificate.issuedOn, plannedStart) < prerequisiteHeldMonths) {
    issues.push(
      issue(
        rule,
        {
          en: `The prior certificate must be held for at least 24 months on the planned start ${plannedStart}`,
          zh: `至计划开班日${plannedStart}，低一等级证书取得须满2年`,
        },
        'priorCertificate.issuedOn',
      ),
    );
  }
  return issues;
}

/** R-ELIG-5: valid national ID number (birth date not after the enrolment date). */
function checkIdNumber({ idNumber, enrolledOn }: TraineeEligibilityInput): RuleIssue[] {
  const problem = nationalIdProblem(idNumber, isIsoDate(enrolledOn) ? enrolledOn : undefined);
  return problem === undefined
    ? []
    : [issue('R-ELIG-5', { en: `Invalid national ID number: ${problem}`, zh: '居民身份证号码无效' }, 'idNumber')];
}

/** R-ELIG-6 statistics tags, in this order. */
export const traineeTagValues = ['new_hire', 'transferred', 'new_graduate', 'tech_trainee'] as const;
export type TraineeTag = (typeof traineeTagValues)[number];

/**
 * R-ELIG-6: `new_hire` is derived (hired less than 3 years before the planned start:
 * hireDate + 36 months > plannedStart), whatever was declared; the other tags come from the
 * declaration. Unknown tags are dropped; the result is deduplicated in traineeTagValues order.
 */
export function traineeTags(input: { hireDate: IsoDate; plannedStart: IsoDate; declared?: readonly string[] | null }): TraineeTag[] {
  const tags = new Set<string>((input.declared ?? []).filter((t) => t !== 'new_hire'));
  if (compareDates(addMonths(input.hireDate, 36), input.plannedStart) > 0) tags.add('new_hire');
  return traineeTagValues.filter((t) => tags.has(t));
}
