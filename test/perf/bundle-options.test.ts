/**
 * The benchmark sizes and cold-starts the API bundle "as the CDK stack builds it" with the esbuild
 * options of bench/lib/bundle.ts. This test synthesises the real stack with bundling on, records the
 * esbuild command CDK runs for the API function (without running it), and compares it with those
 * options, so any change of the stack's bundling shows up here. It also checks the two claims that
 * make the externals safe (infra/bundling/options.ts).
 */
import childProcess, { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import { NormalizedSchema } from '@smithy/core/schema';
import { App } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiNodeModules, projectRoot, stackOptions } from '../../bench/lib/bundle.js';
import { neverLoadedInLambda, unusedCredentialProviders } from '../../infra/bundling/options.js';
import { ApprenticeshipStack } from '../../infra/stack.js';

/** The entry of an esbuild command, relative to the project root (local bundling passes it absolute). */
const entryOf = (args: string[]) => path.relative(projectRoot, path.resolve(projectRoot, args[args.indexOf('--bundle') + 1]!));

/** The context `npx cdk synth` runs with (prod stage). */
const cdkContext = (JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** The esbuild commands CDK runs while the stack is synthesised (stubbed: nothing is built or installed). */
function esbuildCommandsOfStack(): string[][] {
  const commands: string[][] = [];
  const real = childProcess.spawnSync;
  const ok = (): SpawnSyncReturns<Buffer> => ({ pid: 0, status: 0, signal: null, output: [], stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
  childProcess.spawnSync = ((command: string, args: string[] = [], options?: object) => {
    if (args.includes('--bundle')) {
      commands.push(args);
      // The asset needs an output; CDK hashes it.
      const outfile = args.find((a) => a.startsWith('--outfile='))!.slice('--outfile='.length);
      writeFileSync(outfile, 'export const handler = () => {};\n');
      return ok();
    }
    // `npm ci` of nodeModules and the afterBundling shell commands: not needed to see the esbuild command.
    if (command === 'npm' || command === 'bash') return ok();
    return real(command, args, options as never);
  }) as typeof childProcess.spawnSync;
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-esbuild-args-'));
  // The CLI sets it from the AWS profile; a cn- region would need an OIDC issuer.
  vi.stubEnv('CDK_DEFAULT_REGION', undefined);
  try {
    new ApprenticeshipStack(new App({ outdir, context: cdkContext }), 'Apprenticeship');
  } finally {
    childProcess.spawnSync = real;
    vi.unstubAllEnvs();
    rmSync(outdir, { recursive: true, force: true });
  }
  return commands;
}

/** stackOptions as the esbuild command line CDK would write for them (entry and outfile aside). */
function asCdkArgs(): string[] {
  const o = stackOptions;
  const known = ['entryPoints', 'bundle', 'platform', 'format', 'target', 'mainFields', 'banner', 'minify', 'sourcemap', 'sourcesContent', 'external', 'alias', 'logLevel'];
  // An option added to the bench but not translated here must not slip through unnoticed.
  expect(Object.keys(o).filter((k) => !known.includes(k))).toEqual([]);
  expect(o.bundle).toBe(true);
  expect(o.sourcemap).toBe(true);
  return [
    `--target=${String(o.target)}`,
    `--platform=${o.platform!}`,
    `--format=${o.format!}`,
    ...(o.minify ? ['--minify'] : []),
    '--sourcemap',
    ...(o.sourcesContent === false ? ['--sources-content=false'] : []),
    ...o.external!.map((e) => `--external:${e}`),
    `--banner:js=${(o.banner as { js: string }).js}`,
    `--main-fields=${o.mainFields!.join(',')}`,
    // CDK's alias is relative to projectRoot (esbuild's working directory there), the bench's absolute.
    ...Object.entries(o.alias!).map(([from, to]) => `--alias:${from}=./${path.relative(projectRoot, to)}`),
  ];
}

describe('bench bundle options mirror the esbuild command of the stack', () => {
  let commands: string[][];
  beforeAll(() => {
    commands = esbuildCommandsOfStack();
  });

  it('bundles both functions with the local esbuild', () => {
    expect(commands.map(entryOf).sort()).toEqual(['functions/api.ts', 'functions/deadline-scan.ts']);
  });

  it('builds the API function exactly with the options of bench/lib/bundle.ts', () => {
    const api = commands.find((args) => entryOf(args) === 'functions/api.ts')!;
    const entry = (stackOptions.entryPoints as string[])[0]!;
    expect(entryOf(api)).toBe(path.relative(projectRoot, entry));
    const options = api.slice(api.indexOf('--bundle') + 2).filter((a) => !a.startsWith('--outfile='));
    expect(options).toEqual(asCdkArgs());
  });

  it('leaves out the modules never loaded in Lambda from every function, and ships exceljs beside the API', () => {
    for (const args of commands) {
      const externals = args.filter((a) => a.startsWith('--external:')).map((a) => a.slice('--external:'.length));
      expect(externals.slice(0, neverLoadedInLambda.length)).toEqual(neverLoadedInLambda);
      expect(externals.slice(neverLoadedInLambda.length)).toEqual(entryOf(args) === 'functions/api.ts' ? apiNodeModules : []);
    }
  });
});

describe('the deadline scanner bundles only what it runs', () => {
  it('holds the Store and the scan, and none of the HTTP app (routes, zod, hono, jose, exceljs)', async () => {
    const result = await build({
      ...stackOptions,
      // As the stack builds the scanner: only the never-loaded modules external (exceljs ships beside the API alone).
      external: neverLoadedInLambda,
      entryPoints: [path.join(projectRoot, 'functions/deadline-scan.ts')],
      write: false,
      outfile: path.join(tmpdir(), 'deadline-scan-bundle', 'index.mjs'),
      metafile: true,
      absWorkingDir: projectRoot,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('shared/services/deadline-scan.ts');
    expect(inputs).toContain('shared/db/store.ts');
    expect(inputs.filter((f) => /^shared\/http\/(?!errors\.ts$)|node_modules\/(hono|zod|@hono|@asteasolutions|jose|exceljs)\//.test(f))).toEqual([]);
  });
});

describe('the externals are never imported in Lambda', () => {
  it('no DynamoDB operation has an event-stream member (@smithy/core/event-streams is imported only for one)', () => {
    const operations = Object.entries(dynamodb).filter(([name, value]) => name.endsWith('$') && Array.isArray(value) && value[0] === 9);
    expect(operations.length).toBeGreaterThan(50);
    for (const [name, op] of operations as [string, unknown[]][]) {
      for (const io of [op[4], op[5]]) expect(NormalizedSchema.of(io as never).getEventStreamMember(), name).toBeFalsy();
    }
    expect(operations.map(([name]) => name)).toEqual(expect.arrayContaining(['GetItem$', 'Query$', 'TransactWriteItems$', 'BatchGetItem$']));
  });

  describe('the default credential chain, bundled as the stack bundles it', () => {
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'credential-chain-'));
      mkdirSync(path.join(dir, 'home'));
      await build({
        ...stackOptions,
        entryPoints: undefined,
        stdin: {
          contents: "export { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
          resolveDir: projectRoot,
          loader: 'js',
        },
        outfile: path.join(dir, 'index.mjs'),
      });
      writeFileSync(
        path.join(dir, 'run.mjs'),
        "const { DynamoDBClient } = await import('./index.mjs');\n" +
          "const credentials = await new DynamoDBClient({ region: 'cn-north-1' }).config.credentials();\n" +
          'console.log(JSON.stringify(credentials));\n',
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    // What Lambda's environment has: the role's keys; no profile, no config files.
    const run = (extra: Record<string, string>) =>
      spawnSync(process.execPath, [path.join(dir, 'run.mjs')], {
        encoding: 'utf8',
        timeout: 10_000,
        env: { PATH: process.env.PATH, HOME: path.join(dir, 'home'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_EC2_METADATA_DISABLED: 'true', ...extra },
      });

    it('resolves the credentials Lambda puts in the environment without importing any external', () => {
      const res = run({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token', AWS_REGION: 'cn-north-1' });
      expect(res.stderr).toBe('');
      expect(JSON.parse(res.stdout)).toMatchObject({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
    });

    it('reaches the externals only when the environment has no credentials (never in Lambda)', () => {
      const res = run({});
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(/ERR_MODULE_NOT_FOUND|Cannot find package/);
      expect(unusedCredentialProviders.some((name) => res.stderr.includes(name))).toBe(true);
    });
  });
});
