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
  settled.forEach((s, index) => {
    if (s.status === 'rejected') {
      results.push(undefined);
      errors.push({ index, error: s.reason });
    } else results.push(s.value);
  });
  record({ races: 1 });
  return outcomeOf(results, errors, ms);
}

function outcomeOf<T>(results: Array<CallResult<T> | undefined>, errors: RaceOutcome<T>['errors'], ms: number, retried = 0): RaceOutcome<T> {
  const tally: Record<number, number> = {};
  const codes: Record<string, number> = {};
  for (const res of results) {
    if (!res) continue;
    tally[res.status] = (tally[res.status] ?? 0) + 1;
    const code = (res.body as { code?: unknown } | undefined)?.code;
    if (res.status >= 400 && typeof code === 'string') codes[code] = (codes[code] ?? 0) + 1;
  }
  const summary = [
    ...Object.entries(tally)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([status, k]) => `${status}×${k}`),
    ...(errors.length ? [`threw×${errors.length}`] : []),
    ...(retried ? [`(503 retried×${retried})`] : []),
  ].join(' ');
  return { results, errors, tally, codes, count: (status) => tally[status] ?? 0, summary, ms };
}

/**
 * A database overwhelmed by the race (DynamoDB Local on a loaded machine) may answer a racer 503
 * THROTTLED/UNAVAILABLE with Retry-After: the documented "try again" for a fault of the database,
 * not of the service. Such a call is repeated (sequentially, up to `attempts` times) as a client
 * would, and its final answer replaces the 503. Any other 5xx is left for the assertions.
 */
export async function retryTransient<T>(r: RaceOutcome<T>, call: (index: number) => Promise<CallResult<T>>, attempts = 5): Promise<RaceOutcome<T>> {
  const transient = (res: CallResult<T> | undefined) =>
    !!res && res.status === 503 && res.headers.get('retry-after') !== null && ['THROTTLED', 'UNAVAILABLE'].includes(String((res.body as { code?: unknown } | undefined)?.code));
  const results = [...r.results];
  let retried = 0;
  for (const [index, res] of results.entries()) {
    let current = res;
    for (let k = 0; k < attempts && transient(current); k++) {
      retried++;
      await new Promise((done) => setTimeout(done, 100 * (k + 1)));
      current = await call(index);
    }
    results[index] = current;
  }
  return retried ? outcomeOf(results, r.errors, r.ms, retried) : r;
}
