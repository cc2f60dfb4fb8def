/**
 * createApp() builds the whole HTTP API: middleware (request id, language, clock, body limit,
 * auth, idempotency), the routes of every resource, the OpenAPI document and the docs page.
 * The Lambda entry wraps it with shared/http/lambda.ts, and the tests call it through that handler.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { TrieRouter } from 'hono/router/trie-router';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'hono';
import { configFromEnv, type AppConfig } from '../config.js';
import { cstDate, isIsoDate } from '../domain/dates.js';
import { newRequestId } from '../db/ids.js';
import { Store, classifyDbError } from '../db/store.js';
import { createServices, type Services } from '../services/index.js';
import { Authenticator } from './auth.js';
import type { AppEnv, RequestContext } from './context.js';
import { ApiError, type Lang } from './errors.js';
import { idempotency } from './idempotency.js';
import { validationError } from './validation.js';
import { registerDocs } from './docs.js';
import { registerRoutes } from './routes/index.js';
import { createLogger, storeFromEnv } from '../runtime.js';

export interface AppDeps {
  store: Store;
  config: AppConfig;
  logger: Logger;
}

export type App = OpenAPIHono<AppEnv>;

export function langOf(header: string | undefined): Lang {
  return header && /^\s*zh\b/i.test(header) ? 'zh' : 'en';
}

/** The per-request context handed to services. */
export function requestContext(c: Context<AppEnv>): RequestContext {
  return { principal: c.var.principal, now: c.var.now, today: c.var.today, requestId: c.var.requestId };
}

export function createApp(deps: AppDeps): { app: App; services: Services } {
  const { config, logger, store } = deps;
  const services = createServices(store, config);
  const authenticator = new Authenticator(config, services.organizations);
  // Hono's default SmartRouter first builds a RegExpRouter, which rejects this route set and is
  // thrown away at the first request; the TrieRouter it falls back to is taken directly (≈ 2 ms of
  // every cold start).
  const app: App = new OpenAPIHono<AppEnv>({ router: new TrieRouter(), defaultHook: (result) => { if (!result.success) throw validationError(result.error); } });

  app.use('*', async (c, next) => {
    const started = performance.now();
    const requestId = c.req.header('x-request-id')?.slice(0, 64) || newRequestId();
    c.set('requestId', requestId);
    c.set('lang', langOf(c.req.header('accept-language')));
    await next();
    // Set on the response itself: c.header() after the response exists copies the whole Response.
    c.res.headers.set('x-request-id', requestId);
    // Paths carry only opaque ids; bodies (names, ID numbers) are never logged.
    logger.info('request', { requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) });
  });

  app.use('*', async (c, next) => {
    const override = c.req.header('x-clock-now');
    let now = new Date();
    if (override !== undefined) {
      if (config.stage === 'prod') throw new ApiError('CLOCK_OVERRIDE_FORBIDDEN');
      // A real calendar date; without an offset the time is China Standard Time (SPEC, Time), never
      // the host's zone, and a date alone is its CST midnight.
      const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:\d{2})?)?$/.exec(override);
      const parsed = m && isIsoDate(m[1]) ? new Date(`${m[1]}T${m[2] ?? '00:00'}${m[3] ?? '+08:00'}`) : new Date(NaN);
      // Dates outside 2000–2099 are no real clock for this domain (and break ULIDs and CST dates).
      const t = parsed.getTime();
      if (Number.isNaN(t) || t < Date.UTC(2000, 0, 1) || t >= Date.UTC(2100, 0, 1)) {
        throw new ApiError('VALIDATION_FAILED', { en: 'X-Clock-Now must be an ISO-8601 timestamp between 2000 and 2099', zh: 'X-Clock-Now 须为2000至2099年间的 ISO-8601 时间' }, [
          { path: 'X-Clock-Now', message: { en: 'invalid timestamp', zh: '时间格式无效' } },
        ]);
      }
      now = parsed;
    }
    c.set('now', now);
    c.set('today', cstDate(now));
    await next();
  });

  const limitStreamedBody = bodyLimit({ maxSize: config.maxBodyBytes, onError: () => { throw new ApiError('PAYLOAD_TOO_LARGE'); } });
  app.use(
    '/v1/*',
    async (c, next) => {
      // With a Content-Length (API Gateway and HTTP clients send one) the header decides, as in Hono's
      // bodyLimit; that one first reads `c.req.raw.body`, the stream the Lambda adapter only makes on
      // demand (shared/http/lambda.ts), so it checks only bodies without a length.
      const length = c.req.header('content-length');
      if (length === undefined || c.req.header('transfer-encoding') !== undefined) return limitStreamedBody(c, next);
      if (Number.parseInt(length, 10) > config.maxBodyBytes) throw new ApiError('PAYLOAD_TOO_LARGE');
      await next();
    },
    async (c, next) => {
      c.set('principal', await authenticator.authenticate(c.req.header('authorization')));
      await next();
    },
    idempotency(store, config.idempotencyTtlSeconds),
  );

  app.onError((error, c) => {
    const lang = c.var.lang ?? 'en';
    const known = error instanceof ApiError ? error : classifyDbError(error) ?? fromHttpException(error);
    if (known) {
      if (known.status >= 500) logger.warn('database fault', { requestId: c.var.requestId, code: known.code, error: known.cause instanceof Error ? known.cause.name : undefined });
      return known.toResponse(lang);
    }
    logger.error('unhandled error', { requestId: c.var.requestId, error });
    return new ApiError('INTERNAL', { en: `Internal error; quote request id ${c.var.requestId}`, zh: `内部错误，请提供请求编号 ${c.var.requestId}` }).toResponse(lang);
  });

  app.notFound((c) => new ApiError('NOT_FOUND', { en: `No route ${c.req.method} ${c.req.path}`, zh: '接口不存在' }).toResponse(c.var.lang ?? 'en'));

  app.get('/health', (c) => c.json({ status: 'ok' }));
  registerRoutes(app, services);
  registerDocs(app);
  return { app, services };
}

function fromHttpException(error: unknown): ApiError | undefined {
  if (!(error instanceof HTTPException)) return undefined;
  if (error.status === 413) return new ApiError('PAYLOAD_TOO_LARGE');
  if (error.status === 415) {
    return new ApiError('VALIDATION_FAILED', { en: 'Content-Type must be application/json', zh: 'Content-Type 须为 application/json' });
  }
  if (error.status >= 400 && error.status < 500) {
    // Hono's validator says "Malformed JSON in request body": tell the client which part is wrong.
    if (/json/i.test(error.message)) {
      const notJson = { en: 'The request body is not valid JSON', zh: '请求体不是有效的 JSON' };
      return new ApiError('VALIDATION_FAILED', notJson, [{ path: '(body)', message: notJson }]);
    }
    return new ApiError('VALIDATION_FAILED', { en: 'Malformed request', zh: '请求格式错误' });
  }
  return undefined;
}

/** The app wired from the environment: the one wiring used by the Lambda entry and by `npm start`. */
export function appFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<AppConfig> = {}) {
  return createApp({ store: storeFromEnv(env), config: { ...configFromEnv(env), ...overrides }, logger: createLogger() });
}
