/** R-AUDIT-1: the immutable event appended in the same transaction as the change it records. */
import type { RequestContext } from '../http/context.js';
import { newId } from './ids.js';
import { keys } from './keys.js';
import { fromItem, storedItem, type WriteOp } from './store.js';

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
  const actor = { sub: ctx.principal.sub, role: ctx.principal.role, orgId: ctx.principal.orgId };
  const item = storedItem(keys.event(subjectPK, id), 'event', Object.assign({ id, at: ctx.now.toISOString(), actor }, event) satisfies AuditEvent);
  // Events are only ever created: the condition makes an overwrite impossible.
  return { op: { Put: { Item: item, ConditionExpression: 'attribute_not_exists(PK)' } } };
}

export function toEvent(item: Record<string, unknown>): AuditEvent {
  return fromItem<AuditEvent>(item);
}
