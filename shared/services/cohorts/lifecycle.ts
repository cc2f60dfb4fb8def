/**
 * The second half of the lifecycle (§二(六)–(七), §十一): acceptance and expert review, decision,
 * publicity and plan listing, class-opening filings approved per (participant, insured district),
 * departures, assessments and the closing.
 */
import { addDays, addMonths, yearOf } from '../../domain/dates.js';
import { addWorkingDays } from '../../domain/calendar.js';
import { isSeniorOrAbove } from '../../domain/levels.js';
import { issue } from '../../domain/messages.js';
import { closeDeadlineOp, kpiOp, lateActOp, openDeadlineOp, toTrainee, traineeItem, type KpiCounter } from '../../db/cohorts.js';
import { keys } from '../../db/keys.js';
import type { Store } from '../../db/store.js';
import type { AppConfig } from '../../config.js';
import type { RequestContext } from '../../http/context.js';
import { ApiError, invalidState, notFound, ruleViolation } from '../../http/errors.js';
import type { CalendarService } from '../catalogue.js';
import type { OrganizationService } from '../organizations.js';
import { completeFilingIfDone, transition } from './design.js';
import { districtsAwaitingFiling, participantsToFile, type AssessmentMethod, type Cohort, type Filing, type FilingUnit, type Trainee, type Vote } from './model.js';
import { mutateCohort, requireAccess, type Mutation } from './mutation.js';

export interface AssessmentResult {
  traineeId: string;
  passed: boolean;
  method: AssessmentMethod;
  assessedOn: string;
  certificateNo?: string;
}

type Opts = { expectedVersion?: number };
const versionOpt = (o: Opts = {}) => (o.expectedVersion !== undefined ? { expectedVersion: o.expectedVersion } : {});

export class CohortLifecycleService {
  constructor(
    private readonly store: Store,
    private readonly config: AppConfig,
    private readonly organizations: OrganizationService,
    private readonly calendar: CalendarService,
  ) {}

  private async districtOf(orgId: string): Promise<string> {
    return (await this.organizations.get(orgId)).district;
  }

  private async workingDaysAfter(date: string, n: number) {
    const y = yearOf(date);
    return addWorkingDays(date, n, await this.calendar.lookupFor([y, y + 1]));
  }

  /** 受理: the competent bureau takes the application up and appoints ≥ 3 experts (R-REVIEW-1). */
  async accept(ctx: RequestContext, cohortId: string, experts: string[], o?: Opts): Promise<Cohort> {
    const distinct = [...new Set(experts)];
    const { cohort } = await mutateCohort(this.store, ctx, cohortId, versionOpt(o), async (m) => {
      requireAccess(m.access.reviewBureau, 'Only the competent bureau accepts the application', '仅主管人社部门可受理');
      if (m.cohort.status !== 'submitted') throw invalidState(m.cohort.status, 'accept');
      if (distinct.length < 3 || distinct.length !== experts.length) {
        throw ruleViolation([issue('R-REVIEW-1', { en: 'Appoint at least 3 distinct experts', zh: '专家组须由不少于3名不同专家组成' }, 'experts')]);
      }
      transition(m, 'accept');
      const reviewDue = addMonths(ctx.today, 1);
      m.cohort.review = { acceptedAt: ctx.now.toISOString(), acceptedOn: ctx.today, reviewDue, experts: distinct, votes: [] };
      m.write(openDeadlineOp({ rule: 'R-REVIEW-2', cohortId, subjectId: cohortId, district: await this.districtOf(m.cohort.reviewBureauId), dueOn: reviewDue }));
      m.event('cohort.accepted', { after: { experts: distinct, reviewDue } });
    });
    return cohort;
  }

