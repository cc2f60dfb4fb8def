// zod/v4/core without `core.locales` (see external.mjs).
export * from '../../../node_modules/zod/v4/core/index.js';
export const locales = {};
