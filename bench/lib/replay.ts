/**
 * Replays recorded DynamoDB calls with the plain low-level client: the same operations, the same
 * marshalled inputs, in the same order, so "the raw DynamoDB calls the endpoint needs" cost the same
 * database work as in the app. They go to a mirror table that has received every write the app's
 * table has (`mirror()`), so the replay meets the state the app met: what the app inserted is
 * inserted again, its conditions hold unmodified, a read returns what the app's read returned.
 * (Replaying into the app's own table instead rewrote items it had just written: cheaper for
 * DynamoDB Local than the app's inserts, by 0.3–2.5 ms per write.)
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  type ScanCommandOutput,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DbRecorder, isWriteCommand, type DbCall } from '../../shared/db/instrumentation.js';

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

/** A copy of the call's input addressed to `table` (the app uses one table, so every name maps to it). */
function replayInput(call: DbCall, table: string): Record<string, unknown> {
  const input = structuredClone(call.input);
  if (typeof input.TableName === 'string') input.TableName = table;
  if (Array.isArray(input.TransactItems)) {
    for (const item of input.TransactItems as Record<string, { TableName?: string } | undefined>[]) {
      for (const op of Object.values(item)) if (typeof op?.TableName === 'string') op.TableName = table;
    }
  }
  if (input.RequestItems && typeof input.RequestItems === 'object') {
    const requests = Object.values(input.RequestItems);
    if (requests.length !== 1) throw new Error(`replay: ${call.command} addresses ${requests.length} tables; the app uses one`);
    input.RequestItems = { [table]: requests[0] };
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
export async function replay(client: DynamoDBClient, calls: readonly DbCall[], table: string): Promise<number> {
  const waves = DbRecorder.roundTripGroups(calls).map((group) => group.map((c) => new commands[c.command]!(replayInput(c, table))));
  const started = performance.now();
  for (const wave of waves) await Promise.all(wave.map((command) => client.send(command)));
  return performance.now() - started;
}

/** Applies the calls' successful writes to the mirror table, one after the other, untimed. */
export async function mirror(client: DynamoDBClient, calls: readonly DbCall[], table: string): Promise<void> {
  for (const call of calls) {
    if (isWriteCommand(call.command) && !call.error) await client.send(new commands[call.command]!(replayInput(call, table)));
  }
}

async function countItems(client: DynamoDBClient, table: string): Promise<number> {
  let count = 0;
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page: ScanCommandOutput = await client.send(new ScanCommand({ TableName: table, Select: 'COUNT', ExclusiveStartKey: start }));
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/** Fails the run when the mirror no longer holds as many items as the app's table (a replay gone astray). */
export async function assertMirrored(client: DynamoDBClient, table: string, mirrorTable: string): Promise<void> {
  const [app, mirrored] = await Promise.all([countItems(client, table), countItems(client, mirrorTable)]);
  if (app !== mirrored) throw new Error(`replay: the mirror holds ${mirrored} items, the app's table ${app}`);
}

