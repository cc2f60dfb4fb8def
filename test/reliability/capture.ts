/**
 * What the app logs, captured: a Powertools Logger that keeps every line exactly as it would print
 * it (same JSON, same error formatting) instead of writing it to stdout, and a harness whose calls
 * go through an app built with that logger on the same table.
 *
 *   const logger = new CapturingLogger();
 *   const app = createApp({ store: h.store, config: h.config, logger }).app;
 *   const lh = harnessOn(h, app);           // lh.call(...) is logged into logger.lines
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { App } from '../../shared/http/app.js';
import { requestApp } from '../../bench/lib/scenario.js';
import type { CallOptions, CallResult, Harness } from '../support/harness.js';

export class CapturingLogger extends Logger {
  /** Every log line as printed JSON text. */
  readonly lines: string[] = [];

  constructor() {
    super({ logLevel: 'DEBUG', serviceName: 'apprenticeship' });
  }

  /** Parsed lines, for assertions on fields. */
  get entries(): Record<string, any>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, any>);
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    this.lines.push(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }
}

/** The harness `h` with its calls sent to `app` instead (same table, same tokens); `sent` counts them. */
export function harnessOn<H extends Harness>(h: H, app: App): H & { sent: { calls: number } } {
  const sent = { calls: 0 };
  function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
    sent.calls++;
    return requestApp<T>(app, method, path, options);
  }
  return { ...h, app, call, sent };
}
