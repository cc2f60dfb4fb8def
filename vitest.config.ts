// The AWS SDK warns about Node 20 at first use; the warning is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-env.ts'],
    reporters: ['default', './test/reliability/figures-reporter.ts'],
    pool: 'forks',
    // Two cores here; each file gets its own table, so files run in parallel safely.
    maxWorkers: 2,
    // Whole two-year lifecycles run in one test; generous limits keep a loaded CI machine from flaking.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', STAGE: 'local' },
  },
});
