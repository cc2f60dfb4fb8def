/**
 * Data access of the cohort aggregate: items, keys and expressions for cohorts, trainees, listing
 * (viewer) items, R-ELIG-4 person locks, stored deadlines (alerts) and KPI counters. Services build
 * their transactions from these ops; nothing else knows how a cohort is laid out in the table.
 */
import { cityOf } from '../domain/division.js';
import type { Cohort, Trainee } from '../services/cohorts/model.js';
import { cohortSummary, viewerPrincipals } from '../services/cohorts/model.js';
import { ApiError } from '../http/errors.js';
import { indexKeys, keys } from './keys.js';
import { fromItem, sortKeyPrefix, storedItem, type Key, type Store, type WriteOp } from './store.js';

/** The version check of a cohort failed: another change won. Services retry these. */
export class VersionConflict extends ApiError {
  constructor() {
    super('CONFLICT', { en: 'The cohort changed meanwhile; reload and retry', zh: '班级已被他人修改，请刷新后重试' });
  }
}

export const toCohort = (raw: Record<string, unknown>) => fromItem<Cohort>(raw);
export const toTrainee = (raw: Record<string, unknown>) => fromItem<Trainee>(raw);

export async function loadCohortWith(store: Store, cohortId: string, extra: Key[] = []) {
  const wanted = [keys.cohort(cohortId), ...extra];
  const items = extra.length ? await store.getMany(wanted) : [await store.get(keys.cohort(cohortId))].filter((x) => x !== undefined);
  const byKey = new Map(items.map((i) => [`${i.PK}|${i.SK}`, i]));
  const raw = byKey.get(`${wanted[0]!.PK}|${wanted[0]!.SK}`);
  return { cohort: raw ? toCohort(raw) : undefined, extra: (k: Key) => byKey.get(`${k.PK}|${k.SK}`) };
}

/**
 * Writes the cohort under its version check, and keeps the listing items of every viewer in step:
 * new viewers get one, removed viewers lose theirs, and all are rewritten when the summary changed.
 */
