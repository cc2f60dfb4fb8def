/**
 * The Lambda side of the HTTP API: an API Gateway HTTP API event (payload format 2.0) through the
 * Hono app to the structured result, as hono/aws-lambda's `handle` does, without building a WHATWG
 * Request and Response where nothing reads them.
 *
 * Node's Request and Response (undici) are made for streaming: each Request parses its URL and makes
 * an AbortSignal; each Response wraps its body in a ReadableStream, which `text()` reads back through
 * a reader. That costs ≈ 30 µs a request when hot and several times more in a warm function's mixed
 * traffic: as much as the app's own work on a short read. With this adapter the app's share of
 * `GET /v1/cohorts/{id}` fell from ≈ 0.6 to ≈ 0.4 ms (issue 8; `npm run bench -- --only=overhead`).
 *
 * The technique is @hono/node-server's (its `overrideGlobalObjects`, which `npm start` runs with):
 * - EventRequest answers method, url and headers itself and makes the native Request only when
 *   something wants its body, signal or another member;
 * - LightResponse, installed as the global Response, keeps a string body and its init as given, and
 *   makes the native Response only when something wants more than status, headers and text().
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context as LambdaContext } from 'aws-lambda';
import type { Hono } from 'hono';

const NativeRequest = globalThis.Request;
/** Node's own Response, also when this module is evaluated again after installing (a test runner's fresh module graph). */
const nativeKey = Symbol.for('apprenticeship.nativeResponse');
const NativeResponse: typeof Response = (globalThis.Response as unknown as Record<symbol, typeof Response | undefined>)[nativeKey] ?? globalThis.Response;

/**
 * Defines, on a light prototype, each member of the native prototype that the light class does not
 * have itself (`instanceFields`: those set per instance), forwarded to the native object.
 */
