/**
 * Request and response schemas of the cohort endpoints: the contract of API.md, with examples.
 * Response schemas are `responseSchema` functions, built when the OpenAPI document is (openapi.ts).
 */
import { inputDateRange, isInputDate, isIsoDate } from '../../domain/dates.js';
import { levels } from '../../domain/levels.js';
import { cohortStatuses } from '../../domain/cohort-state.js';
import { traineeTagValues } from '../../domain/eligibility.js';
import { assessmentMethods, cohortModes } from '../../services/cohorts/model.js';
import { idParam, jsonResponse, responseSchema, z } from '../openapi.js';

export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine(isInputDate, `not a real calendar date from ${inputDateRange.from} to ${inputDateRange.to}`)
  .openapi({ format: 'date', example: '2026-09-01' });
/** A date bounding a query (e.g. a statement's `to`): any real date, 9999-12-31 for "no end". */
export const IsoDateBound = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine(isIsoDate, 'not a real calendar date')
  .openapi({ format: 'date' });
const Id = z.string().min(1).max(64);
const Sha256 = z.string().regex(/^[0-9a-fA-F]{64}$/).openapi({ example: 'a3f5c2e1d4b6a7980c1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e' });
const Hours = z.number().int().min(0).max(10_000);

export const CohortParams = z.object({ id: idParam('id', '01JC0H0RT0000000000000000A') });
export const TraineeParams = CohortParams.extend({ traineeId: idParam('traineeId', '01JTRA1NEE00000000000000AA') });
export const ParticipantParams = CohortParams.extend({ enterpriseId: idParam('enterpriseId', '01JENTERPR1SE0000000000000') });

const Curriculum = z
  .object({ generalHours: Hours, theoryHours: Hours, practiceHours: Hours, onlineHours: Hours })
  .openapi('Curriculum', { description: '通用素质 : 专业理论 : 技能实训, default 1:3:6; online ≤ 40% (R-CURR-1..3)' });

const designFields = {
  name: z.string().trim().min(1).max(200),
  occupationCode: z.string().min(1).max(32),
  level: z.enum(levels),
  providerId: Id,
  evaluatorId: Id.optional().describe('third-party evaluator (第三方评价机构) that may record assessments'),
  plannedStart: IsoDate,
  plannedEnd: IsoDate.describe('inclusive last day'),
  extensionReason: z.string().trim().min(1).max(1000).optional().describe('needed for 25–36 months (R-PERIOD-1)'),
  curriculum: Curriculum,
};

export const NewCohort = z.object({ mode: z.enum(cohortModes), ...designFields }).openapi('NewCohort');
// Strict: a field PATCH does not take (the status, a typo) is refused, not silently dropped. The
// mode may be repeated, not changed (CohortDesignService.patch).
export const CohortPatch = z.object({ mode: z.enum(cohortModes), ...designFields }).strict().partial().openapi('CohortPatch');

export const newCohortExample = {
  mode: 'joint',
  name: '2026年新吴区数控车工联合组班（中级工）',
  occupationCode: '6-18-01-01',
  level: 'intermediate',
  providerId: '01JPR0V1DER000000000000000',
  plannedStart: '2026-09-01',
  plannedEnd: '2027-08-31',
  curriculum: { generalHours: 80, theoryHours: 240, practiceHours: 480, onlineHours: 200 },
};

const Participant = responseSchema(() =>
  z
    .object({
      enterpriseId: z.string(),
      district: z.string(),
      addedAt: z.string(),
      units: z.record(z.string(), z.object({ bureauId: z.string(), trainees: z.number().int(), departedBeforeTraining: z.number().int().optional() })),
    })
    .openapi('Participant'),
);
const Mentor = responseSchema(() =>
  z
    .object({ id: z.string(), kind: z.enum(['enterprise', 'school']), name: z.string(), organizationId: z.string(), addedAt: z.string() })
    .openapi('Mentor'),
);
export const Agreement = responseSchema(() =>
  z
    .object({
      version: z.number().int(),
      status: z.enum(['pending', 'effective', 'void']),
      parties: z.array(z.object({ organizationId: z.string(), role: z.enum(['organizer', 'participant', 'provider']), signedAt: z.string().optional(), signerName: z.string().optional() })),
      createdAt: z.string(),
      effectiveAt: z.string().optional(),
      voidedAt: z.string().optional(),
    })
    .openapi('Agreement'),
);
export const Vote = responseSchema(() =>
  z.object({ expert: z.string(), decision: z.enum(['approve', 'reject']), comment: z.string().optional(), at: z.string() }).openapi('Vote'),
);
const FilingUnit = responseSchema(() =>
  z
    .object({ enterpriseId: z.string(), district: z.string(), bureauId: z.string(), trainees: z.number().int(), status: z.enum(['pending', 'approved']), filedAt: z.string(), approvedAt: z.string().optional(), approvedBy: z.string().optional() })
    .openapi('FilingUnit'),
);
const Commitment = z
  .object({
    signerName: z.string().trim().min(1).max(100),
    statement: z.string().trim().min(1).max(4000),
    ledgerSha256: Sha256.optional().describe('SHA-256 of the training ledger (培训台账) file'),
  })
  .openapi('Commitment', { description: '承诺函 (R-FILE-2)' });
