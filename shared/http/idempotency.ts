/**
 * Idempotency-Key (API.md): a conditional PutItem claims the key (the shape of Powertools'
 * idempotency store); the first response is stored and replayed; the same key with another body is
 * refused; a second request while the first is in flight gets 409 CONFLICT.
 */
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Store } from '../db/store.js';
import { keys } from '../db/keys.js';
import { ApiError } from './errors.js';
import type { AppEnv } from './context.js';

interface IdempotencyRecord {
  state: 'in_flight' | 'done';
  bodyHash: string;
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  expiresAt: number;
}

const REPLAYED_HEADERS = ['content-type', 'etag', 'location', 'content-language'];

/** Keys are scoped to the caller, so one client's key never replays another's response. */
export function idempotencyRecordKey(principal: { orgId: string; sub: string }, key: string) {
  return keys.idempotency(createHash('sha256').update(`${principal.orgId}\u0000${principal.sub}\u0000${key}`).digest('base64url'));
}

export function idempotency(store: Store, ttlSeconds: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length === 0 || key.length > 255) {
      throw new ApiError('VALIDATION_FAILED', { en: 'Idempotency-Key must be 1–255 characters', zh: 'Idempotency-Key 长度须为1–255' });
    }
    const { principal } = c.var;
    const body = await c.req.text();
    const bodyHash = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${body}`).digest('base64url');
    const recordKey = idempotencyRecordKey(principal, key);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const claim: IdempotencyRecord = { state: 'in_flight', bodyHash, expiresAt: nowSeconds + ttlSeconds };
    // An expired record may still be present until TTL deletes it: treat it as absent.
    const claimed = await store.put({ ...recordKey, ...claim }, { expression: 'attribute_not_exists(PK) OR expiresAt < :now', values: { ':now': nowSeconds } });
    if (!claimed) {
      const existing = await store.get<IdempotencyRecord>(recordKey);
      if (!existing) throw new ApiError('CONFLICT');
      if (existing.bodyHash !== bodyHash) {
        throw new ApiError('IDEMPOTENCY_KEY_REUSED', { en: 'This Idempotency-Key was used with another request', zh: '该幂等键已用于其他请求' });
      }
      if (existing.state !== 'done') {
        throw new ApiError('CONFLICT', { en: 'The first request with this Idempotency-Key is still in progress', zh: '使用该幂等键的首个请求仍在处理中' });
      }
      return new Response(existing.body ?? null, {
        status: existing.status ?? 200,
        headers: { ...existing.headers, 'idempotent-replayed': 'true' },
      }) as never;
    }

    let completed = false;
    try {
      await next();
      const res = c.res;
      // API.md: the same key replays the first response, refusals included (an INVALID_STATE stays the
      // answer to that key even once the state has moved on). Only transient outcomes are forgotten,
      // so that a retry with the same key can still succeed: 5xx, and 409 CONFLICT ("safe to retry").
      const stored = res.status < 500 ? await res.clone().text() : undefined;
      if (stored !== undefined && !(res.status === 409 && problemCode(stored) === 'CONFLICT')) {
        const headers: Record<string, string> = {};
        for (const name of REPLAYED_HEADERS) {
          const value = res.headers.get(name);
          if (value) headers[name] = value;
        }
        await store.put({ ...recordKey, ...claim, state: 'done', status: res.status, body: stored, headers });
        completed = true;
      }
    } finally {
      if (!completed) {
        await store.delete(recordKey).catch(() => undefined);
      }
    }
  };
}

function problemCode(body: string): unknown {
  try {
    return (JSON.parse(body) as { code?: unknown }).code;
  } catch {
    return undefined;
  }
}
