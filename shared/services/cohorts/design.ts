/**
 * The design half of the lifecycle (§二(一)–(四)): creating and editing a class, its participants,
 * mentors, trainees and multi-party agreement, up to submission for review.
 */
import { createHmac } from 'node:crypto';
import { checkMentors, checkPeriod, checkCurriculum } from '../../domain/cohort-rules.js';
import { designEditable, holdsEnrolment, nextStatus, type CohortAction } from '../../domain/cohort-state.js';
import { competentCityBureauDistrict, isDivisionCode } from '../../domain/division.js';
import { checkTrainee, traineeTags } from '../../domain/eligibility.js';
import { checkOccupationLevel, type Level } from '../../domain/levels.js';
import { issue, type RuleIssue } from '../../domain/messages.js';
import { normalizeNationalId } from '../../domain/national-id.js';
import { auditOp, toEvent } from '../../db/audit.js';
import { releaseDemandOp, type DemandKeyParts } from '../../db/demands.js';
import { newId } from '../../db/ids.js';
import {
  closeDeadlineOp,
  enrolmentLockOp,
  filingWaitOp,
  notSubsidisedCheckOp,
  openDeadlinesOf,
  traineeRemovalOps,
  saveCohortOps,
  toCohort,
  toTrainee,
  traineeItem,
  duplicateEnrolment,
} from '../../db/cohorts.js';
import { indexKeys, keys } from '../../db/keys.js';
import { fromItem, sortKeyPrefix, type Store, type WriteOp } from '../../db/store.js';
import type { AppConfig } from '../../config.js';
import type { Principal, RequestContext } from '../../http/context.js';
import { ApiError, invalidState, notFound, ruleViolation } from '../../http/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../../http/pagination.js';
import type { OccupationService } from '../catalogue.js';
import type { Organization, OrganizationService } from '../organizations.js';
import {
  accessOf,
  cohortSummary,
  districtsAwaitingFiling,
  unitHasTrainees,
  participantsToFile,
  principalViewerKey,
  seesFullId,
  traineeView,
  type Agreement,
  type Cohort,
  type CohortDesign,
  type CohortMode,
  type Mentor,
  type Participant,
  type Trainee,
} from './model.js';
import { alongsideCohort, loadVisibleCohort, mutateCohort, requireAccess, type Mutation } from './mutation.js';

export type { CohortDesign } from './model.js';

export interface NewTrainee {
  enterpriseId: string;
  name: string;
  idNumber: string;
  skillPosition: boolean;
  contract: { start: string; end?: string; openEnded?: boolean };
  hireDate: string;
  insuredDistrict: string;
  tags?: string[];
  priorCertificate?: { level: Level; occupationCode: string; issuedOn: string; number: string };
}

export const transition = (m: Mutation, action: CohortAction) => {
  const next = nextStatus(m.cohort.status, action);
  if (!next) throw invalidState(m.cohort.status, action);
  m.cohort.status = next;
};

/**
 * Every participant with trainees to file has filed → `filed`; otherwise the R-FILE-1 deadline
 * names who it waits for. A participant whose trainees were all removed, or all left before
 * training, has no filing unit to file (R-ROUTE-2), so it cannot hold the class back.
 */
export function completeFilingIfDone(m: Mutation) {
  const c = m.cohort;
  if (c.status !== 'planned' || !c.plan) return;
  const waitingFor = participantsToFile(c);
  if (waitingFor.length === 0 && c.filings.length > 0) {
    transition(m, 'allFiled');
    m.write(closeDeadlineOp({ cohortId: c.id, rule: 'R-FILE-1', subjectId: c.id, dueOn: c.plan.filingDue }, m.ctx.today));
  } else {
    m.write(filingWaitOp(c.id, { waitingFor, alsoFor: districtsAwaitingFiling(c, waitingFor) }, c.plan.filingDue));
  }
}

/** A pooled demand back to the chamber's pool, with its own event on the demand's trail (R-AUDIT-1). */
function demandReleaseOps(ctx: RequestContext, d: DemandKeyParts & { version: number }, cohortId: string): WriteOp[] {
  return [
    releaseDemandOp(d, cohortId),
    auditOp(ctx, keys.demand(d.id).PK, { action: 'demand.released', subjectType: 'demand', subjectId: d.id, before: { status: 'taken', cohortId, version: d.version }, after: { status: 'open', version: d.version + 1 } }),
  ];
}

const requireDraft = (c: Cohort, action: string) => {
  if (!designEditable(c.status)) throw invalidState(c.status, action);
};

/** R-JOINT-2: a roster change makes the agreement's party list or signatures stale. */
function voidAgreement(m: Mutation, partiesChanged: boolean) {
  const a = m.cohort.agreement;
  if (!a || a.status === 'void') return;
  if (partiesChanged || a.parties.some((p) => p.signedAt)) {
    a.status = 'void';
    a.voidedAt = m.ctx.now.toISOString();
  }
}

