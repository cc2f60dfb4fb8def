/**
 * The Lambda adapter (shared/http/lambda.ts). Every HTTP test already reaches the app through it
 * (bench/lib/scenario.ts requestApp); here: the light Headers and Response behave as Node's where
 * they are used, the light request answers what Hono reads, and for the same events the adapter's
 * results equal those of hono/aws-lambda on Node's own classes.
 */
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { bodyLimit } from 'hono/body-limit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpApiEvent } from '../../bench/lib/scenario.js';
import { EventRequest, handleHttpApi, installLightFetchClasses, LightHeaders, LightResponse, restoreNativeFetchClasses } from '../../shared/http/lambda.js';

describe('LightHeaders', () => {
  const NativeHeaders = globalThis.Headers;

  it('behaves as Node\'s Headers: names, combined values, Set-Cookie apart, sorted iteration', () => {
    const ops: Array<(h: Headers) => unknown> = [
      (h) => h.append('X-B', ' 2 '),
      (h) => h.append('x-b', '3'),
      (h) => h.set('Content-Type', 'application/json'),
      (h) => h.append('Set-Cookie', 'a=1'),
      (h) => h.append('set-cookie', 'b=2'),
      (h) => h.append('A-First', 'yes'),
      (h) => h.append('Cookie', 'a=1'),
      (h) => h.append('cookie', 'b=2'),
      (h) => h.get('cookie'),
      (h) => h.get('X-B'),
      (h) => h.get('set-cookie'),
      (h) => h.get('missing'),
      (h) => [h.has('CONTENT-TYPE'), h.has('set-cookie'), h.has('nope')],
      (h) => h.getSetCookie(),
      (h) => [...h],
      (h) => [...h.keys()],
      (h) => [...h.values()],
      (h) => { const seen: string[] = []; h.forEach((v, k) => seen.push(`${k}=${v}`)); return seen; },
      (h) => h.delete('X-B'),
      (h) => h.set('set-cookie', 'c=3'),
      (h) => [...h.entries()],
      (h) => [...new (h.constructor as typeof Headers)(h)],
      (h) => [...new (h.constructor as typeof Headers)({ 'X-Y': 'z', b: '1' })],
    ];
    const light = new LightHeaders() as unknown as Headers;
    const native = new NativeHeaders();
    for (const [i, op] of ops.entries()) expect(op(light), `step ${i}`).toEqual(op(native));
  });

  it('refuses what Node refuses: bad names, values with CR/LF/NUL or beyond Latin-1', () => {
    for (const [name, value] of [['bad name', 'v'], ['x', 'a\r\nInjected: 1'], ['x', 'nul\0'], ['x', '张三'], ['', 'v']] as const) {
      expect(() => new NativeHeaders().set(name, value)).toThrow(TypeError);
      expect(() => new LightHeaders().set(name, value)).toThrow(TypeError);
    }
  });

  it('counts native headers as instances, and native classes take it as init', () => {
    expect(new NativeHeaders()).toBeInstanceOf(LightHeaders);
    const light = new LightHeaders({ 'x-a': '1' });
    light.append('set-cookie', 'a=1');
    light.append('set-cookie', 'b=2');
    expect(new NativeHeaders(light as unknown as Headers).getSetCookie()).toEqual(['a=1', 'b=2']);
  });
});

