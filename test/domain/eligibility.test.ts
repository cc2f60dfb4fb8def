import { describe, expect, it } from 'vitest';
import { checkTrainee, traineeTags, type TraineeEligibilityInput } from '../../shared/domain/eligibility.js';
import { completeNationalId } from '../../shared/domain/national-id.js';

const eligible: TraineeEligibilityInput = {
  contract: { start: '2025-01-01', end: '2027-12-31' },
  enrolledOn: '2026-03-01',
  skillPosition: true,
  hireDate: '2025-01-01',
  plannedStart: '2026-05-01',
  level: 'intermediate',
  occupationCode: '6-18-01-01',
  idNumber: completeNationalId('32021419950615123'),
};

const rulesOf = (input: TraineeEligibilityInput) => checkTrainee(input).map((i) => i.rule);

describe('checkTrainee', () => {
  it('accepts an eligible trainee', () => {
    expect(checkTrainee(eligible)).toEqual([]);
  });
});

describe('R-ELIG-1 labour contract of 12 months or open-ended, in force on enrolment', () => {
  it('accepts exactly 12 months counting both end dates', () => {
    expect(checkTrainee({ ...eligible, contract: { start: '2025-06-01', end: '2026-05-31' } })).toEqual([]);
  });

  it('refuses 11 months (one day short of 12)', () => {
    expect(checkTrainee({ ...eligible, contract: { start: '2025-06-01', end: '2026-05-30' } })).toMatchObject([
      { rule: 'R-ELIG-1', path: 'contract.end' },
    ]);
  });

  it('accepts an open-ended contract', () => {
    expect(checkTrainee({ ...eligible, contract: { start: '2026-02-01', openEnded: true } })).toEqual([]);
    expect(checkTrainee({ ...eligible, contract: { start: '2026-02-01', end: null, openEnded: true } })).toEqual([]);
  });

  it('R-ELIG-1: refuses an open-ended contract that also gives an end date, even one in force', () => {
    expect(checkTrainee({ ...eligible, contract: { start: '2025-01-01', end: '2025-06-01', openEnded: true } })).toMatchObject([{ rule: 'R-ELIG-1', path: 'contract.end' }]);
    expect(checkTrainee({ ...eligible, contract: { start: '2025-01-01', end: '2030-01-01', openEnded: true } })).toMatchObject([{ rule: 'R-ELIG-1', path: 'contract.end' }]);
  });

  it('R-ELIG-1: refuses a hire date after the enrolment date; the enrolment date itself is fine', () => {
    expect(checkTrainee({ ...eligible, hireDate: '2026-03-02' })).toMatchObject([{ rule: 'R-ELIG-1', path: 'hireDate' }]);
    expect(checkTrainee({ ...eligible, contract: { start: '2026-03-01', openEnded: true }, hireDate: '2026-03-01' })).toEqual([]);
  });

  it('refuses a fixed-term contract without end date', () => {
    expect(rulesOf({ ...eligible, contract: { start: '2025-01-01' } })).toEqual(['R-ELIG-1']);
  });

  it('is in force from its first to its last day', () => {
    const contract = { start: '2025-03-01', end: '2026-03-01' };
    expect(checkTrainee({ ...eligible, contract, enrolledOn: '2025-03-01' })).toEqual([]);
    expect(checkTrainee({ ...eligible, contract, enrolledOn: '2026-03-01' })).toEqual([]);
    expect(checkTrainee({ ...eligible, contract, enrolledOn: '2025-02-28' })).toMatchObject([
      { rule: 'R-ELIG-1', path: 'contract.start' },
    ]);
    expect(checkTrainee({ ...eligible, contract, enrolledOn: '2026-03-02' })).toMatchObject([
      { rule: 'R-ELIG-1', path: 'contract.end' },
    ]);
    expect(checkTrainee({ ...eligible, contract: { start: '2026-04-01', openEnded: true } })).toMatchObject([
      { rule: 'R-ELIG-1', path: 'contract.start' },
    ]);
  });

  it('refuses malformed dates', () => {
    expect(rulesOf({ ...eligible, contract: { start: '2025-02-30', end: '2027-01-01' } })).toEqual(['R-ELIG-1']);
  });
});

describe('R-ELIG-2 skill position', () => {
  it('must be attested', () => {
    expect(checkTrainee({ ...eligible, skillPosition: false })).toMatchObject([{ rule: 'R-ELIG-2', path: 'skillPosition' }]);
  });
});

