import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it, vi } from 'vitest';
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
});