describe('LightResponse', () => {
  const NativeResponse = globalThis.Response;
  beforeAll(installLightFetchClasses);
  afterAll(restoreNativeFetchClasses);

  it('is the global Response once installed; native and light responses are instances of it', () => {
    const light = new Response('{}', { status: 201, headers: { 'content-type': 'application/json' } });
    expect(light).toBeInstanceOf(LightResponse);
    expect(Object.prototype.toString.call(light)).toBe('[object Response]');
    expect(new NativeResponse('x')).toBeInstanceOf(Response);
    expect(Response.json({ a: 1 })).toBeInstanceOf(Response);
    expect(new Headers()).toBeInstanceOf(LightHeaders);
  });

  it('shadows Node\'s Headers and Response without touching the global object\'s properties (on Node 22, reading or redefining them loads undici)', () => {
    expect([Headers, Response]).toEqual([LightHeaders, LightResponse]);
    expect(globalThis.Response).toBe(NativeResponse);
    expect(globalThis.Headers).not.toBe(LightHeaders);
    installLightFetchClasses(); // idempotent
    restoreNativeFetchClasses();
    try {
      expect([Headers, Response]).toEqual([globalThis.Headers, NativeResponse]);
    } finally {
      installLightFetchClasses();
    }
    expect(Response).toBe(LightResponse);
  });

  it('answers status, headers and text() as Node does, and reads its body once', async () => {
    for (const [body, init] of [
      ['{"a":1}', { status: 201, statusText: 'Created', headers: { 'content-type': 'application/json', etag: '"3"' } }],
      ['plain', undefined],
      [null, { status: 204 }],
      [undefined, { headers: new LightHeaders({ 'x-a': 'b' }) as unknown as Headers }],
    ] as const) {
      const light = new Response(body, init);
      const native = new NativeResponse(body, init);
      expect([light.status, light.ok, light.statusText]).toEqual([native.status, native.ok, native.statusText]);
      expect([...light.headers]).toEqual([...native.headers]);
      expect(light.bodyUsed).toBe(false);
      expect(await light.text()).toBe(await native.text());
      expect(light.bodyUsed).toBe(true);
      await expect(light.text()).rejects.toThrow(TypeError);
    }
  });

  it('hands every other member to a native Response built from it, headers changed since included', async () => {
    const light = new Response('{"n":1}', { status: 202, headers: { 'content-type': 'application/json' } });
    light.headers.set('x-request-id', 'r1');
    const copy = light.clone();
    expect(await light.json()).toEqual({ n: 1 });
    expect(light.bodyUsed).toBe(true);
    expect(copy.status).toBe(202);
    expect(copy.headers.get('x-request-id')).toBe('r1');
    expect(new TextDecoder().decode(await copy.arrayBuffer())).toBe('{"n":1}');
    expect(new Response('s').type).toBe('default');
    expect(new Response('s').body).toBeInstanceOf(ReadableStream);
  });

  it('copies its headers and checks its status as Node does', () => {
    const shared = new LightHeaders({ 'x-a': '1' }) as unknown as Headers;
    const a = new Response('{}', { headers: shared });
    const b = new Response(null, { status: 204, headers: shared });
    a.headers.set('etag', '"1"');
    expect([b.headers.get('etag'), b.headers.get('content-type'), shared.get('etag')]).toEqual([null, null, null]);
    for (const [body, init] of [[null, { status: 99 }], ['x', { status: 204 }], ['x', { status: 304 }], [null, { status: 600 }]] as const) {
      expect(() => new NativeResponse(body, init)).toThrow();
      expect(() => new Response(body, init)).toThrow();
    }
    expect(() => new Response('x', { headers: { 'x-a': '张' } })).toThrow(TypeError);
  });

  it('drops a leading byte order mark in text(), as Node does, but keeps it in what the adapter sends', async () => {
    const csv = '\uFEFFa,b\r\n';
    expect(await new Response(csv).text()).toBe(await new NativeResponse(csv).text());
    expect(LightResponse.peekText(new Response(csv))).toBe(csv);
  });

  it('keeps a body other than a string in a native Response at once', async () => {
    const bytes = new Uint8Array([0x50, 0x4b, 0x03, 0x04]);
    const res = new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } });
    expect(LightResponse.peekText(res)).toBeUndefined();
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });

  it('made from another response (Hono: HEAD, a replaced c.res), copies its status and headers', async () => {
    const first = new Response('{}', { status: 409, headers: { 'content-type': 'application/problem+json', etag: '"1"' } });
    const second = new Response(null, first);
    second.headers.set('etag', '"2"');
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toBe('application/problem+json');
    expect(first.headers.get('etag')).toBe('"1"');
    expect(await second.text()).toBe('');
  });
});