  async vote(ctx: RequestContext, cohortId: string, decision: Vote['decision'], comment?: string): Promise<Vote> {
    const { result } = await mutateCohort(this.store, ctx, cohortId, {}, (m) => {
      requireAccess(m.access.expert, 'Only an assigned expert votes', '仅本班级专家组成员可投票');
      const review = m.cohort.review;
      if (m.cohort.status !== 'under_review' || !review) throw invalidState(m.cohort.status, 'vote on');
      if (review.votes.some((v) => v.expert === ctx.principal.sub)) {
        throw new ApiError('INVALID_STATE', { en: 'Each expert votes once (R-REVIEW-1)', zh: '每位专家仅可投票一次（R-REVIEW-1）' });
      }
      const vote: Vote = { expert: ctx.principal.sub, decision, ...(comment ? { comment } : {}), at: ctx.now.toISOString() };
      review.votes.push(vote);
      m.event('review.voted', { subjectType: 'vote', subjectId: ctx.principal.sub, after: vote });
      return vote;
    });
    return result;
  }

  async decide(ctx: RequestContext, cohortId: string, input: { decision: 'approve' | 'reject'; reason?: string; onSiteVerified?: boolean }, o?: Opts) {
    const { cohort } = await mutateCohort(this.store, ctx, cohortId, versionOpt(o), async (m) => {
      requireAccess(m.access.reviewBureau, 'Only the competent bureau decides', '仅主管人社部门可作出审核决定');
      const review = m.cohort.review;
      if (m.cohort.status !== 'under_review' || !review) throw invalidState(m.cohort.status, 'decide on');
      if (input.decision === 'approve') {
        const approvals = review.votes.filter((v) => v.decision === 'approve').length;
        if (review.votes.length < 3 || approvals * 2 <= review.votes.length) {
          throw ruleViolation([
            issue('R-REVIEW-1', {
              en: `Approval needs at least 3 votes and a majority to approve (votes ${review.votes.length}, approve ${approvals})`,
              zh: `批准须至少3票且赞成票过半（已投${review.votes.length}票，赞成${approvals}票）`,
            }, 'decision'),
          ]);
        }
        transition(m, 'approve');
        const until = await this.workingDaysAfter(ctx.today, this.config.publicityWorkingDays);
        m.cohort.publicity = { from: ctx.today, until: until.date };
      } else {
        transition(m, 'reject');
      }
      review.decision = { ...input, at: ctx.now.toISOString(), on: ctx.today, by: ctx.principal.sub };
      m.write(closeDeadlineOp({ cohortId, rule: 'R-REVIEW-2', subjectId: cohortId, dueOn: review.reviewDue }, ctx.today));
      m.event(input.decision === 'approve' ? 'review.approved' : 'review.rejected', { after: review.decision });
    });
    return cohort;
  }

  /** 列入培训计划 after the publicity period (R-PLAN-1); the filing clock starts (R-FILE-1). */
  async plan(ctx: RequestContext, cohortId: string, o?: Opts): Promise<Cohort> {
    const { cohort } = await mutateCohort(this.store, ctx, cohortId, versionOpt(o), async (m) => {
      requireAccess(m.access.reviewBureau, 'Only the competent bureau lists the class in the plan', '仅主管人社部门可列入培训计划');
      const c = m.cohort;
      if (c.status !== 'publicized' || !c.publicity) throw invalidState(c.status, 'plan');
      if (ctx.today <= c.publicity.until) {
        throw ruleViolation([
          issue('R-PLAN-1', { en: `Publicity runs until ${c.publicity.until}; list the class after it`, zh: `公示期至 ${c.publicity.until}，公示期满后方可列入计划` }),
        ]);
      }
      transition(m, 'plan');
      const due = await this.workingDaysAfter(ctx.today, 10);
      c.plan = { publishedOn: ctx.today, filingDue: due.date, warnings: due.warnings };
      const waitingFor = participantsToFile(c);
      m.write(openDeadlineOp({ rule: 'R-FILE-1', cohortId, subjectId: cohortId, district: await this.districtOf(c.reviewBureauId), dueOn: due.date, waitingFor, alsoFor: districtsAwaitingFiling(c, waitingFor) }));
      m.event('cohort.planned', { after: c.plan });
    });
    return cohort;
  }

