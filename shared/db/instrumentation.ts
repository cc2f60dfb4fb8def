/**
 * DynamoDB client instrumentation for the round-trip budgets (test/perf) and the benchmark (bench/):
 * a middleware pair for a DynamoDBClient's or DynamoDBDocumentClient's middlewareStack (the document
 * client shares its base client's stack) that records every call: its command name, its wire time,
 * its low-level (marshalled) input so the very same call can be replayed with the plain SDK client,
 * and the capacity units DynamoDB reports in ConsumedCapacity.
 *
 *   const recorder = new DbRecorder();
 *   instrumentDynamoDb(doc, recorder);            // asks every data call for ReturnConsumedCapacity=TOTAL
 *   … requests …
 *   recorder.counts(recorder.take());              // { GetItem: 1, TransactWriteItems: 1 }
 *
 * Not used on the request path of a deployed function; it adds nothing unless installed.
 */

/** Commands that move data and may return ConsumedCapacity, by kind. */
const READ_COMMANDS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITE_COMMANDS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

export type DbCommandName = string;

export interface DbCapacity {
  /** Read capacity (request) units. */
  read: number;
  /** Write capacity (request) units. */
  write: number;
}

export interface DbCall {
  /** Operation name without the SDK suffix: GetItem, BatchGetItem, Query, TransactWriteItems… */
  command: DbCommandName;
  /** When the request was built (performance.now()), to tell concurrent calls from sequential ones. */
  at: number;
  /** Milliseconds from the built request to the deserialized response (network + DynamoDB + parsing). */
  ms: number;
  /** The low-level input as sent (AttributeValue maps): what a replay with the plain client sends. */
  input: Record<string, unknown>;
  /** Error name when the call failed (e.g. TransactionCanceledException). */
  error?: string;
  /** From the response's ConsumedCapacity, when DynamoDB reported it. */
  consumed?: DbCapacity;
  /** Items returned (GetItem 0/1, Query Count, BatchGetItem responses). */
  items?: number;
  /** Size in bytes (DynamoDB's item-size rules) of each item returned, for capacity estimates. */
  itemBytes?: number[];
}

export interface InstrumentOptions {
  /**
   * ReturnConsumedCapacity added to data calls that do not set it. `NONE` leaves inputs untouched.
   * @default 'TOTAL'
   */
  consumedCapacity?: 'TOTAL' | 'INDEXES' | 'NONE';
  /**
   * Sizes of the items each read returned (for capacity estimates); off when only timing matters.
   * @default true
   */
  itemSizes?: boolean;
}

/** Collects the calls of one or more instrumented clients. Not thread-safe across concurrent requests by design: budgets are asserted on sequential requests. */
export class DbRecorder {
  readonly calls: DbCall[] = [];
  /** When false, calls go through unrecorded (e.g. while seeding). */
  enabled = true;

  record(call: DbCall) {
    if (this.enabled) this.calls.push(call);
  }

  /** Every call recorded since the last take() (or since the start), removing them. */
  take(): DbCall[] {
    return this.calls.splice(0, this.calls.length);
  }

  reset() {
    this.calls.length = 0;
  }

  /** Calls per command name, e.g. `{ GetItem: 1, TransactWriteItems: 1 }`. */
  static counts(calls: readonly DbCall[]): Record<DbCommandName, number> {
    const out: Record<string, number> = {};
    for (const c of calls) out[c.command] = (out[c.command] ?? 0) + 1;
    return out;
  }

  /** Reads (GetItem, BatchGetItem, Query, Scan, TransactGetItems) and writes among the calls. */
  static roundTrips(calls: readonly DbCall[]): { reads: number; writes: number; total: number } {
    const reads = calls.filter((c) => READ_COMMANDS.has(c.command)).length;
    const writes = calls.filter((c) => WRITE_COMMANDS.has(c.command)).length;
    return { reads, writes, total: calls.length };
  }

  /**
   * Round trips: calls in sequence, where calls started before the first of their group had
   * answered count once (a GetItem and a Query sent together are one round trip of latency).
   */
  static sequentialRoundTrips(calls: readonly DbCall[]): number {
    return DbRecorder.roundTripGroups(calls).length;
  }

