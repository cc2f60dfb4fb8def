/**
 * Demand pooling (§四 "统一协调和集中多个中小微企业人员", SPEC "Demand"): an SME addresses its wish to
 * train N staff in an occupation and level to a chamber; the chamber sees open demand summed per
 * (occupation, level) and opens a joint class from a group of demands, which takes them.
 * Keys and indexes: shared/db/demands.ts.
 */
import { auditOp, toEvent } from '../db/audit.js';
import { demandItem } from '../db/demands.js';
import { newId } from '../db/ids.js';
import { indexKeys, keys } from '../db/keys.js';
import { fromItem, sortKeyPrefix, type Store, type WriteOp } from '../db/store.js';
import { checkOccupationLevel, type Level } from '../domain/levels.js';
import { issue, type RuleIssue } from '../domain/messages.js';
import type { Principal, RequestContext } from '../http/context.js';
import { ApiError, forbidden, notFound, ruleViolation } from '../http/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../http/pagination.js';
import type { OccupationService } from './catalogue.js';
import type { CohortDesign, CohortDesignService } from './cohorts/design.js';
import type { Cohort } from './cohorts/model.js';
import type { OrganizationService } from './organizations.js';

export const demandStatuses = ['open', 'taken'] as const;
export type DemandStatus = (typeof demandStatuses)[number];

/** Design choice: bounds of one demand, and of the demands one joint class is opened from. */
export const demandLimits = { minHeadcount: 1, maxHeadcount: 500, maxDemandsPerCohort: 40 } as const;

export interface Demand {
  id: string;
  enterpriseId: string;
  /** The SME's district, for the chamber's overview. */
  enterpriseDistrict: string;
  chamberId: string;
  occupationCode: string;
  level: Level;
  headcount: number;
  preferredStart: string;
  status: DemandStatus;
  /** The joint class opened from it, once taken. */
  cohortId?: string;
  takenAt?: string;
  takenBy?: string;
  createdAt: string;
  createdBy: string;
  version: number;
}

export interface NewDemand {
  chamberId: string;
  occupationCode: string;
  level: Level;
  headcount: number;
  preferredStart: string;
}

export type OpenCohortInput = Omit<CohortDesign, 'occupationCode' | 'level'> & { demandIds: string[] };

export interface DemandSummaryItem {
  occupationCode: string;
  level: Level;
  /** Distinct enterprises behind the open demands of this (occupation, level). */
  enterprises: number;
  headcount: number;
  demands: number;
  demandIds: string[];
  enterpriseIds: string[];
}

export function toDemand(raw: Record<string, unknown>): Demand {
  return fromItem<Demand>(raw);
}

const canSeeDemand = (p: Principal, d: Demand) =>
  p.role === 'auditor' || (p.role === 'enterprise' && p.orgId === d.enterpriseId) || (p.role === 'chamber' && p.orgId === d.chamberId);

