/**
 * A second, never-mocked DocumentClient on DynamoDB Local, to see what really is in a test's table
 * (Scan is fine in tests). Snapshots ignore idempotency records unless asked not to.
 */
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbClient } from '../../shared/db/client.js';

export type Row = Record<string, unknown> & { PK: string; SK: string };

let shared: DynamoDBDocumentClient | undefined;
/** The unmocked client (one per test file). */
export function rawClient(): DynamoDBDocumentClient {
  // The DocumentClient refuses a client that caches its middleware.
  shared ??= DynamoDBDocumentClient.from(createDynamoDbClient({ tableName: 'unused', endpoint: process.env.DYNAMODB_ENDPOINT! }, { cacheMiddleware: false }));
  return shared;
}

export async function scanAll(tableName: string, doc = rawClient()): Promise<Row[]> {
  const out: Row[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    out.push(...((page.Items ?? []) as Row[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

export const isIdempotencyRecord = (row: Row) => row.PK.startsWith('IDEMPOTENCY#');
export const isEvent = (row: Row) => row.SK.startsWith('EVENT#');

/** Stable JSON (sorted keys, sets as sorted arrays), so two scans of the same data compare equal. */
export function stable(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Set) return [...v].map(String).sort();
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

export type Snapshot = Map<string, string>;

/** Every item of the table, keyed by `PK|SK`, idempotency records left out by default. */
export async function snapshot(tableName: string, options: { keepIdempotency?: boolean } = {}): Promise<Snapshot> {
  const rows = await scanAll(tableName);
  return new Map(rows.filter((r) => options.keepIdempotency || !isIdempotencyRecord(r)).map((r) => [`${r.PK}|${r.SK}`, stable(r)]));
}

export interface SnapshotDiff {
  added: string[];
  removed: string[];
  changed: string[];
  empty: boolean;
}

export function diff(before: Snapshot, after: Snapshot): SnapshotDiff {
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k));
  return { added, removed, changed, empty: added.length + removed.length + changed.length === 0 };
}

export async function countEvents(tableName: string): Promise<number> {
  return (await scanAll(tableName)).filter(isEvent).length;
}

/** Every item of one partition whose sort key starts with `prefix` (a Query, consistent read). */
export async function queryPartition(tableName: string, pk: string, prefix = '', doc = rawClient()): Promise<Row[]> {
  const out: Row[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        ConsistentRead: true,
        KeyConditionExpression: prefix ? 'PK = :pk AND begins_with(SK, :prefix)' : 'PK = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(prefix ? { ':prefix': prefix } : {}) },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    out.push(...((page.Items ?? []) as Row[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** The audit events of a cohort as the table holds them (its partition, SK begins_with 'EVENT#'). */
export async function cohortEvents(tableName: string, cohortId: string, action?: string): Promise<Row[]> {
  const events = await queryPartition(tableName, `COHORT#${cohortId}`, 'EVENT#');
  return action ? events.filter((e) => e.action === action) : events;
}