export function saveCohortOps(before: Cohort | undefined, after: Cohort): WriteOp[] {
  const ops: WriteOp[] = [
    {
      op: {
        Put: {
          Item: storedItem(keys.cohort(after.id), 'cohort', after),
          ...(before
            ? { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': before.version } }
            : { ConditionExpression: 'attribute_not_exists(PK)' }),
        },
      },
      onConditionFailed: () => new VersionConflict(),
    },
  ];
  const summary = cohortSummary(after);
  const oldViewers = new Set(before ? viewerPrincipals(before) : []);
  const newViewers = viewerPrincipals(after);
  const summaryChanged = !before || JSON.stringify(cohortSummaryKey(before)) !== JSON.stringify(cohortSummaryKey(after));
  for (const viewer of newViewers) {
    if (!summaryChanged && oldViewers.has(viewer)) continue;
    ops.push({
      op: {
        Put: {
          Item: storedItem(keys.viewer(after.id, viewer), 'viewer', summary, {
            GSI1PK: indexKeys.viewerCohorts(viewer),
            GSI1SK: `${after.status}#${after.id}`,
          }),
        },
      },
    });
  }
  const kept = new Set(newViewers);
  for (const viewer of oldViewers) if (!kept.has(viewer)) ops.push({ op: { Delete: { Key: keys.viewer(after.id, viewer) } } });
  return ops;
}

/** Only what listings show: counts change often and are not worth rewriting every viewer item. */
function cohortSummaryKey(c: Cohort) {
  const { trainees: _t, updatedAt: _u, ...rest } = cohortSummary(c);
  return rest;
}

export const traineeItem = (t: Trainee) => storedItem(keys.trainee(t.cohortId, t.id), 'trainee', t);

/** The roster (state changes read it with the cohort instead: loadCohortWithRoster). */
export const traineesQuery = (cohortId: string) => sortKeyPrefix(keys.cohortPK(cohortId), keys.traineePrefix);

export async function loadTrainees(store: Store, cohortId: string): Promise<Trainee[]> {
  return (await store.queryAll(traineesQuery(cohortId))).map(toTrainee);
}

/** The cohort and its whole roster in one consistent Query (one page up to ~1,500 trainees). */
export async function loadCohortWithRoster(store: Store, cohortId: string): Promise<{ cohort?: Cohort; trainees: Trainee[] }> {
  const items = await store.queryAll({ ConsistentRead: true, ...sortKeyPrefix(keys.cohortPK(cohortId), keys.cohortWithRosterPrefix) });
  const cohortSK = keys.cohort(cohortId).SK;
  const raw = items.find((i) => i.SK === cohortSK);
  return { ...(raw ? { cohort: toCohort(raw) } : {}), trainees: items.filter((i) => i.SK.startsWith(keys.traineePrefix)).map(toTrainee) };
}

/**
 * R-ELIG-4, atomically: the person's enrolment lock is created, or taken over from a cohort that
 * has since ended (closed, rejected, cancelled; those states are final, so the takeover is safe).
 */
export function enrolmentLockOp(personHash: string, cohortId: string, traineeId: string, staleCohortId?: string): WriteOp {
  return {
    op: {
      Put: {
        Item: { ...keys.personEnrolment(personHash), type: 'enrolment', cohortId, traineeId },
        ConditionExpression: staleCohortId ? 'cohortId = :stale' : 'attribute_not_exists(PK)',
        ...(staleCohortId ? { ExpressionAttributeValues: { ':stale': staleCohortId } } : {}),
      },
    },
    onConditionFailed: () => duplicateEnrolment(),
  };
}

export function releaseEnrolmentLockOp(personHash: string, cohortId: string): WriteOp {
  return {
    op: { Delete: { Key: keys.personEnrolment(personHash), ConditionExpression: 'cohortId = :c', ExpressionAttributeValues: { ':c': cohortId } } },
  };
}

/** A trainee leaves the roster for good (removed, or withdrawn with its enterprise): its person is free again (R-ELIG-4). */
export function traineeRemovalOps(cohortId: string, trainee: { id: string; personHash: string }): WriteOp[] {
  return [{ op: { Delete: { Key: keys.trainee(cohortId, trainee.id), ConditionExpression: 'attribute_exists(PK)' } } }, releaseEnrolmentLockOp(trainee.personHash, cohortId)];
}

/** R-ELIG-4: never subsidised for this (occupation, level) before. */
export function notSubsidisedCheckOp(personHash: string, occupationCode: string, level: string): WriteOp {
  return {
    op: { ConditionCheck: { Key: keys.personSubsidy(personHash, occupationCode, level), ConditionExpression: 'attribute_not_exists(PK)' } },
    onConditionFailed: () =>
      new ApiError('DUPLICATE_ENROLMENT', {
        en: 'This person has already been subsidised for this occupation and level (R-ELIG-4)',
        zh: '该人员已享受过同职业（工种）同等级的学徒制培训补贴（R-ELIG-4）',
      }),
  };
}

export const duplicateEnrolment = () =>
  new ApiError('DUPLICATE_ENROLMENT', {
    en: 'This person is already enrolled in a cohort that is not closed (R-ELIG-4)',
    zh: '该人员已在其他未结班的班级中（R-ELIG-4）',
  });

export const deadlineRules = ['R-REVIEW-2', 'R-FILE-1', 'R-DEPART-1', 'R-ASSESS-1', 'R-CLOSE-1'] as const;
export type DeadlineRule = (typeof deadlineRules)[number];

export interface Deadline {
  rule: DeadlineRule;
  cohortId: string;
  subjectId: string;
  /** Division code of the bureau with jurisdiction (scopes alerts). */
  district: string;
  dueOn: string;
  doneOn?: string;
  late?: boolean;
  /** R-FILE-1: the participants that have not filed yet, so an alert names who holds the class up. */
  waitingFor?: string[];
  /** R-FILE-1: the districts whose bureaus approve those participants' filings also see the alert. */
  alsoFor?: string[];
}

/**
 * R-ALERT-1: an obligation with its due date, indexed by city (GSI3) and for auditors (GSI2) so
 * alerts are a Query on due dates, never a Scan. Done on time → deleted; done late → kept, flagged.
 */
const deadlineSortKey = (d: Pick<Deadline, 'dueOn' | 'cohortId' | 'rule' | 'subjectId'>) => `${d.dueOn}#${d.cohortId}#${d.rule}#${d.subjectId}`;

export function openDeadlineOp(d: Deadline): WriteOp {
  const sort = deadlineSortKey(d);
  return {
    op: {
      Put: {
        Item: storedItem(keys.deadline(d.cohortId, d.rule, d.subjectId), 'deadline', d, {
          GSI3PK: indexKeys.deadlinesOf(cityOf(d.district)),
          GSI3SK: sort,
          GSI2PK: indexKeys.deadlinesOf('ALL'),
          GSI2SK: sort,
        }),
      },
    },
  };
}

export function closeDeadlineOp(d: Pick<Deadline, 'cohortId' | 'rule' | 'subjectId' | 'dueOn'>, doneOn: string): WriteOp {
  const key = keys.deadline(d.cohortId, d.rule, d.subjectId);
  if (doneOn <= d.dueOn) return { op: { Delete: { Key: key } } };
  return {
    op: {
      Update: {
        Key: key,
        // Done: an R-FILE-1 deadline no longer waits for anyone (its waitingFor/alsoFor go).
        UpdateExpression: 'SET doneOn = :d, late = :t REMOVE waitingFor, alsoFor',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':d': doneOn, ':t': true },
      },
    },
  };
}

