// The members of zod's `z` namespace that the Lambda code uses, and nothing else (see index.mjs).
// When shared/ or functions/ start using another `z.<member>`, add it here: test/perf/zod-lean.test.ts
// fails until then, and the bundle would otherwise throw "z.<member> is not a function" on import.
// Paths are relative on purpose: `zod/...` would itself be rewritten by the alias.
export {
  any,
  array,
  boolean,
  coerce,
  enum,
  number,
  object,
  record,
  string,
  // extendZodWithOpenApi(z) (@hono/zod-openapi) patches z.ZodType.prototype.openapi.
  ZodType,
} from '../../../node_modules/zod/v4/classic/external.js';
