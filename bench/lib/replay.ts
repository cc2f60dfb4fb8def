/**
 * Replays recorded DynamoDB calls with the plain low-level client: the same operations, the same
 * marshalled inputs, in the same order, so "the raw DynamoDB calls the endpoint needs" cost the same
 * database work as in the app. Conditions are kept but made to hold (`(cond) OR
 * attribute_not_exists(#bench_absent)`), so a replay after the app's own change still succeeds:
 * DynamoDB evaluates the original condition and writes the same items.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DbRecorder, type DbCall } from '../../shared/db/instrumentation.js';

const commands: Record<string, new (input: any) => any> = {
  GetItem: GetItemCommand,
  BatchGetItem: BatchGetItemCommand,
  Query: QueryCommand,
  Scan: ScanCommand,
  TransactGetItems: TransactGetItemsCommand,
  PutItem: PutItemCommand,
  UpdateItem: UpdateItemCommand,
  DeleteItem: DeleteItemCommand,
  BatchWriteItem: BatchWriteItemCommand,
  TransactWriteItems: TransactWriteItemsCommand,
};

const ABSENT = '#bench_absent';

function relax(op: Record<string, unknown> | undefined) {
  if (!op || typeof op.ConditionExpression !== 'string') return;
  op.ConditionExpression = `(${op.ConditionExpression}) OR attribute_not_exists(${ABSENT})`;
  op.ExpressionAttributeNames = { ...(op.ExpressionAttributeNames as object), [ABSENT]: '__bench_absent__' };
}

/** A copy of the call's input whose conditions always hold. */
export function replayInput(call: DbCall): Record<string, unknown> {
  const input = structuredClone(call.input);
  relax(input);
  if (Array.isArray(input.TransactItems)) {
    for (const item of input.TransactItems as Record<string, Record<string, unknown>>[]) {
      relax(item.Put);
      relax(item.Update);
      relax(item.Delete);
      relax(item.ConditionCheck);
    }
  }
  return input;
}

export function canReplay(calls: readonly DbCall[]): boolean {
  return calls.every((c) => commands[c.command] !== undefined && !c.error);
}

/**
 * Prepares the commands (outside the timing), then sends them as the app did: calls the app sent
 * together (started before the first of them had answered) go together, the rest one after the
 * other. Returns ms.
 */
export async function replay(client: DynamoDBClient, calls: readonly DbCall[]): Promise<number> {
  const waves = DbRecorder.roundTripGroups(calls).map((group) => group.map((c) => new commands[c.command]!(replayInput(c))));
  const started = performance.now();
  for (const wave of waves) await Promise.all(wave.map((command) => client.send(command)));
  return performance.now() - started;
}
