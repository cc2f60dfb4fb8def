/**
 * The esbuild settings of the Lambda bundles that are not CDK defaults, in one CDK-free module:
 * infra/constructs/app-function.ts passes them to NodejsFunction, and the benchmark
 * (bench/lib/bundle.ts) builds with the same values; test/perf/bundle-options.test.ts compares the
 * esbuild command CDK actually runs with the benchmark's options.
 */

/** The stage whose functions run without `--enable-source-maps` (`-c stage`, default in infra/config.ts). */
export const productionStage = 'prod';

/** esbuild target of the Node.js 22 runtime (infra/constructs/app-function.ts `nodeRuntime`). */
export const esbuildTarget = 'node22';

/** Lets bundled CommonJS dependencies call `require` inside the ESM bundle. */
export const esmRequireBanner =
  "import { createRequire as __createRequire } from 'node:module';" +
  'const require = __createRequire(import.meta.url);';

/**
 * Modules the bundles import only dynamically, on paths a Lambda function never takes; marked
 * external, they (and all they alone import) stay out of the bundle. If one were ever imported, the
 * import would fail (nothing installs them beside the bundle): each entry says why it cannot be.
 *
 * The credential providers: the DynamoDB client's default chain (@aws-sdk/credential-provider-node,
 * `defaultProvider`) tries `fromEnv` first, and Lambda always puts the execution role's
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN in the environment; the chain stops
 * at the first success, and `import()`s the others only after `fromEnv` failed (or AWS_PROFILE is set,
 * which the stack never does). With them go the STS/SSO/sign-in clients (@aws-sdk/nested-clients),
 * token providers and ini-file parsing: ≈ 130 KB.
 */
export const unusedCredentialProviders = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  // Imported by the chain's last link (remoteProvider: ECS container / EC2 instance metadata).
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
];

/**
 * Event-stream (de)serialisation: @smithy/core's HttpProtocol `import()`s it only for an operation
 * with an event-stream member, and no DynamoDB operation has one (test/perf/bundle-options.test.ts
 * checks all of them). With it goes the CRC32 code it alone uses: ≈ 19 KB.
 */
export const unusedSmithyModules = ['@smithy/core/event-streams'];

/** `externalModules` of every AppFunction (packages shipped in node_modules are added per function). */
export const neverLoadedInLambda = [...unusedCredentialProviders, ...unusedSmithyModules];

/**
 * Module substitutions of the bundles (esbuild `--alias`), relative to the project root, where CDK
 * runs the local esbuild (NodejsFunction `projectRoot`); esbuild resolves alias paths from its
 * working directory.
 * - `zod`: a facade holding only the `z` members the code uses (see the facade's comments): ≈ 350 KB
 *   less.
 * - `node:http` and `http`: the built-in as a CommonJS module, so that Node 22 does not load undici
 *   for the module facade of an ES import (see node-http.cjs): ≈ 10 ms of a cold start on Node 22.
 */
export const bundleAliases: Readonly<Record<string, string>> = {
  zod: './infra/bundling/zod-lean/index.mjs',
  'node:http': './infra/bundling/node-http.cjs',
  http: './infra/bundling/node-http.cjs',
};

/**
 * NODE_OPTIONS of a function. `--enable-source-maps` makes Node load the bundle's source map (830 KB
 * for the API) before the first line runs: ≈ 10 ms of every cold start (`npm run bench -- --only=cold`:
 * +104–108 ms over bare node without it, +116 ms with it). Non-prod stages keep it for readable stack
 * traces; prod runs without it: its traces point into the minified bundle, and index.mjs.map still
 * ships beside it, to decode them or to turn the flag on for a while by setting NODE_OPTIONS.
 */
export function nodeOptionsFor(stage: string): Record<string, string> {
  return stage === productionStage ? {} : { NODE_OPTIONS: '--enable-source-maps' };
}
