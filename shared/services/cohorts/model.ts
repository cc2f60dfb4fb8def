/**
 * The cohort aggregate (班级/班次): one item holding the class design, its participants, mentors,
 * agreement, review, plan, filings and closing, plus counts. Trainees are separate items in the
 * cohort's partition. Pure functions here derive what readers see (deadlines, warnings, access).
 */
import { addMonths } from '../../domain/dates.js';
import { checkCurriculum, type CurriculumHours } from '../../domain/cohort-rules.js';
import type { CohortStatus } from '../../domain/cohort-state.js';
import type { Level } from '../../domain/levels.js';
import type { RuleIssue } from '../../domain/messages.js';
import { maskNationalId } from '../../domain/national-id.js';
import type { Principal } from '../../http/context.js';

export const cohortModes = ['enterprise', 'joint', 'group'] as const;
export type CohortMode = (typeof cohortModes)[number];
export const assessmentMethods = ['process', 'modular', 'performance', 'direct', 'third_party', 'joint'] as const;
export type AssessmentMethod = (typeof assessmentMethods)[number];

/** 参训企业 — an enterprise whose staff are trainees; `units` counts its trainees per insured district. */
export interface Participant {
  enterpriseId: string;
  district: string;
  addedAt: string;
  units: Record<string, { bureauId: string; trainees: number; departedBeforeTraining?: number }>;
}

/** 企业导师 / 院校导师 (R-MENTOR-1). */
export interface Mentor {
  id: string;
  kind: 'enterprise' | 'school';
  name: string;
  organizationId: string;
  addedAt: string;
}

export interface AgreementParty {
  organizationId: string;
  role: 'organizer' | 'participant' | 'provider';
  signedAt?: string;
  signerName?: string;
}

/** 多方协议 (R-JOINT-2): effective only when every party has signed; void after a roster change. */
export interface Agreement {
  version: number;
  status: 'pending' | 'effective' | 'void';
  parties: AgreementParty[];
  createdAt: string;
  effectiveAt?: string;
  voidedAt?: string;
}

export interface Vote {
  expert: string;
  decision: 'approve' | 'reject';
  comment?: string;
  at: string;
}

/** 受理 and 专家组评审 (R-REVIEW-1, R-REVIEW-2). */
export interface Review {
  acceptedAt: string;
  acceptedOn: string;
  reviewDue: string;
  experts: string[];
  votes: Vote[];
  decision?: { decision: 'approve' | 'reject'; reason?: string; onSiteVerified?: boolean; at: string; on: string; by: string };
}

/** 开班备案 (R-FILE-1, R-FILE-2). */
export interface Filing {
  enterpriseId: string;
  filedAt: string;
  filedOn: string;
  filedBy: string;
  commitment: { signerName: string; statement: string; ledgerSha256?: string };
}

/** 备案单元: (participant, insured district), approved by that district's bureau (R-ROUTE-2). */
export interface FilingUnit {
  enterpriseId: string;
  district: string;
  bureauId: string;
  trainees: number;
  status: 'pending' | 'approved';
  filedAt: string;
  approvedAt?: string;
  approvedBy?: string;
}

export interface Closing {
  submittedAt: string;
  submittedOn: string;
  materials: { name: string; sha256: string }[];
  closingDue: string;
  late: boolean;
  acceptedAt?: string;
  acceptedBy?: string;
  /** Subsidy lines still to be indexed for the payers' listings after the flip to closed. */
  linesToPublish?: number;
}

/** What the organiser designs (一班一方案): the fields of create and PATCH. */
export interface CohortDesign {
  name: string;
  occupationCode: string;
  level: Level;
  providerId: string;
  evaluatorId?: string;
  plannedStart: string;
  /** Inclusive last day. */
  plannedEnd: string;
  extensionReason?: string;
  curriculum: CurriculumHours;
}

