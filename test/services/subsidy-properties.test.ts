/**
 * Property tests of the subsidy engine (R-SUB-2..5, R-JOINT-3, R-ROUTE-2) over random classes:
 * random enterprises, insured districts (some without their own bureau, paid by the city's),
 * outcomes, assessment dates in the R-ASSESS-1 window, levels, planned periods of 12–36 months,
 * training that started late, and policy versions with per-district cost-sharing ratios.
 *
 * SubsidyService.computeLines runs unchanged (only the organisation lookup is stubbed); the
 * expected values come from a separate, deliberately naive computation in this file.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SubsidyService, type SubsidyLine } from '../../shared/services/subsidy.js';
import type { OrganizationService, Organization } from '../../shared/services/organizations.js';
import type { PolicyService } from '../../shared/services/policy.js';
import type { Store } from '../../shared/db/store.js';
import type { Cohort, Trainee } from '../../shared/services/cohorts/model.js';
import { levels, type Level } from '../../shared/domain/levels.js';
import { buildSubsidyLines, divideRoundHalfUp, splitShares, type PolicyVersion } from '../../shared/domain/subsidy.js';

// ---- an independent model of R-SUB-2 (calendar arithmetic through Date.UTC, money through BigInt) ----

const utc = (iso: string) => { const [y, m, d] = iso.split('-').map(Number); return Date.UTC(y!, m! - 1, d!); };
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const plusDays = (d: string, n: number) => iso(utc(d) + n * 86_400_000);
/** d + n calendar months, a day past the month's end clamped to its last day. */
function plusMonths(d: string, n: number): string {
  const [y, m, day] = d.split('-').map(Number);
  const first = new Date(Date.UTC(y!, m! - 1 + n, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return iso(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(day!, last)));
}
/** Largest n with a + n months ≤ b, by counting (slow and obvious). */
function monthsBetween(a: string, b: string): number {
  let n = 0;
  while (plusMonths(a, n + 1) <= b) n++;
  return n;
}
function naiveAmount(rateYuan: number, trainingStart: string, assessedOn: string, plannedStart: string, plannedEnd: string) {
  const months = Math.min(monthsBetween(trainingStart, plusDays(assessedOn, 1)), monthsBetween(plannedStart, plusDays(plannedEnd, 1)));
  // rate × months / 12, half up: floor((2·rate·months + 12) / 24) in fen.
  const fen = (BigInt(rateYuan) * 100n * BigInt(months) * 2n + 12n) / 24n;
  return { months, amountFen: Number(fen) };
}

// ---- random classes ----

const DISTRICTS = ['320205', '320206', '320211', '320213', '320214', '320281', '320282', '320271'] as const;
/** 320271 has no bureau of its own: its trainees are paid by the municipal bureau (R-ROUTE-2 fallback). */
const bureauOfDistrict = (d: string) => (d === '320271' ? 'B320200' : `B${d}`);
const districtOfBureau = (b: string) => b.slice(1);

const policyArb = fc.record({
  rates: fc.record(Object.fromEntries(levels.map((l) => [l, fc.integer({ min: 1, max: 50_000 })])) as Record<Level, fc.Arbitrary<number>>),
  defaultBp: fc.integer({ min: 0, max: 10_000 }),
  byDistrict: fc.dictionary(fc.constantFrom(...DISTRICTS, '320200'), fc.integer({ min: 0, max: 10_000 }), { maxKeys: 6 }),
}).map(({ rates, defaultBp, byDistrict }): PolicyVersion => ({
  version: 'random', effectiveFrom: '2024-04-02', ratesYuanPerYear: rates, defaultCityShareBasisPoints: defaultBp, cityShareBasisPointsByDistrict: byDistrict,
}));

const dayArb = (from: string, to: string) => fc.integer({ min: 0, max: Math.round((utc(to) - utc(from)) / 86_400_000) }).map((n) => plusDays(from, n));

const classArb = fc
  .record({
    level: fc.constantFrom(...levels),
    plannedStart: dayArb('2024-04-02', '2030-12-31'),
    months: fc.integer({ min: 12, max: 36 }),
    extraDays: fc.integer({ min: 0, max: 27 }),
    // Training may start before, on or after the planned start (R-SUB-2 takes the later).
    trainingOffset: fc.option(fc.integer({ min: -60, max: 90 }), { nil: undefined }),
    enterprises: fc.integer({ min: 1, max: 8 }),
    policy: policyArb,
  })
  .chain((c) => {
    const plannedEnd = plusDays(plusMonths(c.plannedStart, c.months), c.extraDays - 1);
    const windowFrom = plusMonths(plannedEnd, -3);
    const trainee = fc.record({
      enterprise: fc.integer({ min: 0, max: c.enterprises - 1 }),
      district: fc.constantFrom(...DISTRICTS),
      outcome: fc.constantFrom('passed', 'passed', 'passed', 'failed', 'departed'),
      assessedOn: dayArb(windowFrom, plannedEnd),
    });
    return fc.record({ c: fc.constant({ ...c, plannedEnd }), trainees: fc.array(trainee, { minLength: 0, maxLength: 60 }) });
  });

type Generated = typeof classArb extends fc.Arbitrary<infer T> ? T : never;

function materialise({ c, trainees }: Generated) {
  const enteredTrainingOn = c.trainingOffset === undefined ? undefined : plusDays(c.plannedStart, c.trainingOffset);
  const cohort = {
    id: '01JCOHORTPROPERTY000000000', level: c.level, plannedStart: c.plannedStart, plannedEnd: c.plannedEnd,
    ...(enteredTrainingOn ? { enteredTrainingOn } : {}),
  } as unknown as Cohort;
  const list: Trainee[] = trainees.map((t, i) => ({
    id: `T${String(i).padStart(3, '0')}`,
    enterpriseId: `E${t.enterprise}`,
    name: `学徒${i}`,
    insuredDistrict: t.district,
    bureauId: bureauOfDistrict(t.district),
    status: t.outcome as Trainee['status'],
    ...(t.outcome === 'departed'
      ? { departure: { leftOn: c.plannedStart, reportedOn: c.plannedStart, reportedAt: '', lateReport: false } }
      : { assessment: { passed: t.outcome === 'passed', method: 'third_party', assessedOn: t.assessedOn, recordedAt: '', recordedBy: '' } }),
  }) as unknown as Trainee);
  return { cohort, trainees: list, policy: c.policy, trainingStart: enteredTrainingOn && enteredTrainingOn > c.plannedStart ? enteredTrainingOn : c.plannedStart };
}

/** The engine with only the bureau lookup stubbed: bureau B<district> sits in <district>. */
const organizations = {
  findMany: async (ids: string[]) => new Map(ids.map((id) => [id, { id, kind: 'hr_bureau', district: districtOfBureau(id) } as Organization])),
} as unknown as OrganizationService;
const engine = new SubsidyService(undefined as unknown as Store, organizations, undefined as unknown as PolicyService);
const compute = (g: ReturnType<typeof materialise>) => engine.computeLines(g.cohort, g.trainees, g.policy, '2030-01-01T00:00:00.000Z');

const runs = { numRuns: 300 };

describe('subsidy engine properties (R-SUB-2..5, R-JOINT-3, R-ROUTE-2)', () => {
  it('R-SUB-2/3: the lines add up to the sum of every passed, not departed trainee’s amount, each computed independently', async () => {
    await fc.assert(
      fc.asyncProperty(classArb, async (gen) => {
        const g = materialise(gen);
        const lines = await compute(g);
        let expected = 0n;
        for (const t of g.trainees) {
          if (t.status !== 'passed') continue;
          expected += BigInt(naiveAmount(g.policy.ratesYuanPerYear[g.cohort.level], g.trainingStart, t.assessment!.assessedOn, g.cohort.plannedStart, g.cohort.plannedEnd).amountFen);
        }
        expect(lines.reduce((s, l) => s + BigInt(l.amountFen), 0n)).toBe(expected);
        // Each trainee's detail is the independent value too, and never exceeds the planned months.
        for (const l of lines) {
          for (const d of l.trainees) {
            const t = g.trainees.find((x) => x.id === d.traineeId)!;
            const naive = naiveAmount(g.policy.ratesYuanPerYear[g.cohort.level], g.trainingStart, t.assessment!.assessedOn, g.cohort.plannedStart, g.cohort.plannedEnd);
            expect({ months: d.months, amountFen: d.amountFen }).toEqual(naive);
            expect(d.months).toBeLessThanOrEqual(d.plannedMonths);
            expect(d.trainingStart).toBe(g.trainingStart);
          }
          expect(l.amountFen).toBe(l.trainees.reduce((s, d) => s + d.amountFen, 0));
        }
      }),
      runs,
    );
  });

  it('R-SUB-5: on every line city + district share = amount, both ≥ 0, the city share is the ratio rounded half up', async () => {
    await fc.assert(
      fc.asyncProperty(classArb, async (gen) => {
        const g = materialise(gen);
        for (const l of await compute(g)) {
          expect(l.cityShareFen + l.districtShareFen).toBe(l.amountFen);
          expect(l.cityShareFen).toBeGreaterThanOrEqual(0);
          expect(l.districtShareFen).toBeGreaterThanOrEqual(0);
          const bp = Object.hasOwn(g.policy.cityShareBasisPointsByDistrict, l.district) ? g.policy.cityShareBasisPointsByDistrict[l.district]! : g.policy.defaultCityShareBasisPoints;
          expect(l.cityShareBasisPoints).toBe(bp);
          // |city − amount·bp/10000| ≤ ½ fen, and exactly ½ only rounds up.
          const twice = 2n * BigInt(l.cityShareFen) * 10_000n - 2n * BigInt(l.amountFen) * BigInt(bp);
          expect(twice >= -10_000n && twice <= 10_000n).toBe(true);
          if (twice === -10_000n) throw new Error('a half fen was rounded down');
        }
      }),
      runs,
    );
  });

  it('R-SUB-3: no line contains a departed or failed trainee, and every paid trainee is on exactly one line', async () => {
    await fc.assert(
      fc.asyncProperty(classArb, async (gen) => {
        const g = materialise(gen);
        const lines = await compute(g);
        const onLines = lines.flatMap((l) => l.traineeIds);
        expect(new Set(onLines).size).toBe(onLines.length);
        for (const id of onLines) expect(g.trainees.find((t) => t.id === id)!.status).toBe('passed');
        const paid = g.trainees.filter((t) => t.status === 'passed' && naiveAmount(g.policy.ratesYuanPerYear[g.cohort.level], g.trainingStart, t.assessment!.assessedOn, g.cohort.plannedStart, g.cohort.plannedEnd).amountFen > 0);
        expect(new Set(onLines)).toEqual(new Set(paid.map((t) => t.id)));
        expect(lines.every((l) => l.amountFen > 0)).toBe(true);
      }),
      runs,
    );
  });

  it('R-SUB-4, R-JOINT-3, R-ROUTE-2: every line’s trainees share its (payee enterprise, payer bureau), and pairs are unique', async () => {
    await fc.assert(
      fc.asyncProperty(classArb, async (gen) => {
        const g = materialise(gen);
        const lines = await compute(g);
        const pairs = new Set<string>();
        for (const l of lines) {
          const key = `${l.payeeId}|${l.payerBureauId}`;
          expect(pairs.has(key)).toBe(false);
          pairs.add(key);
          expect(l.district).toBe(districtOfBureau(l.payerBureauId));
          for (const id of l.traineeIds) {
            const t = g.trainees.find((x) => x.id === id)!;
            expect(t.enterpriseId).toBe(l.payeeId);
            expect(t.bureauId).toBe(l.payerBureauId);
          }
        }
      }),
      runs,
    );
  });

  it('the result does not depend on the order trainees are read in (what makes a resumed closing identical)', async () => {
    await fc.assert(
      fc.asyncProperty(classArb, fc.integer(), async (gen, seed) => {
        const g = materialise(gen);
        const shuffled = [...g.trainees].sort((a, b) => ((hash(a.id, seed) - hash(b.id, seed)) | 0));
        const strip = (ls: SubsidyLine[]) => ls.map(({ createdAt: _c, ...rest }) => rest);
        expect(strip(await compute({ ...g, trainees: shuffled }))).toEqual(strip(await compute(g)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('pure arithmetic properties', () => {
  it('divideRoundHalfUp is the exact rational rounded half up', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.bigInt({ min: 1n, max: 10n ** 9n }), (n, d) => {
        const q = divideRoundHalfUp(n, d);
        // q − ½ ≤ n/d < q + ½  ⇔  (2q − 1)·d ≤ 2n < (2q + 1)·d
        expect((2n * q - 1n) * d <= 2n * n && 2n * n < (2n * q + 1n) * d).toBe(true);
      }),
    );
  });

  it('splitShares always adds up and never goes negative, for any amount and ratio', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 10_000 }), (amount, bp) => {
        const { cityShareFen, districtShareFen } = splitShares(amount, bp);
        expect(cityShareFen + districtShareFen).toBe(amount);
        expect(Math.min(cityShareFen, districtShareFen)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('buildSubsidyLines never pays departed trainees even when an amount is attached to them', () => {
    const policy = { version: 'x', effectiveFrom: '2024-04-02', ratesYuanPerYear: { intermediate: 1, senior: 1, technician: 1, senior_technician: 1, certificate: 1 }, defaultCityShareBasisPoints: 5000, cityShareBasisPointsByDistrict: {} };
    fc.assert(
      fc.property(fc.array(fc.record({ passed: fc.boolean(), departed: fc.boolean(), amountFen: fc.integer({ min: 0, max: 10_000_000 }), e: fc.integer({ min: 0, max: 3 }) }), { maxLength: 30 }), (rows) => {
        const lines = buildSubsidyLines(rows.map((r, i) => ({ traineeId: `T${i}`, enterpriseId: `E${r.e}`, insuredDistrict: '320214', payerBureauId: 'B', passed: r.passed, departed: r.departed, amountFen: r.amountFen })), policy);
        const expected = rows.filter((r) => r.passed && !r.departed).reduce((s, r) => s + r.amountFen, 0);
        expect(lines.reduce((s, l) => s + l.amountFen, 0)).toBe(expected);
      }),
    );
  });
});

function hash(s: string, seed: number): number {
  let h = seed | 0;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 0x9e3779b1);
  return h;
}
