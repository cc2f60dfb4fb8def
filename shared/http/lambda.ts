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
 * - LightResponse, what the name `Response` stands for once installed, keeps a string body as
 *   given (its headers copied), and makes the native Response only when something wants more than
 *   status, headers and text();
 * - LightHeaders, what `Headers` stands for once installed, is a plain map with the WHATWG
 *   semantics the code relies on (case-insensitive names, combined values, Set-Cookie kept apart,
 *   sorted iteration, the same TypeErrors for invalid names and values).
 * Native objects accept the light ones (as iterable header lists), and `instanceof` with the
 * installed Headers and Response holds for native and light objects alike (the global Request stays
 * Node's: nothing in the app checks `c.req.raw instanceof Request`).
 *
 * The light classes shadow Node's instead of replacing them: `let Headers, Response` declared in the
 * realm's global scope (installLightFetchClasses), which every script and module resolves the bare
 * names to before the global object, while `globalThis.Headers` and `globalThis.Response` stay Node's
 * untouched lazy properties. On Node 22, the Lambda runtime's, these are V8 lazy data properties:
 * reading their descriptor, or redefining them, loads undici (≈ 10 ms of a cold start). Once
 * declared, the bindings stay: a later `globalThis.Response = X` no longer changes what the bare name
 * stands for (nothing in the app or the tests does that; `npm start`'s @hono/node-server, which does,
 * never loads this module).
 */
import { runInThisContext } from 'node:vm';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context as LambdaContext } from 'aws-lambda';
import type { Hono } from 'hono';
import { ApiError } from './errors.js';

interface Natives {
  Headers: typeof Headers;
  Request: typeof Request;
  Response: typeof Response;
}

/**
 * The setter of the global-scope bindings (they can be declared once per realm), the classes they
 * hold now, and Node's classes once resolved. Kept on globalThis, so that a second evaluation of
 * this module (a test runner's fresh module graph) shares them and installs its own classes.
 */
const state: { bind?: (headers: unknown, response: unknown) => void; bound?: unknown; natives?: Natives } = ((
  globalThis as unknown as Record<symbol, typeof state>
)[Symbol.for('apprenticeship.fetchGlobals')] ??= {});

