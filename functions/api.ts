/** Lambda entry of the HTTP API (API Gateway HTTP API, payload v2). */
import { appFromEnv } from '../shared/http/app.js';
import { handleHttpApi } from '../shared/http/lambda.js';

export const handler = handleHttpApi(() => appFromEnv().app);
