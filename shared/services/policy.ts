/**
 * The policy table (R-SUB-1, R-SUB-5): subsidy rates per level and the city/district cost-sharing
 * ratio, versioned by effective date. The notice of 2 April 2024 is built in and always present;
 * an admin adds later versions. A version may only take effect after today, so the rates of
 * cohorts already started (or planned under a version already in force) never change: past
 * versions are immutable history.
 */
import { auditOp } from '../db/audit.js';
import { keys } from '../db/keys.js';
import { sortKeyPrefix, storedItem, type Store } from '../db/store.js';
import { compareDates, isIsoDate, type IsoDate } from '../domain/dates.js';
import { levelNames, levels, type Level } from '../domain/levels.js';
import { issue, type RuleIssue } from '../domain/messages.js';
import { BASIS_POINTS, FEN_PER_YUAN, policy2024, policyInForce, policyVersionProblems, type PolicyVersion } from '../domain/subsidy.js';
import { decodeCursor, encodeCursor, type Page } from '../http/pagination.js';
import type { RequestContext } from '../http/context.js';
import { ruleViolation } from '../http/errors.js';

/** What an admin sends; `version` defaults to the effective date. */
export interface NewPolicyVersion {
  version?: string;
  effectiveFrom: IsoDate;
  ratesYuanPerYear: Record<Level, number>;
  defaultCityShareBasisPoints: number;
  cityShareBasisPointsByDistrict?: Record<string, number>;
}

/** How long list() is served from memory. */
export const POLICY_CACHE_MS = 60_000;

/** SK prefix of the stored versions (the partition also holds the policy's audit events). */
const VERSION_PREFIX = keys.policyVersion('').SK;

export class PolicyService {
  private cached: { versions: PolicyVersion[]; at: number } | undefined;
  constructor(private readonly store: Store) {}

  /**
   * Every version, oldest first: the built-in 2024 notice plus the stored ones. Cached for 60 s
   * per process; another instance may miss a brand-new version for that long, which is harmless
   * because a new version takes effect tomorrow at the earliest.
   */
  async list(): Promise<PolicyVersion[]> {
    if (this.cached && Date.now() - this.cached.at < POLICY_CACHE_MS) return this.cached.versions.map(clone);
    const items = await this.store.queryAll(sortKeyPrefix(keys.policyPartition, VERSION_PREFIX));
    const stored = items.map(toPolicyVersion).filter((v) => v.effectiveFrom !== policy2024.effectiveFrom);
    const versions = [clone(policy2024), ...stored].sort((a, b) => compareDates(a.effectiveFrom, b.effectiveFrom));
    this.cached = { versions, at: Date.now() };
    return versions.map(clone);
  }

  /** The versions oldest first, a page at a time (API.md lists); the whole table is a few rows, cached. */
  async page(query: { limit: number; cursor?: string }): Promise<Page<PolicyVersion>> {
    const bound = { policyVersions: true };
    const after = decodeCursor(query.cursor, bound)?.after;
    const all = await this.list();
    const rest = typeof after === 'string' ? all.filter((v) => v.effectiveFrom > after) : all;
    const items = rest.slice(0, query.limit);
    return { items, nextCursor: rest.length > items.length ? encodeCursor({ after: items.at(-1)!.effectiveFrom }, bound) : null };
  }

  /** R-SUB-1: the version in force on a date (a cohort's planned start). */
  async inForce(on: IsoDate): Promise<PolicyVersion> {
    const version = policyInForce(await this.list(), on);
    if (!version) {
      throw ruleViolation([
        issue('R-SUB-1', { en: `No subsidy policy is in force on ${on} (the first takes effect ${policy2024.effectiveFrom})`, zh: `${on} 无有效的补贴政策（首个政策自 ${policy2024.effectiveFrom} 起施行）` }, 'plannedStart'),
      ]);
    }
    return version;
  }