describe('EventRequest', () => {
  it('answers method, url, headers and its body text itself; other members through a native Request', async () => {
    const bare = new EventRequest('GET', 'https://api.example.cn/v1/x?a=1', new LightHeaders({ accept: 'application/json' }) as unknown as Headers);
    expect(Object.prototype.toString.call(bare)).toBe('[object Request]');
    expect([bare.method, bare.url, bare.headers.get('accept'), bare.body]).toEqual(['GET', 'https://api.example.cn/v1/x?a=1', 'application/json', null]);
    expect((bare as unknown as Request).signal).toBeInstanceOf(AbortSignal);

    const headers = new LightHeaders({ 'content-type': 'application/json' }) as unknown as Headers;
    const posted = new EventRequest('POST', 'https://api.example.cn/v1/x', headers, Buffer.from('{"名":"张三"}'));
    expect(await posted.json()).toEqual({ 名: '张三' });
    expect(posted.bodyUsed).toBe(true);
    await expect(posted.text()).rejects.toThrow(TypeError);

    const withBom = new EventRequest('POST', 'https://api.example.cn/v1/x', headers, Buffer.from('\uFEFF{"n":1}'));
    expect(await withBom.json()).toEqual({ n: 1 });
    (withBom as unknown as Request).signal; // builds the native Request, without the body already read
    expect(withBom.bodyUsed).toBe(true);
    await expect(withBom.text()).rejects.toThrow(TypeError);

    const streamed = new EventRequest('POST', 'https://api.example.cn/v1/x', headers, 'abc');
    expect(streamed.body).toBeInstanceOf(ReadableStream);
    expect(await streamed.text()).toBe('abc');
  });
});

