/** A harness (test/support/harness.ts) whose Store talks to DynamoDB through an instrumented DynamoDBClient. */
import type { AppConfig } from '../../shared/config.js';
import { createDynamoDbClient } from '../../shared/db/client.js';
import { DbRecorder, instrumentDynamoDb } from '../../shared/db/instrumentation.js';
import { Store } from '../../shared/db/store.js';
import { createHarness } from '../support/harness.js';

export async function instrumentedHarness(overrides: Partial<AppConfig> = {}) {
  const recorder = new DbRecorder();
  const h = await createHarness(overrides, (tableName) => {
    const client = createDynamoDbClient({ tableName, endpoint: process.env.DYNAMODB_ENDPOINT! });
    instrumentDynamoDb(client, recorder);
    return new Store(client, tableName);
  });
  recorder.reset();
  return { ...h, recorder };
}
