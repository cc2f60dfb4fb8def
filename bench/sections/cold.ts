/**
 * Bundle size (the API function as the CDK stack builds it) and the cold first response: a new `node`
 * process imports the bundled handler and answers one authenticated, DynamoDB-backed request (an API
 * Gateway HTTP API v2 event for GET /v1/occupations with a local HS256 token: GetItem of the caller's
 * organisation, Query of the catalogue), minus a bare `node -e 0`. The bundle runs as deployed in
 * the prod stage (no NODE_OPTIONS) and in other stages (NODE_OPTIONS=--enable-source-maps, see
 * infra/bundling/options.ts). Variants are interleaved in a shuffled order each round; medians.
 * `node` is this process's own unless BENCH_NODE names another binary, e.g. the Node 22 of the Lambda
 * runtime (the bare `node -e 0` then runs on it too).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeOptionsFor, productionStage } from '../../infra/bundling/options.js';
import { buildBundle, projectRoot, type BundleReport } from '../lib/bundle.js';
import { createBenchEnv } from '../lib/env.js';
import { createBenchWorld } from '../lib/scenario.js';
import { kb, median, round, table } from '../lib/stats.js';

const SIZE_TARGET_KB = 300;
const COLD_TARGET_MS = 120;

/** The `node` the cold runs spawn (see the header). */
const nodeBinary = process.env.BENCH_NODE || process.execPath;

let outDir: string | undefined;
const bundles = new Map<string, BundleReport>();

/** Removes the directory of the built bundles (and the cold runner) at the end of a run. */
export function removeBuiltBundles() {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  outDir = undefined;
  bundles.clear();
}

/** `stack`: functions/api.ts as the stack builds it; `floor`: bench/fixtures/stack-floor.ts, same options. */
async function bundle(variant: 'stack' | 'floor') {
  outDir ??= mkdtempSync(path.join(os.tmpdir(), 'apprenticeship-bench-'));
  let b = bundles.get(variant);
  if (!b) {
    const overrides = variant === 'floor' ? { entryPoints: [path.join(projectRoot, 'bench/fixtures/stack-floor.ts')] } : {};
    bundles.set(variant, (b = await buildBundle(variant, outDir, overrides)));
  }
  return b;
}

export async function sizeSection(log: (s: string) => void) {
  const stack = await bundle('stack');
  const floor = await bundle('floor');
  const top = (b: BundleReport) => b.byPackage.slice(0, 16).map((p) => ({ name: p.name, kb: kb(p.bytes) }));
  const verdict = (b: BundleReport) => (kb(b.bytes) <= SIZE_TARGET_KB ? 'met' : 'exceeded');
  log(table([
    ['bundle', 'KB minified', 'KB gzip', 'KB source map', `target ≤ ${SIZE_TARGET_KB} KB`],
    ['the API, as the stack builds it', kb(stack.bytes), kb(stack.gzipBytes), kb(stack.mapBytes), verdict(stack)],
    ['floor: one route on the same libraries and options', kb(floor.bytes), kb(floor.gzipBytes), kb(floor.mapBytes), verdict(floor)],
  ]));
  log(`  largest: ${top(stack).map((p) => `${p.name} ${p.kb}`).join(', ')}`);
  return {
    targetKb: SIZE_TARGET_KB,
    stack: { kb: kb(stack.bytes), gzipKb: kb(stack.gzipBytes), mapKb: kb(stack.mapBytes), largest: top(stack) },
    // bench/fixtures/stack-floor.ts: what hono + @hono/zod-openapi (zod) + the DynamoDB client +
    // Powertools weigh with no project code, i.e. the least any API on this stack can bundle to.
    floor: { kb: kb(floor.bytes), gzipKb: kb(floor.gzipBytes), largest: top(floor) },
  };
}

const runnerSource = `
const t0 = performance.now();
const { handler } = await import(process.env.BENCH_BUNDLE);
const t1 = performance.now();
const event = {
  version: '2.0', routeKey: '$default', rawPath: '/v1/occupations', rawQueryString: '', cookies: [],
  headers: { authorization: 'Bearer ' + process.env.BENCH_TOKEN, host: 'api.example.invalid', 'x-forwarded-proto': 'https', accept: 'application/json' },
  requestContext: {
    accountId: '000000000000', apiId: 'bench', domainName: 'api.example.invalid', domainPrefix: 'api',
    http: { method: 'GET', path: '/v1/occupations', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
    requestId: 'cold-1', routeKey: '$default', stage: '$default', time: new Date().toUTCString(), timeEpoch: Date.now(),
  },
  isBase64Encoded: false,
};
const res = await handler(event, { awsRequestId: 'cold-1', functionName: 'api', getRemainingTimeInMillis: () => 29000 });
const t2 = performance.now();
process.stderr.write('BENCH ' + JSON.stringify({ status: res.statusCode, importMs: t1 - t0, requestMs: t2 - t1, body: res.statusCode === 200 ? undefined : res.body }) + '\\n');
process.exit(res.statusCode === 200 ? 0 : 1);
`;