  /** 开班备案 by a participant (or, but in a group class, the organiser for it), with its commitment (R-FILE-1, R-FILE-2, R-GROUP-1). */
  async file(ctx: RequestContext, cohortId: string, input: { enterpriseId: string; commitment: Filing['commitment'] }): Promise<Filing & { units: FilingUnit[] }> {
    const { result } = await mutateCohort(this.store, ctx, cohortId, {}, async (m) => {
      const c = m.cohort;
      const own = m.access.participant === input.enterpriseId;
      requireAccess(m.access.organizer || own, 'A participant files for itself; the organiser may file for it', '参训企业自行备案，牵头单位可代为备案');
      // R-GROUP-1: the HQ applies for the whole group class, but each member files its class opening itself.
      if (c.mode === 'group' && !own) {
        throw ruleViolation([issue('R-GROUP-1', { en: 'In a group class each member company files its class opening itself', zh: '集团集中申报的班级，由各成员企业自行开班备案' }, 'enterpriseId')]);
      }
      const participant = c.participants.find((p) => p.enterpriseId === input.enterpriseId);
      if (!participant) throw ruleViolation([issue('R-FILE-2', { en: 'The enterprise is not a participant', zh: '该企业不是参训企业' }, 'enterpriseId')]);
      if (c.status !== 'planned' || !c.plan) throw invalidState(c.status, 'file');
      if (c.filings.some((f) => f.enterpriseId === input.enterpriseId)) throw new ApiError('INVALID_STATE', { en: 'This participant has already filed', zh: '该企业已提交开班备案' });
      // R-FILE-1: a deadline counted Monday to Friday (no official schedule for its year then) is
      // counted again once an admin has loaded that year; the filing is judged by the new date, which
      // the cohort and its alert keep from here on (completeFilingIfDone).
      if (c.plan.warnings.length) {
        const due = await this.workingDaysAfter(c.plan.publishedOn, 10);
        c.plan = { ...c.plan, filingDue: due.date, warnings: due.warnings };
      }
      if (ctx.today > c.plan.filingDue) {
        throw ruleViolation([issue('R-FILE-1', { en: `Filing was due by ${c.plan.filingDue}`, zh: `开班备案截止日为 ${c.plan.filingDue}` })], 'FILING_DEADLINE_PASSED');
      }
      // R-JOINT-2: a trainee removed after submission voids the signatures; a participant's signature
      // stands for its collective training agreement, so none files until the new version is signed.
      if (c.mode !== 'enterprise' && c.agreement?.status !== 'effective') {
        throw ruleViolation([issue('R-JOINT-2', { en: `Agreement version ${c.agreement?.version ?? 0} is ${c.agreement?.status ?? 'missing'}; the organiser issues a new version and every party signs it before filing`, zh: '多方协议已失效，须由牵头单位重新发起并经各方签署后方可备案' }, 'agreement')]);
      }
      // Every unit with trainees enrolled, also one whose trainees have all left: such a participant
      // is not waited for (completeFilingIfDone), but may still file, so that a class where everyone
      // left before anyone filed can be filed, found `assessed` and closed.
      const units: FilingUnit[] = Object.entries(participant.units)
        .filter(([, u]) => u.trainees > 0)
        .map(([district, u]) => ({ enterpriseId: participant.enterpriseId, district, bureauId: u.bureauId, trainees: u.trainees, status: 'pending', filedAt: ctx.now.toISOString() }));
      if (units.length === 0) throw ruleViolation([issue('R-ROUTE-2', { en: 'This participant has no trainees to file', zh: '该企业没有可备案的学徒' }, 'enterpriseId')]);
      const filing: Filing = { enterpriseId: input.enterpriseId, filedAt: ctx.now.toISOString(), filedOn: ctx.today, filedBy: ctx.principal.orgId, commitment: input.commitment };
      c.filings.push(filing);
      c.filingUnits.push(...units);
      completeFilingIfDone(m);
      m.event('filing.submitted', { subjectType: 'filing', subjectId: input.enterpriseId, after: { ...filing, units } });
      return { ...filing, units };
    });
    return result;
  }

