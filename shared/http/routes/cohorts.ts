/** Cohort design endpoints (API.md §Cohorts, first half): thin handlers over CohortDesignService. */
import { cohortStatuses } from '../../domain/cohort-state.js';
import type { Services } from '../../services/index.js';
import { accessOf } from '../../services/cohorts/model.js';
import type { App } from '../app.js';
import { requestContext } from '../app.js';
import { defineRoute, ifMatchHeaders, jsonBody, jsonResponse, listQuery, pageOf, versionedWriteHeaders, writeHeaders, z } from '../openapi.js';
import { respondCohort, expectedVersion } from '../respond.js';
import {
  Agreement,
  AuditEvent,
  Cohort,
  CohortParams,
  cohortResponse,
  CohortPatch,
  CohortSummary,
  NewCohort,
  newCohortExample,
  NewTrainee,
  newTraineeExample,
  ParticipantParams,
  Trainee,
  traineeExample,
  TraineeParams,
} from './cohort-schemas.js';

const tags = ['Cohorts'];
const noContent = { description: 'Done; nothing to return' };

export function registerCohortRoutes(app: App, services: Services) {
  const design = services.cohorts;

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts', operationId: 'createCohort', tags,
      summary: 'Create a cohort (class design)',
      description: 'A chamber creates `joint` classes (R-JOINT-1); an enterprise `enterprise` classes, or `group` classes when it is a group HQ with members (R-GROUP-1). The competent bureau is named on creation (R-ROUTE-1).',
      request: { headers: writeHeaders, body: jsonBody(NewCohort, newCohortExample) },
      responses: { 201: cohortResponse('The new cohort, in `draft`') },
    }),
    async (c) => {
      const { mode, ...rest } = c.req.valid('json');
      const cohort = await design.create(requestContext(c), mode, rest);
      return respondCohort(c, cohort, 201) as never;
    },
  );

  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/cohorts', operationId: 'listCohorts', tags,
      summary: 'List the cohorts the caller may see',
      request: { query: z.object({ status: z.enum(cohortStatuses).optional(), ...listQuery }) },
      responses: { 200: jsonResponse('A page of cohort summaries', pageOf(CohortSummary, 'CohortPage')) },
    }),
    async (c) => c.json((await design.list(c.var.principal, c.req.valid('query'))) as never, 200),
  );

  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/cohorts/{id}', operationId: 'getCohort', tags,
      summary: 'Read a cohort with its deadlines and warnings',
      request: { params: CohortParams },
      responses: { 200: cohortResponse('The cohort; ETag carries its version') },
    }),
    async (c) => {
      const cohort = await design.get(requestContext(c), c.req.valid('param').id);
      return respondCohort(c, cohort) as never;
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch', path: '/v1/cohorts/{id}', operationId: 'updateCohort', tags,
      summary: 'Edit the class design (organiser, draft only)',
      request: { params: CohortParams, headers: versionedWriteHeaders, body: jsonBody(CohortPatch, { name: '2026年新吴区数控车工联合组班（高级工）', level: 'senior' }) },
      responses: { 200: cohortResponse('The updated cohort') },
    }),
    async (c) => {
      const cohort = await design.patch(requestContext(c), c.req.valid('param').id, c.req.valid('json'), expectedVersion(c));
      return respondCohort(c, cohort) as never;
    },
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/cancel', operationId: 'cancelCohort', tags,
      summary: 'Cancel a cohort before training starts (organiser)',
      request: { params: CohortParams, headers: versionedWriteHeaders, body: { required: false, content: { 'application/json': { schema: z.object({ reason: z.string().max(1000).optional() }), example: { reason: '参训企业人员调整，本期不再开班' } } } } },
      responses: { 200: cohortResponse('The cancelled cohort') },
    }),
    async (c) => {
      const body = await c.req.json().catch(() => ({}));
      const reason = typeof body?.reason === 'string' ? body.reason.slice(0, 1000) : undefined;
      const cohort = await design.cancel(requestContext(c), c.req.valid('param').id, reason, expectedVersion(c));
      return respondCohort(c, cohort) as never;
    },
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/participants', operationId: 'addParticipant', tags,
      summary: 'Add a participant enterprise (organiser, draft)',
      request: { params: CohortParams, headers: writeHeaders, body: jsonBody(z.object({ enterpriseId: z.string().min(1).max(64) }), { enterpriseId: '01JENTERPR1SE0000000000000' }) },
      responses: { 201: jsonResponse('The participant', () => z.object({ enterpriseId: z.string(), district: z.string(), addedAt: z.string() })) },
    }),
    async (c) => c.json((await design.addParticipant(requestContext(c), c.req.valid('param').id, c.req.valid('json').enterpriseId)) as never, 201),
  );

  app.openapi(
    defineRoute({
      method: 'delete', path: '/v1/cohorts/{id}/participants/{enterpriseId}', operationId: 'removeParticipant', tags,
      summary: 'Remove a participant (organiser): in a draft without trainees; in `planned` one that has not filed',
      description:
        'In `draft`, the participant must have no trainees left. In `planned`, a participant that has not filed is withdrawn with its trainees, who are released (R-ELIG-4): ' +
        'one with trainees to train once `deadlines.filingDue` has passed (a late filing is refused, R-FILE-1), one with none at any time. ' +
        'A change of parties voids a signed agreement (R-JOINT-2; filings made stand); when every remaining participant with trainees has filed (at least one has), the class is `filed`. ' +
        'A joint class keeps at least two participants (R-JOINT-1), any class one.',
      request: { params: ParticipantParams, headers: ifMatchHeaders },
      responses: { 204: noContent },
    }),
    async (c) => {
      const { id, enterpriseId } = c.req.valid('param');
      await design.removeParticipant(requestContext(c), id, enterpriseId, expectedVersion(c));
      return c.body(null, 204);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/mentors', operationId: 'addMentor', tags,
      summary: 'Add an enterprise or school mentor (R-MENTOR-1)',
      request: {
        params: CohortParams, headers: writeHeaders,
        body: jsonBody(z.object({ kind: z.enum(['enterprise', 'school']), name: z.string().trim().min(1).max(100), organizationId: z.string().min(1).max(64) }), { kind: 'school', name: '李建国', organizationId: '01JPR0V1DER000000000000000' }),
      },
      responses: { 201: jsonResponse('The mentor', () => z.object({ id: z.string(), kind: z.string(), name: z.string(), organizationId: z.string(), addedAt: z.string() })) },
    }),
    async (c) => c.json((await design.addMentor(requestContext(c), c.req.valid('param').id, c.req.valid('json'))) as never, 201),
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/trainees', operationId: 'enrolTrainee', tags,
      summary: 'Enrol a trainee (its enterprise, or the organiser for it)',
      description: 'Checks R-ELIG-1..5 (R-ELIG-4 atomically in the database: 409 DUPLICATE_ENROLMENT) and derives the R-ELIG-6 tags.',
      request: { params: CohortParams, headers: writeHeaders, body: jsonBody(NewTrainee, newTraineeExample) },
      responses: { 201: jsonResponse('The trainee', Trainee, traineeExample) },
    }),
    async (c) => {
      const ctx = requestContext(c);
      const { trainee, cohort } = await design.enrol(ctx, c.req.valid('param').id, c.req.valid('json'));
      return c.json(design.view(ctx.principal, accessOf(ctx.principal, cohort), cohort, trainee) as never, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/cohorts/{id}/trainees', operationId: 'listTrainees', tags,
      summary: 'List trainees (ID numbers masked per R-PRIV-1)',
      request: { params: CohortParams, query: z.object({ enterpriseId: z.string().max(64).optional(), ...listQuery }) },
      responses: { 200: jsonResponse('A page of trainees', pageOf(Trainee, 'TraineePage'), { items: [traineeExample], nextCursor: null }) },
    }),
    async (c) => c.json((await design.trainees(requestContext(c), c.req.valid('param').id, c.req.valid('query'))) as never, 200),
  );

  app.openapi(
    defineRoute({
      method: 'delete', path: '/v1/cohorts/{id}/trainees/{traineeId}', operationId: 'removeTrainee', tags,
      summary: 'Remove a trainee before the class is filed',
      description: 'By its enterprise or the organiser, until the first participant files; from then on a trainee who leaves is reported as a departure. Voids a signed agreement (R-JOINT-2).',
      request: { params: TraineeParams, headers: ifMatchHeaders },
      responses: { 204: noContent },
    }),
    async (c) => {
      const { id, traineeId } = c.req.valid('param');
      await design.removeTrainee(requestContext(c), id, traineeId, expectedVersion(c));
      return c.body(null, 204);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/agreement', operationId: 'createAgreement', tags,
      summary: 'Issue a new multi-party agreement version from the current roster (R-JOINT-2)',
      request: { params: CohortParams, headers: writeHeaders },
      responses: { 201: jsonResponse('The agreement, pending signatures', Agreement) },
    }),
    async (c) => c.json((await design.createAgreement(requestContext(c), c.req.valid('param').id)) as never, 201),
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/agreement/signatures', operationId: 'signAgreement', tags,
      summary: 'Sign the agreement as one of its parties',
      description: 'Effective once every party has signed. A repeated signature by the same party changes nothing and answers 200.',
      request: { params: CohortParams, headers: writeHeaders, body: jsonBody(z.object({ signerName: z.string().trim().min(1).max(100) }), { signerName: '王芳' }) },
      responses: { 201: jsonResponse('The agreement with the new signature', Agreement), 200: jsonResponse('Already signed by this party', Agreement) },
    }),
    async (c) => {
      const { agreement, created } = await design.sign(requestContext(c), c.req.valid('param').id, c.req.valid('json').signerName);
      return c.json(agreement as never, created ? 201 : 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/submit', operationId: 'submitCohort', tags,
      summary: 'Submit the class for review (开班申报)',
      description:
        'Hard checks (422): R-OCC-1, R-PERIOD-1, R-CURR-1, R-MENTOR-1, R-JOINT-1/R-GROUP-1, R-JOINT-2 (joint and group), and every trainee against R-ELIG-1..3 and 5. ' +
        'A trainee already subsidised for the occupation and level now designed answers 409 DUPLICATE_ENROLMENT first (R-ELIG-4).',
      request: { params: CohortParams, headers: versionedWriteHeaders },
      responses: { 200: cohortResponse('The submitted cohort') },
    }),
    async (c) => {
      const cohort = await design.submit(requestContext(c), c.req.valid('param').id, expectedVersion(c));
      return respondCohort(c, cohort) as never;
    },
  );

  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/cohorts/{id}/events', operationId: 'listCohortEvents', tags: ['Supervision'],
      summary: 'Audit trail of the cohort, oldest first (R-AUDIT-1)',
      request: { params: CohortParams, query: z.object(listQuery) },
      responses: { 200: jsonResponse('A page of events', pageOf(AuditEvent, 'AuditEventPage')) },
    }),
    async (c) => c.json((await design.events(requestContext(c), c.req.valid('param').id, c.req.valid('query'))) as never, 200),
  );
}
