/**
 * The API Lambda bundle, built the way the CDK stack builds it (infra/constructs/app-function.ts:
 * NodejsFunction, local esbuild, ESM, minify, platform node, target node22, mainFields module,main,
 * the createRequire banner, source maps without sources content, the AWS SDK bundled but for the
 * modules a Lambda function never loads, zod aliased to its lean facade and node:http to CommonJS),
 * so it can be sized and cold-started. The values that are not CDK defaults come from
 * infra/bundling/options.ts, which the construct uses too; test/perf/bundle-options.test.ts compares
 * these options with the esbuild command CDK really runs for the API function.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { bundleAliases, esbuildTarget, esmRequireBanner, neverLoadedInLambda } from '../../infra/bundling/options.js';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Packages the API function ships in node_modules (infra/stack.ts `nodeModules`), hence external. */
export const apiNodeModules = ['exceljs'];

export const stackOptions: BuildOptions = {
  entryPoints: [path.join(projectRoot, 'functions/api.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: esbuildTarget,
  mainFields: ['module', 'main'],
  banner: { js: esmRequireBanner },
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // CDK passes `externalModules` then `nodeModules` as --external.
  external: [...neverLoadedInLambda, ...apiNodeModules],
  // CDK: esbuildArgs `--alias:zod=./infra/…` and so on, resolved from projectRoot (its working directory).
  alias: Object.fromEntries(Object.entries(bundleAliases).map(([from, to]) => [from, path.join(projectRoot, to)])),
  logLevel: 'error',
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

/**
 * Builds the stack's bundle into `outDir/<variant>/index.mjs`. `overrides` change options for a
 * variant that is not the stack's (e.g. `{ minify: false }` to read a CPU profile).
 */
export async function buildBundle(variant: string, outDir: string, overrides: BuildOptions = {}): Promise<BundleReport> {
  const dir = path.join(outDir, variant);
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, 'index.mjs');
  const started = performance.now();
  const result = await build({ ...stackOptions, ...overrides, outfile, metafile: true, absWorkingDir: projectRoot });
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
    mapBytes: existsSync(`${outfile}.map`) ? statSync(`${outfile}.map`).size : 0,
    byPackage: [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
    buildMs,
  };
}
