/**
 * Route declaration helpers: every operation gets its id, summary, bearer security and the
 * standard problem+json error responses, so the OpenAPI document is complete by construction.
 *
 * Response schemas are built lazily (`responseSchema`, and the getter in `jsonResponse`): only the
 * OpenAPI document reads them, while a request validates its input with the request schemas. Built
 * eagerly they were half of the zod schemas made at start-up (626 of 1,235) and ≈ 10 ms of every cold
 * first response (interleaved runs of the bench's cold section).
 */
import { createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import { errorCatalogue, errorCodes, problemType, type ErrorCode } from './errors.js';

/**
 * A schema that only the OpenAPI document reads, such as a response body: built on its first call
 * and kept. Pass the function itself where a response schema is expected.
 */
export function responseSchema<T extends z.ZodType>(build: () => T): () => T {
  let schema: T | undefined;
  return () => (schema ??= build());
}

const ProblemSchema = responseSchema(() =>
  z.object({
    type: z.string().meta({ example: '/problems/rule-violation' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(errorCodes as [ErrorCode, ...ErrorCode[]]),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string(), rule: z.string().optional() }))
      .optional(),
  }).openapi('Problem'),
);

const problemResponse = (description: string, code: ErrorCode) => ({
  description,
  get content() {
    return {
      'application/problem+json': {
        schema: ProblemSchema(),
        example: {
          type: problemType(code),
          title: errorCatalogue[code].title.en,
          status: errorCatalogue[code].status,
          detail: errorCatalogue[code].title.en,
          code,
        },
      },
    };
  },
});

/** The error responses every authenticated operation can give. */
const standardErrors = {
  400: problemResponse('VALIDATION_FAILED or CLOCK_OVERRIDE_FORBIDDEN', 'VALIDATION_FAILED'),
  401: problemResponse('UNAUTHENTICATED', 'UNAUTHENTICATED'),
  403: problemResponse('FORBIDDEN', 'FORBIDDEN'),
  404: problemResponse('NOT_FOUND (also when not visible to the caller)', 'NOT_FOUND'),
  503: problemResponse('THROTTLED or UNAVAILABLE; see Retry-After', 'THROTTLED'),
};
const writeErrors = {
  409: problemResponse('INVALID_STATE, CONFLICT or DUPLICATE_ENROLMENT', 'INVALID_STATE'),
  412: problemResponse('PRECONDITION_FAILED (If-Match)', 'PRECONDITION_FAILED'),
  413: problemResponse('PAYLOAD_TOO_LARGE', 'PAYLOAD_TOO_LARGE'),
  422: problemResponse('RULE_VIOLATION, FILING_DEADLINE_PASSED, ASSESSMENT_WINDOW or IDEMPOTENCY_KEY_REUSED', 'RULE_VIOLATION'),
};

export const idempotencyHeader = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .openapi({ param: { name: 'Idempotency-Key', in: 'header', description: 'Replays the first response for the same key and body.' }, example: '3f1c6a52-7d0e-4c1e-9f1e-2f0b5c1d9a10' });
export const ifMatchHeader = z
  .string()
  .optional()
  .openapi({ param: { name: 'If-Match', in: 'header', description: 'ETag of the version you edited; 412 if it changed.' }, example: '"3"' });
/** Headers of a write: an optional Idempotency-Key. */
export const writeHeaders = z.object({ 'Idempotency-Key': idempotencyHeader });
/** Headers of a DELETE that changes a versioned resource: If-Match. */
export const ifMatchHeaders = z.object({ 'If-Match': ifMatchHeader });
/** Headers of a write to a versioned resource: If-Match (optimistic concurrency) and Idempotency-Key. */
export const versionedWriteHeaders = z.object({ 'If-Match': ifMatchHeader, 'Idempotency-Key': idempotencyHeader });

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export function defineRoute<const R extends Omit<RouteConfig, 'security'> & { method: Method; operationId: string; summary: string }>(
  route: R,
  options: { public?: boolean } = {},
) {
  const write = route.method !== 'get';
  return createRoute({
    ...route,
    ...(options.public ? { security: [] } : { security: [{ bearerAuth: [] }] }),
    responses: {
      ...(options.public ? {} : standardErrors),
      ...(write && !options.public ? writeErrors : {}),
      ...route.responses,
    },
  }) as R & { responses: R['responses'] & typeof standardErrors & typeof writeErrors };
}

export const jsonBody = <T extends z.ZodType>(schema: T, example?: unknown) => ({
  required: true,
  content: { 'application/json': { schema, ...(example !== undefined ? { example } : {}) } },
});

/** A JSON response; its schema is built when the OpenAPI document reads `content`. */
export const jsonResponse = <T extends z.ZodType>(description: string, schema: () => T, example?: unknown) => ({
  description,
  get content() {
    return { 'application/json': { schema: schema(), ...(example !== undefined ? { example } : {}) } };
  },
});

export const listQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
  cursor: z.string().max(2048).optional().openapi({ description: 'nextCursor of the previous page' }),
};

export const pageOf = <T extends z.ZodType>(item: () => T, name: string) =>
  responseSchema(() => z.object({ items: z.array(item()), nextCursor: z.string().nullable() }).openapi(name));

export const idParam = (name: string, example: string) =>
  z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/).openapi({ param: { name, in: 'path' }, example });

export { z };
