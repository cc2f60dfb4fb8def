/**
 * One isolated API per test file: a fresh table on the shared DynamoDB Local, the real app, and
 * helpers to register organisations and sign tokens. No fakes: every call goes to DynamoDB Local.
 */
import { randomInt } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { ulid } from 'ulid';
import { configFromEnv, type AppConfig } from '../../shared/config.js';
import { createDynamoDbClient } from '../../shared/db/client.js';
import { ensureTable } from '../../shared/db/bootstrap.js';
import { Store } from '../../shared/db/store.js';
import { createApp } from '../../shared/http/app.js';
import type { Role } from '../../shared/http/context.js';
import { signLocalToken } from '../../shared/http/local-tokens.js';
import { completeCreditCode } from '../../shared/domain/credit-code.js';
import { completeNationalId } from '../../shared/domain/national-id.js';
import { requestApp, type CallOptions, type CallResult } from '../../bench/lib/scenario.js';

export type { CallOptions, CallResult } from '../../bench/lib/scenario.js';

export type Harness = Awaited<ReturnType<typeof createHarness>>;

export async function createHarness(overrides: Partial<AppConfig> = {}, storeFactory?: (tableName: string) => Store) {
  const tableName = `test-${ulid()}`;
  const client = createDynamoDbClient({ tableName, endpoint: process.env.DYNAMODB_ENDPOINT! });
  await ensureTable(client, tableName);
  const store = storeFactory ? storeFactory(tableName) : new Store(client, tableName);
  const config = { ...configFromEnv({ STAGE: 'local' }), ...overrides };
  const { app, services } = createApp({ store, config, logger: new Logger({ logLevel: 'SILENT' }) });
  const adminToken = await signLocalToken({ sub: 'admin-1', org: 'platform', role: 'admin' });

  const call = <T = any>(method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> => requestApp<T>(app, method, path, options);

  async function createOrg(input: { kind: string; name?: string; district: string; level?: 'city' | 'district'; parentId?: string; flags?: object }) {
    const res = await call('POST', '/v1/organizations', {
      token: adminToken,
      body: { name: `${input.kind} ${ulid().slice(-6)}`, creditCode: creditCode(input.district), ...input },
    });
    if (res.status !== 201) throw new Error(`createOrg failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; kind: string; district: string };
  }

  const token = (org: string, role: Role, sub = `${role}-${org}`) => signLocalToken({ sub, org, role });

  return { app, services, store, tableName, config, call, adminToken, createOrg, token };
}

/** A valid, random unified social credit code in the given district. */
export function creditCode(district = '320214'): string {
  const body = Array.from({ length: 8 }, () => '0123456789ABCDEFGHJKLMNPQRTUWXY'[randomInt(31)]).join('');
  return completeCreditCode(`91${district}${body}`);
}

/** A valid, random national ID number of someone born in the given year. */
export function nationalId(birthYear = 1998, region = '320214'): string {
  const month = String(randomInt(1, 13)).padStart(2, '0');
  const day = String(randomInt(1, 29)).padStart(2, '0');
  return completeNationalId(`${region}${birthYear}${month}${day}${String(randomInt(0, 1000)).padStart(3, '0')}`);
}
