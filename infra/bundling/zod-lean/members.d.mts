// Types of members.mjs: the same members, typed as zod's own.
export { any, array, boolean, coerce, enum, number, object, record, string, ZodType } from 'zod';