  /** The calls grouped by round trip, in order (see sequentialRoundTrips). */
  static roundTripGroups(calls: readonly DbCall[]): DbCall[][] {
    const groups: DbCall[][] = [];
    let firstAnswerAt = -Infinity;
    for (const c of [...calls].sort((a, b) => a.at - b.at)) {
      if (c.at >= firstAnswerAt) {
        groups.push([c]);
        firstAnswerAt = c.at + c.ms;
      } else {
        groups.at(-1)!.push(c);
      }
    }
    return groups;
  }

  /** Summed ConsumedCapacity; `reported` is false when any data call came back without it. */
  static capacity(calls: readonly DbCall[]): DbCapacity & { reported: boolean } {
    let read = 0;
    let write = 0;
    let reported = true;
    for (const c of calls) {
      if (!READ_COMMANDS.has(c.command) && !WRITE_COMMANDS.has(c.command)) continue;
      if (!c.consumed) {
        if (!c.error) reported = false;
        continue;
      }
      read += c.consumed.read;
      write += c.consumed.write;
    }
    return { read, write, reported };
  }

  counts() {
    return DbRecorder.counts(this.calls);
  }
}

export const isDataCommand = (command: string) => READ_COMMANDS.has(command) || WRITE_COMMANDS.has(command);
export const isReadCommand = (command: string) => READ_COMMANDS.has(command);
export const isWriteCommand = (command: string) => WRITE_COMMANDS.has(command);

interface ConsumedCapacityLike {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** Sums a ConsumedCapacity (object, or array for batch and transactional calls) into read/write units. */
export function capacityOf(command: string, consumed: unknown): DbCapacity | undefined {
  if (consumed === undefined || consumed === null) return undefined;
  const list = (Array.isArray(consumed) ? consumed : [consumed]) as ConsumedCapacityLike[];
  if (list.length === 0) return undefined;
  let read = 0;
  let write = 0;
  for (const c of list) {
    if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
      read += c.ReadCapacityUnits ?? 0;
      write += c.WriteCapacityUnits ?? 0;
    } else if (READ_COMMANDS.has(command)) {
      read += c.CapacityUnits ?? 0;
    } else {
      write += c.CapacityUnits ?? 0;
    }
  }
  return { read, write };
}

/** The items a read returned. */
function returnedItems(command: string, output: Record<string, unknown>): Record<string, unknown>[] | undefined {
  switch (command) {
    case 'GetItem':
      return output.Item ? [output.Item as Record<string, unknown>] : [];
    case 'Query':
    case 'Scan':
      return (output.Items ?? []) as Record<string, unknown>[];
    case 'BatchGetItem':
      return Object.values((output.Responses ?? {}) as Record<string, Record<string, unknown>[]>).flat();
    case 'TransactGetItems':
      return ((output.Responses ?? []) as { Item?: Record<string, unknown> }[]).flatMap((r) => (r.Item ? [r.Item] : []));
    default:
      return undefined;
  }
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
/** DynamoDB: 1 byte per two significant digits, plus 1. */
const numberBytes = (n: string) => Math.ceil(n.replace(/^[-+]?0*|\.|e.*$/gi, '').replace(/0+$/, '').length / 2) + 1;
const AV_TYPES = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);
const isAttributeValue = (v: unknown): v is Record<string, unknown> => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const k = Object.keys(v);
  return k.length === 1 && AV_TYPES.has(k[0]!);
};

function marshalledSize(av: Record<string, unknown>): number {
  const [type, v] = Object.entries(av)[0]!;
  switch (type) {
    case 'S':
      return utf8(v as string);
    case 'N':
      return numberBytes(v as string);
    case 'B':
      return (v as Uint8Array).length;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (v as string[]).reduce((n, s) => n + utf8(s), 0);
    case 'NS':
      return (v as string[]).reduce((n, s) => n + numberBytes(s), 0);
    case 'BS':
      return (v as Uint8Array[]).reduce((n, b) => n + b.length, 0);
    case 'M':
      return 3 + Object.entries(v as Record<string, Record<string, unknown>>).reduce((n, [k, e]) => n + utf8(k) + 1 + marshalledSize(e), 0);
    case 'L':
      return 3 + (v as Record<string, unknown>[]).reduce((n, e) => n + 1 + marshalledSize(e), 0);
    default:
      return 0;
  }
}

