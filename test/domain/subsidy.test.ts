import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, compareDates, fromEpochDay, toEpochDay } from '../../shared/domain/dates.js';
import { levels } from '../../shared/domain/levels.js';
import {
  buildSubsidyLines,
  cityShareBasisPointsFor,
  divideRoundHalfUp,
  policy2024,
  policyInForce,
  policyVersionProblems,
  splitShares,
  trainingStartOf,
  traineeSubsidy,
  type PolicyVersion,
  type SubsidyTraineeInput,
} from '../../shared/domain/subsidy.js';

const dateArb = fc.integer({ min: toEpochDay('2024-01-01'), max: toEpochDay('2032-12-31') }).map(fromEpochDay);

describe('R-SUB-1 policy table versioned by effective date', () => {
  it('the 2 April 2024 notice: 5000/6000/7000/8000 yuan, certificate 5000, city share 50%', () => {
    expect(policy2024).toMatchObject({
      version: '2024-04-02',
      effectiveFrom: '2024-04-02',
      ratesYuanPerYear: { intermediate: 5000, senior: 6000, technician: 7000, senior_technician: 8000, certificate: 5000 },
      defaultCityShareBasisPoints: 5000,
    });
    expect(policyVersionProblems(policy2024)).toEqual([]);
  });

  it('picks the latest version effective on the date', () => {
    const later: PolicyVersion = { ...policy2024, version: '2027-01-01', effectiveFrom: '2027-01-01' };
    const versions = [later, policy2024];
    expect(policyInForce(versions, '2024-04-01')).toBeUndefined();
    expect(policyInForce(versions, '2024-04-02')).toBe(policy2024);
    expect(policyInForce(versions, '2026-12-31')).toBe(policy2024);
    expect(policyInForce(versions, '2027-01-01')).toBe(later);
  });

  it('flags an invalid version', () => {
    expect(
      policyVersionProblems({ ...policy2024, defaultCityShareBasisPoints: 10_001, ratesYuanPerYear: { ...policy2024.ratesYuanPerYear, senior: 60.5 } }),
    ).toHaveLength(2);
  });
});

describe('R-SUB-2 per-trainee amount', () => {
  const base = {
    level: 'intermediate' as const,
    policy: policy2024,
    trainingStart: '2026-05-01',
    plannedStart: '2026-05-01',
    plannedEnd: '2027-10-31',
  };

  it('SPEC example: 2026-05-01 → assessed 2027-09-15 = 16 months, 666,667 fen at 5000 yuan', () => {
    expect(traineeSubsidy({ ...base, assessedOn: '2027-09-15' })).toEqual({
      months: 16,
      plannedMonths: 18,
      rateFenPerYear: 500_000,
      amountFen: 666_667,
    });
  });

  it('counts the assessment day: assessed on 2027-08-31 is already 16 months', () => {
    expect(traineeSubsidy({ ...base, assessedOn: '2027-08-31' }).months).toBe(16);
    expect(traineeSubsidy({ ...base, assessedOn: '2027-08-30' }).months).toBe(15);
  });

  it('never pays more than the planned months', () => {
    expect(traineeSubsidy({ ...base, assessedOn: '2027-10-31' })).toMatchObject({ months: 18, amountFen: 750_000 });
    expect(traineeSubsidy({ ...base, assessedOn: '2028-03-01' })).toMatchObject({ months: 18, amountFen: 750_000 });
  });

  it('starts from the day training began when that is later than the planned start', () => {
    const trainingStart = trainingStartOf('2026-05-01', '2026-05-20');
    expect(trainingStart).toBe('2026-05-20');
    expect(trainingStartOf('2026-05-01', '2026-04-20')).toBe('2026-05-01');
    expect(trainingStartOf('2026-05-01')).toBe('2026-05-01');
    expect(traineeSubsidy({ ...base, trainingStart, assessedOn: '2027-09-15' }).months).toBe(15);
  });

  it.each([
    ['senior', 800_000],
    ['technician', 933_333],
    ['senior_technician', 1_066_667],
    ['certificate', 666_667],
  ] as const)('%s for 16 months: %i fen', (level, amountFen) => {
    expect(traineeSubsidy({ ...base, level, assessedOn: '2027-09-15' }).amountFen).toBe(amountFen);
  });

  it('pays nothing for an assessment before a whole month', () => {
    expect(traineeSubsidy({ ...base, assessedOn: '2026-05-30' })).toMatchObject({ months: 0, amountFen: 0 });
    expect(traineeSubsidy({ ...base, assessedOn: '2026-04-01' })).toMatchObject({ months: 0, amountFen: 0 });
  });

  it('rounds half up exactly, on integers', () => {
    expect(divideRoundHalfUp(6n, 12n)).toBe(1n); // 0.5 → 1
    expect(divideRoundHalfUp(5n, 12n)).toBe(0n);
    expect(divideRoundHalfUp(18n, 12n)).toBe(2n); // 1.5 → 2
    expect(divideRoundHalfUp(29n, 12n)).toBe(2n); // 2.4166… → 2
    expect(divideRoundHalfUp(0n, 12n)).toBe(0n);
  });

  it('amounts are whole fen, months never exceed planned months, and amount = rate × months / 12 ± ½ fen', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...levels),
        dateArb,
        fc.integer({ min: 0, max: 1200 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: -100, max: 1500 }),
        (level, plannedStart, periodDays, lateStart, assessedAfter) => {
          const plannedEnd = addDays(plannedStart, periodDays);
          const trainingStart = addDays(plannedStart, lateStart);
          const assessedOn = addDays(trainingStart, assessedAfter);
          const r = traineeSubsidy({ level, policy: policy2024, trainingStart, assessedOn, plannedStart, plannedEnd });
          expect(Number.isSafeInteger(r.amountFen)).toBe(true);
          expect(r.amountFen).toBeGreaterThanOrEqual(0);
          expect(r.months).toBeLessThanOrEqual(r.plannedMonths);
          expect(r.months).toBeGreaterThanOrEqual(0);
          const twelveTimes = r.amountFen * 12;
          const exact = r.rateFenPerYear * r.months;
          expect(Math.abs(twelveTimes - exact)).toBeLessThanOrEqual(6);
          if (compareDates(assessedOn, trainingStart) < 0) expect(r.amountFen).toBe(0);
        },
      ),
    );
  });
});