export class CohortDesignService {
  constructor(
    private readonly store: Store,
    private readonly config: AppConfig,
    private readonly organizations: OrganizationService,
    private readonly occupations: OccupationService,
  ) {}

  personHash(idNumber: string): string {
    return createHmac('sha256', this.config.personHashSalt).update(normalizeNationalId(idNumber)).digest('base64url');
  }

  async create(ctx: RequestContext, mode: CohortMode, design: CohortDesign, fromDemands?: Cohort['fromDemands']): Promise<Cohort> {
    const { principal } = ctx;
    const organizer = principal.org;
    if (!organizer || !['chamber', 'enterprise'].includes(principal.role)) {
      throw new ApiError('FORBIDDEN', { en: 'Only a chamber or an enterprise organises a cohort', zh: '仅工商联（商会）或企业可牵头组班' });
    }
    const issues: RuleIssue[] = [];
    if (mode === 'joint' && principal.role !== 'chamber') {
      issues.push(issue('R-JOINT-1', { en: 'A joint class is organised by a chamber', zh: '联合组班须由工商联或商会、行业协会牵头' }, 'mode'));
    }
    if (mode !== 'joint' && principal.role === 'chamber') {
      issues.push(issue('R-JOINT-1', { en: 'A chamber organises joint classes only', zh: '商会仅可组织联合组班' }, 'mode'));
    }
    if (mode === 'group') {
      const members = await this.store.query({
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': indexKeys.membersOf(organizer.id) },
        Limit: 1,
      });
      if (organizer.parentId || members.items.length === 0) {
        issues.push(issue('R-GROUP-1', { en: 'A group class is organised by a group HQ that has member companies', zh: '集中备案须由有成员公司的集团总部牵头' }, 'mode'));
      }
    }
    issues.push(...(await this.checkDesign(design)));
    const reviewBureauId = await this.competentBureau(mode, organizer);
    if (!reviewBureauId) {
      issues.push(issue('R-ROUTE-1', { en: 'No competent hr_bureau is registered for this organiser', zh: '未找到牵头单位所在地的主管人社部门' }, 'mode'));
    }
    if (issues.length) throw ruleViolation(issues);

    const now = ctx.now.toISOString();
    const cohort: Cohort = {
      id: newId(ctx.now),
      mode,
      status: 'draft',
      ...design,
      organizerId: organizer.id,
      reviewBureauId: reviewBureauId!,
      participants: mode === 'enterprise' ? [{ enterpriseId: organizer.id, district: organizer.district, addedAt: now, units: {} }] : [],
      mentors: [],
      filings: [],
      filingUnits: [],
      counts: { enrolled: 0, departed: 0, assessed: 0, passed: 0, failed: 0 },
      ...(fromDemands?.length ? { fromDemands } : {}),
      createdAt: now,
      createdBy: principal.sub,
      updatedAt: now,
      version: 1,
    };
    await this.store.transact([
      ...saveCohortOps(undefined, cohort),
      auditOp(ctx, keys.cohortPK(cohort.id), { action: 'cohort.created', subjectType: 'cohort', subjectId: cohort.id, after: cohort }),
    ]);
    return cohort;
  }

  /** R-ROUTE-1: group → the city-level bureau of the HQ; joint → the chamber's; enterprise → its own. */
  private async competentBureau(mode: CohortMode, organizer: Organization): Promise<string | undefined> {
    if (mode === 'group') return this.organizations.bureauOf(competentCityBureauDistrict(organizer.district));
    return this.organizations.filingBureauOf(organizer.district);
  }

  private async checkDesign(design: CohortDesign): Promise<RuleIssue[]> {
    const issues: RuleIssue[] = [];
    const occupation = await this.occupations.find(design.occupationCode);
    if (!occupation) issues.push(issue('R-OCC-1', { en: 'Unknown occupation code', zh: '职业（工种）代码不存在' }, 'occupationCode'));
    else issues.push(...checkOccupationLevel(occupation.skillEvaluation, design.level).map((i) => ({ ...i, path: i.path ?? 'level' })));
    issues.push(...checkPeriod(design));
    const orgs = await this.organizations.findMany([design.providerId, ...(design.evaluatorId ? [design.evaluatorId] : [])]);
    if (orgs.get(design.providerId)?.kind !== 'provider') {
      issues.push(issue('R-MENTOR-1', { en: 'providerId must be a registered training provider', zh: '培训机构不存在或类型不符' }, 'providerId'));
    }
    if (design.evaluatorId && orgs.get(design.evaluatorId)?.kind !== 'evaluator') {
      issues.push(issue('R-ASSESS-1', { en: 'evaluatorId must be a registered evaluation organisation', zh: '评价机构不存在或类型不符' }, 'evaluatorId'));
    }
    return issues;
  }

  async get(ctx: RequestContext, cohortId: string): Promise<Cohort> {
    return (await loadVisibleCohort(this.store, ctx, cohortId)).cohort;
  }

