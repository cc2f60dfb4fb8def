// What `zod` resolves to in the Lambda bundles: esbuild `--alias:zod=./infra/bundling/zod-lean/index.mjs`
// (infra/constructs/app-function.ts). Same shape as zod's own index.js (`z`, default, named), but the
// namespace holds only the members in members.mjs.
//
// Why: the code imports `z` from @hono/zod-openapi, which re-exports zod's whole `z` namespace as a
// value (and hands it to extendZodWithOpenApi), so esbuild must keep every export of zod: 50+ locales,
// z.compile, z.fromJSONSchema / z.toJSONSchema, codecs, ISO and template-literal schemas… (≈ 350 KB
// minified) that the API never calls. Schemas, parsing, the English messages, .meta() and the
// registries that @asteasolutions/zod-to-openapi reads are untouched: they come with the members.
// Only @hono/zod-openapi imports `zod` at run time; the code's `import type … from 'zod'` is erased.
import * as z from './members.mjs';
export * from './members.mjs';
export { z, z as default };
