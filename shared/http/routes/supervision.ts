/** Supervision (API.md §Supervision): alerts (R-ALERT-1) and KPIs (R-KPI-1). */
import { deadlineRules } from '../../db/cohorts.js';
import type { Services } from '../../services/index.js';
import { kpiTargets } from '../../services/supervision.js';
import type { App } from '../app.js';
import { requestContext } from '../app.js';
import { defineRoute, jsonResponse, listQuery, pageOf, responseSchema, z } from '../openapi.js';

const tags = ['Supervision'];

const Alert = responseSchema(() =>
  z
    .object({
      rule: z.enum(deadlineRules),
      cohortId: z.string(),
      subjectId: z.string().optional().describe('the trainee, for departure reports (R-DEPART-1)'),
      district: z.string().describe('division code of the bureau with jurisdiction'),
      dueOn: z.string(),
      overdueDays: z.number().int().describe('days past due today (`overdue`), or days late when done (`late`)'),
      status: z.enum(['overdue', 'late']),
      doneOn: z.string().optional(),
      waitingFor: z.array(z.string()).optional().describe('R-FILE-1, while `overdue`: the participants that have not filed yet'),
    })
    .openapi('Alert'),
);

const alertExample = { rule: 'R-REVIEW-2', cohortId: '01JC0H0RT0000000000000000A', district: '320214', dueOn: '2026-07-11', overdueDays: 3, status: 'overdue' };

const Counters = {
  enrolled: z.number().int(),
  departed: z.number().int(),
  seniorOrAbove: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  subsidyPaidFen: z.number().int(),
};

const Stats = responseSchema(() =>
  z
    .object({
      year: z.number().int(),
      district: z.string().nullable().describe('the district or city asked for; null = every district'),
      scope: z.enum(['district', 'city', 'all']),
      ...Counters,
      retained: z.number().int(),
      retentionRate: z.number().nullable().describe('(enrolled − departed) ÷ enrolled; null when nobody is enrolled'),
      seniorShare: z.number().nullable().describe('seniorOrAbove ÷ enrolled'),
      targets: z.object({ enrolledPerYear: z.number().int(), retentionRate: z.number(), seniorShare: z.number() }),
      meetsTargets: z.object({
        enrolledPerYear: z.boolean().nullable().describe('city-wide target: null for a single district'),
        retentionRate: z.boolean().nullable(),
        seniorShare: z.boolean().nullable(),
      }),
      districts: z.array(z.object({ district: z.string(), ...Counters })),
    })
    .openapi('Stats'),
);

export function registerSupervisionRoutes(app: App, services: Services) {
  const supervision = services.supervision;

  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/alerts', operationId: 'listAlerts', tags,
      summary: 'Overdue and late obligations of the caller’s jurisdiction (R-ALERT-1)',
      description:
        'hr: a city-level bureau at a city code (XXXX00) sees its whole city, any other bureau its own district (and, in its city, the overdue filings it is to approve: R-FILE-1 with `waitingFor`); auditors see everything. ' +
        'Reviews (R-REVIEW-2), filings (R-FILE-1), departure reports (R-DEPART-1), assessments (R-ASSESS-1) and closings (R-CLOSE-1): ' +
        '`overdue` while open past the due date, `late` once done after it (a violation stays listed). Oldest due date first.',
      request: { query: z.object({ rule: z.enum(deadlineRules).optional(), ...listQuery }) },
      responses: { 200: jsonResponse('A page of alerts', pageOf(Alert, 'AlertPage'), { items: [alertExample], nextCursor: null }) },
    }),
    async (c) => c.json((await supervision.alerts(requestContext(c), c.req.valid('query'))) as never, 200),
  );

  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/stats', operationId: 'getStats', tags,
      summary: 'KPIs of a year: enrolled, retention, senior share, subsidy paid (R-KPI-1)',
      description:
        '`district` a district code → that district; a city code (XXXX00) → the sum of its districts; omitted → the caller’s jurisdiction ' +
        '(auditors: every district). A district bureau reads its own district, a city bureau its city, auditors anything. `year` defaults to the current year.',
      request: {
        query: z.object({
          year: z.coerce.number().int().min(2000).max(2100).optional().openapi({ example: 2026 }),
          district: z.string().regex(/^[1-8]\d{5}$/).optional().openapi({ example: '320214' }),
        }),
      },
      responses: {
        200: jsonResponse('The counters and ratios, with the notice’s targets', Stats, {
          year: 2026, district: '320200', scope: 'city', enrolled: 2140, departed: 250, seniorOrAbove: 480, passed: 1700, failed: 120, subsidyPaidFen: 812_000_000,
          retained: 1890, retentionRate: 0.8832, seniorShare: 0.2243, targets: kpiTargets,
          meetsTargets: { enrolledPerYear: true, retentionRate: true, seniorShare: true }, districts: [],
        }),
      },
    }),
    async (c) => c.json((await supervision.stats(requestContext(c), c.req.valid('query'))) as never, 200),
  );
}
