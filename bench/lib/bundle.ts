/**
 * The API Lambda bundle, built the way the CDK stack builds it (infra/constructs/app-function.ts:
 * NodejsFunction, local esbuild, ESM, minify, platform node, target node22, mainFields module,main,
 * the createRequire banner, source maps without sources content, the AWS SDK bundled), and a
 * `slim` variant with the changes this benchmark proposes, so both can be sized and cold-started.
 */
import { mkdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Copied from infra/constructs/app-function.ts (keep in step). */
const esmRequireBanner =
  "import { createRequire as __createRequire } from 'node:module';" +
  'const require = __createRequire(import.meta.url);';

export const stackOptions: BuildOptions = {
  entryPoints: [path.join(projectRoot, 'functions/api.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: { js: esmRequireBanner },
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // infra/stack.ts: the API function's `nodeModules: ['exceljs']` (installed beside the bundle, so external).
  external: ['exceljs'],
  logLevel: 'error',
};

/**
 * Credential providers the default chain imports dynamically, only when no credentials are in the
 * environment. A Lambda function always has them there (AWS_ACCESS_KEY_ID…), so these are never
 * loaded in Lambda: marking them external removes them (and the STS/SSO clients they pull in).
 */
export const unusedCredentialProviders = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
];

/** The proposed changes, as esbuild options (CDK equivalents in bench/README.md). */
export const slimOptions: BuildOptions = {
  ...stackOptions,
  // CDK: `externalModules: [...]` beside the existing `nodeModules: ['exceljs']`.
  external: ['exceljs', ...unusedCredentialProviders],
  // zod without its 50+ locales (bench/bundle/zod-lean): CDK `esbuildArgs: { '--alias:zod': … }`.
  alias: { zod: path.join(projectRoot, 'bench/bundle/zod-lean/index.mjs') },
};

export interface BundleReport {
  variant: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  byPackage: { name: string; bytes: number }[];
  buildMs: number;
}

const packageOf = (input: string) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return m ? m[1]! : input.split('/').slice(0, 2).join('/');
};

export async function buildBundle(variant: 'stack' | 'slim', outDir: string): Promise<BundleReport> {
  const dir = path.join(outDir, variant);
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, 'index.mjs');
  const started = performance.now();
  const result = await build({ ...(variant === 'stack' ? stackOptions : slimOptions), outfile, metafile: true, absWorkingDir: projectRoot });
  const buildMs = performance.now() - started;
  const meta = result.metafile as Metafile;
  const output = Object.entries(meta.outputs).find(([file]) => file.endsWith('index.mjs'))![1];
  const byPackage = new Map<string, number>();
  for (const [input, info] of Object.entries(output.inputs)) byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + info.bytesInOutput);
  return {
    variant,
    file: outfile,
    bytes: statSync(outfile).size,
    gzipBytes: gzipSync(readFileSync(outfile)).length,
    mapBytes: statSync(`${outfile}.map`).size,
    byPackage: [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
    buildMs,
  };
}
