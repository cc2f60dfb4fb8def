import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it, vi } from 'vitest';
import { appFromEnv } from '../../shared/http/app.js';
import { defineRoute, jsonResponse, pageOf, responseSchema, z } from '../../shared/http/openapi.js';

describe('response schemas are built for the OpenAPI document only', () => {
  it('responseSchema builds on the first call and keeps the schema', () => {
    const build = vi.fn(() => z.object({ id: z.string() }));
    const schema = responseSchema(build);
    expect(build).not.toHaveBeenCalled();
    expect(schema()).toBe(schema());
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('a route answers requests without building its response schema; the document builds it once', async () => {
    const build = vi.fn(() => z.object({ id: z.string() }).openapi('Thing'));
    const Thing = responseSchema(build);
    const app = new OpenAPIHono();
    app.openapi(
      defineRoute(
        {
          method: 'get', path: '/things/{id}', operationId: 'getThing', summary: 'Read a thing',
          request: { params: z.object({ id: z.string().min(2) }) },
          responses: { 200: jsonResponse('The thing', Thing), 206: jsonResponse('A page', pageOf(Thing, 'ThingPage')) },
        },
        { public: true },
      ),
      (c) => c.json({ id: c.req.valid('param').id }, 200),
    );

    expect((await app.request('/things/ab')).status).toBe(200);
    expect((await app.request('/things/a')).status).toBe(400);
    expect(build).not.toHaveBeenCalled();

    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    expect(build).toHaveBeenCalledTimes(1);
    expect(doc.components?.schemas?.Thing).toMatchObject({ type: 'object', properties: { id: { type: 'string' } } });
    expect(doc.components?.schemas?.ThingPage).toMatchObject({ properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Thing' } } } });
    const ok = doc.paths?.['/things/{id}']?.get?.responses?.['200'] as { content: Record<string, { schema: unknown }> };
    expect(ok.content['application/json']!.schema).toEqual({ $ref: '#/components/schemas/Thing' });
  });

  it('the app\'s routes: every response body behind a getter, every request part a zod schema (validated, so built at start)', () => {
    const { app } = appFromEnv({ STAGE: 'local', TABLE_NAME: 'openapi-test', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' });
    const routes = app.openAPIRegistry.definitions.flatMap((d) => (d.type === 'route' ? [d.route] : []));
    expect(routes.length).toBeGreaterThan(40);
    const isZod = (schema: unknown) => schema instanceof z.ZodType;
    let bodies = 0;
    for (const route of routes) {
      const where = `${route.method} ${route.path}`;
      for (const [status, response] of Object.entries(route.responses)) {
        const content = Object.getOwnPropertyDescriptor(response, 'content');
        if (content) expect(content.get, `${where} ${status}`).toBeTypeOf('function');
      }
      const request = route.request ?? {};
      for (const part of [request.params, request.query, request.headers]) if (part) expect(isZod(part), where).toBe(true);
      for (const media of Object.values(request.body?.content ?? {})) {
        expect(isZod((media as { schema?: unknown } | undefined)?.schema), where).toBe(true);
        bodies++;
      }
    }
    expect(bodies).toBeGreaterThan(20);
  });
});
