/** Demand pooling (API.md §Demand pooling, §四): SMEs post demands, a chamber pools them into a joint class. */
import { levels } from '../../domain/levels.js';
import { demandLimits, demandStatuses } from '../../services/demands.js';
import type { Services } from '../../services/index.js';
import type { App } from '../app.js';
import { requestContext } from '../app.js';
import { defineRoute, idParam, jsonBody, jsonResponse, listQuery, pageOf, responseSchema, writeHeaders, z } from '../openapi.js';
import { respondCohort, requireRole, withEtag } from '../respond.js';
import { AuditEvent, Cohort, cohortExample, IsoDate } from './cohort-schemas.js';

const tags = ['Demand'];
const Id = z.string().min(1).max(64);

const NewDemand = z
  .object({
    chamberId: Id.describe('the chamber (工商联, 商会, 行业协会) the demand is addressed to'),
    occupationCode: z.string().min(1).max(32),
    level: z.enum(levels).describe('R-OCC-1: `certificate` only for occupations without skill evaluation'),
    headcount: z.number().int().min(demandLimits.minHeadcount).max(demandLimits.maxHeadcount),
    preferredStart: IsoDate,
  })
  .openapi('NewDemand');

const Demand = responseSchema(() =>
  z
    .object({
      id: z.string(),
      enterpriseId: z.string(),
      enterpriseDistrict: z.string(),
      chamberId: z.string(),
      occupationCode: z.string(),
      level: z.enum(levels),
      headcount: z.number().int(),
      preferredStart: z.string(),
      status: z.enum(demandStatuses),
      cohortId: z.string().optional().describe('the joint class opened from it'),
      takenAt: z.string().optional(),
      takenBy: z.string().optional(),
      createdAt: z.string(),
      createdBy: z.string(),
      version: z.number().int(),
    })
    .openapi('Demand'),
);

const demandExample = {
  id: '01JDEMAND00000000000000000',
  enterpriseId: '01JENTERPR1SE0000000000000',
  enterpriseDistrict: '320214',
  chamberId: '01JCHAMBER0000000000000000',
  occupationCode: '6-18-01-01',
  level: 'intermediate',
  headcount: 8,
  preferredStart: '2027-09-01',
  status: 'open',
  createdAt: '2026-05-10T02:00:00.000Z',
  createdBy: 'hr-manager-1',
  version: 1,
};

const SummaryItem = responseSchema(() =>
  z
    .object({
      occupationCode: z.string(),
      level: z.enum(levels),
      enterprises: z.number().int().describe('distinct enterprises with open demand'),
      headcount: z.number().int().describe('sum of the open demands'),
      demands: z.number().int(),
      demandIds: z.array(z.string()),
      enterpriseIds: z.array(z.string()),
    })
    .openapi('DemandSummaryItem'),
);

const OpenCohort = z
  .object({
    demandIds: z.array(Id).min(1).max(demandLimits.maxDemandsPerCohort).describe('open demands of this chamber, all of one occupation and level'),
    name: z.string().trim().min(1).max(200),
    providerId: Id,
    evaluatorId: Id.optional(),
    plannedStart: IsoDate,
    plannedEnd: IsoDate.describe('inclusive last day'),
    extensionReason: z.string().trim().min(1).max(1000).optional().describe('needed for 25–36 months (R-PERIOD-1)'),
    curriculum: z.object({
      generalHours: z.number().int().min(0).max(10_000),
      theoryHours: z.number().int().min(0).max(10_000),
      practiceHours: z.number().int().min(0).max(10_000),
      onlineHours: z.number().int().min(0).max(10_000),
    }),
  })
  .openapi('OpenCohortFromDemands');

