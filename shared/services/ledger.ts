/**
 * The tables people download: the cohort's training ledger (培训台账) and a paying bureau's
 * disbursement statement (补贴发放对账单). Read-only views over the cohort, its trainees and its
 * subsidy lines; the HTTP layer turns the rows into JSON, CSV or xlsx (shared/http/tabular.ts).
 *
 * R-PRIV-1 holds in every format: ID numbers are masked here, before any file is written, by the
 * same rule as GET /v1/cohorts/{id}/trainees (CohortDesignService.view → seesFullId).
 */
import { loadTrainees } from '../db/cohorts.js';
import { keys } from '../db/keys.js';
import type { Store } from '../db/store.js';
import type { RequestContext } from '../http/context.js';
import type { CohortDesignService } from './cohorts/design.js';
import { accessOf, type AssessmentMethod, type Cohort, type Trainee } from './cohorts/model.js';
import type { OrganizationService } from './organizations.js';
import type { FundingSource, LineStatus, SubsidyLine, SubsidyService } from './subsidy.js';

export const traineeStatusNames: Record<Trainee['status'], string> = {
  active: '在训',
  departed: '已离职',
  passed: '考核合格',
  failed: '考核不合格',
};

/** 考核方式 (§二(七)). */
export const assessmentMethodNames: Record<AssessmentMethod, string> = {
  process: '过程考核',
  modular: '模块化考核',
  performance: '业绩评价',
  direct: '直接认定',
  third_party: '第三方评价',
  joint: '校企联合评价',
};

/** 资金来源 recorded on approval (R-SUB-6). */
export const fundingSourceNames: Record<FundingSource, string> = {
  employment_subsidy: '就业补助资金',
  skills_upgrading: '职业技能提升行动专账资金',
};

export const lineStatusNames: Record<Exclude<LineStatus, 'staged'>, string> = {
  pending: '待审批',
  approved: '已审批',
  paid: '已支付',
};

/** One row of the 培训台账: one trainee. */
export interface LedgerRow {
  traineeId: string;
  name: string;
  /** Masked per R-PRIV-1 for the caller. */
  idNumber: string;
  enterpriseId: string;
  enterpriseName: string;
  insuredDistrict: string;
  enterpriseMentors: string[];
  schoolMentors: string[];
  status: Trainee['status'];
  leftOn?: string;
  assessmentMethod?: AssessmentMethod;
  assessedOn?: string;
  passed?: boolean;
  certificateNo?: string;
  /** Set once the closing is accepted: the months and amount of the trainee's subsidy (0 when none, R-SUB-3). */
  subsidyMonths?: number;
  subsidyAmountFen?: number;
}

export interface TrainingLedger {
  cohortId: string;
  cohortName: string;
  occupationCode: string;
  level: string;
  status: Cohort['status'];
  /** Subsidy columns are filled only after the closing is accepted. */
  subsidyFinal: boolean;
  totalSubsidyFen: number;
  items: LedgerRow[];
}

/** One row of the statement: a line with the payee's name and credit code, for the bureau's ledger. */
export interface StatementRow extends SubsidyLine {
  cohortName: string;
  payeeName: string;
  payeeCreditCode: string;
}

export interface Statement {
  bureauId: string;
  from: string;
  to: string;
  totals: { lines: number; trainees: number; amountFen: number; cityShareFen: number; districtShareFen: number; paidFen: number };
  items: StatementRow[];
}

export class LedgerService {
  constructor(
    private readonly store: Store,
    private readonly cohorts: CohortDesignService,
    private readonly subsidy: SubsidyService,
    private readonly organizations: OrganizationService,
  ) {}

