/**
 * Subsidy engine (§九, R-SUB-1..6, R-JOINT-3, R-ROUTE-2). Lines are computed only when the
 * competent bureau accepts the closing. A class too large for one transaction is closed in
 * idempotent, resumable chunks: lines are first staged (invisible to every listing), then one
 * transaction flips the cohort to `closed`, and the lines are indexed for their payers. Re-running
 * the acceptance after a crash at any point reaches the same result.
 */
import { createHash } from 'node:crypto';
import { buildSubsidyLines, traineeSubsidy, trainingStartOf, cityShareBasisPointsFor, type PolicyVersion } from '../domain/subsidy.js';
import { kpiOp } from '../db/cohorts.js';
import { indexKeys, keys } from '../db/keys.js';
import { fromItem, sortKeyPrefix, storedItem, type Store, type WriteOp } from '../db/store.js';
import type { RequestContext } from '../http/context.js';
import { ApiError, invalidState, notFound } from '../http/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../http/pagination.js';
import { transition } from './cohorts/design.js';
import { viewerPrincipals, type Cohort, type Trainee } from './cohorts/model.js';
import { alongsideCohort, loadVisibleCohort, mutateCohort, requireAccess } from './cohorts/mutation.js';
import type { OrganizationService } from './organizations.js';
import type { PolicyService } from './policy.js';
import { cstDate, yearOf } from '../domain/dates.js';
import { auditOp } from '../db/audit.js';

export const fundingSources = ['employment_subsidy', 'skills_upgrading'] as const;
export type FundingSource = (typeof fundingSources)[number];
export type LineStatus = 'staged' | 'pending' | 'approved' | 'paid';

/** One trainee's share of a line, so a clerk can check the arithmetic by hand. */
export interface LineTrainee {
  traineeId: string;
  name: string;
  level: string;
  trainingStart: string;
  assessedOn: string;
  months: number;
  plannedMonths: number;
  rateFenPerYear: number;
  amountFen: number;
}

/** 补贴明细: what one payer bureau owes one enterprise for one closed cohort. */
export interface SubsidyLine {
  id: string;
  cohortId: string;
  payeeId: string;
  payerBureauId: string;
  district: string;
  traineeIds: string[];
  trainees: LineTrainee[];
  amountFen: number;
  cityShareFen: number;
  districtShareFen: number;
  cityShareBasisPoints: number;
  policyVersion: string;
  status: LineStatus;
  createdAt: string;
  approval?: { fundingSource: FundingSource; approvedAt: string; approvedOn: string; by: string };
  payment?: { paidOn: string; reference: string; paidAt: string; by: string };
  version: number;
}

/** moveLine's version/status condition failed: another change to the line came first. */
const lostRace = (error: unknown) => error instanceof ApiError && error.code === 'CONFLICT';

/** Items per staging or listing transaction, its event included (DynamoDB takes 100; one left spare). */
const CHUNK = 99;

/**
 * A line's id: its cohort's id, then a digest of (cohort, payee, payer bureau), so staging is
 * idempotent and /v1/disbursements/{lineId} finds the line with one GetItem (no pointer item).
 */
const lineId = (cohortId: string, payeeId: string, payerBureauId: string) =>
  `${cohortId}-${createHash('sha256').update(`${cohortId}|${payeeId}|${payerBureauId}`).digest('base64url').slice(0, 16).replace(/[-_]/g, '0')}`;
const cohortOfLine = (id: string) => /^([0-9A-Z]{26})-[0-9A-Za-z]{16}$/.exec(id)?.[1];

const stripLine = (raw: Record<string, unknown>) => fromItem<SubsidyLine>(raw);

/** The listing keys of a published line: by payer (GSI1), payee (GSI2) and for auditors (GSI3). */
const lineIndexes = (l: Pick<SubsidyLine, 'payerBureauId' | 'payeeId' | 'status' | 'id'>) => ({
  GSI1PK: indexKeys.payerLines(l.payerBureauId),
  GSI1SK: `${l.status}#${l.id}`,
  GSI2PK: indexKeys.payeeLines(l.payeeId),
  GSI2SK: `${l.status}#${l.id}`,
  GSI3PK: indexKeys.allLines,
  GSI3SK: `${l.status}#${l.id}`,
});

