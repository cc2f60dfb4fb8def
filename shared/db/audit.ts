/** R-AUDIT-1: the immutable event appended in the same transaction as the change it records. */
import { monotonicFactory } from 'ulid';
import type { RequestContext } from '../http/context.js';
import { keys } from './keys.js';
import { fromItem, type WriteOp } from './store.js';

const nextId = monotonicFactory();
export const newId = (at?: Date) => nextId(at?.getTime());

export interface AuditEvent {
  id: string;
  at: string;
  actor: { sub: string; role: string; orgId: string };
  action: string;
  subjectType: string;
  subjectId: string;
  before?: unknown;
  after?: unknown;
}

export function auditOp(
  ctx: RequestContext,
  subjectPK: string,
  event: { action: string; subjectType: string; subjectId: string; before?: unknown; after?: unknown },
): WriteOp {
  const id = newId();
  const item: AuditEvent & { PK: string; SK: string; type: 'event' } = {
    ...keys.event(subjectPK, id),
    type: 'event',
    id,
    at: ctx.now.toISOString(),
    actor: { sub: ctx.principal.sub, role: ctx.principal.role, orgId: ctx.principal.orgId },
    ...event,
  };
  // Events are only ever created: the condition makes an overwrite impossible.
  return { op: { Put: { Item: item, ConditionExpression: 'attribute_not_exists(PK)' } } };
}

export function toEvent(item: Record<string, unknown>): AuditEvent {
  return fromItem<AuditEvent>(item);
}
