/** Review, plan, filing, training and closing endpoints (API.md §Cohorts, second half). */
import type { Services } from '../../services/index.js';
import { accessOf, cohortView, type Cohort as CohortModel } from '../../services/cohorts/model.js';
import type { App } from '../app.js';
import { requestContext } from '../app.js';
import { defineRoute, jsonBody, jsonResponse, versionedWriteHeaders, writeHeaders, z } from '../openapi.js';
import { respondCohort, expectedVersion, withEtag } from '../respond.js';
import { AssessmentInput, ClosingInput, Cohort, CohortParams, cohortResponse, Filing, IsoDate, NewFiling, Trainee, TraineeParams, Vote } from './cohort-schemas.js';


export function registerLifecycleRoutes(app: App, services: Services) {
  const lifecycle = services.lifecycle;
  const respond = (c: Parameters<Parameters<App['openapi']>[1]>[0], cohort: CohortModel) => respondCohort(c, cohort) as never;

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/accept', operationId: 'acceptCohort', tags: ['Review'],
      summary: 'Accept the application and appoint the expert panel (受理, R-REVIEW-1)',
      description: 'Competent bureau only. At least 3 distinct experts (their token `sub`). The review is due one month later (R-REVIEW-2).',
      request: { params: CohortParams, headers: versionedWriteHeaders, body: jsonBody(z.object({ experts: z.array(z.string().trim().min(1).max(128)).min(1).max(15) }), { experts: ['expert-1', 'expert-2', 'expert-3'] }) },
      responses: { 200: cohortResponse('The cohort, `under_review`') },
    }),
    async (c) => respond(c, await lifecycle.accept(requestContext(c), c.req.valid('param').id, c.req.valid('json').experts, { expectedVersion: expectedVersion(c) })),
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/votes', operationId: 'castVote', tags: ['Review'],
      summary: 'Cast an expert vote (assigned experts, once each)',
      request: { params: CohortParams, headers: writeHeaders, body: jsonBody(z.object({ decision: z.enum(['approve', 'reject']), comment: z.string().max(2000).optional() }), { decision: 'approve', comment: '课程设置符合岗位需求，实训条件满足要求。' }) },
      responses: { 201: jsonResponse('The vote', Vote) },
    }),
    async (c) => {
      const { decision, comment } = c.req.valid('json');
      return c.json((await lifecycle.vote(requestContext(c), c.req.valid('param').id, decision, comment)) as never, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/decision', operationId: 'decideCohort', tags: ['Review'],
      summary: 'Approve (→ publicity) or reject the application',
      description: 'Approval needs at least 3 votes with more than half approving (R-REVIEW-1); publicity then runs for the configured working days (R-PLAN-1).',
      request: { params: CohortParams, headers: versionedWriteHeaders, body: jsonBody(z.object({ decision: z.enum(['approve', 'reject']), reason: z.string().max(2000).optional(), onSiteVerified: z.boolean().optional() }), { decision: 'approve', onSiteVerified: true }) },
      responses: { 200: cohortResponse('The cohort, `publicized` or `rejected`') },
    }),
    async (c) => respond(c, await lifecycle.decide(requestContext(c), c.req.valid('param').id, c.req.valid('json'), { expectedVersion: expectedVersion(c) })),
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/plan', operationId: 'planCohort', tags: ['Review'],
      summary: 'List the class in the training plan after publicity (列入培训计划)',
      description: 'Sets `deadlines.filingDue` = 10 working days later on the official calendar (R-FILE-1).',
      request: { params: CohortParams, headers: versionedWriteHeaders },
      responses: { 200: cohortResponse('The cohort, `planned`') },
    }),
    async (c) => respond(c, await lifecycle.plan(requestContext(c), c.req.valid('param').id, { expectedVersion: expectedVersion(c) })),
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/filings', operationId: 'fileCohort', tags: ['Training'],
      summary: 'File the class opening for a participant (开班备案, R-FILE-1/2)',
      description:
        'By the participant itself, or by the organiser of a joint class for it; in a group class each member files itself (R-GROUP-1). Joint and group classes need an effective agreement (R-JOINT-2). When every participant with trainees has filed, the class is `filed`.',
      request: { params: CohortParams, headers: writeHeaders, body: jsonBody(NewFiling, { enterpriseId: '01JENTERPR1SE0000000000000', commitment: { signerName: '王芳', statement: '本企业承诺所报学徒信息真实有效，培训台账如实记录。', ledgerSha256: 'a3f5c2e1d4b6a7980c1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e' } }) },
      responses: { 201: jsonResponse('The filing with its units per insured district', Filing) },
    }),
    async (c) => c.json((await lifecycle.file(requestContext(c), c.req.valid('param').id, c.req.valid('json'))) as never, 201),
  );

  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/cohorts/{id}/filings', operationId: 'listFilings', tags: ['Training'],
      summary: 'Filing units per (participant, insured district) and their approval',
      request: { params: CohortParams },
      responses: { 200: jsonResponse('Filing units', () => z.object({ items: z.array(z.object({ enterpriseId: z.string(), district: z.string(), bureauId: z.string(), trainees: z.number().int(), status: z.enum(['pending', 'approved']), filedAt: z.string() })) })) },
    }),
    async (c) => {
      const cohort = await services.cohorts.get(requestContext(c), c.req.valid('param').id);
      return c.json({ items: cohort.filingUnits } as never, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/filings/approve', operationId: 'approveFilings', tags: ['Training'],
      summary: 'Approve every filing unit of the calling bureau’s district (R-ROUTE-2)',
      description: 'When every unit is approved the class enters `in_training`, or `assessed` at once if every trainee has left.',
      request: { params: CohortParams, headers: versionedWriteHeaders },
      responses: { 200: cohortResponse('The cohort') },
    }),
    async (c) => respond(c, await lifecycle.approveFilings(requestContext(c), c.req.valid('param').id, { expectedVersion: expectedVersion(c) })),
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/trainees/{traineeId}/departure', operationId: 'reportDeparture', tags: ['Training'],
      summary: 'Report a trainee’s departure (离职, R-DEPART-1)',
      description: 'By the trainee’s own enterprise. Reports later than 15 calendar days after `leftOn` are accepted, flagged `lateReport` and listed as alerts.',
      request: { params: TraineeParams, headers: writeHeaders, body: jsonBody(z.object({ leftOn: IsoDate }), { leftOn: '2027-01-15' }) },
      responses: { 200: jsonResponse('The trainee, `departed`', () => Trainee().extend({ lateReport: z.boolean() })) },
    }),
    async (c) => {
      const ctx = requestContext(c);
      const { id, traineeId } = c.req.valid('param');
      const { trainee, cohort } = await lifecycle.depart(ctx, id, traineeId, c.req.valid('json').leftOn);
      return c.json({ ...services.cohorts.view(ctx.principal, accessOf(ctx.principal, cohort), cohort, trainee), lateReport: trainee.departure!.lateReport } as never, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/assessments', operationId: 'recordAssessments', tags: ['Training'],
      summary: 'Record assessment results (考核评价, R-ASSESS-1)',
      description: 'Within the 3 months before the planned end, else 422 ASSESSMENT_WINDOW. At most 80 results per call. When every remaining trainee is assessed the class becomes `assessed`.',
      request: { params: CohortParams, headers: writeHeaders, body: jsonBody(AssessmentInput, { results: [{ traineeId: '01JTRA1NEE00000000000000AA', passed: true, method: 'third_party', assessedOn: '2027-08-10', certificateNo: 'S000032020000123' }] }) },
      responses: { 200: jsonResponse('The cohort with the assessed trainees', () => Cohort().extend({ results: z.array(Trainee()) })) },
    }),
    async (c) => {
      const ctx = requestContext(c);
      const { cohort, trainees } = await lifecycle.assess(ctx, c.req.valid('param').id, c.req.valid('json').results);
      const access = accessOf(ctx.principal, cohort);
      return c.json(withEtag(c, { ...cohortView(cohort, c.var.lang), results: trainees.map((t) => services.cohorts.view(ctx.principal, access, cohort, t)) }, cohort.version) as never, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/closing', operationId: 'submitClosing', tags: ['Training'],
      summary: 'Submit the closing materials (结班, R-CLOSE-1)',
      request: { params: CohortParams, headers: versionedWriteHeaders, body: jsonBody(ClosingInput, { materials: [{ name: '培训过程材料汇编.pdf', sha256: 'a3f5c2e1d4b6a7980c1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e' }] }) },
      responses: { 200: cohortResponse('The cohort, `closing_review`') },
    }),
    async (c) => respond(c, await lifecycle.submitClosing(requestContext(c), c.req.valid('param').id, c.req.valid('json').materials, { expectedVersion: expectedVersion(c) })),
  );
}
