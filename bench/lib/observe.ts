/** Observers of scenario calls: which DynamoDB calls each endpoint invocation made. */
import { DbRecorder, type DbCall } from '../../shared/db/instrumentation.js';
import type { Around } from './scenario.js';

export interface EndpointCalls {
  endpoint: string;
  calls: DbCall[];
  status: number;
  ms: number;
}

/** Files, per endpoint invocation, the DynamoDB calls it made (requests must be sequential). */
export function recordingAround(recorder: DbRecorder) {
  const log: EndpointCalls[] = [];
  const around: Around = async (endpoint, run) => {
    recorder.take();
    const started = performance.now();
    const res = await run();
    log.push({ endpoint, calls: recorder.take(), status: res.status, ms: performance.now() - started });
    return res;
  };
  return { around, log };
}

/** `GetItem×1 + TransactWriteItems×1`: the calls in order of first use. */
export function describeCalls(calls: readonly DbCall[]): string {
  return Object.entries(DbRecorder.counts(calls)).map(([k, n]) => `${k}×${n}`).join(' + ') || '—';
}

/** Invocations grouped by endpoint, in order of first appearance. */
export function byEndpoint(log: readonly EndpointCalls[]): Map<string, EndpointCalls[]> {
  const out = new Map<string, EndpointCalls[]>();
  for (const e of log) out.set(e.endpoint, [...(out.get(e.endpoint) ?? []), e]);
  return out;
}