export class DemandService {
  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationService,
    private readonly occupations: OccupationService,
    private readonly cohorts: CohortDesignService,
  ) {}

  /** An SME posts a demand to a chamber. */
  async create(ctx: RequestContext, input: NewDemand): Promise<Demand> {
    const { principal } = ctx;
    if (principal.role !== 'enterprise' || !principal.org) throw forbidden('Only an enterprise posts a training demand', '仅企业可提交培训需求');
    const issues: RuleIssue[] = [];
    const chamber = await this.organizations.find(input.chamberId);
    if (!chamber || chamber.kind !== 'chamber') {
      issues.push(issue('R-JOINT-1', { en: 'chamberId must be a registered chamber (工商联, 商会, 行业协会)', zh: '须向已登记的工商联、商会或行业协会提交需求' }, 'chamberId'));
    }
    const occupation = await this.occupations.find(input.occupationCode);
    if (!occupation) issues.push(issue('R-OCC-1', { en: 'Unknown occupation code', zh: '职业（工种）代码不存在' }, 'occupationCode'));
    else issues.push(...checkOccupationLevel(occupation.skillEvaluation, input.level).map((i) => ({ ...i, path: i.path ?? 'level' })));
    if (!Number.isInteger(input.headcount) || input.headcount < demandLimits.minHeadcount || input.headcount > demandLimits.maxHeadcount) {
      issues.push(issue('DEMAND', { en: `headcount is ${demandLimits.minHeadcount} to ${demandLimits.maxHeadcount}`, zh: `需求人数须为 ${demandLimits.minHeadcount}–${demandLimits.maxHeadcount}` }, 'headcount'));
    }
    // A wish to train is for the future: a start already past is a typo the chamber could not plan for.
    if (input.preferredStart < ctx.today) {
      issues.push(issue('DEMAND', { en: `preferredStart is before today (${ctx.today})`, zh: `期望开班日期早于今天（${ctx.today}）` }, 'preferredStart'));
    }
    if (issues.length) throw ruleViolation(issues);

    const now = ctx.now.toISOString();
    const demand: Demand = {
      id: newId(ctx.now),
      enterpriseId: principal.orgId,
      enterpriseDistrict: principal.org.district,
      chamberId: input.chamberId,
      occupationCode: input.occupationCode,
      level: input.level,
      headcount: input.headcount,
      preferredStart: input.preferredStart,
      status: 'open',
      createdAt: now,
      createdBy: principal.sub,
      version: 1,
    };
    await this.store.transact([
      { op: { Put: { Item: demandItem(demand), ConditionExpression: 'attribute_not_exists(PK)' } } },
      auditOp(ctx, keys.demand(demand.id).PK, { action: 'demand.created', subjectType: 'demand', subjectId: demand.id, after: demand }),
    ]);
    return demand;
  }

  async get(principal: Principal, id: string): Promise<Demand> {
    const raw = await this.store.get(keys.demand(id));
    const demand = raw ? toDemand(raw) : undefined;
    if (!demand || !canSeeDemand(principal, demand)) throw notFound('demand');
    return demand;
  }

  /** An SME sees its own demands, a chamber those addressed to it, an auditor all. */
  async list(principal: Principal, query: { status?: DemandStatus; limit: number; cursor?: string }): Promise<Page<Demand>> {
    let index: 'GSI1' | 'GSI2' | 'GSI3';
    let pk: string;
    if (principal.role === 'enterprise') [index, pk] = ['GSI1', indexKeys.enterpriseDemands(principal.orgId)];
    else if (principal.role === 'chamber') [index, pk] = ['GSI2', indexKeys.chamberDemands(principal.orgId)];
    else if (principal.role === 'auditor') [index, pk] = ['GSI3', indexKeys.allDemands];
    else throw forbidden('Demands are read by enterprises, chambers and auditors', '仅企业、商会和审计机构可查看培训需求');
    const bound = { demands: pk, status: query.status };
    const start = decodeCursor(query.cursor, bound);
    const page = await this.store.query({
      IndexName: index,
      KeyConditionExpression: query.status ? `${index}PK = :pk AND begins_with(${index}SK, :status)` : `${index}PK = :pk`,
      ExpressionAttributeValues: { ':pk': pk, ...(query.status ? { ':status': `${query.status}#` } : {}) },
      Limit: query.limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return { items: page.items.map(toDemand), nextCursor: encodeCursor(page.lastKey, bound) };
  }

  /** Open demand addressed to a chamber, summed per (occupation, level), with the enterprises behind it. */
  async summary(principal: Principal, chamberId?: string): Promise<{ chamberId: string; items: DemandSummaryItem[] }> {
    if (principal.role !== 'chamber' && principal.role !== 'auditor') throw forbidden('The demand summary is for the chamber itself', '需求汇总仅供商会本身查看');
    const target = chamberId ?? (principal.role === 'chamber' ? principal.orgId : undefined);
    if (!target) {
      throw new ApiError('VALIDATION_FAILED', { en: 'chamberId is required', zh: '须指定 chamberId' }, [{ path: 'chamberId', message: { en: 'required', zh: '必填' } }]);
    }
    // Another chamber's pool is not visible: 404, so its existence does not leak.
    if (principal.role === 'chamber' && target !== principal.orgId) throw notFound('chamber');
    const open = (
      await this.store.queryAll({
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk AND begins_with(GSI2SK, :open)',
        ExpressionAttributeValues: { ':pk': indexKeys.chamberDemands(target), ':open': 'open#' },
      })
    ).map(toDemand);
    const groups = new Map<string, DemandSummaryItem & { enterpriseSet: Set<string> }>();
    for (const d of open) {
      const key = `${d.occupationCode}\u0000${d.level}`;
      let g = groups.get(key);
      if (!g) {
        g = { occupationCode: d.occupationCode, level: d.level, enterprises: 0, headcount: 0, demands: 0, demandIds: [], enterpriseIds: [], enterpriseSet: new Set() };
        groups.set(key, g);
      }
      g.headcount += d.headcount;
      g.demands += 1;
      g.demandIds.push(d.id);
      g.enterpriseSet.add(d.enterpriseId);
    }
    const items = [...groups.values()].map(({ enterpriseSet, ...g }) => ({ ...g, enterprises: enterpriseSet.size, enterpriseIds: [...enterpriseSet] }));
    return { chamberId: target, items };
  }

  /**
   * The chamber opens a joint class from a group of its open demands of one (occupation, level):
   * the cohort is created, each distinct enterprise added as a participant, then the demands are
   * taken in one transaction whose conditions (status = open) make a second take impossible. If
   * that transaction loses a race, the new draft cohort is cancelled and 409 CONFLICT answered.
   */
  async openCohort(ctx: RequestContext, input: OpenCohortInput): Promise<Cohort> {
    const { principal } = ctx;
    if (principal.role !== 'chamber') throw forbidden('Only a chamber opens a joint class from pooled demand', '仅商会可根据汇总需求组织联合组班');
    const ids = [...new Set(input.demandIds)];
    if (ids.length === 0 || ids.length > demandLimits.maxDemandsPerCohort) {
      throw ruleViolation([issue('R-JOINT-1', { en: `Open a class from 1 to ${demandLimits.maxDemandsPerCohort} demands`, zh: `每次可选 1–${demandLimits.maxDemandsPerCohort} 条需求组班` }, 'demandIds')]);
    }
    const found = new Map((await this.store.getMany(ids.map((id) => keys.demand(id)))).map((raw) => [raw.id as string, toDemand(raw)]));
    const demands: Demand[] = [];
    for (const id of ids) {
      const d = found.get(id);
      if (!d || d.chamberId !== principal.orgId) throw new ApiError('NOT_FOUND', { en: `No demand ${id} addressed to this chamber`, zh: `本商会没有编号为 ${id} 的需求` });
      if (d.status !== 'open') {
        throw new ApiError('INVALID_STATE', { en: `Demand ${id} is already taken${d.cohortId ? ` by cohort ${d.cohortId}` : ''}`, zh: `需求 ${id} 已被组班${d.cohortId ? `（班级 ${d.cohortId}）` : ''}` });
      }
      demands.push(d);
    }
    const [first] = demands as [Demand, ...Demand[]];
    if (demands.some((d) => d.occupationCode !== first.occupationCode || d.level !== first.level)) {
      throw ruleViolation([
        issue('R-JOINT-1', { en: 'A class trains one occupation at one level (一班一方案): the demands differ', zh: '一班一方案：所选需求的职业（工种）或等级不一致' }, 'demandIds'),
      ]);
    }

    const { demandIds: _ids, ...design } = input;
    const cohort = await this.cohorts.create(ctx, 'joint', { ...design, occupationCode: first.occupationCode, level: first.level }, ids);
    try {
      for (const enterpriseId of new Set(demands.map((d) => d.enterpriseId))) await this.cohorts.addParticipant(ctx, cohort.id, enterpriseId);
      await this.store.transact(demands.flatMap((d) => this.takeOps(ctx, d, cohort.id)));
    } catch (error) {
      // Nothing is left half done: the draft made for these demands is withdrawn, the demands stay open.
      await this.cohorts.cancel(ctx, cohort.id, 'Opening from pooled demand failed; demands left open', undefined, { releaseDemands: false }).catch(() => undefined);
      throw error;
    }
    return this.cohorts.get(ctx, cohort.id);
  }

  private takeOps(ctx: RequestContext, before: Demand, cohortId: string): WriteOp[] {
    const after: Demand = { ...before, status: 'taken', cohortId, takenAt: ctx.now.toISOString(), takenBy: ctx.principal.sub, version: before.version + 1 };
    return [
      {
        op: {
          Put: {
            Item: demandItem(after),
            ConditionExpression: '#s = :open AND #v = :v',
            ExpressionAttributeNames: { '#s': 'status', '#v': 'version' },
            ExpressionAttributeValues: { ':open': 'open', ':v': before.version },
          },
        },
        onConditionFailed: () =>
          new ApiError('CONFLICT', { en: `Demand ${before.id} was taken meanwhile; nothing was changed`, zh: `需求 ${before.id} 已被其他操作组班，本次未作任何修改` }),
      },
      auditOp(ctx, keys.demand(before.id).PK, {
        action: 'demand.taken',
        subjectType: 'demand',
        subjectId: before.id,
        before: { status: before.status, version: before.version },
        after: { status: after.status, cohortId, version: after.version },
      }),
    ];
  }

  /** The demand's audit trail (R-AUDIT-1), for those who may see the demand. */
  async events(principal: Principal, id: string) {
    await this.get(principal, id);
    const items = await this.store.queryAll(sortKeyPrefix(keys.demand(id).PK, keys.eventPrefix));
    return items.map(toEvent);
  }
}
