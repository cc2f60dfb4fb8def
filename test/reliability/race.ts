/**
 * race(n, fn): fires n calls at once (all released by one gate, so they overlap as much as the
 * event loop allows) and tallies what came back. Every race counts once in the figures.
 *
 *   const r = await race(20, (i) => h.call('POST', `/v1/cohorts/${id}/submit`, { token }));
 *   expect(r.tally[200]).toBe(1);
 *   expect(r.count(200) + r.count(409)).toBe(20);
 */
import type { CallResult } from '../support/harness.js';
import { record } from './figures.js';

export interface RaceOutcome<T = any> {
  /** Results in call order; a call that threw leaves a hole (see errors). */
  results: Array<CallResult<T> | undefined>;
  /** Calls that threw instead of answering (an in-process app should never do so). */
  errors: Array<{ index: number; error: unknown }>;
  /** HTTP status → how many calls answered it. */
  tally: Record<number, number>;
  /** Problem `code` → how many error answers carried it. */
  codes: Record<string, number>;
  count(status: number): number;
  /** "201×1 422×19" — for assertion messages. */
  summary: string;
  ms: number;
}

export async function race<T = any>(n: number, call: (index: number) => Promise<CallResult<T>>): Promise<RaceOutcome<T>> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`race needs n ≥ 1, got ${n}`);
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const started = performance.now();
  const pending = Array.from({ length: n }, (_, i) => gate.then(() => call(i)));
  open();
  const settled = await Promise.allSettled(pending);
  const ms = performance.now() - started;

  const results: Array<CallResult<T> | undefined> = [];
  const errors: RaceOutcome<T>['errors'] = [];
  const tally: Record<number, number> = {};
  const codes: Record<string, number> = {};
  settled.forEach((s, index) => {
    if (s.status === 'rejected') {
      results.push(undefined);
      errors.push({ index, error: s.reason });
      return;
    }
    const res = s.value;
    results.push(res);
    tally[res.status] = (tally[res.status] ?? 0) + 1;
    const code = (res.body as { code?: unknown } | undefined)?.code;
    if (res.status >= 400 && typeof code === 'string') codes[code] = (codes[code] ?? 0) + 1;
  });
  record({ races: 1 });
  const summary = [
    ...Object.entries(tally)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([status, k]) => `${status}×${k}`),
    ...(errors.length ? [`threw×${errors.length}`] : []),
  ].join(' ');
  return { results, errors, tally, codes, count: (status) => tally[status] ?? 0, summary, ms };
}
