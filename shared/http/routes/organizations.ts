import { defineRoute, idParam, jsonBody, jsonResponse, listQuery, pageOf, responseSchema, z } from '../openapi.js';
import { bureauLevels, organizationKinds } from '../../services/organizations.js';
import type { App } from '../app.js';
import { requestContext } from '../app.js';
import { requireRole, withEtag } from '../respond.js';
import type { Services } from '../../services/index.js';

const Flags = z.object({
  leading: z.boolean().optional().describe('龙头企业'),
  specialized: z.boolean().optional().describe('专精特新'),
  integration: z.boolean().optional().describe('产教融合型'),
  credit: z.boolean().optional().describe('劳动保障诚信'),
});

const NewOrganization = z
  .object({
    kind: z.enum(organizationKinds),
    name: z.string().trim().min(1).max(200),
    creditCode: z.string().length(18).describe('统一社会信用代码 (GB 32100-2015)'),
    district: z.string().regex(/^\d{6}$/).describe('6-digit administrative division code'),
    level: z.enum(bureauLevels).optional().describe('hr_bureau only'),
    parentId: z.string().min(1).max(64).optional().describe('group HQ of a member company'),
    flags: Flags.optional(),
  })
  .openapi('NewOrganization');

const OrganizationSchema = responseSchema(() =>
  z
    .object({
      id: z.string(),
      kind: z.enum(organizationKinds),
      name: z.string(),
      creditCode: z.string(),
      district: z.string(),
      level: z.enum(bureauLevels).optional(),
      parentId: z.string().optional(),
      flags: z.object({ leading: z.boolean(), specialized: z.boolean(), integration: z.boolean(), credit: z.boolean() }),
      createdAt: z.string(),
    })
    .openapi('Organization'),
);

const example = {
  id: '01JAB3M6W9Q0ZC8Y7RS2TB4K1D',
  kind: 'enterprise',
  name: '无锡新吴精密机械有限公司',
  creditCode: '91320214MA1XY12342',
  district: '320214',
  flags: { leading: false, specialized: true, integration: false, credit: true },
  createdAt: '2026-03-02T01:00:00.000Z',
};

const create = defineRoute({
  method: 'post',
  path: '/v1/organizations',
  operationId: 'createOrganization',
  summary: 'Register an organisation (admin)',
  tags: ['Organisations'],
  request: {
    body: jsonBody(NewOrganization, { kind: 'hr_bureau', name: '无锡市新吴区人力资源和社会保障局', creditCode: '11320214MB12345629', district: '320214', level: 'district' }),
  },
  responses: { 201: jsonResponse('The organisation', OrganizationSchema, example) },
});

const get = defineRoute({
  method: 'get',
  path: '/v1/organizations/{id}',
  operationId: 'getOrganization',
  summary: 'Read an organisation',
  tags: ['Organisations'],
  request: { params: z.object({ id: idParam('id', example.id) }) },
  responses: { 200: jsonResponse('The organisation', OrganizationSchema, example) },
});

const list = defineRoute({
  method: 'get',
  path: '/v1/organizations',
  operationId: 'listOrganizations',
  summary: 'List organisations by kind, district or group HQ',
  tags: ['Organisations'],
  request: {
    query: z.object({
      kind: z.enum(organizationKinds).optional(),
      district: z.string().regex(/^\d{6}$/).optional(),
      parentId: z.string().min(1).max(64).optional(),
      ...listQuery,
    }),
  },
  responses: { 200: jsonResponse('A page of organisations', pageOf(OrganizationSchema, 'OrganizationPage'), { items: [example], nextCursor: null }) },
});

export function registerOrganizationRoutes(app: App, services: Services) {
  app.openapi(create, async (c) => {
    const ctx = requestContext(c);
    requireRole(ctx.principal, 'admin');
    return c.json(await services.organizations.create(ctx, c.req.valid('json')), 201);
  });
  app.openapi(get, async (c) => c.json(withEtag(c, await services.organizations.get(c.req.valid('param').id)), 200));
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    return c.json(await services.organizations.list(q), 200);
  });
}