  /** A district bureau approves every filing unit of its district (R-ROUTE-2). */
  async approveFilings(ctx: RequestContext, cohortId: string, o?: Opts): Promise<Cohort> {
    const { cohort } = await mutateCohort(this.store, ctx, cohortId, versionOpt(o), async (m) => {
      const c = m.cohort;
      const mine = c.filingUnits.filter((u) => u.bureauId === ctx.principal.orgId);
      requireAccess(ctx.principal.role === 'hr' && (mine.length > 0 || m.access.filingBureau), 'Only the bureau of the trainees’ insured district approves their filing', '仅学徒参保属地人社部门可审核开班备案');
      if (c.status !== 'planned' && c.status !== 'filed') throw invalidState(c.status, 'approve filings of');
      const pending = mine.filter((u) => u.status === 'pending');
      if (pending.length === 0) throw new ApiError('INVALID_STATE', { en: 'No filing of your district is waiting for approval', zh: '本辖区暂无待审核的开班备案' });
      for (const u of pending) Object.assign(u, { status: 'approved', approvedAt: ctx.now.toISOString(), approvedBy: ctx.principal.sub });
      const units = pending.map((u) => ({ enterpriseId: u.enterpriseId, district: u.district }));
      if (c.status === 'filed' && c.filingUnits.every((u) => u.status === 'approved')) {
        transition(m, 'allFilingUnitsApproved');
        c.enteredTrainingOn = ctx.today;
        m.write(...this.trainingStartKpis(c));
        if (c.counts.departed < c.counts.enrolled) {
          m.write(openDeadlineOp({ rule: 'R-ASSESS-1', cohortId, subjectId: cohortId, district: await this.districtOf(c.reviewBureauId), dueOn: c.plannedEnd }));
        } else {
          // Every trainee left before training: no one remains to assess, so the class is `assessed`
          // at once ("every remaining trainee assessed") and goes on to its closing, with no subsidy
          // (R-SUB-3). Left in training it could never move again: no assessment, departure or cancel
          // is possible there.
          transition(m, 'allAssessed');
        }
      }
      // R-AUDIT-1: one event per change; entering training shows in its before/after status.
      m.event('filing.approved', { subjectType: 'filingUnits', subjectId: ctx.principal.orgId, after: { units, ...(c.enteredTrainingOn ? { enteredTrainingOn: c.enteredTrainingOn } : {}) } });
    });
    return cohort;
  }

  /** R-KPI-1: the class's trainees count as enrolled in the year it starts, per insured district. */
  private trainingStartKpis(c: Cohort) {
    const year = yearOf(c.enteredTrainingOn!);
    const byDistrict = new Map<string, { enrolled: number; departed: number }>();
    for (const p of c.participants) {
      for (const [district, u] of Object.entries(p.units)) {
        const entry = byDistrict.get(district) ?? { enrolled: 0, departed: 0 };
        entry.enrolled += u.trainees;
        entry.departed += u.departedBeforeTraining ?? 0;
        byDistrict.set(district, entry);
      }
    }
    return [...byDistrict].map(([district, n]) =>
      kpiOp(year, district, { enrolled: n.enrolled, departed: n.departed, seniorOrAbove: isSeniorOrAbove(c.level) ? n.enrolled : 0 }),
    );
  }

