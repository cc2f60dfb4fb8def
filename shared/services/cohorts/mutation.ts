/**
 * Every cohort change goes through mutateCohort(): one read round trip (the cohort plus whatever
 * extra items the command needs), the command applied to a copy, then ONE TransactWriteItems that
 * carries the new cohort under its version check, the listing items, the command's own writes and
 * its audit event (R-AUDIT-1). A lost race is retried on fresh data unless the caller sent If-Match.
 */
import { auditOp } from '../../db/audit.js';
import { loadCohortWith, loadCohortWithRoster, saveCohortOps, VersionConflict } from '../../db/cohorts.js';
import { keys } from '../../db/keys.js';
import type { Key, Store, WriteOp } from '../../db/store.js';
import type { RequestContext } from '../../http/context.js';
import { ApiError, notFound } from '../../http/errors.js';
import { accessOf, canSee, type Access, type Cohort, type Trainee } from './model.js';

const MAX_TRANSACTION_ITEMS = 100;
/**
 * Attempts of a change that lost the cohort's version check to another change. Many writers on one
 * cohort (a bulk enrolment fired in parallel) get through instead of failing after a few tries: each
 * round one of them commits and the growing, fully jittered backoff spreads the rest out. A change
 * that still loses answers 409 CONFLICT (safe to retry).
 */
const MAX_VERSION_ATTEMPTS = 12;
const versionBackoffMs = (attempt: number) => Math.random() * Math.min(1000, 20 * 2 ** attempt);

export class Mutation {
  readonly ops: WriteOp[] = [];
  readonly events: { action: string; subjectType: string; subjectId: string; before?: unknown; after?: unknown }[] = [];
  /** Set when the command turns out to change nothing (e.g. a repeated signature). */
  unchanged = false;

  constructor(
    readonly ctx: RequestContext,
    readonly before: Cohort,
    readonly cohort: Cohort,
    readonly access: Access,
    private readonly extraItems: (k: Key) => Record<string, unknown> | undefined,
    private readonly trainees?: readonly Trainee[],
  ) {}

  /** The cohort's trainees, read with it (MutateOptions.roster), so the version check covers them. */
  get roster(): readonly Trainee[] {
    if (!this.trainees) throw new Error('mutateCohort was called without { roster: true }');
    return this.trainees;
  }

  extra<T>(key: Key): T | undefined {
    return this.extraItems(key) as T | undefined;
  }

  write(...ops: (WriteOp | undefined)[]) {
    for (const op of ops) if (op) this.ops.push(op);
  }

  /** Records what happened; before/after of the cohort's status are added automatically. */
  event(action: string, details: { subjectType?: string; subjectId?: string; before?: unknown; after?: unknown } = {}) {
    this.events.push({ action, subjectType: details.subjectType ?? 'cohort', subjectId: details.subjectId ?? this.cohort.id, before: details.before, after: details.after });
  }
}

export interface MutateOptions {
  expectedVersion?: number;
  /** Extra keys known before the cohort is read, fetched in the same round trip. */
  keys?: Key[];
  /** Read the cohort together with its roster (one Query instead of the GetItem; not with `keys`). */
  roster?: boolean;
  /**
   * The cohort as the caller has just read it: the first attempt starts from it instead of reading
   * again (its version check still guards the write); an attempt that loses a race reads afresh.
   */
  snapshot?: Cohort;
}

