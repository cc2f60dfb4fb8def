/**
 * Thin wrapper over the DocumentClient: every table access goes through here, so errors are
 * classified in one place (throttling → THROTTLED, network → UNAVAILABLE, lost races → CONFLICT)
 * and a transaction whose condition fails can say which domain error it means.
 */
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type QueryCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ApiError, conflict } from '../http/errors.js';
import { tableDefinition } from './table.js';

/** Attributes that only place an item in the table (keys, index keys, entity type). */
const placementAttributes = new Set<string>([
  'type',
  tableDefinition.partitionKey,
  tableDefinition.sortKey,
  ...tableDefinition.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
]);

/** The domain object stored in an item: everything but its placement attributes. */
export function fromItem<T>(raw: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(raw).filter(([name]) => !placementAttributes.has(name))) as T;
}

export type Key = { PK: string; SK: string };
export type Item = Record<string, unknown> & Key;

type TransactWriteItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

type NoTable<T> = T extends undefined ? undefined : Omit<NonNullable<T>, 'TableName'>;
/** A transaction item without its table name (the store adds it). */
export interface TableOp {
  Put?: NoTable<TransactWriteItem['Put']>;
  Update?: NoTable<TransactWriteItem['Update']>;
  Delete?: NoTable<TransactWriteItem['Delete']>;
  ConditionCheck?: NoTable<TransactWriteItem['ConditionCheck']>;
}

/** One write of a transaction, with the domain error to raise if its condition fails. */
export interface WriteOp {
  op: TableOp;
  onConditionFailed?: (item?: Record<string, unknown>) => ApiError;
}

const THROTTLE_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'ThrottlingError',
]);
const NETWORK_NAMES = new Set(['TimeoutError', 'NetworkingError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/** Maps an error thrown by the SDK to the API's error, or undefined if it is not a database fault. */
export function classifyDbError(error: unknown): ApiError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: string }).code;
  if (THROTTLE_NAMES.has(error.name)) {
    return new ApiError('THROTTLED', undefined, undefined, { 'retry-after': '1' }, { cause: error });
  }
  if (NETWORK_NAMES.has(error.name) || (code && NETWORK_CODES.has(code)) || error.name === 'InternalServerError' || error.name === 'ServiceUnavailable') {
    return new ApiError('UNAVAILABLE', undefined, undefined, { 'retry-after': '1' }, { cause: error });
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Store {
  /** Consumed capacity of this store's calls, for the benchmark and round-trip budgets. */
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async get<T = Item>(key: Key, consistent = true): Promise<T | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent }));
    return Item as T | undefined;
  }

  /** Reads up to 100 items in one round trip (retrying unprocessed keys); missing keys are absent. */
  async getMany<T = Item>(keys: Key[]): Promise<T[]> {
    if (keys.length === 0) return [];
    const unique = [...new Map(keys.map((k) => [`${k.PK}\u0000${k.SK}`, k])).values()];
    const out: T[] = [];
    for (let i = 0; i < unique.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = unique.slice(i, i + 100);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        const res = await this.doc.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        out.push(...((res.Responses?.[this.tableName] ?? []) as T[]));
        pending = res.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
        if (pending?.length) await sleep(Math.min(1000, 25 * 2 ** attempt) * Math.random());
      }
    }
    return out;
  }

  async query<T = Item>(input: Omit<QueryCommandInput, 'TableName'>): Promise<{ items: T[]; lastKey?: Record<string, unknown> }> {
    const res = await this.doc.send(new QueryCommand({ TableName: this.tableName, ...input }));
    return { items: (res.Items ?? []) as T[], ...(res.LastEvaluatedKey ? { lastKey: res.LastEvaluatedKey } : {}) };
  }

  /** Reads every page of a query (only for bounded sets: one cohort's trainees, a catalogue). */
  async queryAll<T = Item>(input: Omit<QueryCommandInput, 'TableName'>): Promise<T[]> {
    const out: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page: { items: T[]; lastKey?: Record<string, unknown> } = await this.query<T>({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) });
      out.push(...page.items);
      start = page.lastKey;
    } while (start);
    return out;
  }

  /**
   * One TransactWriteItems. A failed condition raises the op's own domain error (default CONFLICT);
   * a transaction conflict with another in-flight transaction is retried with jittered backoff.
   */
  async transact(ops: WriteOp[], attempts = 4): Promise<void> {
    if (ops.length === 0) return;
    if (ops.length > 100) throw new Error(`transaction of ${ops.length} items exceeds the limit of 100`);
    const items = ops.map(({ op }) => withTable(op, this.tableName));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
        if (failed >= 0) {
          const handler = ops[failed]?.onConditionFailed;
          throw handler ? handler(reasons[failed]?.Item as Record<string, unknown> | undefined) : conflict();
        }
        const retryable = reasons.some((r) => r.Code === 'TransactionConflict');
        if (reasons.some((r) => r.Code === 'ThrottlingError' || r.Code === 'ProvisionedThroughputExceeded')) {
          throw new ApiError('THROTTLED', undefined, undefined, { 'retry-after': '1' }, { cause: error });
        }
        if (!retryable || attempt >= attempts) throw retryable ? conflict() : error;
        await sleep(10 * 2 ** attempt + Math.random() * 40 * attempt);
      }
    }
  }
}

function withTable(op: TableOp, tableName: string): TransactWriteItem {
  const out: TransactWriteItem = {};
  if (op.Put) out.Put = { ...op.Put, TableName: tableName } as TransactWriteItem['Put'];
  if (op.Update) out.Update = { ...op.Update, TableName: tableName } as TransactWriteItem['Update'];
  if (op.Delete) out.Delete = { ...op.Delete, TableName: tableName } as TransactWriteItem['Delete'];
  if (op.ConditionCheck) out.ConditionCheck = { ...op.ConditionCheck, TableName: tableName } as TransactWriteItem['ConditionCheck'];
  // Ask for the item on a failed condition, so the error can say what stood in the way.
  for (const part of [out.Put, out.Update, out.Delete, out.ConditionCheck]) {
    if (part && part.ConditionExpression) part.ReturnValuesOnConditionCheckFailure ??= 'ALL_OLD';
  }
  return out;
}
