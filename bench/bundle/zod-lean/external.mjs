// zod's classic API without `z.locales` / `z.core.locales`. @hono/zod-openapi hands the whole `z`
// namespace to extendZodWithOpenApi(z), so esbuild must keep every export of it, and the locales are
// ~260 KB of error-message translations (50+ languages) the API never loads: zod's schemas import the
// English locale themselves, and the API words its own problems in en/zh. A local export shadows a
// star re-export of the same name, so `locales` (and all it alone imports) drops out of the bundle.
export * from '../../../node_modules/zod/v4/classic/external.js';
export * as core from './core.mjs';
export const locales = {};
