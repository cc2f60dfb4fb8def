/**
 * The figures file shared by the reliability tests (writers, in the test workers) and the
 * figures reporter (reader, in the main vitest process): one JSON line per record, in a file
 * under os.tmpdir() named by the run id the reporter hands to the workers. Node-only: the reporter
 * imports this, so it must not import 'vitest' at runtime.
 */
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIGURE_KEYS = ['races', 'faults', 'fuzzed', 'isolation', 'failures'] as const;
export type FigureKey = (typeof FIGURE_KEYS)[number];
export type Figures = Record<FigureKey, number>;

export const FIGURE_LABELS: Record<FigureKey, string> = {
  races: 'races run',
  faults: 'faults injected',
  fuzzed: 'fuzzed requests',
  isolation: 'isolation cases',
  failures: 'failures',
};

/** Key under which the reporter provides the run id (vitest `provide`/`inject`), and its env fallback. */
export const RUN_ID_KEY = 'reliabilityRunId';
export const RUN_ID_ENV = 'RELIABILITY_RUN_ID';

export interface FigureLine {
  file: string;
  figures: Partial<Figures>;
}

export const emptyFigures = (): Figures => ({ races: 0, faults: 0, fuzzed: 0, isolation: 0, failures: 0 });

export function figuresPath(runId: string): string {
  return join(tmpdir(), `reliability-figures-${runId.replace(/[^A-Za-z0-9_-]/g, '_')}.jsonl`);
}

export function appendFigures(runId: string, line: FigureLine): void {
  // One small write with O_APPEND per record: lines from parallel workers never interleave.
  appendFileSync(figuresPath(runId), `${JSON.stringify(line)}\n`);
}

/** Sums the records of a run per test file. A missing file means nothing was recorded. */
export function readFigures(runId: string): Map<string, Figures> {
  const out = new Map<string, Figures>();
  let text = '';
  try {
    text = readFileSync(figuresPath(runId), 'utf8');
  } catch {
    return out;
  }
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let line: FigureLine;
    try {
      line = JSON.parse(raw) as FigureLine;
    } catch {
      continue;
    }
    const sum = out.get(line.file) ?? emptyFigures();
    for (const key of FIGURE_KEYS) sum[key] += Number(line.figures[key] ?? 0) || 0;
    out.set(line.file, sum);
  }
  return out;
}

export function removeFigures(runId: string): void {
  rmSync(figuresPath(runId), { force: true });
}

/** A plain-text table: one row per file and a total row. */
export function formatFigures(rows: Array<[string, Figures]>, durationMs?: number): string {
  const total = emptyFigures();
  for (const [, f] of rows) for (const key of FIGURE_KEYS) total[key] += f[key];
  const header = ['file', ...FIGURE_KEYS.map((k) => FIGURE_LABELS[k])];
  const body = [...rows, ['total', total] as [string, Figures]].map(([file, f]) => [file, ...FIGURE_KEYS.map((k) => String(f[k]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  const lines = [fmt(header), rule, ...body.slice(0, -1).map(fmt), rule, fmt(body.at(-1)!)];
  const title = `Reliability figures${durationMs !== undefined ? ` (${(durationMs / 1000).toFixed(1)} s)` : ''}`;
  return [title, ...lines].join('\n');
}