describe('R-SUB-5 city and district shares', () => {
  it('splits by the basis points, the city share rounded half up', () => {
    expect(splitShares(666_667, 5000)).toEqual({ cityShareFen: 333_334, districtShareFen: 333_333 });
    expect(splitShares(1, 5000)).toEqual({ cityShareFen: 1, districtShareFen: 0 });
    expect(splitShares(3, 5000)).toEqual({ cityShareFen: 2, districtShareFen: 1 });
    expect(splitShares(1000, 3333)).toEqual({ cityShareFen: 333, districtShareFen: 667 });
    expect(splitShares(1000, 0)).toEqual({ cityShareFen: 0, districtShareFen: 1000 });
    expect(splitShares(1000, 10_000)).toEqual({ cityShareFen: 1000, districtShareFen: 0 });
  });

  it('refuses fractional or out-of-range inputs', () => {
    expect(() => splitShares(10.5, 5000)).toThrow(RangeError);
    expect(() => splitShares(-1, 5000)).toThrow(RangeError);
    expect(() => splitShares(100, 10_001)).toThrow(RangeError);
    expect(() => splitShares(100, 50.5)).toThrow(RangeError);
  });

  it('shares always add up to the amount exactly and are non-negative whole fen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 10_000 }), (amount, bp) => {
        const { cityShareFen, districtShareFen } = splitShares(amount, bp);
        expect(cityShareFen + districtShareFen).toBe(amount);
        expect(cityShareFen).toBeGreaterThanOrEqual(0);
        expect(districtShareFen).toBeGreaterThanOrEqual(0);
        expect(Number.isSafeInteger(cityShareFen)).toBe(true);
        // within half a fen of the exact share
        const diff = BigInt(cityShareFen) * 10_000n - BigInt(amount) * BigInt(bp);
        expect(diff >= -5000n && diff <= 5000n).toBe(true);
      }),
    );
  });

  it('uses the per-district ratio, else the default', () => {
    const policy = { ...policy2024, cityShareBasisPointsByDistrict: { '320214': 3000 } };
    expect(cityShareBasisPointsFor(policy, '320214')).toBe(3000);
    expect(cityShareBasisPointsFor(policy, '320213')).toBe(5000);
    expect(cityShareBasisPointsFor(policy, 'toString')).toBe(5000);
  });
});