export function registerDemandRoutes(app: App, services: Services) {
  const demands = services.demands;

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/demands', operationId: 'createDemand', tags,
      summary: 'Post a training demand to a chamber (enterprise)',
      description: 'The chamber must be a registered chamber; the occupation must exist and allow the level (R-OCC-1); headcount 1–500.',
      request: { headers: writeHeaders, body: jsonBody(NewDemand, { chamberId: demandExample.chamberId, occupationCode: '6-18-01-01', level: 'intermediate', headcount: 8, preferredStart: '2027-09-01' }) },
      responses: { 201: jsonResponse('The demand, `open`', Demand, demandExample) },
    }),
    async (c) => {
      const ctx = requestContext(c);
      requireRole(ctx.principal, 'enterprise');
      return c.json((await demands.create(ctx, c.req.valid('json'))) as never, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/demands', operationId: 'listDemands', tags,
      summary: 'List demands: an enterprise its own, a chamber those addressed to it, an auditor all',
      request: { query: z.object({ status: z.enum(demandStatuses).optional(), ...listQuery }) },
      responses: { 200: jsonResponse('A page of demands', pageOf(Demand, 'DemandPage'), { items: [demandExample], nextCursor: null }) },
    }),
    async (c) => c.json((await demands.list(c.var.principal, c.req.valid('query'))) as never, 200),
  );

  // Registered before /v1/demands/{id} so that "summary" is never taken for an id.
  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/demands/summary', operationId: 'summarizeDemands', tags,
      summary: 'Open demand addressed to a chamber, summed per occupation and level (the chamber itself, auditors)',
      request: { query: z.object({ chamberId: Id.optional().describe('defaults to the calling chamber') }) },
      responses: {
        200: jsonResponse('Open demand per (occupation, level) with the enterprises behind it', () => z.object({ chamberId: z.string(), items: z.array(SummaryItem()) }).openapi('DemandSummary'), {
          chamberId: demandExample.chamberId,
          items: [{ occupationCode: '6-18-01-01', level: 'intermediate', enterprises: 2, headcount: 13, demands: 2, demandIds: [demandExample.id, '01JDEMAND00000000000000001'], enterpriseIds: [demandExample.enterpriseId, '01JENTERPR1SE0000000000001'] }],
        }),
      },
    }),
    async (c) => c.json((await demands.summary(c.var.principal, c.req.valid('query').chamberId)) as never, 200),
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/demands/cohort', operationId: 'openCohortFromDemands', tags,
      summary: 'Open a joint class from pooled demands (chamber)',
      description:
        'Creates a `joint` cohort with the demands’ occupation and level, adds each distinct enterprise as a participant and marks the demands `taken`. ' +
        'A demand is taken at most once: a taken demand answers 409 INVALID_STATE; losing a race answers 409 CONFLICT and changes nothing.',
      request: { headers: writeHeaders, body: jsonBody(OpenCohort, { demandIds: [demandExample.id, '01JDEMAND00000000000000001'], name: '2026年新吴区数控车工联合组班（中级工）', providerId: '01JPR0V1DER000000000000000', plannedStart: '2026-09-01', plannedEnd: '2027-08-31', curriculum: { generalHours: 80, theoryHours: 240, practiceHours: 480, onlineHours: 200 } }) },
      responses: { 201: jsonResponse('The new joint cohort, in `draft`, with its participants', Cohort, cohortExample) },
    }),
    async (c) => {
      const ctx = requestContext(c);
      requireRole(ctx.principal, 'chamber');
      const cohort = await demands.openCohort(ctx, c.req.valid('json'));
      return respondCohort(c, cohort, 201) as never;
    },
  );

  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/demands/{id}', operationId: 'getDemand', tags,
      summary: 'Read a demand (its enterprise, its chamber, auditors)',
      request: { params: z.object({ id: idParam('id', demandExample.id) }) },
      responses: { 200: jsonResponse('The demand', Demand, demandExample) },
    }),
    async (c) => c.json(withEtag(c, await demands.get(c.var.principal, c.req.valid('param').id)) as never, 200),
  );

  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/demands/{id}/events', operationId: 'listDemandEvents', tags,
      summary: 'Audit trail of a demand, oldest first (R-AUDIT-1)',
      request: { params: z.object({ id: idParam('id', demandExample.id) }) },
      responses: { 200: jsonResponse('The events', () => z.object({ items: z.array(AuditEvent()) })) },
    }),
    async (c) => c.json({ items: await demands.events(c.var.principal, c.req.valid('param').id) } as never, 200),
  );
}
