/**
 * Capacity of recorded DynamoDB calls by DynamoDB's published rules, and its on-demand price.
 *
 * DynamoDB Local reports ConsumedCapacity, but for TransactWriteItems it reports one item's units
 * whatever the number of items (checked: 1, 2, 5, 10 and 30 puts of 1.5 KB all report 4), so every
 * figure here is computed from item sizes instead, and Local's own numbers are kept beside them:
 *
 * - reads: 1 RRU per 4 KB strongly consistent (GetItem and BatchGetItem per item, Query per 4 KB of
 *   all items read), ½ if eventually consistent (GSI queries always are), 2× transactional; a read
 *   of a missing item still costs the minimum unit.
 * - writes: 1 WRU per 1 KB written, 2× inside TransactWriteItems; Put counts the new item's size,
 *   Update the item's size after the call (looked up by the benchmark), Delete and ConditionCheck
 *   the minimum (the API deletes and checks only small items: listing, lock, deadline items).
 * - secondary indexes: a written item that carries a GSI's partition key costs one more standard
 *   write of its size per such index (projection ALL). A changed index key (delete + put in the index)
 *   is not modelled: the figures are a lower bound there.
 */
import { itemSize, type DbCall } from '../../shared/db/instrumentation.js';
import { tableDefinition } from '../../shared/db/table.js';

export interface Units {
  read: number;
  write: number;
}

/** Sizes (bytes) of items after a call, by `PK\u0000SK`, for Update targets. */
export type SizeLookup = (key: { PK: string; SK: string }) => number | undefined;

const KB = 1024;
const gsiKeys = tableDefinition.indexes.map((i) => i.partitionKey);

const str = (av: unknown) => (av && typeof av === 'object' && 'S' in av ? String((av as { S: unknown }).S) : String(av));
const keyOf = (key: Record<string, unknown>) => ({ PK: str(key.PK), SK: str(key.SK) });

function readUnits(bytes: number, consistent: boolean, transactional = false): number {
  const units = Math.max(1, Math.ceil(bytes / (4 * KB)));
  return transactional ? 2 * units : consistent ? units : units / 2;
}

function writeUnits(bytes: number, transactional: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / KB));
  return transactional ? 2 * units : units;
}

function indexWrites(item: Record<string, unknown>, bytes: number): number {
  return gsiKeys.filter((k) => item[k] !== undefined).length * writeUnits(bytes, false);
}

/** Units of one write (Put/Update/Delete/ConditionCheck), inside a transaction or not. */
function oneWrite(kind: string, op: Record<string, unknown>, transactional: boolean, sizeAfter: SizeLookup): number {
  switch (kind) {
    case 'Put': {
      const item = op.Item as Record<string, unknown>;
      const bytes = itemSize(item);
      return writeUnits(bytes, transactional) + indexWrites(item, bytes);
    }
    case 'Update': {
      const bytes = sizeAfter(keyOf(op.Key as Record<string, unknown>)) ?? KB;
      const expression = String(op.UpdateExpression ?? '');
      const indexesSet = gsiKeys.filter((k) => new RegExp(`\\b${k}\\s*=`).test(expression)).length;
      return writeUnits(bytes, transactional) + indexesSet * writeUnits(bytes, false);
    }
    default:
      return writeUnits(0, transactional);
  }
}

/** Capacity of one call by the rules above. */
export function estimateUnits(call: DbCall, sizeAfter: SizeLookup = () => undefined): Units {
  const input = call.input;
  if (call.error) return { read: 0, write: 0 };
  const sizes = call.itemBytes ?? [];
  switch (call.command) {
    case 'GetItem':
      return { read: readUnits(sizes[0] ?? 0, input.ConsistentRead === true), write: 0 };
    case 'BatchGetItem': {
      const tables = Object.values(input.RequestItems as Record<string, { Keys: unknown[]; ConsistentRead?: boolean }>);
      const requested = tables.reduce((n, t) => n + t.Keys.length, 0);
      const consistent = tables.every((t) => t.ConsistentRead === true);
      const found = sizes.reduce((n, b) => n + readUnits(b, consistent), 0);
      return { read: found + (requested - sizes.length) * readUnits(0, consistent), write: 0 };
    }
    case 'Query':
    case 'Scan': {
      const consistent = input.ConsistentRead === true && input.IndexName === undefined;
      return { read: readUnits(sizes.reduce((a, b) => a + b, 0), consistent), write: 0 };
    }
    case 'TransactGetItems':
      return { read: sizes.reduce((n, b) => n + readUnits(b, true, true), 0), write: 0 };
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return { read: 0, write: oneWrite(call.command.replace('Item', ''), input, false, sizeAfter) };
    case 'TransactWriteItems': {
      let write = 0;
      for (const entry of input.TransactItems as Record<string, Record<string, unknown>>[]) {
        const [kind, op] = Object.entries(entry).find(([, v]) => v !== undefined)!;
        write += oneWrite(kind, op, true, sizeAfter);
      }
      return { read: 0, write };
    }
    case 'BatchWriteItem': {
      let write = 0;
      for (const reqs of Object.values(input.RequestItems as Record<string, Record<string, Record<string, unknown>>[]>)) {
        for (const r of reqs) write += r.PutRequest ? oneWrite('Put', r.PutRequest, false, sizeAfter) : writeUnits(0, false);
      }
      return { read: 0, write };
    }
    default:
      return { read: 0, write: 0 };
  }
}

export function sumUnits(calls: readonly DbCall[], sizeAfter?: SizeLookup): Units {
  return calls.reduce((acc, c) => {
    const u = estimateUnits(c, sizeAfter);
    return { read: acc.read + u.read, write: acc.write + u.write };
  }, { read: 0, write: 0 });
}

/** Keys whose post-call size the estimate needs (Update targets). */
export function updatedKeys(calls: readonly DbCall[]): { PK: string; SK: string }[] {
  const out: { PK: string; SK: string }[] = [];
  for (const c of calls) {
    if (c.command === 'UpdateItem') out.push(keyOf(c.input.Key as Record<string, unknown>));
    if (c.command === 'TransactWriteItems') {
      for (const e of c.input.TransactItems as { Update?: { Key: Record<string, unknown> } }[]) if (e.Update) out.push(keyOf(e.Update.Key));
    }
  }
  return out;
}

/**
 * On-demand prices per million request units. us-east-1: AWS list price since the 1 Nov 2024 cut.
 * cn-north-1/cn-northwest-1: write price from amazonaws.cn's DynamoDB pricing page; the read price
 * is NOT verified here (the page was not reachable offline): it assumes the same 5 : 1 write/read
 * ratio as every global region. Check both before quoting a budget.
 */
export const prices = {
  'us-east-1': { currency: 'USD', perMillionWrite: 0.625, perMillionRead: 0.125, source: 'aws.amazon.com/dynamodb/pricing/on-demand (Nov 2024)' },
  'cn-north-1': { currency: 'CNY', perMillionWrite: 11.1538, perMillionRead: 2.2308, source: 'amazonaws.cn/en/dynamodb/pricing (write); read assumed at write ÷ 5, unverified' },
} as const;

export function cost(units: Units) {
  return Object.fromEntries(
    Object.entries(prices).map(([region, p]) => [region, { currency: p.currency, amount: (units.write * p.perMillionWrite + units.read * p.perMillionRead) / 1e6 }]),
  ) as Record<keyof typeof prices, { currency: string; amount: number }>;
}
