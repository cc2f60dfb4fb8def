import { defineRoute, jsonBody, jsonResponse, listQuery, pageOf, responseSchema, z } from '../openapi.js';
import { IsoDate } from './cohort-schemas.js';
import type { App } from '../app.js';
import { requestContext } from '../app.js';
import { requireRole, withEtag } from '../respond.js';
import type { Services } from '../../services/index.js';


export const OccupationSchema = z
  .object({
    code: z.string().regex(/^[0-9A-Za-z.-]{1,32}$/).openapi({ example: '6-18-01-01' }),
    name: z.string().trim().min(1).max(100).openapi({ example: '车工' }),
    skillEvaluation: z.boolean().describe('whether skill-level evaluation exists (R-OCC-1)'),
  })
  .openapi('NewOccupation');
const Occupation = responseSchema(() => OccupationSchema.extend({ createdAt: z.string() }).openapi('Occupation'));
const occupationExample = { code: '6-18-01-01', name: '车工', skillEvaluation: true, createdAt: '2026-01-05T02:00:00.000Z' };

const Schedule = responseSchema(() =>
  z
    .object({
      year: z.number().int(),
      holidays: z.array(IsoDate).describe('official days off (放假)'),
      workdays: z.array(IsoDate).describe('make-up working days on weekends (调休上班)'),
      source: z.enum(['official', 'loaded', 'weekdays-only']),
    })
    .openapi('YearSchedule'),
);
const scheduleExample = { year: 2026, holidays: ['2026-10-01'], workdays: ['2026-09-20'], source: 'official' };
// Four digits exactly: a coerced number would also take 2027.0, 0x7eb or 2e3 as a year.
const YearParam = z.object({
  year: z.string().regex(/^(20\d\d|2100)$/, 'a year from 2000 to 2100').openapi({ param: { name: 'year', in: 'path' }, example: '2027' }),
});
const yearParam = (c: { req: { valid(target: 'param'): { year: string } } }) => Number(c.req.valid('param').year);

export function registerCatalogueRoutes(app: App, services: Services) {
  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/occupations',
      operationId: 'createOccupation',
      summary: 'Add an occupation to the catalogue (admin)',
      tags: ['Catalogue'],
      request: { body: jsonBody(OccupationSchema, { code: '6-18-01-01', name: '车工', skillEvaluation: true }) },
      responses: { 201: jsonResponse('The occupation', Occupation, occupationExample) },
    }),
    async (c) => {
      const ctx = requestContext(c);
      requireRole(ctx.principal, 'admin');
      return c.json(await services.occupations.create(ctx, c.req.valid('json')), 201);
    },
  );
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/occupations',
      operationId: 'listOccupations',
      summary: 'List the occupation catalogue',
      tags: ['Catalogue'],
      request: { query: z.object(listQuery) },
      responses: { 200: jsonResponse('A page of occupations, in code order', pageOf(Occupation, 'OccupationPage'), { items: [occupationExample], nextCursor: null }) },
    }),
    async (c) => c.json(await services.occupations.list(c.req.valid('query')), 200),
  );
  app.openapi(
    defineRoute({
      method: 'put',
      path: '/v1/calendar/{year}',
      operationId: 'putCalendarYear',
      summary: "Load a year's official holiday schedule (admin)",
      description: 'For a year the shipped calendar does not know yet, or to correct one. Deadlines (R-FILE-1, R-PLAN-1) counted from now on use it; a filing deadline already counted Monday to Friday for that year is counted again when the next participant files (until then the class, its alert and a withdrawal keep the first count).',
      tags: ['Catalogue'],
      request: {
        params: YearParam,
        body: jsonBody(
          z.object({ holidays: z.array(IsoDate).max(120), workdays: z.array(IsoDate).max(60) }),
          { holidays: ['2027-01-01', '2027-02-05'], workdays: ['2027-02-14'] },
        ),
      },
      responses: { 200: jsonResponse('The schedule now in force', Schedule) },
    }),
    async (c) => {
      const ctx = requestContext(c);
      requireRole(ctx.principal, 'admin');
      return c.json(await services.calendar.put(ctx, yearParam(c), c.req.valid('json')), 200);
    },
  );
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/calendar/{year}',
      operationId: 'getCalendarYear',
      summary: 'The working-day schedule in force for a year',
      tags: ['Catalogue'],
      request: { params: YearParam },
      responses: { 200: jsonResponse('Schedule with its source', Schedule, scheduleExample) },
    }),
    async (c) => c.json(withEtag(c, await services.calendar.get(yearParam(c))), 200),
  );
  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/v1/calendar/{year}',
      operationId: 'unloadCalendarYear',
      summary: "Drop a year's loaded schedule: the shipped official one is in force again (admin)",
      description: 'Undoes PUT for that year (404 if none was loaded); deadlines counted from now on use the official schedule, or Monday to Friday for a year that has none.',
      tags: ['Catalogue'],
      request: { params: YearParam },
      responses: { 200: jsonResponse('The schedule now in force', Schedule, scheduleExample) },
    }),
    async (c) => {
      const ctx = requestContext(c);
      requireRole(ctx.principal, 'admin');
      return c.json(await services.calendar.unload(ctx, yearParam(c)), 200);
    },
  );
}
