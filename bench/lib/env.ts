/**
 * One benchmark environment: a fresh table on the bench's DynamoDB Local, the real app over an
 * instrumented DynamoDBClient, a second client configured and instrumented alike (recording
 * nothing) for replays and lookups, and an ApiClient whose calls time the Lambda handler alone
 * (request in, body text out).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { configFromEnv } from '../../shared/config.js';
import { ensureTable } from '../../shared/db/bootstrap.js';
import { createDynamoDbClient } from '../../shared/db/client.js';
import { DbRecorder, instrumentDynamoDb, itemSize, type InstrumentOptions } from '../../shared/db/instrumentation.js';
import { Store } from '../../shared/db/store.js';
import { createApp } from '../../shared/http/app.js';
import type { Role } from '../../shared/http/context.js';
import { signLocalToken } from '../../shared/http/local-tokens.js';
import { requestApp, type ApiClient, type CallOptions, type CallResult } from './scenario.js';

/**
 * The baseline client: configured like the app's (shared/db/client.ts, incl. `cacheMiddleware`), so
 * app ÷ raw measures the app's own work, not a difference in SDK settings.
 */
export function rawClient(endpoint: string) {
  return createDynamoDbClient({ tableName: 'unused', endpoint });
}

export type BenchEnv = Awaited<ReturnType<typeof createBenchEnv>>;

export async function createBenchEnv(endpoint: string, options: InstrumentOptions & { tableName?: string } = {}) {
  const tableName = options.tableName ?? `bench-${ulid()}`;
  const raw = rawClient(endpoint);
  // The same recording middleware as the app's client, recording nothing: both sides pay for it.
  const rawRecorder = instrumentDynamoDb(raw, new DbRecorder(), { ...options, consumedCapacity: 'NONE' });
  rawRecorder.enabled = false;
  await ensureTable(raw, tableName);
  const client = createDynamoDbClient({ tableName, endpoint });
  const recorder = instrumentDynamoDb(client, new DbRecorder(), options);
  const store = new Store(client, tableName);
  const config = configFromEnv({ STAGE: 'local' });
  const { app } = createApp({ store, config, logger: new Logger({ logLevel: 'SILENT' }) });
  const adminToken = await signLocalToken({ sub: 'admin-1', org: 'platform', role: 'admin' });
  const tokens = new Map<string, string>();

  const api: ApiClient & { lastMs: number } = {
    adminToken,
    lastMs: 0,
    async token(org: string, role: Role, sub = `${role}-${org}`) {
      const k = `${org}|${role}|${sub}`;
      let t = tokens.get(k);
      if (!t) tokens.set(k, (t = await signLocalToken({ sub, org, role })));
      return t;
    },
    async call<T = any>(method: string, path: string, o: CallOptions = {}): Promise<CallResult<T>> {
      const { ms, ...result } = await requestApp<T>(app, method, path, o);
      api.lastMs = ms;
      return result;
    },
  };

  /** Sizes (bytes) of items as they are now, for the capacity estimate of Update targets. */
  async function sizesOf(keys: { PK: string; SK: string }[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const unique = [...new Map(keys.map((k) => [`${k.PK}\u0000${k.SK}`, k])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      const res = await raw.send(
        new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: unique.slice(i, i + 100).map((k) => ({ PK: { S: k.PK }, SK: { S: k.SK } })) } } }),
      );
      for (const item of res.Responses?.[tableName] ?? []) out.set(`${item.PK!.S}\u0000${item.SK!.S}`, itemSize(item as Record<string, unknown>));
    }
    return out;
  }

  return { tableName, endpoint, raw, recorder, store, app, api, sizesOf, close: () => { client.destroy(); raw.destroy(); } };
}