describe('handleHttpApi', () => {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('x-request-id', 'r1');
  });
  app.use('/limited', bodyLimit({ maxSize: 8, onError: (c) => c.json({ error: 'too large' }, 413) }));
  app.get('/items/:id', (c) => {
    c.header('ETag', '"7"');
    return c.json({ id: c.req.param('id'), q: c.req.query('q') ?? null, lang: c.req.header('accept-language') ?? null, cookie: c.req.header('cookie') ?? null });
  });
  app.post('/echo', async (c) => c.json({ got: await c.req.json(), length: c.req.header('content-length') }, 201));
  app.post('/limited', async (c) => c.text(await c.req.text()));
  app.get('/binary', () => new Response(new Uint8Array([0, 1, 2, 255]), { headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } }));
  app.get('/csv', (c) => c.body('a,b\n1,2\n', 200, { 'content-type': 'text/csv; charset=utf-8' }));
  app.get('/cookie', (c) => {
    c.header('set-cookie', 'a=1', { append: true });
    c.header('set-cookie', 'b=2', { append: true });
    return c.body(null, 204);
  });
  app.get('/header', (c) => c.text(c.req.header('x-note') ?? '(none)'));
  app.get('/signal', (c) => c.text(String(c.req.raw.signal.aborted)));
  app.get('/bom.csv', (c) => c.body('\uFEFF姓名,ok\r\n', 200, { 'content-type': 'text/csv; charset=utf-8' }));
  app.get('/replaced', async (c, next) => {
    await next();
    c.res = new Response('replaced', { status: 202 });
  });

  const events = [
    httpApiEvent('GET', '/items/42?q=%E5%BC%A0&x=1', { headers: { 'accept-language': 'zh-CN' }, cookies: ['s=1', 't=2'] }),
    httpApiEvent('HEAD', '/items/42'),
    httpApiEvent('POST', '/echo', { headers: { 'content-type': 'application/json' }, body: '{"name":"张三"}' }),
    httpApiEvent('POST', '/echo', { headers: { 'content-type': 'application/json' }, body: Buffer.from('{"n":1}').toString('base64'), base64: true }),
    httpApiEvent('POST', '/limited', { headers: { 'content-type': 'text/plain' }, body: 'short' }),
    httpApiEvent('POST', '/limited', { headers: { 'content-type': 'text/plain' }, body: 'far too long for it' }),
    httpApiEvent('GET', '/binary'),
    httpApiEvent('GET', '/csv'),
    httpApiEvent('GET', '/cookie'),
    httpApiEvent('GET', '/header', { headers: { 'x-note': '备注' } }),
    httpApiEvent('GET', '/replaced'),
    httpApiEvent('GET', '/nowhere'),
    // Hono's bodyLimit reads a body sent with Transfer-Encoding as a stream (and re-wraps the request).
    httpApiEvent('POST', '/limited', { headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }, body: 'short' }),
    httpApiEvent('POST', '/limited', { headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }, body: 'far too long for it' }),
    httpApiEvent('POST', '/echo', { headers: { 'content-type': 'application/json' }, body: '\uFEFF{"bom":true}' }),
    httpApiEvent('GET', '/signal', { body: '' }),
  ];

  it('gives, for the same events, the results hono/aws-lambda gives on Node\'s Request and Response', async () => {
    restoreNativeFetchClasses();
    const reference = handle(app);
    const expected: Awaited<ReturnType<typeof reference>>[] = [];
    for (const e of events) expected.push(await reference(e as never, {} as never));
    const handler = handleHttpApi(() => app);
    try {
      for (const [i, e] of events.entries()) {
        const got = await handler(e);
        const want = expected[i]!;
        expect({ ...got, cookies: got.cookies ?? [] }, `${e.requestContext.http.method} ${e.rawPath}`).toEqual({ ...want, cookies: want.cookies ?? [] });
      }
    } finally {
      restoreNativeFetchClasses();
    }
  });

  it('passes the query, cookies, a base64 body and an empty header on; returns binary bodies base64-encoded', async () => {
    const handler = handleHttpApi(() => app);
    try {
      const get = await handler(events[0]!);
      expect(JSON.parse(get.body!)).toEqual({ id: '42', q: '张', lang: 'zh-CN', cookie: 's=1; t=2' });
      expect(get.headers).toMatchObject({ etag: '"7"', 'x-request-id': 'r1', 'content-type': 'application/json' });
      const posted = await handler(events[3]!);
      expect([posted.statusCode, JSON.parse(posted.body!)]).toEqual([201, { got: { n: 1 }, length: '7' }]);
      expect((await handler(events[5]!)).statusCode).toBe(413);
      const binary = await handler(events[6]!);
      expect([binary.isBase64Encoded, [...Buffer.from(binary.body!, 'base64')]]).toEqual([true, [0, 1, 2, 255]]);
      expect((await handler(events[8]!)).cookies).toEqual(['a=1', 'b=2']);
      expect((await handler(httpApiEvent('GET', '/header', { headers: { 'x-note': '' } }))).body).toBe('');
    } finally {
      restoreNativeFetchClasses();
    }
  });

  it('percent-encodes cookies beyond Latin-1; answers 400, not a failed invocation, to headers no Headers can hold; ignores a body on GET', async () => {
    const handler = handleHttpApi(() => app);
    try {
      expect(JSON.parse((await handler(httpApiEvent('GET', '/items/1', { cookies: ['name=张三'] }))).body!).cookie).toBe(encodeURIComponent('name=张三'));
      for (const bad of [httpApiEvent('GET', '/header', { headers: { 'x-note': 'a\ud800' } }), httpApiEvent('GET', '/header', { headers: { 'bad name': 'v' } })]) {
        const res = await handler(bad);
        expect(res.statusCode).toBe(400);
        expect(res.headers?.['content-type']).toMatch(/^application\/problem\+json/);
        expect(JSON.parse(res.body!)).toMatchObject({ code: 'VALIDATION_FAILED' });
      }
      expect(await handler(httpApiEvent('GET', '/signal', { body: 'ignored' }))).toMatchObject({ statusCode: 200, body: 'false' });
    } finally {
      restoreNativeFetchClasses();
    }
  });

  it('a second copy of the module (a test runner\'s fresh module graph) installs its own classes', async () => {
    installLightFetchClasses(); // this copy's classes bound first
    vi.resetModules();
    const second = await import('../../shared/http/lambda.js');
    expect(second.LightResponse).not.toBe(LightResponse);
    const handler = second.handleHttpApi(() => app);
    try {
      expect(Response).toBe(second.LightResponse);
      // The byte order mark survives only through the installed class's own peekText.
      expect((await handler(httpApiEvent('GET', '/bom.csv'))).body).toBe('\uFEFF姓名,ok\r\n');
    } finally {
      second.restoreNativeFetchClasses();
    }
  });

  it('sends a CSV\'s byte order mark (hono/aws-lambda lost it through Response.text())', async () => {
    const handler = handleHttpApi(() => app);
    try {
      expect((await handler(httpApiEvent('GET', '/bom.csv'))).body).toBe('\uFEFF姓名,ok\r\n');
    } finally {
      restoreNativeFetchClasses();
    }
  });
});
