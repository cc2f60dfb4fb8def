/** Writes the OpenAPI document the service serves, for linters and client generators (npm run lint:openapi). */
// As in npm start: the SDK's notice that future releases need Node 22 says nothing about this document.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { writeFile } from 'node:fs/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { configFromEnv } from '../shared/config.js';
import { createDynamoDbClient } from '../shared/db/client.js';
import { Store } from '../shared/db/store.js';
import { createApp } from '../shared/http/app.js';

const out = process.argv[2] ?? 'openapi.json';
const store = new Store(createDynamoDbClient({ tableName: 'unused', endpoint: 'http://127.0.0.1:1' }), 'unused');
const { app } = createApp({ store, config: configFromEnv({ STAGE: 'local' }), logger: new Logger({ logLevel: 'SILENT' }) });
const res = await app.request('https://api.example.cn/openapi.json');
await writeFile(out, JSON.stringify(await res.json(), null, 2));
console.log(`wrote ${out}`);
