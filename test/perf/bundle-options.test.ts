/**
 * The benchmark sizes and cold-starts the API bundle "as the CDK stack builds it" with options
 * copied into bench/lib/bundle.ts; this keeps the copy honest when the stack's bundling changes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stackOptions } from '../../bench/lib/bundle.js';

const construct = readFileSync(new URL('../../infra/constructs/app-function.ts', import.meta.url), 'utf8');
const stack = readFileSync(new URL('../../infra/stack.ts', import.meta.url), 'utf8');

describe('bench bundle options mirror infra/constructs/app-function.ts', () => {
  it('same target, format, main fields, minification, source maps and banner', () => {
    expect(construct).toContain(`const esbuildTarget = '${stackOptions.target}'`);
    expect(construct).toContain('format: OutputFormat.ESM');
    expect(stackOptions.format).toBe('esm');
    expect(construct).toContain(`mainFields: ${JSON.stringify(stackOptions.mainFields).replaceAll('"', "'").replace(',', ', ')}`);
    expect(construct).toContain('minify: true');
    expect(stackOptions.minify).toBe(true);
    expect(construct).toContain('sourceMap: true');
    expect(construct).toContain('sourcesContent: false');
    expect(stackOptions.sourcesContent).toBe(false);
    const banner = (stackOptions.banner as { js: string }).js;
    expect(banner).toBe("import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);");
    expect(construct).toContain(`"import { createRequire as __createRequire } from 'node:module';"`);
    expect(construct).toContain(`'const require = __createRequire(import.meta.url);'`);
  });

  it('bundles the AWS SDK and keeps only exceljs out (nodeModules), as the stack does', () => {
    expect(construct).toContain('bundleAwsSDK: true');
    expect(construct).not.toMatch(/externalModules/);
    const shipped = [...stack.matchAll(/nodeModules: \[([^\]]*)\]/g)].flatMap((m) => m[1]!.split(',').map((x) => x.trim().replace(/'/g, '')).filter(Boolean));
    expect(shipped).toEqual(stackOptions.external);
  });
});
