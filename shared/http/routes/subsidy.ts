/** Closing acceptance, the cohort's subsidy lines and their disbursement (API.md §Subsidy disbursement). */
import type { Services } from '../../services/index.js';
import { fundingSources } from '../../services/subsidy.js';
import type { Context } from 'hono';
import type { App } from '../app.js';
import type { AppEnv } from '../context.js';
import { requestContext } from '../app.js';
import { defineRoute, idParam, jsonBody, jsonResponse, listQuery, pageOf, responseSchema, versionedWriteHeaders, z } from '../openapi.js';
import { respondCohort, expectedVersion, withEtag } from '../respond.js';
import { Cohort, cohortExample, CohortParams, IsoDate } from './cohort-schemas.js';

const LineTrainee = responseSchema(() => z.object({
  traineeId: z.string(), name: z.string(), level: z.string(), trainingStart: z.string(), assessedOn: z.string(),
  months: z.number().int(), plannedMonths: z.number().int(), rateFenPerYear: z.number().int(), amountFen: z.number().int(),
}).openapi('SubsidyLineTrainee'));

export const SubsidyLine = responseSchema(() =>
  z
    .object({
      id: z.string(), cohortId: z.string(), payeeId: z.string().describe('the trainees’ enterprise (R-JOINT-3)'), payerBureauId: z.string().describe('bureau of the insured district (R-ROUTE-2)'),
      district: z.string(), traineeIds: z.array(z.string()), trainees: z.array(LineTrainee()),
      amountFen: z.number().int(), cityShareFen: z.number().int(), districtShareFen: z.number().int(), cityShareBasisPoints: z.number().int(),
      policyVersion: z.string(), status: z.enum(['pending', 'approved', 'paid']), createdAt: z.string(),
      approval: z.object({ fundingSource: z.enum(fundingSources), approvedAt: z.string(), approvedOn: z.string(), by: z.string() }).optional(),
      payment: z.object({ paidOn: z.string(), reference: z.string(), paidAt: z.string(), by: z.string() }).optional(),
      version: z.number().int(),
    })
    .openapi('SubsidyLine'),
);

export const lineExample = {
  id: '01JC0H0RT0000000000000000A-7Q2mK0pXw9aBc3dE', cohortId: '01JC0H0RT0000000000000000A', payeeId: '01JENTERPR1SE0000000000000', payerBureauId: '01JBUREAU00000000000000000', district: '320214',
  traineeIds: ['01JTRA1NEE00000000000000AA'],
  trainees: [{ traineeId: '01JTRA1NEE00000000000000AA', name: '张伟', level: 'intermediate', trainingStart: '2026-05-01', assessedOn: '2027-09-15', months: 16, plannedMonths: 18, rateFenPerYear: 500000, amountFen: 666667 }],
  amountFen: 666667, cityShareFen: 333334, districtShareFen: 333333, cityShareBasisPoints: 5000, policyVersion: '2024-04-02', status: 'pending', createdAt: '2027-10-20T02:00:00.000Z', version: 1,
};
const LineParams = z.object({ lineId: idParam('lineId', lineExample.id) });

/** A line as every line endpoint answers it, with its version as ETag (If-Match on approve and pay). */
const respondLine = (c: Context<AppEnv>, line: { version: number }) => c.json(withEtag(c, line, line.version) as never, 200);

export function registerSubsidyRoutes(app: App, services: Services) {
  const subsidy = services.subsidy;

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/cohorts/{id}/closing/accept', operationId: 'acceptClosing', tags: ['Training'],
      summary: 'Accept the closing (结班验收); subsidy lines are created',
      description: 'Competent bureau only. Creates one line per (payee enterprise, payer district bureau) for trainees who passed (R-SUB-2..5). Large classes close in resumable chunks; repeating the call after a failure completes the same result.',
      request: { params: CohortParams, headers: versionedWriteHeaders },
      responses: { 200: jsonResponse('The closed cohort', Cohort, { ...cohortExample, status: 'closed' }) },
    }),
    async (c) => {
      const cohort = await subsidy.acceptClosing(requestContext(c), c.req.valid('param').id, expectedVersion(c));
      return respondCohort(c, cohort) as never;
    },
  );

  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/cohorts/{id}/subsidy', operationId: 'getCohortSubsidy', tags: ['Subsidy'],
      summary: 'Subsidy lines of a closed cohort, with each trainee’s months, rate and amount',
      request: { params: CohortParams },
      responses: { 200: jsonResponse('Lines and total (empty before closing acceptance)', () => z.object({ totalFen: z.number().int(), policyVersion: z.string().optional(), lines: z.array(SubsidyLine()) }), { totalFen: 666667, policyVersion: '2024-04-02', lines: [lineExample] }) },
    }),
    async (c) => c.json((await subsidy.cohortLines(requestContext(c), c.req.valid('param').id)) as never, 200),
  );

  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/disbursements', operationId: 'listDisbursements', tags: ['Subsidy'],
      summary: 'Subsidy lines: a bureau’s as payer, an enterprise’s as payee, all for auditors',
      request: { query: z.object({ status: z.enum(['pending', 'approved', 'paid']).optional(), ...listQuery }) },
      responses: { 200: jsonResponse('A page of lines', pageOf(SubsidyLine, 'SubsidyLinePage'), { items: [lineExample], nextCursor: null }) },
    }),
    async (c) => c.json((await subsidy.list(requestContext(c), c.req.valid('query'))) as never, 200),
  );

  // Registered after GET /v1/disbursements/statement (routes/index.ts): Hono tries routes in order.
  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/disbursements/{lineId}', operationId: 'getDisbursement', tags: ['Subsidy'],
      summary: 'One subsidy line (its payer bureau, its payee, auditors); ETag carries its version',
      request: { params: LineParams },
      responses: { 200: jsonResponse('The line', SubsidyLine, lineExample) },
    }),
    async (c) => {
      return respondLine(c, await subsidy.line(requestContext(c), c.req.valid('param').lineId));
    },
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/disbursements/{lineId}/approve', operationId: 'approveDisbursement', tags: ['Subsidy'],
      summary: 'Approve a line and record its funding source (payer bureau, R-SUB-6)',
      request: { params: LineParams, headers: versionedWriteHeaders, body: jsonBody(z.object({ fundingSource: z.enum(fundingSources) }), { fundingSource: 'employment_subsidy' }) },
      responses: { 200: jsonResponse('The approved line', SubsidyLine, { ...lineExample, status: 'approved' }) },
    }),
    async (c) => {
      return respondLine(c, await subsidy.approve(requestContext(c), c.req.valid('param').lineId, c.req.valid('json').fundingSource, expectedVersion(c)));
    },
  );

  app.openapi(
    defineRoute({
      method: 'post', path: '/v1/disbursements/{lineId}/pay', operationId: 'payDisbursement', tags: ['Subsidy'],
      summary: 'Record the payment of an approved line; a repeat never pays twice (R-SUB-6)',
      request: { params: LineParams, headers: versionedWriteHeaders, body: jsonBody(z.object({ paidOn: IsoDate, reference: z.string().trim().min(1).max(100) }), { paidOn: '2027-11-05', reference: '国库集中支付 2027-110512' }) },
      responses: { 200: jsonResponse('The paid line', SubsidyLine, { ...lineExample, status: 'paid' }) },
    }),
    async (c) => {
      const { paidOn, reference } = c.req.valid('json');
      return respondLine(c, await subsidy.pay(requestContext(c), c.req.valid('param').lineId, paidOn, reference, expectedVersion(c)));
    },
  );
}
