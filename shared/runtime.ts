/**
 * The logger and the Store from the environment: the wiring every Lambda entry and `npm start` share.
 * The HTTP app's own (appFromEnv) is in http/app.ts, so the deadline scanner's bundle holds no routes.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoDbClient, dbConfigFromEnv } from './db/client.js';
import { Store } from './db/store.js';

export function createLogger(level?: string) {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'apprenticeship', ...(level ? { logLevel: level as 'INFO' } : {}) });
}

export function storeFromEnv(env: NodeJS.ProcessEnv = process.env): Store {
  const db = dbConfigFromEnv(env);
  return new Store(createDynamoDbClient(db), db.tableName);
}
