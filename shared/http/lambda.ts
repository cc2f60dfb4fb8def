/**
 * The Lambda side of the HTTP API: an API Gateway HTTP API event (payload format 2.0) through the
 * Hono app to the structured result, as hono/aws-lambda's `handle` does, without Node's fetch
 * classes where nothing needs them.
 *
 * Node's Headers, Request and Response (undici) cost twice:
 * - the first read of any of these globals loads undici: 20–30 ms of every cold start here;
 * - each Request parses its URL and makes an AbortSignal; each Response wraps its body in a
 *   ReadableStream, which `text()` reads back through a reader. That is ≈ 30 µs a request when hot,
 *   several times more in a warm function's mixed traffic: as much as a short read's own work.
 * (issue 8; `npm run bench -- --only=overhead,cold`.)
 *
 * So, the technique of @hono/node-server (`overrideGlobalObjects`, which `npm start` runs with),
 * carried one step further:
 * - EventRequest answers method, url, headers and its body text itself, and makes the native Request
 *   only when something wants another member (a stream, the signal…);
 * - LightResponse, installed as the global Response, keeps a string body and its init as given, and
 *   makes the native Response only when something wants more than status, headers and text();
 * - LightHeaders, installed as the global Headers, is a plain map with the WHATWG semantics the
 *   code relies on (case-insensitive names, combined values, Set-Cookie kept apart, sorted iteration,
 *   the same TypeErrors for invalid names and values).
 * Native objects accept the light ones (as iterable header lists), and `instanceof` with the
 * installed classes holds for native and light objects alike.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context as LambdaContext } from 'aws-lambda';
import type { Hono } from 'hono';

type FetchClass = 'Headers' | 'Request' | 'Response';
interface Natives {
  Headers: typeof Headers;
  Request: typeof Request;
  Response: typeof Response;
}

/**
 * Node's own property descriptors of the three globals, saved before the first install: lazy
 * accessors that load undici when first read. Kept on globalThis so that a second evaluation of this
 * module (a test runner's fresh module graph) still finds Node's, not the light classes.
 */
const savedKey = Symbol.for('apprenticeship.fetchGlobals');
const saved: Record<FetchClass, PropertyDescriptor> = ((globalThis as unknown as Record<symbol, Record<FetchClass, PropertyDescriptor>>)[savedKey] ??= {
  Headers: Object.getOwnPropertyDescriptor(globalThis, 'Headers')!,
  Request: Object.getOwnPropertyDescriptor(globalThis, 'Request')!,
  Response: Object.getOwnPropertyDescriptor(globalThis, 'Response')!,
});
let natives: Natives | undefined;
let installed = false;

/** Node's classes, loading undici on first use. */
function native(): Natives {
  if (!natives) {
    const read = (name: FetchClass) => (saved[name].get ? saved[name].get.call(globalThis) : saved[name].value);
    natives = { Headers: read('Headers'), Request: read('Request'), Response: read('Response') };
    // Node's lazy getters put the native class on globalThis when first read.
    if (installed) installLightFetchClasses();
  }
  return natives;
}

/** `instanceof` by the WHATWG class name (Symbol.toStringTag), which native and light objects share. */
const isA = (value: unknown, tag: string) => typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === `[object ${tag}]`;

const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const invalidValue = /[\0\r\n]|[^\x00-\xff]/;
const edgeWhitespace = /^[\t\n\r ]+|[\t\n\r ]+$/g;

function normalName(name: string): string {
  const n = String(name);
  if (!headerName.test(n)) throw new TypeError(`Headers: invalid header name "${n}"`);
  return n.toLowerCase();
}

function normalValue(value: string): string {
  const v = String(value).replace(edgeWhitespace, '');
  if (invalidValue.test(v)) throw new TypeError('Headers: invalid header value');
  return v;
}

type HeadersInitLike = Iterable<readonly [string, string] | string[]> | Record<string, string> | undefined | null;

/** The global Headers once installed. */
export class LightHeaders {
  #values = new Map<string, string>();
  #cookies: string[] = [];

  constructor(init?: HeadersInitLike) {
    if (init === undefined || init === null) return;
    if (typeof init !== 'object') throw new TypeError('Headers: init must be an object');
    if (Symbol.iterator in init) {
      for (const pair of init as Iterable<readonly string[]>) {
        if (pair.length !== 2) throw new TypeError('Headers: a header pair must have two items');
        this.append(pair[0]!, pair[1]!);
      }
    } else {
      for (const name of Object.keys(init)) this.append(name, (init as Record<string, string>)[name]!);
    }
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return isA(value, 'Headers');
  }

  get [Symbol.toStringTag]() {
    return 'Headers';
  }

  append(name: string, value: string): void {
    const n = normalName(name);
    const v = normalValue(value);
    if (n === 'set-cookie') this.#cookies.push(v);
    else {
      const before = this.#values.get(n);
      this.#values.set(n, before === undefined ? v : `${before}, ${v}`);
    }
  }

