import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { tableDefinition } from './table.js';

export interface DbConfig {
  tableName: string;
  /** DynamoDB Local or another endpoint; unset in AWS. */
  endpoint?: string;
  region?: string;
}

export function dbConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DbConfig {
  return {
    tableName: env.TABLE_NAME ?? tableDefinition.defaultName,
    ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
  };
}

/**
 * The DynamoDB client of the Store. `cacheMiddleware` resolves each command's middleware stack once
 * instead of on every call (middleware must therefore be added before the first call, as
 * shared/db/instrumentation.ts is).
 */
export function createDynamoDbClient(config: DbConfig, extra: DynamoDBClientConfig = {}): DynamoDBClient {
  const local = config.endpoint !== undefined;
  return new DynamoDBClient({
    region: config.region ?? (local ? 'local' : undefined),
    ...(local
      ? { endpoint: config.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    cacheMiddleware: true,
    ...extra,
  });
}