export interface Cohort extends CohortDesign {
  id: string;
  mode: CohortMode;
  status: CohortStatus;
  organizerId: string;
  /** R-ROUTE-1: the competent bureau, named on creation. */
  reviewBureauId: string;
  participants: Participant[];
  mentors: Mentor[];
  agreement?: Agreement;
  review?: Review;
  publicity?: { from: string; until: string };
  plan?: { publishedOn: string; filingDue: string; warnings: RuleIssue[] };
  filings: Filing[];
  filingUnits: FilingUnit[];
  enteredTrainingOn?: string;
  lastAssessedOn?: string;
  closing?: Closing;
  counts: { enrolled: number; departed: number; assessed: number; passed: number; failed: number };
  subsidy?: { policyVersion: string; totalFen: number; lines: number };
  cancellation?: { at: string; by: string; reason?: string };
  /** The pooled demands (需求) a joint class was opened from; released if the class is cancelled. */
  fromDemands?: string[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  version: number;
}

/** 学徒 */
export interface Trainee {
  id: string;
  cohortId: string;
  enterpriseId: string;
  name: string;
  idNumber: string;
  personHash: string;
  skillPosition: boolean;
  contract: { start: string; end?: string; openEnded?: boolean };
  hireDate: string;
  insuredDistrict: string;
  bureauId: string;
  declaredTags: string[];
  priorCertificate?: { level: Level; occupationCode: string; issuedOn: string; number: string };
  status: 'active' | 'departed' | 'passed' | 'failed';
  departure?: { leftOn: string; reportedOn: string; reportedAt: string; lateReport: boolean };
  assessment?: { passed: boolean; method: AssessmentMethod; assessedOn: string; certificateNo?: string; recordedAt: string; recordedBy: string };
  /** The class's occupation and level when R-ELIG-4 was checked at enrolment. */
  enrolledFor?: { occupationCode: string; level: Level };
  enrolledOn: string;
  enrolledAt: string;
}

/** How the caller relates to a cohort; empty means it may not see the cohort at all (404). */
export interface Access {
  organizer: boolean;
  /** The caller's own enterprise when it is a participant. */
  participant?: string;
  provider: boolean;
  evaluator: boolean;
  reviewBureau: boolean;
  filingBureau: boolean;
  expert: boolean;
  auditor: boolean;
}

/** A filing unit (R-ROUTE-2) still has someone to file for: not every trainee of it left before training. */
export const unitHasTrainees = (u: Participant['units'][string]) => u.trainees - (u.departedBeforeTraining ?? 0) > 0;

/** R-FILE-1: participants with trainees to file that have not filed yet. */
export function participantsToFile(cohort: Cohort): string[] {
  return cohort.participants
    .filter((p) => Object.values(p.units).some(unitHasTrainees) && !cohort.filings.some((f) => f.enterpriseId === p.enterpriseId))
    .map((p) => p.enterpriseId);
}

/** R-FILE-1 / R-ROUTE-2: the insured districts whose bureaus wait for those participants' filings. */
export function districtsAwaitingFiling(cohort: Cohort, waitingFor: readonly string[]): string[] {
  const districts = cohort.participants
    .filter((p) => waitingFor.includes(p.enterpriseId))
    .flatMap((p) => Object.entries(p.units).filter(([, u]) => unitHasTrainees(u)).map(([district]) => district));
  return [...new Set(districts)].sort();
}

export function filingBureausOf(cohort: Cohort): Set<string> {
  const out = new Set<string>();
  for (const p of cohort.participants) for (const unit of Object.values(p.units)) out.add(unit.bureauId);
  for (const u of cohort.filingUnits) out.add(u.bureauId);
  return out;
}

export function accessOf(principal: Principal, cohort: Cohort): Access {
  const org = principal.orgId;
  const isParty = ['chamber', 'enterprise', 'provider', 'evaluator'].includes(principal.role);
  const participant = principal.role === 'enterprise' && cohort.participants.some((p) => p.enterpriseId === org) ? org : undefined;
  return {
    organizer: isParty && cohort.organizerId === org,
    ...(participant ? { participant } : {}),
    provider: principal.role === 'provider' && cohort.providerId === org,
    evaluator: principal.role === 'evaluator' && cohort.evaluatorId === org,
    reviewBureau: principal.role === 'hr' && cohort.reviewBureauId === org,
    filingBureau: principal.role === 'hr' && filingBureausOf(cohort).has(org),
    // An expert belongs to the pool of the bureau whose org its token carries (SPEC, roles): only the
    // competent bureau's experts sit on its panel, whatever `sub` another bureau's expert has.
    expert: principal.role === 'expert' && cohort.reviewBureauId === org && (cohort.review?.experts.includes(principal.sub) ?? false),
    auditor: principal.role === 'auditor',
  };
}

export const canSee = (a: Access) =>
  a.organizer || a.participant !== undefined || a.provider || a.evaluator || a.reviewBureau || a.filingBureau || a.expert || a.auditor;

/** R-PRIV-1: the full ID number only for the trainee's employer, bureaus with jurisdiction, auditors. */
export function seesFullId(principal: Principal, access: Access, trainee: Pick<Trainee, 'enterpriseId'>): boolean {
  return access.auditor || access.reviewBureau || access.filingBureau || (principal.role === 'enterprise' && principal.orgId === trainee.enterpriseId);
}

export function traineeView(trainee: Trainee, fullId: boolean, tags: string[]) {
  const { personHash: _hash, declaredTags: _declared, cohortId: _c, enrolledFor: _for, ...rest } = trainee;
  return { ...rest, idNumber: fullId ? trainee.idNumber : maskNationalId(trainee.idNumber), tags };
}

/** Who sees the cohort in listings: one viewer key per organisation, expert, and "ALL" for auditors. */
export function viewerPrincipals(cohort: Cohort): string[] {
  const orgs = new Set<string>([cohort.organizerId, cohort.providerId, cohort.reviewBureauId, ...cohort.participants.map((p) => p.enterpriseId), ...filingBureausOf(cohort)]);
  if (cohort.evaluatorId) orgs.add(cohort.evaluatorId);
  // An expert is keyed with its bureau (the pool it belongs to), as accessOf checks it.
  return [...[...orgs].map((o) => `ORG#${o}`), ...(cohort.review?.experts ?? []).map((e) => `EXPERT#${cohort.reviewBureauId}#${e}`), 'ALL'];
}

export function principalViewerKey(principal: Principal): string {
  if (principal.role === 'auditor') return 'ALL';
  if (principal.role === 'expert') return `EXPERT#${principal.orgId}#${principal.sub}`;
  return `ORG#${principal.orgId}`;
}

export function cohortSummary(c: Cohort) {
  return {
    id: c.id,
    mode: c.mode,
    status: c.status,
    name: c.name,
    occupationCode: c.occupationCode,
    level: c.level,
    organizerId: c.organizerId,
    reviewBureauId: c.reviewBureauId,
    plannedStart: c.plannedStart,
    plannedEnd: c.plannedEnd,
    participants: c.participants.length,
    trainees: c.counts.enrolled,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
export type CohortSummary = ReturnType<typeof cohortSummary>;

export function deadlinesOf(c: Cohort) {
  return {
    ...(c.review ? { reviewDue: c.review.reviewDue } : {}),
    ...(c.plan ? { filingDue: c.plan.filingDue } : {}),
    ...(c.publicity ? { publicityUntil: c.publicity.until } : {}),
    assessmentFrom: addMonths(c.plannedEnd, -3),
    assessmentTo: c.plannedEnd,
    ...(c.lastAssessedOn ? { closingDue: addMonths(c.lastAssessedOn, 1) } : {}),
  };
}

/** R-CURR-1 (shown early, enforced at submission), R-CURR-2, R-CURR-3, and calendar warnings. */
export function warningsOf(c: Cohort): RuleIssue[] {
  const { errors, warnings } = checkCurriculum(c.curriculum);
  return [...errors, ...warnings, ...(c.plan?.warnings ?? [])];
}

export function cohortView(c: Cohort, lang: 'en' | 'zh' = 'en') {
  const localized = (w: RuleIssue) => ({ rule: w.rule, message: w.message[lang], ...(w.path ? { path: w.path } : {}) });
  // The closing's publication counter is the service's bookkeeping (subsidy.ts), not the class's.
  const { linesToPublish: _pending, ...closing } = c.closing ?? {};
  return {
    ...c,
    ...(c.plan ? { plan: { ...c.plan, warnings: c.plan.warnings.map(localized) } } : {}),
    ...(c.closing ? { closing } : {}),
    deadlines: deadlinesOf(c),
    warnings: warningsOf(c).map(localized),
  };
}
