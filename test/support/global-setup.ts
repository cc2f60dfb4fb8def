/**
 * Starts one DynamoDB Local for the whole run (the keeper process ends Java even when the run is
 * killed and this teardown never runs). Each test file creates its own table on it.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../scripts/lib/dynamodb-local.js';

let ddb: DynamoDbLocal | undefined;

export default async function setup(project: TestProject) {
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? (ddb = await startDynamoDbLocal()).endpoint;
  project.provide('dynamoEndpoint', endpoint);
  return async () => {
    await ddb?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