  /** 离职 reported by the trainee's own enterprise; late reports are accepted and flagged (R-DEPART-1). */
  async depart(ctx: RequestContext, cohortId: string, traineeId: string, leftOn: string) {
    const traineeKey = keys.trainee(cohortId, traineeId);
    const { result, cohort } = await mutateCohort(this.store, ctx, cohortId, { keys: [traineeKey] }, async (m) => {
      const raw = m.extra<Record<string, unknown>>(traineeKey);
      if (!raw) throw notFound('trainee');
      const trainee = toTrainee(raw);
      const own = ctx.principal.role === 'enterprise' && ctx.principal.orgId === trainee.enterpriseId;
      // API.md: the departure is reported by "its enterprise" (the organiser may enrol on its behalf, not this).
      requireAccess(own, 'The trainee’s enterprise reports a departure', '由学徒所在企业报告离职');
      const c = m.cohort;
      if (!['planned', 'filed', 'in_training'].includes(c.status)) throw invalidState(c.status, 'report a departure in');
      if (trainee.status !== 'active') throw new ApiError('INVALID_STATE', { en: `The trainee is ${trainee.status}`, zh: `该学徒状态为 ${trainee.status}` });
      if (leftOn > ctx.today) throw ruleViolation([issue('R-DEPART-1', { en: 'leftOn cannot be in the future', zh: '离职日期不能晚于今天' }, 'leftOn')]);
      if (leftOn < trainee.enrolledOn && leftOn < trainee.contract.start) {
        throw ruleViolation([issue('R-DEPART-1', { en: 'leftOn is before the labour contract started', zh: '离职日期早于劳动合同起始日' }, 'leftOn')]);
      }
      const dueOn = addDays(leftOn, 15);
      const lateReport = ctx.today > dueOn;
      trainee.status = 'departed';
      trainee.departure = { leftOn, reportedOn: ctx.today, reportedAt: ctx.now.toISOString(), lateReport };
      c.counts.departed += 1;
      const unit = c.participants.find((p) => p.enterpriseId === trainee.enterpriseId)?.units[trainee.insuredDistrict];
      if (c.status === 'in_training') {
        m.write(kpiOp(yearOf(c.enteredTrainingOn!), trainee.insuredDistrict, { departed: 1 }));
      } else if (unit) {
        unit.departedBeforeTraining = (unit.departedBeforeTraining ?? 0) + 1;
      }
      if (lateReport) m.write(lateActOp({ rule: 'R-DEPART-1', cohortId, subjectId: trainee.id, district: trainee.insuredDistrict, dueOn, doneOn: ctx.today }));
      // The last trainee of a participant that has not filed may be the one who left.
      completeFilingIfDone(m);
      m.write({ op: { Put: { Item: traineeItem(trainee), ConditionExpression: '#s = :active', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':active': 'active' } } } });
      await this.completeAssessmentIfDone(m);
      m.event('trainee.departed', { subjectType: 'trainee', subjectId: trainee.id, after: trainee.departure });
      return trainee;
    });
    return { trainee: result, cohort };
  }

  /** 考核评价 within the 3 months before planned end (R-ASSESS-1). At most 80 results per call (one transaction). */
  async assess(ctx: RequestContext, cohortId: string, results: AssessmentResult[]) {
    const ids = [...new Set(results.map((r) => r.traineeId))];
    const { result, cohort } = await mutateCohort(this.store, ctx, cohortId, { keys: ids.map((id) => keys.trainee(cohortId, id)) }, async (m) => {
      const c = m.cohort;
      const a = m.access;
      requireAccess(a.organizer || a.participant !== undefined || a.evaluator, 'The organiser, a participant (own trainees) or the evaluator records assessments', '由牵头单位、参训企业（本企业学徒）或评价机构录入考核结果');
      if (c.status !== 'in_training') throw invalidState(c.status, 'assess trainees of');
      if (ids.length !== results.length) throw ruleViolation([issue('R-ASSESS-1', { en: 'A trainee appears twice', zh: '同一学徒重复出现' }, 'results')]);
      const from = addMonths(c.plannedEnd, -3);
      const issues = [];
      const updated: Trainee[] = [];
      for (const [i, r] of results.entries()) {
        const raw = m.extra<Record<string, unknown>>(keys.trainee(cohortId, r.traineeId));
        if (!raw) throw notFound('trainee');
        const t = toTrainee(raw);
        if (!a.organizer && !a.evaluator && t.enterpriseId !== a.participant) {
          throw new ApiError('FORBIDDEN', { en: 'A participant records its own trainees only', zh: '参训企业仅可录入本企业学徒' });
        }
        if (t.status !== 'active') throw new ApiError('INVALID_STATE', { en: `Trainee ${t.id} is ${t.status}`, zh: `学徒 ${t.id} 状态为 ${t.status}` });
        if (r.assessedOn < from || r.assessedOn > c.plannedEnd) {
          throw ruleViolation([issue('R-ASSESS-1', { en: `Assessment must fall between ${from} and ${c.plannedEnd}`, zh: `考核评价须在 ${from} 至 ${c.plannedEnd} 之间进行` }, `results.${i}.assessedOn`)], 'ASSESSMENT_WINDOW');
        }
        if (r.assessedOn > ctx.today) issues.push(issue('R-ASSESS-1', { en: 'assessedOn cannot be in the future', zh: '考核日期不能晚于今天' }, `results.${i}.assessedOn`));
        if (r.passed && !r.certificateNo) issues.push(issue('R-ASSESS-1', { en: 'A passed result needs its certificate number', zh: '考核合格须填写证书编号' }, `results.${i}.certificateNo`));
        t.status = r.passed ? 'passed' : 'failed';
        t.assessment = { passed: r.passed, method: r.method, assessedOn: r.assessedOn, ...(r.certificateNo ? { certificateNo: r.certificateNo } : {}), recordedAt: ctx.now.toISOString(), recordedBy: ctx.principal.orgId };
        updated.push(t);
      }
      if (issues.length) throw ruleViolation(issues);
      const year = yearOf(c.enteredTrainingOn!);
      const kpi = new Map<string, Partial<Record<KpiCounter, number>>>();
      for (const t of updated) {
        c.counts.assessed += 1;
        c.counts[t.assessment!.passed ? 'passed' : 'failed'] += 1;
        if (!c.lastAssessedOn || t.assessment!.assessedOn > c.lastAssessedOn) c.lastAssessedOn = t.assessment!.assessedOn;
        const k = kpi.get(t.insuredDistrict) ?? {};
        const counter = t.assessment!.passed ? 'passed' : 'failed';
        k[counter] = (k[counter] ?? 0) + 1;
        kpi.set(t.insuredDistrict, k);
        m.write({ op: { Put: { Item: traineeItem(t), ConditionExpression: '#s = :active', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':active': 'active' } } } });
      }
      for (const [district, add] of kpi) m.write(kpiOp(year, district, add));
      await this.completeAssessmentIfDone(m);
      m.event('assessment.recorded', { after: updated.map((t) => ({ traineeId: t.id, ...t.assessment })) });
      return updated;
    });
    return { cohort, trainees: result };
  }

  /** Every remaining (not departed) trainee assessed → `assessed`, and the closing clock starts (R-CLOSE-1). */
  private async completeAssessmentIfDone(m: Mutation) {
    const c = m.cohort;
    if (c.status !== 'in_training' || c.counts.enrolled === 0 || c.counts.assessed + c.counts.departed < c.counts.enrolled) return;
    transition(m, 'allAssessed');
    m.write(closeDeadlineOp({ cohortId: c.id, rule: 'R-ASSESS-1', subjectId: c.id, dueOn: c.plannedEnd }, c.lastAssessedOn ?? m.ctx.today));
    if (c.lastAssessedOn) {
      m.write(openDeadlineOp({ rule: 'R-CLOSE-1', cohortId: c.id, subjectId: c.id, district: await this.districtOf(c.reviewBureauId), dueOn: addMonths(c.lastAssessedOn, 1) }));
    }
  }

  /** 结班: closing materials within 1 month of the last assessment; later is accepted and flagged. */
  async submitClosing(ctx: RequestContext, cohortId: string, materials: { name: string; sha256: string }[], o?: Opts): Promise<Cohort> {
    const { cohort } = await mutateCohort(this.store, ctx, cohortId, versionOpt(o), (m) => {
      requireAccess(m.access.organizer, 'Only the organiser submits the closing materials', '仅牵头单位可提交结班材料');
      const c = m.cohort;
      if (c.status !== 'assessed') throw invalidState(c.status, 'submit the closing of');
      const closingDue = addMonths(c.lastAssessedOn ?? ctx.today, 1);
      transition(m, 'submitClosing');
      c.closing = { submittedAt: ctx.now.toISOString(), submittedOn: ctx.today, materials, closingDue, late: ctx.today > closingDue };
      if (c.lastAssessedOn) m.write(closeDeadlineOp({ cohortId, rule: 'R-CLOSE-1', subjectId: cohortId, dueOn: closingDue }, ctx.today));
      m.event('closing.submitted', { after: c.closing });
    });
    return cohort;
  }
}
