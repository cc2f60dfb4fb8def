/** Lambda entry of the HTTP API (API Gateway HTTP API, payload v2). */
import { handle } from 'hono/aws-lambda';
import { appFromEnv } from '../shared/http/app.js';

export const handler = handle(appFromEnv().app);