  async list(principal: Principal, query: { status?: string; limit: number; cursor?: string }): Promise<Page<ReturnType<typeof cohortSummary>>> {
    // API.md: any role lists "only what it may see"; the platform operator sees no cohort.
    if (principal.role === 'admin') return { items: [], nextCursor: null };
    const viewer = principalViewerKey(principal);
    const bound = { status: query.status, viewer };
    const start = decodeCursor(query.cursor, bound);
    const page = await this.store.query({
      IndexName: 'GSI1',
      KeyConditionExpression: query.status ? 'GSI1PK = :pk AND begins_with(GSI1SK, :status)' : 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': indexKeys.viewerCohorts(viewer), ...(query.status ? { ':status': `${query.status}#` } : {}) },
      Limit: query.limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    const items = page.items.map((raw) => fromItem<ReturnType<typeof cohortSummary>>(raw));
    return { items, nextCursor: encodeCursor(page.lastKey, bound) };
  }

  /** `mode` may be sent (API.md: a partial of the create body) but not changed: the participants depend on it. */
  async patch(ctx: RequestContext, cohortId: string, patch: Partial<CohortDesign> & { mode?: CohortMode }, expectedVersion?: number): Promise<Cohort> {
    const { mode, ...changes } = patch;
    const { cohort } = await mutateCohort(this.store, ctx, cohortId, { ...(expectedVersion !== undefined ? { expectedVersion } : {}) }, async (m) => {
      requireAccess(m.access.organizer, 'Only the organiser edits the class design', '仅牵头单位可修改班级方案');
      requireDraft(m.cohort, 'edit');
      if (mode !== undefined && mode !== m.cohort.mode) {
        const message = { en: 'The mode of a cohort cannot change; create another cohort', zh: '班级组班方式创建后不可修改，请另建班级' };
        throw new ApiError('VALIDATION_FAILED', message, [{ path: 'mode', message }]);
      }
      const before = pickDesign(m.cohort);
      const next = { ...before, ...changes };
      if (JSON.stringify(next) === JSON.stringify(before)) {
        m.unchanged = true;
        return;
      }
      const issues = await this.checkDesign(next);
      if (issues.length) throw ruleViolation(issues);
      Object.assign(m.cohort, next);
      if (changes.extensionReason === undefined && 'extensionReason' in changes) delete m.cohort.extensionReason;
      if (changes.providerId && changes.providerId !== before.providerId) {
        voidAgreement(m, true);
        // R-MENTOR-1: a school mentor comes from the provider; the former provider's no longer count.
        m.cohort.mentors = m.cohort.mentors.filter((mentor) => mentor.kind !== 'school' || mentor.organizationId === changes.providerId);
      }
      m.event('cohort.updated', { before, after: next });
    });
    return cohort;
  }

  /**
   * Cancels the class. One opened from pooled demand then returns its demands to the chamber's pool
   * (`releaseDemands: false` when the class never took them: DemandService.openCohort failed). A
   * repeated cancel finishes a return that failed after the cancellation was written.
   */
  async cancel(ctx: RequestContext, cohortId: string, reason: string | undefined, expectedVersion?: number, { releaseDemands = true } = {}): Promise<Cohort> {
    const open = await openDeadlinesOf(this.store, cohortId);
    let cohort: Cohort;
    try {
      ({ cohort } = await mutateCohort(this.store, ctx, cohortId, { ...(expectedVersion !== undefined ? { expectedVersion } : {}) }, (m) => {
        requireAccess(m.access.organizer, 'Only the organiser cancels a class', '仅牵头单位可撤销班级');
        transition(m, 'cancel');
        m.cohort.cancellation = { at: ctx.now.toISOString(), by: ctx.principal.sub, ...(reason ? { reason } : {}) };
        // A cancelled class owes nothing more: its open deadlines leave the alerts.
        for (const d of open) m.write({ op: { Delete: { Key: keys.deadline(d.cohortId, d.rule, d.subjectId) } } });
        m.event('cohort.cancelled', { after: { reason } });
      }));
    } catch (error) {
      const done = error instanceof ApiError && error.code === 'INVALID_STATE' ? await this.get(ctx, cohortId) : undefined;
      if (!releaseDemands || done?.status !== 'cancelled' || !(await this.releaseDemands(ctx, done))) throw error;
      return done;
    }
    if (releaseDemands) await this.releaseDemands(ctx, cohort);
    return cohort;
  }

  /**
   * The demands still taken by this (cancelled) class go back to `open`, each with its own event
   * (R-AUDIT-1): one read of them, then one transaction per 49. Returns whether any was released.
   */
  private async releaseDemands(ctx: RequestContext, cohort: Cohort): Promise<boolean> {
    const ops = (await this.demandsTakenBy(cohort)).flatMap((d) => demandReleaseOps(ctx, d, cohort.id));
    for (let i = 0; i < ops.length; i += 98) await this.store.transact(ops.slice(i, i + 98));
    return ops.length > 0;
  }

  /** The pooled demands this class took and still holds (one read; none for a class not opened from demand). */
  private async demandsTakenBy(cohort: Cohort, enterpriseId?: string) {
    if (!cohort.fromDemands?.length) return [];
    return (await this.store.getMany(cohort.fromDemands.map((id) => keys.demand(id))))
      .map((raw) => fromItem<DemandKeyParts & { status: string; cohortId?: string; version: number }>(raw))
      .filter((d) => d.status === 'taken' && d.cohortId === cohort.id && (enterpriseId === undefined || d.enterpriseId === enterpriseId));
  }

  async addParticipant(ctx: RequestContext, cohortId: string, enterpriseId: string): Promise<Participant> {
    const enterprise = await this.organizations.find(enterpriseId);
    const { result } = await mutateCohort(this.store, ctx, cohortId, {}, (m) => {
      requireAccess(m.access.organizer, 'Only the organiser adds participants', '仅牵头单位可添加参训企业');
      requireDraft(m.cohort, 'add a participant to');
      const c = m.cohort;
      if (!enterprise || enterprise.kind !== 'enterprise') {
        throw ruleViolation([issue('R-JOINT-1', { en: 'A participant is a registered enterprise', zh: '参训企业须为已登记的企业' }, 'enterpriseId')]);
      }
      if (c.mode === 'enterprise') {
        throw ruleViolation([issue('R-JOINT-1', { en: 'An enterprise class has its organiser as its only participant', zh: '企业自主培训班仅有本企业参训' }, 'enterpriseId')]);
      }
      if (c.mode === 'group' && enterprise.id !== c.organizerId && enterprise.parentId !== c.organizerId) {
        throw ruleViolation([issue('R-GROUP-1', { en: 'Participants of a group class are the HQ or its member companies', zh: '集中备案班级的参训企业须为集团总部或其成员公司' }, 'enterpriseId')]);
      }
      if (c.participants.some((p) => p.enterpriseId === enterprise.id)) {
        throw ruleViolation([issue('R-JOINT-1', { en: 'Already a participant', zh: '该企业已是参训企业' }, 'enterpriseId')]);
      }
      if (c.participants.length >= this.config.maxParticipants) {
        throw ruleViolation([issue('R-JOINT-1', { en: `A class takes at most ${this.config.maxParticipants} participants`, zh: `每个班级最多 ${this.config.maxParticipants} 家参训企业` }, 'enterpriseId')]);
      }
      const participant: Participant = { enterpriseId: enterprise.id, district: enterprise.district, addedAt: ctx.now.toISOString(), units: {} };
      c.participants.push(participant);
      voidAgreement(m, true);
      m.event('participant.added', { subjectType: 'participant', subjectId: enterprise.id, after: participant });
      return participant;
    });
    return result;
  }

  /**
   * In a draft: a participant without trainees. In `planned`: a participant that has not filed
   * (withdrawParticipant), with its trainees, who are released (R-ELIG-4).
   */
  async removeParticipant(ctx: RequestContext, cohortId: string, enterpriseId: string, expectedVersion?: number): Promise<void> {
    await mutateCohort(this.store, ctx, cohortId, { roster: true, ...(expectedVersion !== undefined ? { expectedVersion } : {}) }, async (m) => {
      requireAccess(m.access.organizer, 'Only the organiser removes participants', '仅牵头单位可移除参训企业');
      const c = m.cohort;
      // A class opened from pooled demand returns the leaving enterprise's demands to the pool.
      const leaving = await this.demandsTakenBy(c, enterpriseId);
      if (leaving.length) {
        m.write(...leaving.flatMap((d) => demandReleaseOps(ctx, d, c.id)));
        c.fromDemands = c.fromDemands!.filter((id) => !leaving.some((d) => d.id === id));
      }
      if (c.status === 'planned') return this.withdrawParticipant(m, enterpriseId, leaving.length);
      requireDraft(c, 'remove a participant from');
      const index = c.participants.findIndex((p) => p.enterpriseId === enterpriseId);
      if (index < 0) throw notFound('participant');
      if (c.mode === 'enterprise') throw invalidState(c.status, 'remove the only participant of');
      const participant = c.participants[index]!;
      if (Object.values(participant.units).some((u) => u.trainees > 0)) {
        throw ruleViolation([issue('R-JOINT-2', { en: 'Remove this participant’s trainees first', zh: '请先移除该企业的学徒' }, 'enterpriseId')]);
      }
      c.participants.splice(index, 1);
      c.mentors = c.mentors.filter((mentor) => !(mentor.kind === 'enterprise' && mentor.organizationId === enterpriseId));
      voidAgreement(m, true);
      m.event('participant.removed', { subjectType: 'participant', subjectId: enterpriseId, before: participant });
    });
  }

  /**
   * A participant leaves a listed class: one with trainees only once the filing deadline has passed
   * without its filing (R-FILE-1); one left with no trainee to train at any time, so that it cannot
   * hold the others up by not signing the agreement's new version. Either is a change of parties,
   * which voids a signed agreement (R-JOINT-2); filings already made stand.
   */
  private withdrawParticipant(m: Mutation, enterpriseId: string, demandsReturned: number) {
    const c = m.cohort;
    const index = c.participants.findIndex((p) => p.enterpriseId === enterpriseId);
    if (index < 0) throw notFound('participant');
    if (c.mode === 'enterprise') throw invalidState(c.status, 'remove the only participant of');
    const nothingToTrain = !Object.values(c.participants[index]!.units).some(unitHasTrainees);
    if (!nothingToTrain && (!c.plan || m.ctx.today <= c.plan.filingDue)) {
      throw new ApiError('INVALID_STATE', { en: `A participant that has not filed is withdrawn after the filing deadline ${c.plan?.filingDue ?? ''} only (R-FILE-1)`, zh: `开班备案截止（${c.plan?.filingDue ?? ''}）后方可移出未备案的参训企业` });
    }
    if (c.filings.some((f) => f.enterpriseId === enterpriseId)) {
      throw new ApiError('INVALID_STATE', { en: 'This participant has filed; it stays in the class', zh: '该企业已完成开班备案，不可移出' });
    }
    if (c.mode === 'joint' && c.participants.length <= 2) {
      throw ruleViolation([issue('R-JOINT-1', { en: 'A joint class keeps at least two participants; cancel the class instead', zh: '联合组班至少须有两家参训企业，请改为取消班级' }, 'enterpriseId')]);
    }
    if (c.participants.length <= 1) {
      throw ruleViolation([issue('R-GROUP-1', { en: 'A class keeps at least one participant; cancel the class instead', zh: '班级至少须保留一家参训企业，请改为取消班级' }, 'enterpriseId')]);
    }
    const participant = c.participants[index]!;
    const trainees = m.roster.filter((t) => t.enterpriseId === enterpriseId);
    // One transaction: the cohort, its event, the deadline, two items per trainee and per demand
    // returned (listing items follow in their own when they do not fit: mutateCohort).
    if (2 * trainees.length + 2 * demandsReturned + 3 > 100) {
      throw ruleViolation([issue('R-FILE-1', { en: `${trainees.length} trainees are too many to withdraw in one change; cancel the class and form it again`, zh: `该企业学徒${trainees.length}人，无法一次移出，请取消班级后重新组班` }, 'enterpriseId')]);
    }
    for (const t of trainees) m.write(...traineeRemovalOps(c.id, t));
    c.counts.enrolled -= trainees.length;
    c.counts.departed -= trainees.filter((t) => t.status === 'departed').length;
    c.participants.splice(index, 1);
    voidAgreement(m, true);
    m.event('participant.withdrawn', { subjectType: 'participant', subjectId: enterpriseId, before: { ...participant, trainees: trainees.map((t) => t.id) } });
    completeFilingIfDone(m);
  }

  async addMentor(ctx: RequestContext, cohortId: string, input: Omit<Mentor, 'id' | 'addedAt'>): Promise<Mentor> {
    const { result } = await mutateCohort(this.store, ctx, cohortId, {}, (m) => {
      requireAccess(m.access.organizer || m.access.provider, 'Only the organiser or the provider adds mentors', '仅牵头单位或培训机构可添加导师');
      requireDraft(m.cohort, 'add a mentor to');
      const c = m.cohort;
      const enterprises = new Set(c.participants.map((p) => p.enterpriseId));
      if (c.mode !== 'joint') enterprises.add(c.organizerId);
      if (input.kind === 'enterprise' && !enterprises.has(input.organizationId)) {
        throw ruleViolation([issue('R-MENTOR-1', { en: 'An enterprise mentor comes from a participant enterprise', zh: '企业导师须来自参训企业' }, 'organizationId')]);
      }
      if (input.kind === 'school' && input.organizationId !== c.providerId) {
        throw ruleViolation([issue('R-MENTOR-1', { en: 'A school mentor comes from the training provider', zh: '院校导师须来自培训机构' }, 'organizationId')]);
      }
      const mentor: Mentor = { id: newId(ctx.now), ...input, addedAt: ctx.now.toISOString() };
      c.mentors.push(mentor);
      m.event('mentor.added', { subjectType: 'mentor', subjectId: mentor.id, after: mentor });
      return mentor;
    });
    return result;
  }

  async enrol(ctx: RequestContext, cohortId: string, input: NewTrainee): Promise<{ trainee: Trainee; cohort: Cohort }> {
    const idNumber = normalizeNationalId(input.idNumber);
    const personHash = this.personHash(idNumber);
    const bureauId = isDivisionCode(input.insuredDistrict) ? await this.organizations.filingBureauOf(input.insuredDistrict) : undefined;
    const lockKey = keys.personEnrolment(personHash);
    const { result, cohort } = await mutateCohort(
      this.store,
      ctx,
      cohortId,
      { keys: [lockKey] },
      async (m) => {
        const c = m.cohort;
        const ownEnterprise = ctx.principal.role === 'enterprise' && ctx.principal.orgId === input.enterpriseId;
        requireAccess(m.access.organizer || (ownEnterprise && m.access.participant !== undefined), 'A participant enrols its own staff; the organiser may enrol for it', '参训企业仅可为本企业职工报名，牵头单位可代为报名');
        requireDraft(c, 'enrol a trainee in');
        const participant = c.participants.find((p) => p.enterpriseId === input.enterpriseId);
        if (!participant) throw ruleViolation([issue('R-JOINT-1', { en: 'The enterprise is not a participant of this class', zh: '该企业不是本班级的参训企业' }, 'enterpriseId')]);
        const issues = checkTrainee({ ...input, idNumber, enrolledOn: ctx.today, plannedStart: c.plannedStart, level: c.level, occupationCode: c.occupationCode });
        if (!isDivisionCode(input.insuredDistrict)) {
          issues.push(issue('R-ROUTE-2', { en: 'insuredDistrict must be a 6-digit division code', zh: '参保属地须为6位行政区划代码' }, 'insuredDistrict'));
        } else if (!bureauId) {
          issues.push(issue('R-ROUTE-2', { en: 'No hr_bureau is registered for the insured district', zh: '参保属地尚无登记的人社部门' }, 'insuredDistrict'));
        }
        if (issues.length) throw ruleViolation(issues);

        // R-ELIG-4: a lock held by a cohort that has ended may be taken over; any other is a duplicate.
        const lock = m.extra<{ cohortId: string }>(lockKey);
        let stale: string | undefined;
        if (lock) {
          if (lock.cohortId === c.id) throw duplicateEnrolment();
          const other = await this.store.get(keys.cohort(lock.cohortId));
          if (other && holdsEnrolment(toCohort(other).status)) throw duplicateEnrolment();
          stale = lock.cohortId;
        }
        const trainee: Trainee = {
          id: newId(ctx.now),
          cohortId: c.id,
          enterpriseId: input.enterpriseId,
          name: input.name,
          idNumber,
          personHash,
          skillPosition: input.skillPosition,
          contract: input.contract,
          hireDate: input.hireDate,
          insuredDistrict: input.insuredDistrict,
          bureauId: bureauId!,
          declaredTags: input.tags ?? [],
          ...(input.priorCertificate ? { priorCertificate: input.priorCertificate } : {}),
          status: 'active',
          enrolledFor: { occupationCode: c.occupationCode, level: c.level },
          enrolledOn: ctx.today,
          enrolledAt: ctx.now.toISOString(),
        };
        const unit = (participant.units[trainee.insuredDistrict] ??= { bureauId: trainee.bureauId, trainees: 0 });
        unit.trainees += 1;
        c.counts.enrolled += 1;
        voidAgreement(m, false);
        m.write(
          { op: { Put: { Item: traineeItem(trainee), ConditionExpression: 'attribute_not_exists(PK)' } } },
          enrolmentLockOp(personHash, c.id, trainee.id, stale),
          notSubsidisedCheckOp(personHash, c.occupationCode, c.level),
        );
        m.event('trainee.enrolled', { subjectType: 'trainee', subjectId: trainee.id, after: traineeView(trainee, false, []) });
        return trainee;
      },
    );
    return { trainee: result, cohort };
  }

  async removeTrainee(ctx: RequestContext, cohortId: string, traineeId: string, expectedVersion?: number): Promise<void> {
    const traineeKey = keys.trainee(cohortId, traineeId);
    await mutateCohort(this.store, ctx, cohortId, { keys: [traineeKey], ...(expectedVersion !== undefined ? { expectedVersion } : {}) }, (m) => {
      const raw = m.extra<Record<string, unknown>>(traineeKey);
      if (!raw) throw notFound('trainee');
      const trainee = toTrainee(raw);
      const own = ctx.principal.role === 'enterprise' && ctx.principal.orgId === trainee.enterpriseId;
      requireAccess(m.access.organizer || own, 'Only the trainee’s enterprise or the organiser removes a trainee', '仅学徒所在企业或牵头单位可移除学徒');
      const c = m.cohort;
      if (!['draft', 'submitted', 'under_review', 'publicized', 'planned'].includes(c.status)) throw invalidState(c.status, 'remove a trainee from');
      // Once a participant has filed, the roster is what the filings stand on: a removal then could
      // void the agreement under them, or empty the one participant the class still waits for. A
      // trainee who leaves from here on is a departure (R-DEPART-1).
      if (c.filings.length > 0) {
        throw new ApiError('INVALID_STATE', { en: 'Filings have begun: report the trainee’s departure instead', zh: '已开始开班备案，请改为报告学徒离职' });
      }
      const unit = c.participants.find((p) => p.enterpriseId === trainee.enterpriseId)?.units[trainee.insuredDistrict];
      if (unit) {
        unit.trainees -= 1;
        // A removed trainee who had left no longer counts among the unit's departures either.
        if (trainee.status === 'departed' && unit.departedBeforeTraining) unit.departedBeforeTraining -= 1;
        if (unit.trainees <= 0) delete c.participants.find((p) => p.enterpriseId === trainee.enterpriseId)!.units[trainee.insuredDistrict];
      }
      c.counts.enrolled -= 1;
      if (trainee.status === 'departed') c.counts.departed -= 1;
      voidAgreement(m, false);
      m.write(...traineeRemovalOps(c.id, trainee));
      // Listed in the plan: a participant emptied here no longer has anything to file (R-FILE-1).
      completeFilingIfDone(m);
      m.event('trainee.removed', { subjectType: 'trainee', subjectId: trainee.id, before: traineeView(trainee, false, []) });
    });
  }

  async trainees(ctx: RequestContext, cohortId: string, query: { limit: number; cursor?: string; enterpriseId?: string }) {
    const bound = { cohortId, enterpriseId: query.enterpriseId };
    // The cohort (may the caller see it? full ID numbers? R-PRIV-1) is read with the page.
    const [cohort, page] = await alongsideCohort(this.get(ctx, cohortId), async () => {
      const start = decodeCursor(query.cursor, bound);
      return this.store.query({
        ...sortKeyPrefix(keys.cohortPK(cohortId), keys.traineePrefix, query.enterpriseId ? { ':e': query.enterpriseId } : {}),
        ...(query.enterpriseId ? { FilterExpression: 'enterpriseId = :e' } : {}),
        Limit: query.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
    });
    const access = accessOf(ctx.principal, cohort);
    return {
      items: page.items.map((raw) => this.view(ctx.principal, access, cohort, toTrainee(raw))),
      nextCursor: encodeCursor(page.lastKey, bound),
    };
  }

  view(principal: Principal, access: ReturnType<typeof accessOf>, cohort: Cohort, trainee: Trainee) {
    return traineeView(trainee, seesFullId(principal, access, trainee), traineeTags({ hireDate: trainee.hireDate, plannedStart: cohort.plannedStart, declared: trainee.declaredTags }));
  }

  async createAgreement(ctx: RequestContext, cohortId: string): Promise<Agreement> {
    const { result } = await mutateCohort(this.store, ctx, cohortId, {}, (m) => {
      requireAccess(m.access.organizer, 'Only the organiser drafts the agreement', '仅牵头单位可发起多方协议');
      // After submission a trainee may still be removed (until the first filing), which voids the agreement
      // (R-JOINT-2); only then may a new version be issued outside the draft.
      const reissue = m.cohort.agreement?.status === 'void' && ['submitted', 'under_review', 'publicized', 'planned'].includes(m.cohort.status);
      if (m.cohort.status !== 'draft' && !reissue) throw invalidState(m.cohort.status, 'draft an agreement for');
      const c = m.cohort;
      const parties: Agreement['parties'] = [{ organizationId: c.organizerId, role: 'organizer' }];
      for (const p of c.participants) if (p.enterpriseId !== c.organizerId) parties.push({ organizationId: p.enterpriseId, role: 'participant' });
      parties.push({ organizationId: c.providerId, role: 'provider' });
      const agreement: Agreement = { version: (c.agreement?.version ?? 0) + 1, status: 'pending', parties, createdAt: ctx.now.toISOString() };
      c.agreement = agreement;
      m.event('agreement.created', { subjectType: 'agreement', subjectId: String(agreement.version), after: agreement });
      return agreement;
    });
    return result;
  }

  async sign(ctx: RequestContext, cohortId: string, signerName: string): Promise<{ agreement: Agreement; created: boolean }> {
    const { result } = await mutateCohort(this.store, ctx, cohortId, {}, (m) => {
      const a = m.cohort.agreement;
      const party = a?.parties.find((p) => p.organizationId === ctx.principal.orgId);
      requireAccess(!!party && ['chamber', 'enterprise', 'provider'].includes(ctx.principal.role), 'Only a party to the agreement signs it', '仅协议各方可签署');
      if (!a || !party) throw notFound('agreement');
      if (party.signedAt) {
        m.unchanged = true;
        return { agreement: a, created: false };
      }
      if (a.status !== 'pending') {
        throw new ApiError('INVALID_STATE', { en: `Agreement version ${a.version} is ${a.status}; the organiser must issue a new version`, zh: `协议第${a.version}版已失效，请牵头单位重新发起` });
      }
      party.signedAt = ctx.now.toISOString();
      party.signerName = signerName;
      if (a.parties.every((p) => p.signedAt)) {
        a.status = 'effective';
        a.effectiveAt = party.signedAt;
      }
      m.event('agreement.signed', { subjectType: 'agreement', subjectId: String(a.version), after: { organizationId: party.organizationId, signerName, status: a.status } });
      return { agreement: a, created: true };
    });
    return result;
  }

  async submit(ctx: RequestContext, cohortId: string, expectedVersion?: number): Promise<Cohort> {
    // The roster is read with the cohort (one Query): a trainee added or removed since changes the
    // cohort's version, so the transaction's version check guarantees the roster checked here is the
    // one submitted.
    const { cohort } = await mutateCohort(this.store, ctx, cohortId, { roster: true, ...(expectedVersion !== undefined ? { expectedVersion } : {}) }, async (m) => {
      requireAccess(m.access.organizer, 'Only the organiser submits the class', '仅牵头单位可提交开班申报');
      const c = m.cohort;
      if (c.status !== 'draft') throw invalidState(c.status, 'submit');
      const trainees = m.roster;
      const issues = [...(await this.checkDesign(pickDesign(c))), ...checkCurriculum(c.curriculum).errors, ...checkMentors(c.mentors)];
      issues.push(...rosterIssues(c, trainees));
      if (c.mode !== 'enterprise' && c.agreement?.status !== 'effective') {
        issues.push(issue('R-JOINT-2', { en: 'The multi-party agreement must be signed by every party', zh: '多方协议须经各方签署生效' }, 'agreement'));
      }
      // R-ELIG-4: enrolment checked the occupation and level of that moment; a trainee enrolled under
      // another design is looked up again (an extra read only when the design changed).
      const stale = trainees.filter((t) => t.enrolledFor?.occupationCode !== c.occupationCode || t.enrolledFor?.level !== c.level);
      const marks = await this.store.getMany<{ traineeId?: string; PK: string }>(stale.map((t) => keys.personSubsidy(t.personHash, c.occupationCode, c.level)));
      const marked = new Set(marks.map((mark) => mark.PK));
      const subsidised = stale.filter((t) => marked.has(keys.personSubsidy(t.personHash, c.occupationCode, c.level).PK));
      // API.md gives R-ELIG-4 its own code (409 DUPLICATE_ENROLMENT), as at enrolment; the other issues
      // show once the roster is mended.
      if (subsidised.length) {
        throw ruleViolation(
          subsidised.map((t) => issue('R-ELIG-4', { en: 'Already subsidised once for this occupation and level', zh: '该学徒已享受过同职业同等级补贴' }, `trainees.${t.id}`)),
          'DUPLICATE_ENROLMENT',
        );
      }
      // The design may have changed since enrolment (planned start, level): re-check every trainee.
      for (const t of trainees) {
        const again = checkTrainee({ ...t, enrolledOn: t.enrolledOn, plannedStart: c.plannedStart, level: c.level, occupationCode: c.occupationCode });
        issues.push(...again.map((i) => ({ ...i, path: `trainees.${t.id}${i.path ? `.${i.path}` : ''}` })));
      }
      if (issues.length) throw ruleViolation(issues);
      transition(m, 'submit');
      m.event('cohort.submitted', { after: { reviewBureauId: c.reviewBureauId } });
    });
    return cohort;
  }

  async events(ctx: RequestContext, cohortId: string, query: { limit: number; cursor?: string }) {
    const bound = { cohortId, events: true };
    const [, page] = await alongsideCohort(this.get(ctx, cohortId), async () => {
      const start = decodeCursor(query.cursor, bound);
      return this.store.query({
        ...sortKeyPrefix(keys.cohortPK(cohortId), keys.eventPrefix),
        Limit: query.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
    });
    return { items: page.items.map(toEvent), nextCursor: encodeCursor(page.lastKey, bound) };
  }
}

function pickDesign(c: Cohort): CohortDesign {
  return {
    name: c.name,
    occupationCode: c.occupationCode,
    level: c.level,
    providerId: c.providerId,
    ...(c.evaluatorId ? { evaluatorId: c.evaluatorId } : {}),
    plannedStart: c.plannedStart,
    plannedEnd: c.plannedEnd,
    ...(c.extensionReason ? { extensionReason: c.extensionReason } : {}),
    curriculum: c.curriculum,
  };
}

/** R-JOINT-1 / R-GROUP-1: who takes part, and that every participant brings trainees. */
function rosterIssues(c: Cohort, trainees: readonly Trainee[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const withTrainees = new Set(trainees.map((t) => t.enterpriseId));
  const rule = c.mode === 'group' ? 'R-GROUP-1' : 'R-JOINT-1';
  if (c.mode === 'joint' && c.participants.length < 2) {
    issues.push(issue('R-JOINT-1', { en: 'A joint class needs at least two participant enterprises', zh: '联合组班须至少有两家参训企业' }, 'participants'));
  }
  if (trainees.length === 0) issues.push(issue(rule, { en: 'The class has no trainees', zh: '班级尚无学徒' }, 'trainees'));
  for (const p of c.participants) {
    if (!withTrainees.has(p.enterpriseId)) {
      issues.push(issue(rule, { en: `Participant ${p.enterpriseId} has no trainees`, zh: `参训企业 ${p.enterpriseId} 尚无学徒` }, `participants.${p.enterpriseId}`));
    }
  }
  return issues;
}