describe('R-SUB-3/R-SUB-4 subsidy lines per (payee enterprise, payer bureau)', () => {
  const t = (over: Partial<SubsidyTraineeInput> & { traineeId: string }): SubsidyTraineeInput => ({
    enterpriseId: 'E1',
    insuredDistrict: '320214',
    payerBureauId: 'HR-320214',
    passed: true,
    departed: false,
    amountFen: 666_667,
    ...over,
  });

  it('groups passed trainees by enterprise and payer bureau, in a deterministic order', () => {
    const policy = { ...policy2024, cityShareBasisPointsByDistrict: { '320213': 6000 } };
    const lines = buildSubsidyLines(
      [
        t({ traineeId: 'T3' }),
        t({ traineeId: 'T1' }),
        t({ traineeId: 'T2', insuredDistrict: '320213', payerBureauId: 'HR-320213', amountFen: 800_000 }),
        t({ traineeId: 'T4', enterpriseId: 'E0', amountFen: 100 }),
      ],
      policy,
    );
    expect(lines).toEqual([
      { payeeId: 'E0', payerBureauId: 'HR-320214', district: '320214', traineeIds: ['T4'], amountFen: 100, cityShareFen: 50, districtShareFen: 50 },
      { payeeId: 'E1', payerBureauId: 'HR-320213', district: '320213', traineeIds: ['T2'], amountFen: 800_000, cityShareFen: 480_000, districtShareFen: 320_000 },
      { payeeId: 'E1', payerBureauId: 'HR-320214', district: '320214', traineeIds: ['T1', 'T3'], amountFen: 1_333_334, cityShareFen: 666_667, districtShareFen: 666_667 },
    ]);
  });

  it('R-SUB-3 pays nothing for failed or departed trainees and omits empty lines', () => {
    const lines = buildSubsidyLines(
      [
        t({ traineeId: 'T1', passed: false }),
        t({ traineeId: 'T2', departed: true }),
        t({ traineeId: 'T3', enterpriseId: 'E2', amountFen: 0 }),
        t({ traineeId: 'T4', enterpriseId: 'E3' }),
      ],
      policy2024,
    );
    expect(lines.map((l) => [l.payeeId, l.traineeIds])).toEqual([['E3', ['T4']]]);
    expect(buildSubsidyLines([], policy2024)).toEqual([]);
  });

  it('refuses inconsistent input rather than guess the district', () => {
    expect(() =>
      buildSubsidyLines([t({ traineeId: 'T1' }), t({ traineeId: 'T2', insuredDistrict: '320213' })], policy2024),
    ).toThrow(RangeError);
    expect(() => buildSubsidyLines([t({ traineeId: 'T1', amountFen: 1.5 })], policy2024)).toThrow(RangeError);
  });

  const traineesArb = fc.array(
    fc.record({
      traineeId: fc.string({ minLength: 1, maxLength: 6 }),
      enterpriseId: fc.constantFrom('E1', 'E2', 'E3'),
      district: fc.constantFrom('320213', '320214', '320281'),
      passed: fc.boolean(),
      departed: fc.boolean(),
      amountFen: fc.integer({ min: 0, max: 1_200_000 }),
    }),
    { maxLength: 40 },
  );
  const policyArb = fc
    .record({ def: fc.integer({ min: 0, max: 10_000 }), d: fc.integer({ min: 0, max: 10_000 }) })
    .map(({ def, d }): PolicyVersion => ({ ...policy2024, defaultCityShareBasisPoints: def, cityShareBasisPointsByDistrict: { '320281': d } }));

  it('property: line amounts sum to the passed, non-departed trainee amounts; every line splits exactly', () => {
    fc.assert(
      fc.property(traineesArb, policyArb, (raw, policy) => {
        const trainees = raw.map((r) =>
          t({ ...r, insuredDistrict: r.district, payerBureauId: `HR-${r.district}` }),
        );
        const lines = buildSubsidyLines(trainees, policy);
        const expected = trainees.filter((x) => x.passed && !x.departed).reduce((s, x) => s + x.amountFen, 0);
        expect(lines.reduce((s, l) => s + l.amountFen, 0)).toBe(expected);
        const keys = lines.map((l) => `${l.payeeId}|${l.payerBureauId}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect([...keys].sort()).toEqual(keys);
        for (const l of lines) {
          expect(l.amountFen).toBeGreaterThan(0);
          expect(l.cityShareFen + l.districtShareFen).toBe(l.amountFen);
          expect(l.cityShareFen).toBeGreaterThanOrEqual(0);
          expect(l.districtShareFen).toBeGreaterThanOrEqual(0);
          expect([...l.traineeIds].sort()).toEqual(l.traineeIds);
        }
        // deterministic: input order does not matter
        expect(buildSubsidyLines([...trainees].reverse(), policy)).toEqual(lines);
      }),
    );
  });
});
