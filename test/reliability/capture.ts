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
  async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
    sent.calls++;
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.now) headers['x-clock-now'] = options.now;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // CSV, HTML: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
  return { ...h, app, call, sent };
}