describe('R-ELIG-3 prerequisite certificate', () => {
  const senior: TraineeEligibilityInput = {
    ...eligible,
    level: 'senior',
    priorCertificate: { level: 'intermediate', occupationCode: eligible.occupationCode, issuedOn: '2024-05-01' },
  };

  it('accepts a certificate held exactly 24 months on the planned start', () => {
    expect(checkTrainee(senior)).toEqual([]);
  });

  it('refuses a certificate held 23 months (one day short)', () => {
    const input = { ...senior, priorCertificate: { ...senior.priorCertificate!, issuedOn: '2024-05-02' } };
    expect(checkTrainee(input)).toMatchObject([{ rule: 'R-ELIG-3', path: 'priorCertificate.issuedOn' }]);
  });

  it('counts Feb 29 and month ends with clamping', () => {
    const base = { ...senior, plannedStart: '2026-02-28' };
    const issued = (issuedOn: string) => ({ ...base, priorCertificate: { ...base.priorCertificate!, issuedOn } });
    expect(checkTrainee(issued('2024-02-29'))).toEqual([]); // + 24 months = 2026-02-28
    expect(rulesOf({ ...issued('2024-02-29'), plannedStart: '2026-02-27' })).toEqual(['R-ELIG-3']);
  });

  it('needs the next lower level: intermediate for senior, senior for technician, technician for senior technician', () => {
    expect(rulesOf({ ...senior, level: 'technician' })).toEqual(['R-ELIG-3']);
    expect(
      checkTrainee({ ...senior, level: 'technician', priorCertificate: { ...senior.priorCertificate!, level: 'senior' } }),
    ).toEqual([]);
    expect(
      checkTrainee({
        ...senior,
        level: 'senior_technician',
        priorCertificate: { ...senior.priorCertificate!, level: 'technician' },
      }),
    ).toEqual([]);
  });

  it('needs the same occupation', () => {
    const input = { ...senior, priorCertificate: { ...senior.priorCertificate!, occupationCode: '4-04-05-01' } };
    expect(checkTrainee(input)).toMatchObject([{ rule: 'R-ELIG-3', path: 'priorCertificate.occupationCode' }]);
  });

  it('refuses senior and above without a certificate', () => {
    for (const level of ['senior', 'technician', 'senior_technician'] as const) {
      expect(checkTrainee({ ...eligible, level, priorCertificate: undefined })).toMatchObject([
        { rule: 'R-ELIG-3', path: 'priorCertificate' },
      ]);
    }
  });

  it('intermediate and certificate need none', () => {
    expect(checkTrainee({ ...eligible, level: 'intermediate' })).toEqual([]);
    expect(checkTrainee({ ...eligible, level: 'certificate' })).toEqual([]);
  });
});

describe('R-ELIG-5 national ID', () => {
  it('refuses an invalid number', () => {
    const id = eligible.idNumber;
    const wrong = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
    expect(checkTrainee({ ...eligible, idNumber: wrong })).toMatchObject([{ rule: 'R-ELIG-5', path: 'idNumber' }]);
  });

  it('refuses a birth date after the enrolment date', () => {
    expect(rulesOf({ ...eligible, idNumber: completeNationalId('32021420260302123') })).toEqual(['R-ELIG-5']);
  });

  it('reports every failing rule at once', () => {
    expect(rulesOf({ ...eligible, skillPosition: false, idNumber: 'x', level: 'senior' })).toEqual([
      'R-ELIG-2',
      'R-ELIG-3',
      'R-ELIG-5',
    ]);
  });
});

describe('R-ELIG-6 statistics tags', () => {
  const plannedStart = '2026-05-01';

  it('derives new_hire for a hire less than 3 years before the planned start', () => {
    expect(traineeTags({ hireDate: '2023-05-02', plannedStart })).toEqual(['new_hire']);
    expect(traineeTags({ hireDate: '2023-05-01', plannedStart })).toEqual([]);
    expect(traineeTags({ hireDate: '2026-06-01', plannedStart })).toEqual(['new_hire']);
  });

  it('ignores a declared new_hire that the dates do not support', () => {
    expect(traineeTags({ hireDate: '2020-01-01', plannedStart, declared: ['new_hire'] })).toEqual([]);
  });

  it('keeps the declared tags, deduplicated, in a stable order, unknown ones dropped', () => {
    expect(
      traineeTags({
        hireDate: '2025-01-01',
        plannedStart,
        declared: ['tech_trainee', 'transferred', 'tech_trainee', 'vip', 'new_graduate', 'new_hire'],
      }),
    ).toEqual(['new_hire', 'transferred', 'new_graduate', 'tech_trainee']);
  });
});
