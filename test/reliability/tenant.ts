/**
 * Helpers for tenant-isolation and privacy checks: a raw request that keeps the bytes (so an xlsx
 * download can be read back as text), and a scanner that finds another tenant's secrets (names,
 * ID numbers full or masked, private ids, money amounts) in whatever came back, ignoring what the
 * request itself carried.
 */
import ExcelJS from 'exceljs';
import { XLSX_TYPE } from '../../shared/http/tabular.js';
import { maskNationalId } from '../../shared/domain/national-id.js';
import type { Harness } from '../support/harness.js';

export interface RawResult {
  status: number;
  headers: Headers;
  /** The body as text; an xlsx workbook is flattened to its cell values (tab- and line-separated). */
  text: string;
  body: any;
}

export interface RawRequest {
  method: string;
  path: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  now?: string;
}

/** The text of every cell of every sheet of a workbook. */
export async function workbookText(bytes: Uint8Array): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const lines: string[] = [];
  workbook.eachSheet((sheet) => {
    lines.push(`# ${sheet.name}`);
    sheet.eachRow((row) => lines.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v))).join('\t')));
  });
  return lines.join('\n');
}

export async function send(h: Pick<Harness, 'app'>, req: RawRequest): Promise<RawResult> {
  const headers: Record<string, string> = { ...req.headers };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  if (req.now) headers['x-clock-now'] = req.now;
  let body: string | undefined;
  if (req.body !== undefined) {
    body = JSON.stringify(req.body);
    headers['content-type'] = 'application/json';
  }
  const res = await h.app.request(req.path, { method: req.method, headers, ...(body !== undefined ? { body } : {}) });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  const text = type.startsWith(XLSX_TYPE) && res.status === 200 ? await workbookText(bytes) : new TextDecoder().decode(bytes);
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // CSV, xlsx text, HTML
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** What one tenant must never see of another. */
export interface Secrets {
  /** Trainee and mentor names, the cohort's name. */
  names: string[];
  /** Full national ID numbers (their masked forms are derived). */
  idNumbers: string[];
  /** Cohort, trainee, line and demand ids. */
  privateIds: string[];
  /** Organisation ids (public in the catalogue, private everywhere else). */
  orgIds: string[];
  /** Amounts in fen (also looked for as yuan with two decimals). */
  amountsFen: number[];
}

export interface Leak {
  kind: 'name' | 'idNumber' | 'maskedIdNumber' | 'privateId' | 'orgId' | 'amount';
  value: string;
}

const notInside = (text: string, value: string) => {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![0-9.])${escaped}(?![0-9])`).test(text);
};

/** The secrets found in `text` that `request` (path, query, body as sent) did not itself contain. */
export function leaksIn(text: string, request: string, secrets: Secrets, options: { orgIdsPublic?: boolean } = {}): Leak[] {
  const found: Leak[] = [];
  const check = (kind: Leak['kind'], value: string, present: boolean) => {
    if (value && present && !request.includes(value)) found.push({ kind, value });
  };
  for (const v of secrets.names) check('name', v, text.includes(v));
  for (const v of secrets.idNumbers) {
    check('idNumber', v, text.includes(v));
    check('maskedIdNumber', maskNationalId(v), text.includes(maskNationalId(v)));
  }
  for (const v of secrets.privateIds) check('privateId', v, text.includes(v));
  if (!options.orgIdsPublic) for (const v of secrets.orgIds) check('orgId', v, text.includes(v));
  for (const fen of secrets.amountsFen) {
    check('amount', String(fen), notInside(text, String(fen)));
    check('amount', (fen / 100).toFixed(2), notInside(text, (fen / 100).toFixed(2)));
  }
  return found;
}
