/**
 * Recorder of the reliability figures (races run, faults injected, fuzzed requests, isolation
 * cases, failures). Tests call `record({...})`; each call appends one JSON line to the run's file,
 * which FiguresReporter sums and prints at the end of the run. Without the reporter (no run id)
 * the figures are only kept in memory (`totals`), so nothing is left behind in the temp dir.
 *
 *   record({ fuzzed: 1200 });          // in a test (the file is taken from the running test)
 *   record({ faults: 1 }, 'my-file');  // explicit label
 */
import { relative } from 'node:path';
import { expect, inject } from 'vitest';
import { appendFigures, emptyFigures, FIGURE_KEYS, RUN_ID_ENV, RUN_ID_KEY, type Figures } from './figures-file.js';

declare module 'vitest' {
  export interface ProvidedContext {
    reliabilityRunId: string;
  }
}

export type { Figures } from './figures-file.js';

/** What this test file recorded so far (also without the reporter). */
export const totals: Figures = emptyFigures();

function runId(): string | undefined {
  let provided: string | undefined;
  try {
    provided = inject(RUN_ID_KEY);
  } catch {
    provided = undefined;
  }
  return provided || process.env[RUN_ID_ENV] || undefined;
}

function currentFile(): string {
  let path: string | undefined;
  try {
    path = expect.getState().testPath;
  } catch {
    path = undefined;
  }
  return path ? relative(process.cwd(), path) : 'unknown';
}

export function record(figures: Partial<Figures>, file = currentFile()): void {
  const clean: Partial<Figures> = {};
  for (const key of FIGURE_KEYS) {
    const n = figures[key];
    if (n !== undefined && Number.isFinite(n) && n !== 0) {
      clean[key] = n;
      totals[key] += n;
    }
  }
  if (Object.keys(clean).length === 0) return;
  const id = runId();
  if (id) appendFigures(id, { file, figures: clean });
}
