import { defineRoute, jsonBody, jsonResponse, listQuery, pageOf, responseSchema, z } from '../openapi.js';
import { IsoDate } from './cohort-schemas.js';
import type { App } from '../app.js';
import { requestContext } from '../app.js';
import { requireRole } from '../respond.js';
import type { Services } from '../../services/index.js';

const Rate = z.number().int().positive().max(1_000_000).describe('yuan per person per year');
const BasisPoints = z.number().int().min(0).max(10_000).describe('city share in basis points (5000 = 50 %)');

const Rates = z
  .object({
    intermediate: Rate.describe('中级工, yuan per person-year'),
    senior: Rate.describe('高级工, yuan per person-year'),
    technician: Rate.describe('技师, yuan per person-year'),
    senior_technician: Rate.describe('高级技师, yuan per person-year'),
    certificate: Rate.describe('合格证书 (occupation without skill-level evaluation), yuan per person-year'),
  })
  .strict()
  .openapi('PolicyRates');

const ByDistrict = z
  .record(z.string().regex(/^\d{6}$/), BasisPoints)
  .refine((o) => Object.keys(o).length <= 200, { message: 'at most 200 districts' })
  .describe('payer district code → city share in basis points (市区两级分担, R-SUB-5); other districts use the default');

const NewPolicyVersion = z
  .object({
    version: z.string().trim().min(1).max(100).optional().describe('label of the version; defaults to effectiveFrom'),
    effectiveFrom: IsoDate.describe('first day in force; must be after today (R-SUB-1)').openapi({ example: '2027-01-01' }),
    ratesYuanPerYear: Rates,
    defaultCityShareBasisPoints: BasisPoints,
    cityShareBasisPointsByDistrict: ByDistrict.optional(),
  })
  .strict()
  .openapi('NewPolicyVersion');

const PolicyVersion = responseSchema(() =>
  z
    .object({
      version: z.string(),
      effectiveFrom: IsoDate,
      ratesYuanPerYear: Rates,
      defaultCityShareBasisPoints: BasisPoints,
      cityShareBasisPointsByDistrict: z.record(z.string(), BasisPoints),
    })
    .openapi('PolicyVersion'),
);

const rates2024 = { intermediate: 5000, senior: 6000, technician: 7000, senior_technician: 8000, certificate: 5000 };
const example2024 = { version: '2024-04-02', effectiveFrom: '2024-04-02', ratesYuanPerYear: rates2024, defaultCityShareBasisPoints: 5000, cityShareBasisPointsByDistrict: {} };
const newExample = {
  version: '锡人社〔2026〕1号',
  effectiveFrom: '2027-01-01',
  ratesYuanPerYear: rates2024,
  defaultCityShareBasisPoints: 5000,
  cityShareBasisPointsByDistrict: { '320214': 4000 },
};

export function registerPolicyRoutes(app: App, services: Services) {
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/policy/versions',
      operationId: 'listPolicyVersions',
      summary: 'List the subsidy policy versions, oldest first',
      description:
        'Rates per level (yuan per person-year) and the city/district cost-sharing ratios, versioned by effective date (R-SUB-1, R-SUB-5). ' +
        'A cohort uses the version in force on its planned start. The notice of 2 April 2024 is built in.',
      tags: ['Policy'],
      request: { query: z.object(listQuery) },
      responses: {
        200: jsonResponse('A page of versions, oldest first', pageOf(PolicyVersion, 'PolicyVersionPage'), { items: [example2024, newExample], nextCursor: null }),
      },
    }),
    async (c) => c.json(await services.policy.page(c.req.valid('query')), 200),
  );
  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/policy/versions',
      operationId: 'createPolicyVersion',
      summary: 'Add a future policy version (admin)',
      description:
        'effectiveFrom must be after today and not taken: versions already in force are history, so cohorts that started under them keep their rates. ' +
        'Refused with 422 RULE_VIOLATION (rule R-SUB-1 or R-SUB-5) otherwise.',
      tags: ['Policy'],
      request: { body: jsonBody(NewPolicyVersion, newExample) },
      responses: { 201: jsonResponse('The stored version', PolicyVersion, newExample) },
    }),
    async (c) => {
      const ctx = requestContext(c);
      requireRole(ctx.principal, 'admin');
      return c.json(await services.policy.create(ctx, c.req.valid('json')), 201);
    },
  );
}