/** Node's classes: the global object's own, never shadowed there; loads undici on first use. */
function native(): Natives {
  return (state.natives ??= { Headers: globalThis.Headers, Request: globalThis.Request, Response: globalThis.Response });
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

/** What `Headers` stands for once installed (installLightFetchClasses). */
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
      this.#values.set(n, before === undefined ? v : `${before}${n === 'cookie' ? '; ' : ', '}${v}`);
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

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** A body both light classes keep as text until a native object takes over; read once, as Node's. */
abstract class KeptBody<Native extends Request | Response> {
  protected nativeObject?: Native;
  protected used = false;

  abstract native(): Native;

  protected abstract keptText(): string;

  get bodyUsed(): boolean {
    return this.used || (this.nativeObject?.bodyUsed ?? false);
  }

  /** As Node's `text()`: read once, a leading byte order mark dropped by the UTF-8 decoding. */
  text(): Promise<string> {
    if (this.used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    if (this.nativeObject) return this.nativeObject.text();
    this.used = true;
    const text = this.keptText();
    return Promise.resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
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

  get [Symbol.toStringTag]() {
    return 'Request';
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.payload === undefined && !this.nativeObject ? null : this.native().body;
  }

  protected override keptText(): string {
    const p = this.payload;
    return p === undefined ? '' : typeof p === 'string' ? p : utf8.decode(p);
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

/** Statuses whose responses cannot carry a body (Fetch standard; 101 and 103 are refused anyway). */
const nullBodyStatus = new Set([204, 205, 304]);

/** What `Response` stands for once installed: a string (or no) body is kept as given; any other body makes a native Response at once. */
export class LightResponse extends KeptBody<Response> {
  #body: string | null = null;
  #status = 200;
  #statusText = '';
  #headers?: Headers;

  constructor(body?: ConstructorParameters<typeof Response>[0], init?: ResponseInit) {
    super();
    if (body !== undefined && body !== null && typeof body !== 'string') {
      this.nativeObject = new (native().Response)(body, init);
      return;
    }
    // As Node's: the status checked, the headers copied and checked (an init may be another
    // response: Hono re-wraps one for HEAD and when c.res is replaced).
    const status = init?.status ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 599) throw new RangeError(`Response: status ${status} is outside 200–599`);
    if (typeof body === 'string' && nullBodyStatus.has(status)) throw new TypeError(`Response: status ${status} cannot have a body`);
    this.#body = body ?? null;
    this.#status = status;
    this.#statusText = init?.statusText ?? '';
    const headers = new LightHeaders(init?.headers as HeadersInitLike);
    if (this.#body !== null && !headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
    this.#headers = headers as unknown as Headers;
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
    return this.nativeObject?.status ?? this.#status;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get statusText(): string {
    return this.nativeObject?.statusText ?? this.#statusText;
  }

  get headers(): Headers {
    return this.nativeObject?.headers ?? this.#headers!;
  }

  protected override keptText(): string {
    return this.#body ?? '';
  }

  override native(): Response {
    if (!this.nativeObject) {
      const headers = new (native().Headers)(this.#headers);
      this.nativeObject = new (native().Response)(this.used ? null : this.#body, { status: this.#status, statusText: this.#statusText, headers });
    }
    return this.nativeObject;
  }
}
forward(LightResponse.prototype, (self: LightResponse) => self.native(), ['body', 'redirected', 'type', 'url'], ['arrayBuffer', 'blob', 'bytes', 'clone', 'formData']);

/** Binds the global-scope `Headers` and `Response` (see the header comment), declaring them first. */
function bindGlobalNames(headers: unknown, response: unknown) {
  state.bind ??= runInThisContext('let Headers, Response; (h, r) => { Headers = h; Response = r; }') as NonNullable<typeof state.bind>;
  state.bind(headers, response);
  state.bound = response;
}

/** Makes LightHeaders and LightResponse what `Headers` and `Response` name (idempotent; Request stays Node's). */
export function installLightFetchClasses() {
  if (state.bound !== LightResponse) bindGlobalNames(LightHeaders, LightResponse);
}

/** Makes `Headers` and `Response` name Node's own classes again (tests that installed the light ones). */
export function restoreNativeFetchClasses() {
  if (state.bound === undefined || state.bound === native().Response) return;
  bindGlobalNames(native().Headers, native().Response);
}

/** API Gateway passes these through as text; every other body (xlsx) travels base64-encoded. */
const textual = /^(?:text\/|application\/(?:[\w.-]+\+)?(?:json|xml|javascript)\s*(?:;|$))/i;

/** Headers refuses values beyond Latin-1: such values are percent-encoded, as hono/aws-lambda does. */
const headerSafe = (value: string) => (/[^\x00-\x7f]/.test(value) ? encodeURIComponent(value) : value);

/**
 * The app's request for an event. API Gateway hands over the whole body, so its length is set and
 * any Transfer-Encoding dropped; GET and HEAD carry none (Node's Request refuses one). Empty header
 * values are kept (an empty X-Clock-Now is still refused in prod). Throws on what no Headers can
 * hold (a malformed name, a lone surrogate).
 */
function requestOf(event: APIGatewayProxyEventV2): EventRequest {
  const method = event.requestContext.http.method;
  const headers = new LightHeaders();
  for (const name in event.headers) {
    const value = event.headers[name];
    if (value !== undefined) headers.set(name, headerSafe(value));
  }
  if (event.cookies?.length) headers.set('cookie', headerSafe(event.cookies.join('; ')));
  headers.delete('transfer-encoding');
  let payload: Uint8Array | string | undefined;
  if (event.body !== undefined && event.body !== null && method !== 'GET' && method !== 'HEAD') {
    payload = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : event.body;
    headers.set('content-length', String(typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength));
  }
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  return new EventRequest(method, `https://${event.requestContext.domainName}${event.rawPath}${query}`, headers as unknown as Headers, payload);
}

/**
 * The Lambda handler for HTTP API payload 2.0 events: installs the light classes, then builds the app
 * (so that nothing made while building it loads undici). Headers come back as one object (HTTP API
 * joins repeated ones) and Set-Cookie as `cookies`. An event no request can be made of (a header no
 * Headers can hold) is answered 400 like any malformed request, not with a failed invocation.
 */
export function handleHttpApi(buildApp: () => Pick<Hono<any>, 'fetch'>) {
  installLightFetchClasses();
  const app = buildApp();
  return async (event: APIGatewayProxyEventV2, context?: LambdaContext): Promise<APIGatewayProxyStructuredResultV2> => {
    let request: EventRequest;
    try {
      request = requestOf(event);
    } catch {
      return resultOf(new ApiError('VALIDATION_FAILED', { en: 'Malformed request header', zh: '请求头格式错误' }).toResponse('en'));
    }
    return resultOf(await app.fetch(request as unknown as Request, { event, requestContext: event.requestContext, lambdaContext: context }));
  };
}

async function resultOf(res: Response): Promise<APIGatewayProxyStructuredResultV2> {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  res.headers.forEach((value, name) => {
    if (name === 'set-cookie') cookies.push(value);
    else headers[name] = value;
  });
  const type = headers['content-type'];
  const encoding = headers['content-encoding'];
  const binary = (type !== undefined && !textual.test(type)) || (encoding !== undefined && !/^identity$/i.test(encoding));
  // A light response's text as kept: a CSV's byte order mark stays (Response.text() drops it).
  const text = binary ? undefined : LightResponse.peekText(res);
  return {
    statusCode: res.status,
    headers,
    ...(cookies.length ? { cookies } : {}),
    isBase64Encoded: binary,
    body: text ?? (binary ? Buffer.from(await res.arrayBuffer()).toString('base64') : await res.text()),
  };
}
