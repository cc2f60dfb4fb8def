/**
 * Training subsidy arithmetic (§九): R-SUB-1 … R-SUB-5. Money is integer fen; every division
 * rounds half up on integers (BigInt), never through floating point yuan.
 */
import { addDays, compareDates, isIsoDate, maxDate, periodMonths, wholeMonths, type IsoDate } from './dates.js';
import { levels, type Level } from './levels.js';

/** R-SUB-1: a policy table row, versioned by effective date. */
export interface PolicyVersion {
  version: string;
  effectiveFrom: IsoDate;
  ratesYuanPerYear: Record<Level, number>;
  /** 市区两级分担: city share in basis points (5000 = 50 %) when the district has no own ratio. */
  defaultCityShareBasisPoints: number;
  /** Payer district code → city share in basis points (R-SUB-5, design choice: configuration). */
  cityShareBasisPointsByDistrict: Record<string, number>;
}

/** 锡人社 notice of 2 April 2024. */
export const policy2024: PolicyVersion = Object.freeze({
  version: '2024-04-02',
  effectiveFrom: '2024-04-02',
  ratesYuanPerYear: Object.freeze({
    intermediate: 5000,
    senior: 6000,
    technician: 7000,
    senior_technician: 8000,
    certificate: 5000,
  }),
  defaultCityShareBasisPoints: 5000,
  cityShareBasisPointsByDistrict: Object.freeze({}),
}) as PolicyVersion;

export const FEN_PER_YUAN = 100;
export const BASIS_POINTS = 10_000;

/**
 * R-SUB-1: the version in force on a date (latest effectiveFrom ≤ on; on a tie the later one in
 * the list). A cohort uses the version in force on its planned start.
 */
export function policyInForce(versions: readonly PolicyVersion[], on: IsoDate): PolicyVersion | undefined {
  let best: PolicyVersion | undefined;
  for (const v of versions) {
    if (compareDates(v.effectiveFrom, on) > 0) continue;
    if (!best || compareDates(v.effectiveFrom, best.effectiveFrom) >= 0) best = v;
  }
  return best;
}

/** Problems of a policy version before it is stored (empty = valid). */
export function policyVersionProblems(p: PolicyVersion): string[] {
  const problems: string[] = [];
  if (typeof p.version !== 'string' || p.version.trim() === '') problems.push('version is empty');
  if (!isIsoDate(p.effectiveFrom)) problems.push('effectiveFrom is not a date');
  for (const level of levels) {
    const rate = p.ratesYuanPerYear?.[level];
    if (!Number.isSafeInteger(rate) || rate < 0) problems.push(`rate for ${level} must be a whole number of yuan ≥ 0`);
  }
  const bps = [p.defaultCityShareBasisPoints, ...Object.values(p.cityShareBasisPointsByDistrict ?? {})];
  if (bps.some((bp) => !isBasisPoints(bp))) problems.push('city shares must be whole basis points 0–10000');
  return problems;
}

function isBasisPoints(bp: number): boolean {
  return Number.isSafeInteger(bp) && bp >= 0 && bp <= BASIS_POINTS;
}

/** round-half-up(numerator / denominator) for non-negative integers, exactly. */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n) throw new RangeError('divideRoundHalfUp needs numerator ≥ 0 and denominator > 0');
  return (2n * numerator + denominator) / (2n * denominator);
}

function toSafeNumber(n: bigint): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`Amount exceeds the safe integer range: ${n}`);
  return Number(n);
}

/** The training start of R-SUB-2: the planned start, or the day training began if later. */
export function trainingStartOf(plannedStart: IsoDate, enteredTrainingOn?: IsoDate | null): IsoDate {
  return enteredTrainingOn ? maxDate(plannedStart, enteredTrainingOn) : plannedStart;
}

export interface TraineeSubsidyInput {
  level: Level;
  policy: PolicyVersion;
  /** See trainingStartOf. */
  trainingStart: IsoDate;
  assessedOn: IsoDate;
  plannedStart: IsoDate;
  plannedEnd: IsoDate;
}

export interface TraineeSubsidy {
  /** Months paid: min(actual whole months, planned months). */
  months: number;
  plannedMonths: number;
  rateFenPerYear: number;
  amountFen: number;
}

/**
 * R-SUB-2: months = min(whole months from trainingStart to assessedOn + 1 day, planned months);
 * amount = rate × months / 12 rounded half up to the fen.
 * SPEC example: 2026-05-01 → assessed 2027-09-15 = 16 months; 5000 yuan/yr → 666,667 fen.
 */
