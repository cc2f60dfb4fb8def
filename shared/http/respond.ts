import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv, Principal, Role } from './context.js';
import { ApiError } from './errors.js';
import { cohortView, type Cohort } from '../services/cohorts/model.js';

/** Single resources carry an ETag: the version where there is one, else a hash of the body. */
export function etagOf(body: unknown, version?: number): string {
  return version !== undefined ? `"${version}"` : `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 16)}"`;
}

export function withEtag<T>(c: Context<AppEnv>, body: T, version?: number): T {
  c.header('ETag', etagOf(body, version));
  return body;
}

/** If-Match → the version the caller edited (undefined when absent or "*"). */
export function expectedVersion(c: Context<AppEnv>): number | undefined {
  const header = c.req.header('if-match');
  if (header === undefined || header.trim() === '*') return undefined;
  // RFC 9110: If-Match compares strongly, so a weak tag (W/"3") never matches. A bare 3 is taken
  // as "3", for clients that drop the quotes.
  const match = /^"?(\d+)"?$/.exec(header.trim());
  if (!match) throw new ApiError('PRECONDITION_FAILED');
  return Number(match[1]);
}

export function requireRole(principal: Principal, ...allowed: Role[]) {
  if (!allowed.includes(principal.role)) {
    throw new ApiError('FORBIDDEN', {
      en: `This needs role ${allowed.join(' or ')}`,
      zh: `此操作需要角色：${allowed.join('、')}`,
    });
  }
}

/** A cohort as every endpoint answers it: its view (deadlines, warnings) with its version as ETag. */
export function respondCohort(c: Context<AppEnv>, cohort: Cohort, status: 200 | 201 = 200): Response {
  return c.json(withEtag(c, cohortView(cohort, c.var.lang), cohort.version), status);
}
