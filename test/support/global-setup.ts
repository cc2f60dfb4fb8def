/**
 * Starts one DynamoDB Local per test worker: a single instance serialises the writes of parallel
 * test files (the large-class test ran 20× slower beside others). The keeper process ends Java
 * even when the run is killed and this teardown never runs. Each test file makes its own table.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../scripts/lib/dynamodb-local.js';

let started: DynamoDbLocal[] = [];

export default async function setup(project: TestProject) {
  const workers = Math.max(1, Number(project.config.maxWorkers) || 1);
  if (process.env.DYNAMODB_ENDPOINT) {
    project.provide('dynamoEndpoints', [process.env.DYNAMODB_ENDPOINT]);
  } else {
    started = await Promise.all(Array.from({ length: workers }, () => startDynamoDbLocal()));
    project.provide('dynamoEndpoints', started.map((d) => d.endpoint));
  }
  return async () => {
    await Promise.all(started.map((d) => d.stop()));
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoints: string[];
  }
}