interface Run {
  ms: number;
  importMs?: number;
  requestMs?: number;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(nodeBinary, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`cold run failed (${code}): ${err.slice(-800)}`));
      const line = err.split('\n').find((l) => l.startsWith('BENCH '));
      const parsed = line ? (JSON.parse(line.slice(6)) as { importMs: number; requestMs: number }) : undefined;
      resolve({ ms, ...(parsed ? { importMs: parsed.importMs, requestMs: parsed.requestMs } : {}) });
    });
  });
}

export async function coldSection(endpoint: string, log: (s: string) => void, rounds = 25) {
  const stack = await bundle('stack');
  const runner = path.join(outDir!, 'runner.mjs');
  writeFileSync(runner, runnerSource);

  const env = await createBenchEnv(endpoint);
  const w = await createBenchWorld(env.api);
  env.close();
  const token = w.smeTokens.get(w.smes[0]!.id)!;
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    STAGE: 'local',
    TABLE_NAME: env.tableName,
    DYNAMODB_ENDPOINT: endpoint,
    POWERTOOLS_SERVICE_NAME: 'apprenticeship-api',
    POWERTOOLS_METRICS_NAMESPACE: 'Apprenticeship',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    BENCH_TOKEN: token,
  };
  const variants: { name: string; args: string[]; env: NodeJS.ProcessEnv }[] = [
    { name: 'bare node -e 0', args: ['-e', '0'], env: base },
    // infra/bundling/options.ts nodeOptionsFor(stage): nothing in prod, --enable-source-maps elsewhere.
    { name: 'stack bundle, prod stage (as deployed)', args: [runner], env: { ...base, ...nodeOptionsFor(productionStage), BENCH_BUNDLE: stack.file } },
    { name: 'stack bundle, other stages (--enable-source-maps)', args: [runner], env: { ...base, ...nodeOptionsFor('staging'), BENCH_BUNDLE: stack.file } },
  ];
  // Untimed runs: file system caches, and DynamoDB Local's JVM past its first requests (its latency
  // is in every first response, and AWS's DynamoDB is no cold JVM).
  for (let i = 0; i < 3; i++) for (const v of variants) await run(v.args, v.env);
  const results = new Map<string, Run[]>(variants.map((v) => [v.name, []]));
  for (let r = 0; r < rounds; r++) {
    const order = [...variants].sort(() => Math.random() - 0.5);
    for (const v of order) results.get(v.name)!.push(await run(v.args, v.env));
  }
  const bare = median(results.get(variants[0]!.name)!.map((x) => x.ms));
  type Row = { variant: string; medianMs: number; overBareMs: number; importMs?: number; firstRequestMs?: number };
  const rows: Row[] = variants.map((v) => {
    const runs = results.get(v.name)!;
    const ms = median(runs.map((x) => x.ms));
    return {
      variant: v.name,
      medianMs: round(ms, 1),
      overBareMs: round(ms - bare, 1),
      importMs: runs[0]?.importMs !== undefined ? round(median(runs.map((x) => x.importMs!)), 1) : undefined,
      firstRequestMs: runs[0]?.requestMs !== undefined ? round(median(runs.map((x) => x.requestMs!)), 1) : undefined,
    };
  });
  const node = execFileSync(nodeBinary, ['--version'], { encoding: 'utf8' }).trim();
  log(`  node ${node}`);
  log(table([
    ['cold first response', 'median ms', 'over bare', 'import ms', 'first request ms'],
    ...rows.map((r) => [r.variant, r.medianMs, r.variant.startsWith('bare') ? '' : `+${r.overBareMs}`, r.importMs ?? '', r.firstRequestMs ?? '']),
  ]));
  const [, prod, other] = rows as [Row, Row, Row];
  log(`  target ≤ +${COLD_TARGET_MS} ms over bare node: ${prod.overBareMs <= COLD_TARGET_MS ? 'met' : 'exceeded'} as deployed in prod (+${prod.overBareMs} ms); other stages +${other.overBareMs} ms`);
  return { node, rounds, request: 'GET /v1/occupations, HTTP API v2 event, local HS256 token', targetMs: COLD_TARGET_MS, rows };
}