export async function mutateCohort<T>(
  store: Store,
  ctx: RequestContext,
  cohortId: string,
  options: MutateOptions,
  command: (m: Mutation) => Promise<T> | T,
): Promise<{ result: T; cohort: Cohort }> {
  if (options.roster && options.keys?.length) throw new Error('mutateCohort: roster and keys cannot be read together');
  if (options.snapshot && (options.roster || options.keys?.length)) throw new Error('mutateCohort: a snapshot comes without roster or extra keys');
  for (let attempt = 1; ; attempt++) {
    const withRoster = options.roster ? await loadCohortWithRoster(store, cohortId) : undefined;
    const { cohort, extra } =
      attempt === 1 && options.snapshot ? { cohort: options.snapshot, extra: () => undefined }
      : withRoster ? { cohort: withRoster.cohort, extra: () => undefined }
      : await loadCohortWith(store, cohortId, options.keys ?? []);
    if (!cohort) throw notFound('cohort');
    const access = accessOf(ctx.principal, cohort);
    if (!canSee(access)) throw notFound('cohort');
    if (options.expectedVersion !== undefined && options.expectedVersion !== cohort.version) throw new ApiError('PRECONDITION_FAILED');
    const m = new Mutation(ctx, cohort, structuredClone(cohort), access, extra, withRoster?.trainees);
    const result = await command(m);
    if (m.unchanged) return { result, cohort };
    m.cohort.version = cohort.version + 1;
    m.cohort.updatedAt = ctx.now.toISOString();
    const pk = keys.cohortPK(cohort.id);
    const statusChange = { status: cohort.status, version: cohort.version };
    const [cohortPut, ...listingOps] = saveCohortOps(cohort, m.cohort);
    const primary = [
      cohortPut!,
      ...m.ops,
      ...m.events.map((e) =>
        auditOp(ctx, pk, {
          ...e,
          before: { cohort: statusChange, ...(e.before !== undefined ? { data: e.before } : {}) },
          after: { cohort: { status: m.cohort.status, version: m.cohort.version }, ...(e.after !== undefined ? { data: e.after } : {}) },
        }),
      ),
    ];
    // The change and its event are always one transaction. Listing items ride along when they fit
    // under DynamoDB's 100-item limit; for the widest classes they follow in idempotent chunks.
    const together = primary.length + listingOps.length <= MAX_TRANSACTION_ITEMS;
    const ops = together ? [...primary, ...listingOps] : primary;
    try {
      await store.transact(ops);
      if (!together) {
        // The change is committed; a listing write that fails now is repaired by the next change
        // of the summary, and must not turn a committed change into an error for the caller.
        for (let i = 0; i < listingOps.length; i += MAX_TRANSACTION_ITEMS) {
          await store.transact(listingOps.slice(i, i + MAX_TRANSACTION_ITEMS)).catch(() => undefined);
        }
      }
      return { result, cohort: m.cohort };
    } catch (error) {
      if (error instanceof VersionConflict && options.expectedVersion === undefined && attempt < MAX_VERSION_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, versionBackoffMs(attempt)));
        continue;
      }
      if (error instanceof VersionConflict && options.expectedVersion !== undefined) throw new ApiError('PRECONDITION_FAILED');
      throw error;
    }
  }
}

/**
 * One GetItem (or, with `roster`, one Query that also returns the trainees): the cohort with how
 * the caller relates to it; 404 when it may not see it.
 */
export async function loadVisibleCohort(
  store: Store,
  ctx: RequestContext,
  cohortId: string,
  options: { roster?: boolean } = {},
): Promise<{ cohort: Cohort; access: Access; roster: Trainee[] }> {
  const { cohort, trainees } = options.roster ? await loadCohortWithRoster(store, cohortId) : { ...(await loadCohortWith(store, cohortId)), trainees: [] };
  const access = cohort ? accessOf(ctx.principal, cohort) : undefined;
  if (!cohort || !access || !canSee(access)) throw notFound('cohort');
  return { cohort, access, roster: trainees };
}

/**
 * Items of a cohort (a page, its lines) read together with the cohort that decides whether the
 * caller may see them: one round trip. The cohort's answer comes first: a caller who may not see
 * the cohort gets its 404 whatever happened to the page (a bad cursor, a failed Query), and nothing
 * of the page leaves.
 */
export async function alongsideCohort<C, P>(cohort: Promise<C>, page: () => Promise<P>): Promise<[C, P]> {
  const pending = page();
  pending.catch(() => undefined); // observed below, after the cohort; never an unhandled rejection
  const visible = await cohort;
  return [visible, await pending];
}

/** Role guard inside a cohort: the caller can see it, so a refusal is 403, not 404. */
export function requireAccess(ok: boolean, en: string, zh: string) {
  if (!ok) throw new ApiError('FORBIDDEN', { en, zh });
}
