import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv, Principal, Role } from './context.js';
import { ApiError } from './errors.js';

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
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
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
