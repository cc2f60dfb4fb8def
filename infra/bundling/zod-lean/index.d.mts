// Types of index.mjs: zod's shape, narrowed to the members of members.mjs.
import * as z from './members.mjs';
export * from './members.mjs';
export { z, z as default };