  /** Admin adds a future version (R-SUB-1) with its cost-sharing ratios (R-SUB-5). */
  async create(ctx: RequestContext, input: NewPolicyVersion): Promise<PolicyVersion> {
    const version: PolicyVersion = {
      version: input.version?.trim() || input.effectiveFrom,
      effectiveFrom: input.effectiveFrom,
      ratesYuanPerYear: Object.fromEntries(levels.map((l) => [l, input.ratesYuanPerYear?.[l]])) as Record<Level, number>,
      defaultCityShareBasisPoints: input.defaultCityShareBasisPoints,
      cityShareBasisPointsByDistrict: { ...(input.cityShareBasisPointsByDistrict ?? {}) },
    };
    const issues = newVersionIssues(version, ctx.today);
    if (issues.length) throw ruleViolation(issues);

    const key = keys.policyVersion(version.effectiveFrom);
    await this.store.transact([
      {
        op: {
          Put: {
            Item: storedItem(key, 'policy', version, { createdAt: ctx.now.toISOString(), createdBy: ctx.principal.sub }),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        onConditionFailed: () => ruleViolation([duplicate(version.effectiveFrom)]),
      },
      auditOp(ctx, keys.policyPartition, { action: 'policy.created', subjectType: 'policy', subjectId: version.effectiveFrom, after: version }),
    ]);
    this.cached = undefined;
    return clone(version);
  }
}

const DISTRICT = /^\d{6}$/;

function newVersionIssues(v: PolicyVersion, today: IsoDate): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (!isIsoDate(v.effectiveFrom)) {
    issues.push(issue('R-SUB-1', { en: 'effectiveFrom must be a date YYYY-MM-DD', zh: '施行日期须为 YYYY-MM-DD 格式的日期' }, 'effectiveFrom'));
  } else if (compareDates(v.effectiveFrom, today) <= 0) {
    issues.push(
      issue(
        'R-SUB-1',
        { en: `A new version must take effect after today (${today}); versions already in force are history and cannot change`, zh: `新版本的施行日期须晚于今天（${today}）；已施行的版本不可更改` },
        'effectiveFrom',
      ),
    );
  } else if (v.effectiveFrom === policy2024.effectiveFrom) {
    issues.push(duplicate(v.effectiveFrom));
  }
  if (v.version.length > 100) issues.push(issue('R-SUB-1', { en: 'version is longer than 100 characters', zh: '版本名称不得超过 100 个字符' }, 'version'));
  for (const level of levels) {
    const rate = v.ratesYuanPerYear[level];
    // Positive whole yuan, and still a safe integer once converted to fen.
    if (typeof rate !== 'number' || !Number.isSafeInteger(rate) || rate <= 0 || !Number.isSafeInteger(rate * FEN_PER_YUAN)) {
      issues.push(
        issue(
          'R-SUB-1',
          { en: `The rate for ${level} must be a positive whole number of yuan per person-year`, zh: `${levelNames[level].zh}的补贴标准须为正整数（元/人·年）` },
          `ratesYuanPerYear.${level}`,
        ),
      );
    }
  }
  const shares: [string, unknown][] = [
    ['defaultCityShareBasisPoints', v.defaultCityShareBasisPoints],
    ...Object.entries(v.cityShareBasisPointsByDistrict).map(([d, bp]): [string, unknown] => [`cityShareBasisPointsByDistrict.${d}`, bp]),
  ];
  for (const [path, bp] of shares) {
    if (typeof bp !== 'number' || !Number.isSafeInteger(bp) || bp < 0 || bp > BASIS_POINTS) {
      issues.push(issue('R-SUB-5', { en: 'A city share must be whole basis points from 0 to 10000 (5000 = 50 %)', zh: '市级分担比例须为 0–10000 的整数基点（5000 即 50%）' }, path));
    }
  }
  for (const district of Object.keys(v.cityShareBasisPointsByDistrict)) {
    if (!DISTRICT.test(district)) {
      issues.push(issue('R-SUB-5', { en: `${district} is not a 6-digit division code`, zh: `${district} 不是 6 位行政区划代码` }, `cityShareBasisPointsByDistrict.${district}`));
    }
  }
  // The domain's own check, as a last guard should it ever be stricter than the above.
  if (issues.length === 0) {
    for (const problem of policyVersionProblems(v)) issues.push(issue('R-SUB-1', { en: problem, zh: `政策版本无效：${problem}` }));
  }
  return issues;
}

const duplicate = (effectiveFrom: IsoDate) =>
  issue('R-SUB-1', { en: `A policy version effective from ${effectiveFrom} already exists`, zh: `施行日期为 ${effectiveFrom} 的政策版本已存在` }, 'effectiveFrom');

function toPolicyVersion(raw: Record<string, unknown>): PolicyVersion {
  const { version, effectiveFrom, ratesYuanPerYear, defaultCityShareBasisPoints, cityShareBasisPointsByDistrict } = raw as unknown as PolicyVersion;
  return { version, effectiveFrom, ratesYuanPerYear, defaultCityShareBasisPoints, cityShareBasisPointsByDistrict: cityShareBasisPointsByDistrict ?? {} };
}

/** Callers get their own copies, so nobody can alter the cache (or the frozen built-in). */
function clone(v: PolicyVersion): PolicyVersion {
  return { ...v, ratesYuanPerYear: { ...v.ratesYuanPerYear }, cityShareBasisPointsByDistrict: { ...v.cityShareBasisPointsByDistrict } };
}