export function traineeSubsidy(input: TraineeSubsidyInput): TraineeSubsidy {
  const { level, policy, trainingStart, assessedOn, plannedStart, plannedEnd } = input;
  const rateYuan = policy.ratesYuanPerYear[level];
  if (!Number.isSafeInteger(rateYuan) || rateYuan < 0) throw new RangeError(`No valid rate for level ${String(level)}`);
  const rateFenPerYear = rateYuan * FEN_PER_YUAN;
  const plannedMonths = compareDates(plannedEnd, plannedStart) < 0 ? 0 : periodMonths(plannedStart, plannedEnd);
  const actualMonths = wholeMonths(trainingStart, addDays(assessedOn, 1));
  const months = Math.min(actualMonths, plannedMonths);
  const amountFen = toSafeNumber(divideRoundHalfUp(BigInt(rateFenPerYear) * BigInt(months), 12n));
  return { months, plannedMonths, rateFenPerYear, amountFen };
}

/**
 * R-SUB-5 (市区两级分担): city share = round-half-up(amount × bp / 10000), district share = the rest,
 * so the two always add up to the amount exactly and neither is negative.
 */
export function splitShares(amountFen: number, cityShareBasisPoints: number): { cityShareFen: number; districtShareFen: number } {
  if (!Number.isSafeInteger(amountFen) || amountFen < 0) throw new RangeError(`Amount must be whole fen ≥ 0: ${amountFen}`);
  if (!isBasisPoints(cityShareBasisPoints)) throw new RangeError(`City share must be whole basis points 0–10000: ${cityShareBasisPoints}`);
  const cityShareFen = toSafeNumber(divideRoundHalfUp(BigInt(amountFen) * BigInt(cityShareBasisPoints), BigInt(BASIS_POINTS)));
  return { cityShareFen, districtShareFen: amountFen - cityShareFen };
}

/** The city share ratio of a payer district under a policy version. */
export function cityShareBasisPointsFor(policy: PolicyVersion, district: string): number {
  return Object.hasOwn(policy.cityShareBasisPointsByDistrict, district)
    ? policy.cityShareBasisPointsByDistrict[district]!
    : policy.defaultCityShareBasisPoints;
}

export interface SubsidyTraineeInput {
  traineeId: string;
  /** Payee: the trainee's enterprise (R-SUB-4, R-JOINT-3). */
  enterpriseId: string;
  /** 参保属地 — the payer district. */
  insuredDistrict: string;
  /** The district bureau of the insured district (R-ROUTE-2). */
  payerBureauId: string;
  passed: boolean;
  departed: boolean;
  /** From traineeSubsidy. */
  amountFen: number;
}

/** 补贴明细 — what one paying bureau owes one enterprise. */
export interface SubsidyLineDraft {
  payeeId: string;
  payerBureauId: string;
  district: string;
  traineeIds: string[];
  amountFen: number;
  cityShareFen: number;
  districtShareFen: number;
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * R-SUB-3/4/5: one line per (payee enterprise, payer bureau) over the trainees who passed and did
 * not depart; trainee ids sorted; lines ordered by payee then payer; lines of 0 fen omitted.
 * Throws when the trainees of one line disagree on the insured district (inconsistent input).
 */
export function buildSubsidyLines(trainees: readonly SubsidyTraineeInput[], policy: PolicyVersion): SubsidyLineDraft[] {
  const groups = new Map<string, { payeeId: string; payerBureauId: string; district: string; traineeIds: string[]; amount: bigint }>();
  for (const t of trainees) {
    if (!t.passed || t.departed) continue; // R-SUB-3: departed or failed trainees get nothing
    if (!Number.isSafeInteger(t.amountFen) || t.amountFen < 0) {
      throw new RangeError(`Trainee ${t.traineeId}: amount must be whole fen ≥ 0`);
    }
    const key = JSON.stringify([t.enterpriseId, t.payerBureauId]);
    let g = groups.get(key);
    if (!g) {
      g = { payeeId: t.enterpriseId, payerBureauId: t.payerBureauId, district: t.insuredDistrict, traineeIds: [], amount: 0n };
      groups.set(key, g);
    } else if (g.district !== t.insuredDistrict) {
      throw new RangeError(`Bureau ${t.payerBureauId} pays for districts ${g.district} and ${t.insuredDistrict}`);
    }
    g.traineeIds.push(t.traineeId);
    g.amount += BigInt(t.amountFen);
  }
  const lines: SubsidyLineDraft[] = [];
  for (const g of groups.values()) {
    if (g.amount === 0n) continue;
    const amountFen = toSafeNumber(g.amount);
    lines.push({
      payeeId: g.payeeId,
      payerBureauId: g.payerBureauId,
      district: g.district,
      traineeIds: [...g.traineeIds].sort(compareStrings),
      amountFen,
      ...splitShares(amountFen, cityShareBasisPointsFor(policy, g.district)),
    });
  }
  return lines.sort((a, b) => compareStrings(a.payeeId, b.payeeId) || compareStrings(a.payerBureauId, b.payerBureauId));
}
