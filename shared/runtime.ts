/** Builds the app from the environment: the one wiring used by Lambda and by `npm start`. */
import { Logger } from '@aws-lambda-powertools/logger';
import { configFromEnv, type AppConfig } from './config.js';
import { createDynamoDbClient, dbConfigFromEnv } from './db/client.js';
import { Store } from './db/store.js';
import { createApp } from './http/app.js';

export function createLogger(level?: string) {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'apprenticeship', ...(level ? { logLevel: level as 'INFO' } : {}) });
}

export function storeFromEnv(env: NodeJS.ProcessEnv = process.env): Store {
  const db = dbConfigFromEnv(env);
  return new Store(createDynamoDbClient(db), db.tableName);
}

export function appFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<AppConfig> = {}) {
  return createApp({ store: storeFromEnv(env), config: { ...configFromEnv(env), ...overrides }, logger: createLogger() });
}
