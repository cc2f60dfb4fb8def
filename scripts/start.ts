/**
 * `npm start`: the API on PORT (default 3000) with an embedded DynamoDB Local (in memory), a table
 * made from the one table definition, a small demo world (Wuxi bureaus, a chamber, SMEs, a group)
 * and a ready-made token for every role. DYNAMODB_ENDPOINT points it at another DynamoDB instead.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.STAGE ??= 'local';

import { writeFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { JavaMissingError, startDynamoDbLocal, type DynamoDbLocal } from './lib/dynamodb-local.js';
import { ensureTable } from '../shared/db/bootstrap.js';
import { appFromEnv } from '../shared/http/app.js';
import { seedDemo } from './lib/demo-seed.js';

const port = Number(process.env.PORT ?? 3000);
let ddb: DynamoDbLocal | undefined;

async function main() {
  if (!process.env.DYNAMODB_ENDPOINT) {
    try {
      ddb = await startDynamoDbLocal(process.env.DDB_PORT ? { port: Number(process.env.DDB_PORT) } : {});
    } catch (error) {
      if (error instanceof JavaMissingError) {
        console.error(`\n${error.message}\n`);
        process.exit(1);
      }
      throw error;
    }
    process.env.DYNAMODB_ENDPOINT = ddb.endpoint;
  }
  const { app, services } = appFromEnv();
  await ensureTable(services.store.client, services.store.tableName);
  const tokens = await seedDemo(app);

  const server = serve({ fetch: app.fetch, port }, () => {
    const base = `http://localhost:${port}`;
    console.log(`\nApprenticeship cohorts API listening on ${base}`);
    console.log(`  docs:      ${base}/docs`);
    console.log(`  openapi:   ${base}/openapi.json`);
    console.log(`  dynamodb:  ${process.env.DYNAMODB_ENDPOINT}${ddb ? ' (embedded DynamoDB Local, in memory)' : ''}`);
    console.log(`\nDemo tokens (valid 30 days; Authorization: Bearer <token>):`);
    for (const t of tokens) console.log(`  ${t.label.padEnd(44)} ${t.token}`);
    const env = [`export API=${base}`, ...tokens.flatMap((t) => (t.env ? [`export ${t.env}=${t.token}`, ...(t.orgId ? [`export ${t.env}_ID=${t.orgId}`] : [])] : []))];
    writeFileSync('demo.env', `${env.join('\n')}\n`);
    console.log(`\nThe same tokens and ids as shell variables: source demo.env   (then see the README walkthrough)`);
    console.log(`Try: source demo.env && curl -H "Authorization: Bearer $CHAMBER" $API/v1/organizations?kind=enterprise\n`);
  });

  const stop = async () => {
    server.close();
    await ddb?.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch(async (error) => {
  console.error(error);
  await ddb?.stop();
  process.exit(1);
});