function forwardRest(light: object, native: object, nativeOf: (self: never) => object, instanceFields: readonly string[] = []) {
  for (const name of Object.getOwnPropertyNames(native)) {
    if (name === 'constructor' || Object.hasOwn(light, name) || instanceFields.includes(name)) continue;
    const d = Object.getOwnPropertyDescriptor(native, name)!;
    if (typeof d.value === 'function') {
      Object.defineProperty(light, name, {
        configurable: true,
        value(this: never, ...args: unknown[]) {
          return (nativeOf(this) as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
        },
      });
    } else if (d.get) {
      Object.defineProperty(light, name, { configurable: true, get(this: never) { return (nativeOf(this) as unknown as Record<string, unknown>)[name]; } });
    }
  }
}

/** Its other members are the native Request's (forwardRest below). */
export interface EventRequest extends Request {}

/** A request from an event. `body` is null without a payload; with one, it is the native Request's stream. */
export class EventRequest {
  #native?: Request;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: Headers,
    private readonly payload?: Uint8Array | string,
  ) {}

  get body(): ReadableStream<Uint8Array> | null {
    return this.payload === undefined && !this.#native ? null : this.native().body;
  }

  native(): Request {
    return (this.#native ??= new NativeRequest(this.url, { method: this.method, headers: this.headers, ...(this.payload === undefined ? {} : { body: this.payload }) }));
  }
}
forwardRest(EventRequest.prototype, NativeRequest.prototype, (self: EventRequest) => self.native(), ['method', 'url', 'headers']);
Object.setPrototypeOf(EventRequest.prototype, NativeRequest.prototype);

interface KeptInit {
  status?: number;
  statusText?: string;
  headers?: ResponseInit['headers'];
}

/** The global Response once `handleHttpApi` ran: a string (or no) body is kept as given; any other body makes a native Response at once. */
export class LightResponse {
  #body: string | null = null;
  #init?: KeptInit;
  #headers?: Headers;
  #used = false;
  #native?: Response;

  constructor(body?: ConstructorParameters<typeof Response>[0], init?: ResponseInit) {
    // Another response as init (Hono re-wraps one for HEAD and when c.res is replaced): copy its headers.
    this.#init = init instanceof NativeResponse ? { status: init.status, statusText: init.statusText, headers: new Headers(init.headers) } : init;
    if (body === undefined || body === null || typeof body === 'string') this.#body = body ?? null;
    else this.#native = new NativeResponse(body, this.#init);
  }

  static readonly [nativeKey] = NativeResponse;

  /** Native responses count as instances too, as they do of the native class. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(NativeResponse, value);
  }

  static json(...args: Parameters<typeof Response.json>) {
    return NativeResponse.json(...args);
  }

  static error() {
    return NativeResponse.error();
  }

  static redirect(...args: Parameters<typeof Response.redirect>) {
    return NativeResponse.redirect(...args);
  }

  get status(): number {
    return this.#native?.status ?? this.#init?.status ?? 200;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get statusText(): string {
    return this.#native?.statusText ?? this.#init?.statusText ?? '';
  }

  get headers(): Headers {
    if (this.#native) return this.#native.headers;
    if (!this.#headers) {
      const given = this.#init?.headers;
      const headers = given instanceof Headers ? given : new Headers(given);
      if (this.#body !== null && !headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
      this.#headers = headers;
    }
    return this.#headers;
  }

  get bodyUsed(): boolean {
    return this.#native?.bodyUsed ?? this.#used;
  }

  text(): Promise<string> {
    if (this.#native) return this.#native.text();
    if (this.#used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.#used = true;
    return Promise.resolve(this.#body ?? '');
  }

  /** A light response's body as given, without consuming it; undefined for any other response. */
  static peekText(res: unknown): string | undefined {
    if (typeof res !== 'object' || res === null || !(#body in res)) return undefined;
    return res.#native || res.#used ? undefined : (res.#body ?? '');
  }

  native(): Response {
    if (!this.#native) {
      const { status = 200, statusText } = this.#init ?? {};
      this.#native = new NativeResponse(this.#used ? null : this.#body, { status, ...(statusText ? { statusText } : {}), headers: this.#headers ?? this.#init?.headers ?? {} });
    }
    return this.#native;
  }
}
forwardRest(LightResponse.prototype, NativeResponse.prototype, (self: LightResponse) => self.native());
Object.setPrototypeOf(LightResponse, NativeResponse);
Object.setPrototypeOf(LightResponse.prototype, NativeResponse.prototype);

/** Makes LightResponse the global Response (idempotent), so Hono's `c.json()` and `new Response()` in the app make light ones. */
export function installLightResponse() {
  globalThis.Response = LightResponse as unknown as typeof Response;
}

/** Restores Node's own Response (tests that installed the light one). */
export function restoreNativeResponse() {
  globalThis.Response = NativeResponse;
}

/** API Gateway passes these through as text; every other body (xlsx) travels base64-encoded. */
const textual = /^(?:text\/|application\/(?:[\w.-]+\+)?(?:json|xml|javascript)\s*(?:;|$))/i;

function requestOf(event: APIGatewayProxyEventV2): EventRequest {
  const headers = new Headers();
  for (const name in event.headers) {
    const value = event.headers[name];
    // Empty values are kept (an empty X-Clock-Now is still refused in prod). Headers rejects values
    // beyond Latin-1; non-ASCII ones are percent-encoded, as hono/aws-lambda does.
    if (value !== undefined) headers.set(name, /[^\x00-\x7f]/.test(value) ? encodeURIComponent(value) : value);
  }
  if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
  let payload: Uint8Array | string | undefined;
  if (event.body !== undefined && event.body !== null) {
    payload = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : event.body;
    headers.set('content-length', String(typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength));
  }
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  return new EventRequest(event.requestContext.http.method, `https://${event.requestContext.domainName}${event.rawPath}${query}`, headers, payload);
}

/**
 * The Lambda handler of `app` for HTTP API payload 2.0 events; installs LightResponse. Headers come
 * back as one object (HTTP API joins repeated ones) and Set-Cookie as `cookies`.
 */
export function handleHttpApi(app: Pick<Hono<any>, 'fetch'>) {
  installLightResponse();
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