export const Filing = responseSchema(() =>
  z
    .object({ enterpriseId: z.string(), filedAt: z.string(), filedOn: z.string(), filedBy: z.string(), commitment: Commitment, units: z.array(FilingUnit()) })
    .openapi('Filing'),
);

export const Cohort = responseSchema(() =>
  z
    .object({
      id: z.string(),
      mode: z.enum(cohortModes),
      status: z.enum(cohortStatuses),
      ...designFields,
      organizerId: z.string(),
      reviewBureauId: z.string().describe('competent bureau (R-ROUTE-1)'),
      participants: z.array(Participant()),
      mentors: z.array(Mentor()),
      agreement: Agreement().optional(),
      review: z
        .object({ acceptedAt: z.string(), acceptedOn: z.string(), reviewDue: z.string(), experts: z.array(z.string()), votes: z.array(Vote()), decision: z.object({ decision: z.enum(['approve', 'reject']), reason: z.string().optional(), onSiteVerified: z.boolean().optional(), at: z.string(), on: z.string(), by: z.string() }).optional() })
        .optional(),
      publicity: z.object({ from: z.string(), until: z.string() }).optional(),
      plan: z.object({ publishedOn: z.string(), filingDue: z.string(), warnings: z.array(z.object({ rule: z.string(), message: z.string(), path: z.string().optional() })) }).optional(),
      filings: z.array(Filing().omit({ units: true })),
      filingUnits: z.array(FilingUnit()),
      enteredTrainingOn: z.string().optional(),
      lastAssessedOn: z.string().optional(),
      closing: z.object({ submittedAt: z.string(), submittedOn: z.string(), materials: z.array(z.object({ name: z.string(), sha256: z.string() })), closingDue: z.string(), late: z.boolean(), acceptedAt: z.string().optional(), acceptedBy: z.string().optional() }).optional(),
      counts: z.object({ enrolled: z.number().int(), departed: z.number().int(), assessed: z.number().int(), passed: z.number().int(), failed: z.number().int() }),
      subsidy: z.object({ policyVersion: z.string(), totalFen: z.number().int(), lines: z.number().int() }).optional(),
      deadlines: z.object({ reviewDue: z.string().optional(), filingDue: z.string().optional(), publicityUntil: z.string().optional(), assessmentFrom: z.string(), assessmentTo: z.string(), closingDue: z.string().optional() }),
      fromDemands: z.array(z.string()).optional().describe('the pooled demands a joint class was opened from; returned to the pool if it is cancelled'),
      warnings: z.array(z.object({ rule: z.string(), message: z.string(), path: z.string().optional() })),
      createdAt: z.string(),
      updatedAt: z.string(),
      version: z.number().int(),
    })
    .openapi('Cohort'),
);

export const cohortExample = {
  ...newCohortExample,
  id: '01JC0H0RT0000000000000000A',
  status: 'draft',
  organizerId: '01JCHAMBER0000000000000000',
  reviewBureauId: '01JBUREAU00000000000000000',
  participants: [],
  mentors: [],
  filings: [],
  filingUnits: [],
  counts: { enrolled: 0, departed: 0, assessed: 0, passed: 0, failed: 0 },
  deadlines: { assessmentFrom: '2027-05-31', assessmentTo: '2027-08-31' },
  warnings: [],
  createdAt: '2026-06-01T02:00:00.000Z',
  updatedAt: '2026-06-01T02:00:00.000Z',
  version: 1,
};

/** A 200/201 answer carrying the whole cohort (its ETag header is set by respondCohort). */
export const cohortResponse = (description: string) => jsonResponse(description, Cohort, cohortExample);