  /** 培训台账: visible to anyone who may see the cohort (404 otherwise). */
  async trainingLedger(ctx: RequestContext, cohortId: string): Promise<TrainingLedger> {
    const cohort = await this.cohorts.get(ctx, cohortId);
    const access = accessOf(ctx.principal, cohort);
    const [trainees, subsidy] = await Promise.all([loadTrainees(this.store, cohortId), this.subsidy.cohortLines(ctx, cohortId)]);
    const orgs = await this.organizations.findMany([...new Set([...trainees.map((t) => t.enterpriseId), cohort.organizerId])]);
    const subsidyFinal = cohort.status === 'closed' && cohort.subsidy !== undefined;
    const paid = new Map(subsidy.lines.flatMap((l) => l.trainees.map((t) => [t.traineeId, t] as const)));
    const mentorsOf = (orgId: string) => cohort.mentors.filter((m) => m.kind === 'enterprise' && m.organizationId === orgId).map((m) => m.name);
    const schoolMentors = cohort.mentors.filter((m) => m.kind === 'school').map((m) => m.name);
    // A member company without its own mentor is coached by the organiser's (group HQ, §二(四)).
    const organiserMentors = mentorsOf(cohort.organizerId);
    const order = new Map(cohort.participants.map((p, i) => [p.enterpriseId, i]));
    const sorted = [...trainees].sort((a, b) => (order.get(a.enterpriseId) ?? 1e9) - (order.get(b.enterpriseId) ?? 1e9) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const items = sorted.map((t): LedgerRow => {
      const view = this.cohorts.view(ctx.principal, access, cohort, t);
      const own = mentorsOf(t.enterpriseId);
      const line = paid.get(t.id);
      return {
        traineeId: t.id,
        name: t.name,
        idNumber: view.idNumber,
        enterpriseId: t.enterpriseId,
        enterpriseName: orgs.get(t.enterpriseId)?.name ?? t.enterpriseId,
        insuredDistrict: t.insuredDistrict,
        enterpriseMentors: own.length ? own : organiserMentors,
        schoolMentors,
        status: t.status,
        ...(t.departure ? { leftOn: t.departure.leftOn } : {}),
        ...(t.assessment
          ? { assessmentMethod: t.assessment.method, assessedOn: t.assessment.assessedOn, passed: t.assessment.passed, ...(t.assessment.certificateNo ? { certificateNo: t.assessment.certificateNo } : {}) }
          : {}),
        ...(subsidyFinal ? { subsidyMonths: line?.months ?? 0, subsidyAmountFen: line?.amountFen ?? 0 } : {}),
      };
    });
    return {
      cohortId: cohort.id,
      cohortName: cohort.name,
      occupationCode: cohort.occupationCode,
      level: cohort.level,
      status: cohort.status,
      subsidyFinal,
      totalSubsidyFen: subsidyFinal ? subsidy.totalFen : 0,
      items,
    };
  }

  /** 补贴发放对账单 of the calling payer bureau (SubsidyService.statement decides which lines). */
  async statement(ctx: RequestContext, from: string, to: string): Promise<Statement> {
    const lines = await this.subsidy.statement(ctx, from, to);
    const payees = await this.organizations.findMany(lines.map((l) => l.payeeId));
    const cohortIds = [...new Set(lines.map((l) => l.cohortId))];
    const cohorts = new Map(
      (await this.store.getMany<{ id: string; name: string }>(cohortIds.map((id) => keys.cohort(id)))).map((c) => [c.id, c.name]),
    );
    const items = lines.map((l): StatementRow => ({
      ...l,
      cohortName: cohorts.get(l.cohortId) ?? '',
      payeeName: payees.get(l.payeeId)?.name ?? l.payeeId,
      payeeCreditCode: payees.get(l.payeeId)?.creditCode ?? '',
    }));
    const sum = (f: (l: StatementRow) => number) => items.reduce((s, l) => s + f(l), 0);
    return {
      bureauId: ctx.principal.orgId,
      from,
      to,
      totals: {
        lines: items.length,
        trainees: sum((l) => l.traineeIds.length),
        amountFen: sum((l) => l.amountFen),
        cityShareFen: sum((l) => l.cityShareFen),
        districtShareFen: sum((l) => l.districtShareFen),
        paidFen: sum((l) => (l.status === 'paid' ? l.amountFen : 0)),
      },
      items,
    };
  }
}
