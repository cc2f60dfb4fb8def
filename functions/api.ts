/** Lambda entry of the HTTP API (API Gateway HTTP API, payload v2). */
import { appFromEnv } from '../shared/http/app.js';
import { handleHttpApi, installLightFetchClasses } from '../shared/http/lambda.js';

// Before the app is built: jose's JWKS client makes its Headers on construction (undici otherwise).
installLightFetchClasses();
export const handler = handleHttpApi(appFromEnv().app);