export const CohortSummary = responseSchema(() =>
  z
    .object({
      id: z.string(), mode: z.enum(cohortModes), status: z.enum(cohortStatuses), name: z.string(), occupationCode: z.string(), level: z.enum(levels),
      organizerId: z.string(), reviewBureauId: z.string(), plannedStart: z.string(), plannedEnd: z.string(), participants: z.number().int(), trainees: z.number().int(), createdAt: z.string(), updatedAt: z.string(),
    })
    .openapi('CohortSummary'),
);

const Certificate = z.object({ level: z.enum(levels), occupationCode: z.string().min(1).max(32), issuedOn: IsoDate, number: z.string().trim().min(1).max(64) });
export const NewTrainee = z
  .object({
    enterpriseId: Id,
    name: z.string().trim().min(1).max(100),
    idNumber: z.string().trim().min(15).max(18).describe('national ID number (GB 11643-1999); masked in responses per R-PRIV-1'),
    skillPosition: z.boolean().describe('attested skill position (技能岗位), R-ELIG-2'),
    contract: z.object({ start: IsoDate, end: IsoDate.optional(), openEnded: z.boolean().optional() }),
    hireDate: IsoDate,
    insuredDistrict: z.string().regex(/^\d{6}$/).describe('参保属地 division code'),
    tags: z.array(z.enum(traineeTagValues)).max(4).optional(),
    priorCertificate: Certificate.optional(),
  })
  .openapi('NewTrainee');
export const newTraineeExample = {
  enterpriseId: '01JENTERPR1SE0000000000000',
  name: '张伟',
  idNumber: '320214199805120013',
  skillPosition: true,
  contract: { start: '2025-07-01', end: '2028-06-30' },
  hireDate: '2025-07-01',
  insuredDistrict: '320214',
  tags: ['new_graduate'],
};

export const Trainee = responseSchema(() =>
  z
    .object({
      id: z.string(),
      enterpriseId: z.string(),
      name: z.string(),
      idNumber: z.string().describe('masked (first 6, last 4) unless R-PRIV-1 allows the caller'),
      skillPosition: z.boolean(),
      contract: z.object({ start: z.string(), end: z.string().optional(), openEnded: z.boolean().optional() }),
      hireDate: z.string(),
      insuredDistrict: z.string(),
      bureauId: z.string(),
      tags: z.array(z.string()),
      priorCertificate: Certificate.optional(),
      status: z.enum(['active', 'departed', 'passed', 'failed']),
      departure: z.object({ leftOn: z.string(), reportedOn: z.string(), reportedAt: z.string(), lateReport: z.boolean() }).optional(),
      assessment: z.object({ passed: z.boolean(), method: z.enum(assessmentMethods), assessedOn: z.string(), certificateNo: z.string().optional(), recordedAt: z.string(), recordedBy: z.string() }).optional(),
      enrolledOn: z.string(),
      enrolledAt: z.string(),
    })
    .openapi('Trainee'),
);
export const traineeExample = { ...newTraineeExample, id: '01JTRA1NEE00000000000000AA', idNumber: '320214********0013', bureauId: '01JBUREAU00000000000000000', tags: ['new_hire', 'new_graduate'], status: 'active', enrolledOn: '2026-06-10', enrolledAt: '2026-06-10T02:00:00.000Z' };

export const AssessmentInput = z
  .object({
    results: z
      .array(z.object({ traineeId: Id, passed: z.boolean(), method: z.enum(assessmentMethods), assessedOn: IsoDate, certificateNo: z.string().trim().min(1).max(64).optional() }))
      .min(1)
      .max(80),
  })
  .openapi('AssessmentInput');

export const ClosingInput = z
  .object({ materials: z.array(z.object({ name: z.string().trim().min(1).max(200), sha256: Sha256 })).min(1).max(50) })
  .openapi('ClosingInput', { description: '培训过程材料, referenced by SHA-256' });

export const NewFiling = z.object({ enterpriseId: Id, commitment: Commitment }).openapi('NewFiling');

export const AuditEvent = responseSchema(() =>
  z
    .object({ id: z.string(), at: z.string(), actor: z.object({ sub: z.string(), role: z.string(), orgId: z.string() }), action: z.string(), subjectType: z.string(), subjectId: z.string(), before: z.any().optional(), after: z.any().optional() })
    .openapi('AuditEvent'),
);