  set(name: string, value: string): void {
    const n = normalName(name);
    const v = normalValue(value);
    if (n === 'set-cookie') this.#cookies = [v];
    else this.#values.set(n, v);
  }

  delete(name: string): void {
    const n = normalName(name);
    if (n === 'set-cookie') this.#cookies = [];
    else this.#values.delete(n);
  }

  get(name: string): string | null {
    const n = normalName(name);
    if (n === 'set-cookie') return this.#cookies.length ? this.#cookies.join(', ') : null;
    return this.#values.get(n) ?? null;
  }

  has(name: string): boolean {
    const n = normalName(name);
    return n === 'set-cookie' ? this.#cookies.length > 0 : this.#values.has(n);
  }

  getSetCookie(): string[] {
    return [...this.#cookies];
  }

  /** Sorted by name, each Set-Cookie apart, as Node's Headers iterates. */
  *entries(): IterableIterator<[string, string]> {
    const names = [...this.#values.keys()];
    if (this.#cookies.length) names.push('set-cookie');
    names.sort();
    for (const name of names) {
      if (name === 'set-cookie') for (const cookie of [...this.#cookies]) yield [name, cookie];
      else if (this.#values.has(name)) yield [name, this.#values.get(name)!];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator]() {
    return this.entries();
  }

  forEach(callback: (value: string, name: string, headers: LightHeaders) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }
}

/** Defines members on a light prototype that hand over to the native object. */
function forward(light: object, nativeOf: (self: never) => object, getters: readonly string[], methods: readonly string[]) {
  for (const name of getters) {
    Object.defineProperty(light, name, { configurable: true, get(this: never) { return (nativeOf(this) as unknown as Record<string, unknown>)[name]; } });
  }
  for (const name of methods) {
    Object.defineProperty(light, name, {
      configurable: true,
      writable: true,
      value(this: never, ...args: unknown[]) {
        return (nativeOf(this) as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
      },
    });
  }
}

/** A body both light classes keep as text until a native object takes over; read once, as Node's. */
abstract class KeptBody<Native extends Request | Response> {
  protected nativeObject?: Native;
  protected used = false;

  abstract native(): Native;

  protected abstract keptText(): string;

  get bodyUsed(): boolean {
    return this.nativeObject?.bodyUsed ?? this.used;
  }

  text(): Promise<string> {
    if (this.nativeObject) return this.nativeObject.text();
    if (this.used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.used = true;
    return Promise.resolve(this.keptText());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

/**
 * A request from an event: no native Request unless a member beyond method, url, headers and the
 * body text is used (the others are forwarded to it, below).
 */
export class EventRequest extends KeptBody<Request> {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: Headers,
    private readonly payload?: Uint8Array | string,
  ) {
    super();
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isA(value, 'Request');
  }

  get [Symbol.toStringTag]() {
    return 'Request';
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.payload === undefined && !this.nativeObject ? null : this.native().body;
  }

  protected override keptText(): string {
    const p = this.payload;
    return p === undefined ? '' : typeof p === 'string' ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('utf8');
  }

  override native(): Request {
    if (!this.nativeObject) {
      const headers = new (native().Headers)(this.headers as unknown as Headers);
      const body = this.payload === undefined || this.used ? {} : { body: this.payload };
      this.nativeObject = new (native().Request)(this.url, { method: this.method, headers, ...body });
    }
    return this.nativeObject;
  }
}
forward(
  EventRequest.prototype,
  (self: EventRequest) => self.native(),
  ['cache', 'credentials', 'destination', 'duplex', 'integrity', 'keepalive', 'mode', 'redirect', 'referrer', 'referrerPolicy', 'signal'],
  ['arrayBuffer', 'blob', 'bytes', 'clone', 'formData'],
);

interface KeptInit {
  status?: number;
  statusText?: string;
  headers?: ResponseInit['headers'];
}

/** The global Response once installed: a string (or no) body is kept as given; any other body makes a native Response at once. */
export class LightResponse extends KeptBody<Response> {
  #body: string | null = null;
  #init?: KeptInit;
  #headers?: Headers;

  constructor(body?: ConstructorParameters<typeof Response>[0], init?: ResponseInit) {
    super();
    // Another response as init (Hono re-wraps one for HEAD and when c.res is replaced): copy its headers.
    this.#init = isA(init, 'Response') ? { status: init!.status, statusText: init!.statusText, headers: new LightHeaders(init!.headers as unknown as HeadersInitLike) as unknown as Headers } : init;
    if (body === undefined || body === null || typeof body === 'string') this.#body = body ?? null;
    else this.nativeObject = new (native().Response)(body, this.#init);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isA(value, 'Response');
  }

  static json(...args: Parameters<typeof Response.json>) {
    return native().Response.json(...args);
  }

  static error() {
    return native().Response.error();
  }

  static redirect(...args: Parameters<typeof Response.redirect>) {
    return native().Response.redirect(...args);
  }

  /** A light response's body as given, without consuming it; undefined for any other response. */
  static peekText(res: unknown): string | undefined {
    if (typeof res !== 'object' || res === null || !(#body in res)) return undefined;
    return res.nativeObject || res.used ? undefined : (res.#body ?? '');
  }

  get [Symbol.toStringTag]() {
    return 'Response';
  }

  get status(): number {
    return this.nativeObject?.status ?? this.#init?.status ?? 200;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get statusText(): string {
    return this.nativeObject?.statusText ?? this.#init?.statusText ?? '';
  }

  get headers(): Headers {
    if (this.nativeObject) return this.nativeObject.headers;
    if (!this.#headers) {
      const given = this.#init?.headers;
      const headers = given instanceof LightHeaders ? (given as unknown as Headers) : (new LightHeaders(given as HeadersInitLike) as unknown as Headers);
      if (this.#body !== null && !headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
      this.#headers = headers;
    }
    return this.#headers;
  }

  protected override keptText(): string {
    return this.#body ?? '';
  }

  override native(): Response {
    if (!this.nativeObject) {
      const { status = 200, statusText } = this.#init ?? {};
      const headers = new (native().Headers)((this.#headers ?? this.#init?.headers ?? {}) as Headers);
      this.nativeObject = new (native().Response)(this.used ? null : this.#body, { status, ...(statusText ? { statusText } : {}), headers });
    }
    return this.nativeObject;
  }
}
forward(LightResponse.prototype, (self: LightResponse) => self.native(), ['body', 'redirected', 'type', 'url'], ['arrayBuffer', 'blob', 'bytes', 'clone', 'formData']);

/** Makes LightHeaders and LightResponse the global Headers and Response (idempotent; Request stays Node's). */
export function installLightFetchClasses() {
  installed = true;
  globalThis.Headers = LightHeaders as unknown as typeof Headers;
  globalThis.Response = LightResponse as unknown as typeof Response;
}

/** Puts Node's own classes back (tests that installed the light ones). */
export function restoreNativeFetchClasses() {
  installed = false;
  for (const name of ['Headers', 'Response'] as const) Object.defineProperty(globalThis, name, natives ? { configurable: true, writable: true, value: natives[name] } : saved[name]);
}

/** API Gateway passes these through as text; every other body (xlsx) travels base64-encoded. */
const textual = /^(?:text\/|application\/(?:[\w.-]+\+)?(?:json|xml|javascript)\s*(?:;|$))/i;

function requestOf(event: APIGatewayProxyEventV2): EventRequest {
  const headers = new LightHeaders();
  for (const name in event.headers) {
    const value = event.headers[name];
    // Empty values are kept (an empty X-Clock-Now is still refused in prod). Values beyond Latin-1
    // are percent-encoded, as hono/aws-lambda does (Headers refuses them).
    if (value !== undefined) headers.set(name, /[^\x00-\x7f]/.test(value) ? encodeURIComponent(value) : value);
  }
  if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
  let payload: Uint8Array | string | undefined;
  if (event.body !== undefined && event.body !== null) {
    payload = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : event.body;
    headers.set('content-length', String(typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength));
  }
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  return new EventRequest(event.requestContext.http.method, `https://${event.requestContext.domainName}${event.rawPath}${query}`, headers as unknown as Headers, payload);
}

/**
 * The Lambda handler of `app` for HTTP API payload 2.0 events; installs the light classes. Headers
 * come back as one object (HTTP API joins repeated ones) and Set-Cookie as `cookies`.
 */
export function handleHttpApi(app: Pick<Hono<any>, 'fetch'>) {
  installLightFetchClasses();
  return async (event: APIGatewayProxyEventV2, context?: LambdaContext): Promise<APIGatewayProxyStructuredResultV2> => {
    const res = await app.fetch(requestOf(event) as unknown as Request, { event, requestContext: event.requestContext, lambdaContext: context });
    const headers: Record<string, string> = {};
    const cookies: string[] = [];
    res.headers.forEach((value, name) => {
      if (name === 'set-cookie') cookies.push(value);
      else headers[name] = value;
    });
    const type = headers['content-type'];
    const encoding = headers['content-encoding'];
    const binary = (type !== undefined && !textual.test(type)) || (encoding !== undefined && !/^identity$/i.test(encoding));
    const text = binary ? undefined : LightResponse.peekText(res);
    return {
      statusCode: res.status,
      headers,
      ...(cookies.length ? { cookies } : {}),
      isBase64Encoded: binary,
      body: text ?? (binary ? Buffer.from(await res.arrayBuffer()).toString('base64') : await res.text()),
    };
  };
}