/**
 * R-FILE-1: who the open filing deadline still waits for, after a filing or a roster change, and its
 * due date (counted again once its year's official schedule was loaded), with the alert sort keys.
 */
export function filingWaitOp(cohortId: string, wait: { waitingFor: string[]; alsoFor: string[] }, dueOn: string): WriteOp {
  const sort = deadlineSortKey({ dueOn, cohortId, rule: 'R-FILE-1', subjectId: cohortId });
  return {
    op: {
      Update: {
        Key: keys.deadline(cohortId, 'R-FILE-1', cohortId),
        UpdateExpression: 'SET waitingFor = :w, alsoFor = :a, dueOn = :d, GSI2SK = :s, GSI3SK = :s',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':w': wait.waitingFor, ':a': wait.alsoFor, ':d': dueOn, ':s': sort },
      },
    },
  };
}

/** A late act with no open deadline before it (a departure reported after 15 days, R-DEPART-1). */
export function lateActOp(d: Deadline & { doneOn: string }): WriteOp {
  return openDeadlineOp({ ...d, late: true });
}

export async function openDeadlinesOf(store: Store, cohortId: string): Promise<Deadline[]> {
  const items = await store.queryAll(sortKeyPrefix(keys.cohortPK(cohortId), keys.deadlinePrefix));
  return items.map((i) => fromItem<Deadline>(i)).filter((d) => !d.doneOn);
}

export type KpiCounter = 'enrolled' | 'departed' | 'seniorOrAbove' | 'passed' | 'failed' | 'subsidyPaidFen';

/** R-KPI-1 counters, updated in the same transaction as the change they count (reading never scans). */
export function kpiOp(year: number, district: string, add: Partial<Record<KpiCounter, number>>): WriteOp | undefined {
  const entries = Object.entries(add).filter(([, n]) => n);
  if (!entries.length) return undefined;
  return {
    op: {
      Update: {
        Key: keys.kpi(year, district),
        UpdateExpression: `SET #type = :type, #year = :year, #district = :district ADD ${entries.map(([k]) => `#${k} :${k}`).join(', ')}`,
        ExpressionAttributeNames: { '#type': 'type', '#year': 'year', '#district': 'district', ...Object.fromEntries(entries.map(([k]) => [`#${k}`, k])) },
        ExpressionAttributeValues: { ':type': 'kpi', ':year': year, ':district': district, ...Object.fromEntries(entries.map(([k, n]) => [`:${k}`, n])) },
      },
    },
  };
}
