// What `zod` resolves to in the slim Lambda bundle (esbuild --alias:zod=<this file>): see external.mjs.
import * as z from './external.mjs';
export * from './external.mjs';
export { z, z as default };
