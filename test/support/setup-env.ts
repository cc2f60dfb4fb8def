import { inject } from 'vitest';

// Each worker (VITEST_POOL_ID is 1-based) talks to its own DynamoDB Local.
const endpoints = inject('dynamoEndpoints');
const worker = Number(process.env.VITEST_POOL_ID ?? 1);
process.env.DYNAMODB_ENDPOINT = endpoints[(worker - 1) % endpoints.length];
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