export class SubsidyService {
  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationService,
    private readonly policy: PolicyService,
  ) {}

  /** R-SUB-2..5: the lines of a cohort from its trainees, under the policy in force on its planned start. */
  async computeLines(cohort: Cohort, trainees: Trainee[], policy: PolicyVersion, now: string): Promise<SubsidyLine[]> {
    const trainingStart = trainingStartOf(cohort.plannedStart, cohort.enteredTrainingOn);
    const bureaus = await this.organizations.findMany([...new Set(trainees.map((t) => t.bureauId))]);
    const details = new Map<string, LineTrainee>();
    const inputs = trainees.map((t) => {
      const passed = t.status === 'passed' && t.assessment?.passed === true;
      const detail = passed
        ? traineeSubsidy({ level: cohort.level, policy, trainingStart, assessedOn: t.assessment!.assessedOn, plannedStart: cohort.plannedStart, plannedEnd: cohort.plannedEnd })
        : undefined;
      if (detail) details.set(t.id, { traineeId: t.id, name: t.name, level: cohort.level, trainingStart, assessedOn: t.assessment!.assessedOn, ...detail });
      return {
        traineeId: t.id,
        enterpriseId: t.enterpriseId,
        // R-ROUTE-2: the line belongs to the paying bureau; its cost-sharing ratio is that bureau's district's.
        insuredDistrict: bureaus.get(t.bureauId)?.district ?? t.insuredDistrict,
        payerBureauId: t.bureauId,
        passed,
        departed: t.status === 'departed',
        amountFen: detail?.amountFen ?? 0,
      };
    });
    return buildSubsidyLines(inputs, policy).map((draft) => ({
      id: lineId(cohort.id, draft.payeeId, draft.payerBureauId),
      cohortId: cohort.id,
      ...draft,
      trainees: draft.traineeIds.map((id) => details.get(id)!),
      cityShareBasisPoints: cityShareBasisPointsFor(policy, draft.district),
      policyVersion: policy.version,
      status: 'staged',
      createdAt: now,
      version: 1,
    }));
  }

  /** 结班验收: accept the closing, create the subsidy lines, close the cohort. */
  async acceptClosing(ctx: RequestContext, cohortId: string, expectedVersion?: number): Promise<Cohort> {
    const { cohort: current, access, roster: trainees } = await loadVisibleCohort(this.store, ctx, cohortId, { roster: true });
    requireAccess(access.reviewBureau, 'Only the competent bureau accepts the closing', '仅主管人社部门可进行结班验收');
    if (current.status === 'closed' && current.closing?.linesToPublish) return this.publishRemaining(ctx, current);
    if (current.status !== 'closing_review') throw invalidState(current.status, 'accept the closing of');
    if (expectedVersion !== undefined && expectedVersion !== current.version) throw new ApiError('PRECONDITION_FAILED');

    const policy = await this.policy.inForce(current.plannedStart);
    const lines = await this.computeLines(current, trainees, policy, ctx.now.toISOString());
    const passed = trainees.filter((t) => t.status === 'passed');

    // The once-ever subsidy marks (R-ELIG-4) of the passed trainees.
    const marks = passed.map((t): WriteOp => ({
      op: {
        Put: {
          Item: { ...keys.personSubsidy(t.personHash, current.occupationCode, current.level), type: 'subsidised', cohortId, traineeId: t.id },
          ConditionExpression: 'attribute_not_exists(PK) OR cohortId = :c',
          ExpressionAttributeValues: { ':c': cohortId },
        },
      },
      onConditionFailed: () =>
        new ApiError('DUPLICATE_ENROLMENT', { en: `Trainee ${t.id} was already subsidised for this occupation and level (R-ELIG-4)`, zh: '该学徒已享受过同职业同等级补贴（R-ELIG-4）' }),
    }));
    const lineOp = (line: SubsidyLine, indexed: boolean): WriteOp => ({
      op: {
        Put: {
          Item: indexed
            ? storedItem(keys.subsidyLine(cohortId, line.id), 'line', { ...line, status: 'pending' }, lineIndexes({ ...line, status: 'pending' }))
            : storedItem(keys.subsidyLine(cohortId, line.id), 'line', line),
          ConditionExpression: 'attribute_not_exists(PK) OR #s = :staged',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':staged': 'staged' },
        },
      },
    });

    // The flip closes the cohort in one transaction: cohort, its event, its listing items, and what
    // else fits. A class whose lines and marks fit too (a 30-trainee class: 3 lines, 28 marks) closes
    // in that one transaction. A larger one first stages its lines (unindexed, invisible) and marks in
    // chunks, each with its own event (R-AUDIT-1), then the flip lists as many lines as fit.
    const room = Math.max(0, 100 - 2 - viewerPrincipals(current).length - 1);
    const direct = lines.length + marks.length <= room;
    if (!direct) {
      const staging = [...lines.map((l) => ({ write: lineOp(l, false), lineId: l.id })), ...marks.map((write) => ({ write, lineId: undefined }))];
      const parts = Math.ceil(staging.length / (CHUNK - 1));
      for (let part = 1; part <= parts; part++) {
        const chunk = staging.slice((part - 1) * (CHUNK - 1), part * (CHUNK - 1));
        const lineIds = chunk.flatMap((x) => (x.lineId ? [x.lineId] : []));
        const after = { part, of: parts, lines: lineIds, subsidyMarks: chunk.length - lineIds.length };
        await this.store.transact([...chunk.map((x) => x.write), auditOp(ctx, keys.cohortPK(cohortId), { action: 'subsidy.lines_staged', subjectType: 'cohort', subjectId: cohortId, after })]);
      }
    }
    const inFlip = direct ? lines : lines.slice(0, room);
    const totalFen = lines.reduce((sum, l) => sum + l.amountFen, 0);
    // The flip starts from the cohort read above: the staging writes leave it untouched, and its
    // version check catches any change since (a lost race reads it again).
    const { cohort } = await mutateCohort(this.store, ctx, cohortId, { snapshot: current, ...(expectedVersion !== undefined ? { expectedVersion } : {}) }, (m) => {
      if (m.cohort.status !== 'closing_review') throw invalidState(m.cohort.status, 'accept the closing of');
      transition(m, 'acceptClosing');
      m.cohort.closing = { ...m.cohort.closing!, acceptedAt: ctx.now.toISOString(), acceptedBy: ctx.principal.sub, linesToPublish: lines.length - inFlip.length };
      m.cohort.subsidy = { policyVersion: policy.version, totalFen, lines: lines.length };
      if (direct) m.write(...lines.map((l) => lineOp(l, true)), ...marks);
      else m.write(...inFlip.map((l) => this.publishOp(l)));
      m.event('closing.accepted', { after: { policyVersion: policy.version, totalFen, lines: lines.map((l) => ({ id: l.id, payeeId: l.payeeId, payerBureauId: l.payerBureauId, amountFen: l.amountFen })) } });
    });
    return cohort.closing?.linesToPublish ? this.publishRemaining(ctx, cohort) : cohort;
  }

  private publishOp(l: Pick<SubsidyLine, 'cohortId' | 'id' | 'payeeId' | 'payerBureauId'>): WriteOp {
    const idx = lineIndexes({ ...l, status: 'pending' });
    return {
      op: {
        Update: {
          Key: keys.subsidyLine(l.cohortId, l.id),
          UpdateExpression: 'SET #s = :pending, GSI1PK = :g1, GSI1SK = :s1, GSI2PK = :g2, GSI2SK = :s2, GSI3PK = :g3, GSI3SK = :s3',
          ConditionExpression: '#s = :staged',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ':staged': 'staged', ':g1': idx.GSI1PK, ':s1': idx.GSI1SK, ':g2': idx.GSI2PK, ':s2': idx.GSI2SK, ':g3': idx.GSI3PK, ':s3': idx.GSI3SK },
        },
      },
    };
  }

  /** Indexes lines still staged after the flip (large classes, or a resumed run). */
  private async publishRemaining(ctx: RequestContext, cohort: Cohort): Promise<Cohort> {
    const staged = (await this.store.queryAll({
      ...sortKeyPrefix(keys.cohortPK(cohort.id), keys.subsidyLinePrefix, { ':staged': 'staged' }),
      FilterExpression: '#s = :staged',
      ExpressionAttributeNames: { '#s': 'status' },
    })).map(stripLine);
    // Each chunk lists its lines under an event of its own (R-AUDIT-1); the cohort's update below
    // records that listing is done.
    for (let i = 0; i < staged.length; i += CHUNK - 1) {
      const chunk = staged.slice(i, i + CHUNK - 1);
      await this.store.transact([...chunk.map((l) => this.publishOp(l)), auditOp(ctx, keys.cohortPK(cohort.id), { action: 'subsidy.lines_listed', subjectType: 'cohort', subjectId: cohort.id, after: { lines: chunk.map((l) => l.id) } })]);
    }
    const { cohort: done } = await mutateCohort(this.store, ctx, cohort.id, { snapshot: cohort }, (m) => {
      if (!m.cohort.closing?.linesToPublish) {
        m.unchanged = true;
        return;
      }
      m.cohort.closing.linesToPublish = 0;
      m.event('subsidy.lines_published', { after: { lines: staged.length } });
    });
    return done;
  }

  /** GET /v1/cohorts/{id}/subsidy: nothing exists before the closing is accepted (R-SUB-3). */
  async cohortLines(ctx: RequestContext, cohortId: string): Promise<{ totalFen: number; policyVersion?: string; lines: SubsidyLine[] }> {
    const [{ cohort }, items] = await alongsideCohort(loadVisibleCohort(this.store, ctx, cohortId), () =>
      this.store.queryAll(sortKeyPrefix(keys.cohortPK(cohortId), keys.subsidyLinePrefix)),
    );
    if (cohort.status !== 'closed' || !cohort.subsidy) return { totalFen: 0, lines: [] };
    const lines = items.map(stripLine);
    return { totalFen: cohort.subsidy.totalFen, policyVersion: cohort.subsidy.policyVersion, lines: lines.map((l) => ({ ...l, status: l.status === 'staged' ? 'pending' : l.status })) };
  }

  /** Lines the caller may act on or see: its own as payer bureau or payee enterprise; all for auditors. */
  async list(ctx: RequestContext, query: { status?: LineStatus; limit: number; cursor?: string }): Promise<Page<SubsidyLine>> {
    const { principal } = ctx;
    const [index, pk] =
      principal.role === 'hr' ? ['GSI1', indexKeys.payerLines(principal.orgId)]
      : principal.role === 'enterprise' ? ['GSI2', indexKeys.payeeLines(principal.orgId)]
      : principal.role === 'auditor' ? ['GSI3', indexKeys.allLines]
      : [undefined, undefined];
    if (!index || !pk) throw new ApiError('FORBIDDEN', { en: 'Only bureaus, payee enterprises and auditors read disbursements', zh: '仅人社部门、受款企业和审计机构可查看补贴发放' });
    const bound = { status: query.status, pk };
    const start = decodeCursor(query.cursor, bound);
    const page = await this.store.query({
      IndexName: index,
      KeyConditionExpression: `${index}PK = :pk${query.status ? ` AND begins_with(${index}SK, :s)` : ''}`,
      ExpressionAttributeValues: { ':pk': pk, ...(query.status ? { ':s': `${query.status}#` } : {}) },
      Limit: query.limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return { items: page.items.map(stripLine), nextCursor: encodeCursor(page.lastKey, bound) };
  }

  /** One line, to its payer bureau, its payee and auditors (404 to anyone else, as for no line). */
  async line(ctx: RequestContext, lineIdValue: string): Promise<SubsidyLine> {
    const cohortId = cohortOfLine(lineIdValue);
    const raw = cohortId ? await this.store.get(keys.subsidyLine(cohortId, lineIdValue)) : undefined;
    const line = raw ? stripLine(raw) : undefined;
    const p = ctx.principal;
    const visible = line && line.status !== 'staged' && ((p.role === 'hr' && p.orgId === line.payerBureauId) || (p.role === 'enterprise' && p.orgId === line.payeeId) || p.role === 'auditor');
    if (!line || !visible) throw notFound('subsidy line');
    return line;
  }

  /** The line its payer bureau acts on, at the version the caller read (If-Match, API.md). */
  private async loadLine(ctx: RequestContext, lineIdValue: string, expectedVersion?: number): Promise<SubsidyLine> {
    const line = await this.line(ctx, lineIdValue);
    if (ctx.principal.role !== 'hr') throw new ApiError('FORBIDDEN', { en: 'Only the paying bureau acts on a line', zh: '仅付款人社部门可办理' });
    if (expectedVersion !== undefined && expectedVersion !== line.version) throw new ApiError('PRECONDITION_FAILED');
    return line;
  }

  /** One conditional write moving a line on; its amount is never touched after approval (R-SUB-6). */
  private async moveLine(ctx: RequestContext, line: SubsidyLine, next: SubsidyLine, extra: WriteOp[] = []): Promise<void> {
    await this.store.transact([
      {
        op: {
          Put: {
            Item: storedItem(keys.subsidyLine(line.cohortId, line.id), 'line', next, lineIndexes(next)),
            ConditionExpression: '#v = :v AND #s = :s',
            ExpressionAttributeNames: { '#v': 'version', '#s': 'status' },
            ExpressionAttributeValues: { ':v': line.version, ':s': line.status },
          },
        },
      },
      ...extra,
      auditOp(ctx, keys.cohortPK(line.cohortId), { action: `subsidy.${next.status}`, subjectType: 'subsidyLine', subjectId: line.id, before: { status: line.status }, after: { status: next.status, amountFen: next.amountFen, ...(next.approval ?? {}), ...(next.payment ?? {}) } }),
    ]);
  }

  async approve(ctx: RequestContext, id: string, fundingSource: FundingSource, expectedVersion?: number): Promise<SubsidyLine> {
    const line = await this.loadLine(ctx, id, expectedVersion);
    if (line.status === 'approved' && line.approval?.fundingSource === fundingSource) return line;
    if (line.status !== 'pending') throw new ApiError('INVALID_STATE', { en: `The line is ${line.status}`, zh: `该补贴明细状态为 ${line.status}` });
    const next: SubsidyLine = { ...line, status: 'approved', version: line.version + 1, approval: { fundingSource, approvedAt: ctx.now.toISOString(), approvedOn: ctx.today, by: ctx.principal.sub } };
    try {
      await this.moveLine(ctx, line, next);
      return next;
    } catch (error) {
      // The caller asked for the version it read (If-Match); another change came first: 412, as a
      // request sent just after that change would get.
      if (expectedVersion !== undefined && lostRace(error)) throw new ApiError('PRECONDITION_FAILED');
      // A concurrent identical approval won: answer as a repeat would. Anything else is a real conflict.
      const now = await this.loadLine(ctx, id);
      if (now.status === 'approved' && now.approval?.fundingSource === fundingSource) return now;
      throw error;
    }
  }

  /** Paid at most once whatever is retried (R-SUB-6): a repeat answers the paid line unchanged. */
  async pay(ctx: RequestContext, id: string, paidOn: string, reference: string, expectedVersion?: number): Promise<SubsidyLine> {
    const line = await this.loadLine(ctx, id, expectedVersion);
    if (line.status === 'paid') return line;
    if (line.status !== 'approved') throw new ApiError('INVALID_STATE', { en: `A ${line.status} line cannot be paid; approve it first`, zh: '补贴明细须先审批后支付' });
    if (paidOn > ctx.today || paidOn < line.approval!.approvedOn) {
      throw new ApiError('RULE_VIOLATION', { en: 'paidOn must fall between the approval and today', zh: '支付日期须在审批日与今天之间' }, [{ path: 'paidOn', message: { en: 'out of range', zh: '日期超出范围' }, rule: 'R-SUB-6' }]);
    }
    const next: SubsidyLine = { ...line, status: 'paid', version: line.version + 1, payment: { paidOn, reference, paidAt: ctx.now.toISOString(), by: ctx.principal.sub } };
    try {
      await this.moveLine(ctx, line, next, [kpiOp(yearOf(paidOn), line.district, { subsidyPaidFen: line.amountFen })!]);
      return next;
    } catch (error) {
      if (expectedVersion !== undefined && lostRace(error)) throw new ApiError('PRECONDITION_FAILED');
      // A concurrent pay won: answer with the line as paid, never pay twice.
      const now = await this.loadLine(ctx, id);
      if (now.status === 'paid') return now;
      throw error;
    }
  }

  /**
   * The bureau's lines whose latest activity (payment, else approval, else creation at the closing
   * acceptance) falls in [from, to], counted in CST days like every date rule (SPEC §Time).
   */
  async statement(ctx: RequestContext, from: string, to: string): Promise<SubsidyLine[]> {
    if (ctx.principal.role !== 'hr') throw new ApiError('FORBIDDEN', { en: 'Statements are for paying bureaus', zh: '仅付款人社部门可导出对账单' });
    const lines = (await this.store.queryAll({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': indexKeys.payerLines(ctx.principal.orgId) },
    })).map(stripLine);
    return lines
      .filter((l) => {
        const day = l.payment?.paidOn ?? l.approval?.approvedOn ?? cstDate(new Date(l.createdAt));
        return day >= from && day <= to;
      })
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  }
}
