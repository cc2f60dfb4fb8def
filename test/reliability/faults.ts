/**
 * Fault injection for what DynamoDB Local cannot do by itself (throttling, transaction conflicts
 * with invisible writers, timeouts, dropped connections). The harness's store gets its own real
 * DynamoDBClient; `mockClient(thatInstance)` replaces its send() with a router that passes every
 * command to the original send() (bound before mocking, so to the real DynamoDB Local) unless a
 * fault rule claims it. Rules fire `times` times, before the command (nothing reaches the table)
 * or after it (the write happened but the answer was lost).
 */
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  ThrottlingException,
  TransactionCanceledException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { AppConfig } from '../../shared/config.js';
import { createDynamoDbClient } from '../../shared/db/client.js';
import { Store } from '../../shared/db/store.js';
import { createHarness } from '../support/harness.js';
import { record } from './figures.js';

/** A marker put in every injected error message: it must never reach a response body. */
export const FAULT_MARKER = 'injected-fault-7f3a';
const meta = { httpStatusCode: 400, requestId: 'REQ-INTERNAL-0000', attempts: 1, totalRetryDelay: 0 };

export const dbFaults = {
  provisionedThroughput: () =>
    new ProvisionedThroughputExceededException({ message: `Rate of requests exceeds the allowed throughput (${FAULT_MARKER})`, $metadata: meta }),
  throttling: () => new ThrottlingException({ message: `Rate exceeded (${FAULT_MARKER})`, $metadata: meta }),
  requestLimit: () => Object.assign(new Error(`Throughput exceeds the account limit (${FAULT_MARKER})`), { name: 'RequestLimitExceeded', $metadata: meta }),
  /** TransactWriteItems cancelled because another transaction touched one of its items. */
  transactionConflict: (items = 2) =>
    new TransactionCanceledException({
      message: `Transaction cancelled [TransactionConflict] (${FAULT_MARKER})`,
      $metadata: meta,
      CancellationReasons: Array.from({ length: items }, (_, i) =>
        i === 0 ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' },
      ),
    }),
  /** TransactWriteItems cancelled because one item was throttled. */
  transactionThrottled: (items = 2) =>
    new TransactionCanceledException({
      message: `Transaction cancelled [ThrottlingError] (${FAULT_MARKER})`,
      $metadata: meta,
      CancellationReasons: Array.from({ length: items }, (_, i) => (i === 0 ? { Code: 'ThrottlingError', Message: 'Throughput exceeds the current capacity' } : { Code: 'None' })),
    }),
  timeout: () => Object.assign(new Error(`Connection timed out after 1000 ms (${FAULT_MARKER})`), { name: 'TimeoutError' }),
  connectionReset: () => Object.assign(new Error(`read ECONNRESET (${FAULT_MARKER})`), { code: 'ECONNRESET', errno: -104, syscall: 'read' }),
  internalServerError: () => new InternalServerError({ message: `Internal server error (${FAULT_MARKER})`, $metadata: { ...meta, httpStatusCode: 500 } }),
};
export type FaultKind = keyof typeof dbFaults;

type CommandClass = abstract new (...args: never[]) => unknown;
type Command = { input: Record<string, unknown>; constructor: { name: string } };

interface Rule {
  command: CommandClass;
  when?: (input: Record<string, unknown>) => boolean;
  error: () => unknown;
  remaining: number;
  after: boolean;
  fired: number;
}

export class FaultInjector {
  private rules: Rule[] = [];
  /** Faults injected since the last reset. */
  injected = 0;
  readonly mock: AwsStub<any, any, any>;
  /** Every command sent since the last reset, with when it was sent. */
  readonly sent: Array<{ name: string; at: number; input: Record<string, unknown> }> = [];

  constructor(
    private readonly client: DynamoDBClient,
    private readonly passThrough: (command: unknown) => Promise<unknown>,
  ) {
    this.mock = mockClient(client);
    this.install();
  }

  /**
   * Fail `command` (a client-dynamodb command class; inputs are marshalled) with `error`, `times` times (default: always);
   * `after: true` lets the command reach DynamoDB Local first and then loses its answer.
   */
  on(command: CommandClass, error: () => unknown, options: { times?: number; after?: boolean; when?: (input: Record<string, unknown>) => boolean } = {}): this {
    this.rules.push({ command, error, remaining: options.times ?? Infinity, after: options.after ?? false, fired: 0, ...(options.when ? { when: options.when } : {}) });
    return this;
  }

  /** Commands of a class sent since the last reset (faulted ones included). */
  calls(command: CommandClass): Array<{ at: number; input: Record<string, unknown> }> {
    return this.sent.filter((s) => s.name === command.name);
  }

  /** Drops every rule, resets the mock (fresh stub, no history) and records the faults injected. */
  reset(): void {
    record({ faults: this.injected });
    this.rules = [];
    this.injected = 0;
    this.sent.length = 0;
    this.mock.reset();
    this.install();
  }

  private install() {
    this.mock.send.callsFake((command: unknown) => this.route(command as Command));
  }

  private async route(command: Command): Promise<unknown> {
    this.sent.push({ name: command.constructor.name, at: performance.now(), input: command.input });
    const rule = this.rules.find((r) => r.remaining > 0 && command instanceof (r.command as never) && (!r.when || r.when(command.input)));
    if (!rule) return this.passThrough(command);
    rule.remaining--;
    rule.fired++;
    this.injected++;
    if (rule.after) await this.passThrough(command);
    throw rule.error();
  }
}

/** A harness whose store's DynamoDBClient is mocked by a FaultInjector (pass-through by default). */
export async function createFaultyHarness(overrides: Partial<AppConfig> = {}) {
  let client: DynamoDBClient | undefined;
  const h = await createHarness(overrides, (tableName) => {
    client = createDynamoDbClient({ tableName, endpoint: process.env.DYNAMODB_ENDPOINT! });
    return new Store(client, tableName);
  });
  if (!client) throw new Error('storeFactory was not called');
  const original = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  const faults = new FaultInjector(client, original);
  return { ...h, client, faults };
}
