/**
 * Vitest 4 reporter that prints, at the end of a run, the reliability figures the tests recorded
 * (test/reliability/figures.ts): races run | faults injected | fuzzed requests | isolation cases |
 * failures. "failures" is what the tests recorded plus every failed test (and file-level error) of
 * test/reliability. Add it next to the default reporter:
 *   reporters: ['default', './test/reliability/figures-reporter.ts']
 * It prints nothing for a run that neither recorded figures nor ran a reliability file.
 */
import { relative, sep } from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { emptyFigures, formatFigures, readFigures, removeFigures, RUN_ID_ENV, RUN_ID_KEY, type Figures } from './figures-file.js';

const RELIABILITY_DIR = `${sep}test${sep}reliability${sep}`;

export class FiguresReporter implements Reporter {
  readonly runId = `${Date.now().toString(36)}-${process.pid}`;
  private vitest?: Vitest;
  private started = performance.now();
  private printed = false;

  constructor() {
    // Fallback channel for workers (forks inherit the environment) if `provide` is not possible.
    process.env[RUN_ID_ENV] = this.runId;
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
    try {
      vitest.provide(RUN_ID_KEY, this.runId);
    } catch {
      // Root project not ready: the environment variable above still carries the id.
    }
    removeFigures(this.runId);
  }

  onTestRunStart(): void {
    this.started = performance.now();
    this.printed = false;
    removeFigures(this.runId);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    this.print(testModules);
  }

  /** Vitest < 4 entry point; vitest 4 calls onTestRunEnd only. */
  onFinished(): void {
    this.print([]);
  }

  private print(testModules: ReadonlyArray<TestModule>): void {
    if (this.printed) return;
    this.printed = true;
    const root = this.vitest?.config.root ?? process.cwd();
    const rows = readFigures(this.runId);
    let ranReliability = false;
    for (const module of testModules) {
      if (!module.moduleId.includes(RELIABILITY_DIR)) continue;
      ranReliability = true;
      const file = relative(root, module.moduleId);
      let failed = module.errors().length;
      for (const test of module.children.allTests()) if (test.result().state === 'failed') failed++;
      const row: Figures = rows.get(file) ?? emptyFigures();
      row.failures += failed;
      rows.set(file, row);
    }
    removeFigures(this.runId);
    if (!ranReliability && rows.size === 0) return;
    const sorted = [...rows.entries()].sort(([a], [b]) => a.localeCompare(b));
    const text = `\n${formatFigures(sorted, performance.now() - this.started)}\n`;
    if (this.vitest) this.vitest.logger.log(text);
    else process.stdout.write(`${text}\n`);
  }
}

export default FiguresReporter;
