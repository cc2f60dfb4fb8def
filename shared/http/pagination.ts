/**
 * Opaque list cursors: base64url of the DynamoDB LastEvaluatedKey, bound to the query that made
 * it (a cursor replayed with other filters is refused instead of silently skipping items).
 */
import { createHash } from 'node:crypto';
import { clientStartKeys } from '../db/store.js';
import { invalidCursor } from './errors.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const fingerprint = (query: Record<string, unknown>) =>
  createHash('sha256').update(JSON.stringify(Object.entries(query).filter(([, v]) => v !== undefined).sort())).digest('base64url').slice(0, 12);

export function encodeCursor(lastKey: Record<string, unknown> | undefined, query: Record<string, unknown>): string | null {
  if (!lastKey) return null;
  return Buffer.from(JSON.stringify({ k: lastKey, q: fingerprint(query) })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, query: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown; q?: unknown };
    if (parsed.q === fingerprint(query) && parsed.k && typeof parsed.k === 'object' && !Array.isArray(parsed.k)) {
      const k = parsed.k as Record<string, unknown>;
      if (Object.values(k).every((v) => typeof v === 'string')) {
        clientStartKeys.add(k);
        return k;
      }
    }
  } catch {
    // fall through to the refusal below
  }
  throw invalidCursor();
}