function nativeSize(v: unknown): number {
  if (v === null || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return utf8(v);
  if (typeof v === 'number' || typeof v === 'bigint') return numberBytes(String(v));
  if (v instanceof Uint8Array) return v.length;
  if (v instanceof Set) return [...v].reduce((n: number, e) => n + nativeSize(e), 0);
  if (Array.isArray(v)) return 3 + v.reduce((n: number, e) => n + 1 + nativeSize(e), 0);
  if (typeof v === 'object') return 3 + Object.entries(v as Record<string, unknown>).reduce((n, [k, e]) => (e === undefined ? n : n + utf8(k) + 1 + nativeSize(e)), 0);
  return 0;
}

/**
 * An item's size by DynamoDB's rules (attribute names + values; numbers 1 byte per two digits + 1;
 * maps and lists 3 bytes + 1 per element), marshalled (AttributeValue) or native.
 */
export function itemSize(item: Record<string, unknown>): number {
  const values = Object.values(item);
  const marshalled = values.length > 0 && values.every(isAttributeValue);
  return Object.entries(item).reduce((n, [name, v]) => (v === undefined ? n : n + utf8(name) + (marshalled ? marshalledSize(v as Record<string, unknown>) : nativeSize(v))), 0);
}

/* Minimal structural types of the SDK's middleware stack (from @smithy/types), so this module depends on no transitive package. */
type Handler = (args: { input: Record<string, unknown>; request?: unknown }) => Promise<{ output: Record<string, unknown>; response?: unknown }>;
type Middleware = (next: Handler, context: { commandName?: string }) => Handler;
interface StackLike {
  add(middleware: never, options: { step: 'initialize' | 'build'; name: string; priority?: 'high' | 'normal' | 'low'; override?: boolean }): void;
}

const commandOf = (context: { commandName?: string }) => (context.commandName ?? 'Unknown').replace(/Command$/, '');

/**
 * Adds the instrumentation to a client's middleware stack (idempotent: the middlewares are named
 * and overridden). Returns the recorder.
 */
export function instrumentDynamoDb(client: { middlewareStack: unknown }, recorder = new DbRecorder(), options: InstrumentOptions = {}): DbRecorder {
  const stack = client.middlewareStack as StackLike;
  const mode = options.consumedCapacity ?? 'TOTAL';
  const sizes = options.itemSizes ?? true;

  // initialize: before the document client marshals, so the flag is part of what is sent.
  const requestCapacity: Middleware = (next, context) => async (args) => {
    if (mode !== 'NONE' && isDataCommand(commandOf(context)) && args.input.ReturnConsumedCapacity === undefined) {
      return next({ ...args, input: { ...args.input, ReturnConsumedCapacity: mode } });
    }
    return next(args);
  };

  // build: after serialization, so the input is the marshalled one and the time is the wire time.
  const recordCall: Middleware = (next, context) => async (args) => {
    const command = commandOf(context);
    const started = performance.now();
    try {
      const result = await next(args);
      const ms = performance.now() - started;
      const consumed = capacityOf(command, result.output.ConsumedCapacity);
      const items = recorder.enabled ? returnedItems(command, result.output) : undefined;
      recorder.record({
        command,
        at: started,
        ms,
        input: args.input,
        ...(consumed ? { consumed } : {}),
        ...(items ? { items: items.length, ...(sizes ? { itemBytes: items.map(itemSize) } : {}) } : {}),
      });
      return result;
    } catch (error) {
      recorder.record({ command, at: started, ms: performance.now() - started, input: args.input, error: error instanceof Error ? error.name : String(error) });
      throw error;
    }
  };

  stack.add(requestCapacity as never, { step: 'initialize', name: 'dbInstrumentationCapacity', priority: 'high', override: true });
  stack.add(recordCall as never, { step: 'build', name: 'dbInstrumentationRecorder', priority: 'low', override: true });
  return recorder;
}
