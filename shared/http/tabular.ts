/**
 * Tables as files: the training ledger (培训台账) and the bureau's disbursement statement are
 * downloaded as CSV or Excel. One column list drives both formats.
 *
 * - CSV: UTF-8 with BOM (so Excel opens Chinese text correctly), CRLF, RFC 4180 quoting, and a
 *   guard against CSV/formula injection (OWASP): a text cell starting with = + - @ TAB or CR gets
 *   a leading apostrophe.
 * - XLSX: exceljs, loaded lazily on the first export only, so the API bundle stays small (it is
 *   shipped as an external node module).
 *
 * Money (kind 'fen') is integer fen in the data; it is written as yuan with two decimals.
 */
import type { Context } from 'hono';

export type ColumnKind = 'text' | 'number' | 'date' | 'fen';
export type CellValue = string | number | null | undefined;

export interface Column<T> {
  /** Column heading, in Chinese (e.g. 姓名, 补贴金额（元）). */
  header: string;
  value: (row: T) => CellValue;
  /** Spreadsheet column width in characters. */
  width?: number;
  /** Default 'text'. 'fen' = integer fen, shown as yuan with two decimals. 'date' = 'YYYY-MM-DD'. */
  kind?: ColumnKind;
}

export type TableFormat = 'json' | 'csv' | 'xlsx';

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const BOM = '\uFEFF';
const CRLF = '\r\n';

/**
 * Integer fen → yuan with exactly two decimals, by integer arithmetic only: 666667 → '6666.67',
 * 5 → '0.05', -5 → '-0.05'. Throws on anything that is not a whole number of fen.
 */
export function formatFen(fen: number | bigint): string {
  if (typeof fen === 'number' && !Number.isSafeInteger(fen)) throw new RangeError(`Not a whole number of fen: ${fen}`);
  const n = BigInt(fen);
  const abs = n < 0n ? -n : n;
  const yuan = abs / 100n;
  const cents = abs % 100n;
  return `${n < 0n ? '-' : ''}${yuan}.${cents.toString().padStart(2, '0')}`;
}

/** CSV/formula injection guard: cells that a spreadsheet would read as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The text of one CSV cell before quoting. */
function csvCellText(kind: ColumnKind, value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (kind === 'fen') return formatFen(typeof value === 'number' ? value : parseFenString(value));
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    // A JS number is data, never a formula; written as is (also in text columns).
    return String(value);
  }
  return FORMULA_START.test(value) ? `'${value}` : value;
}

function parseFenString(value: string): bigint {
  if (!/^-?\d+$/.test(value.trim())) throw new RangeError(`Not a whole number of fen: ${value}`);
  return BigInt(value.trim());
}

/** RFC 4180: quote a field containing a quote, comma, CR or LF; double inner quotes. */
function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole table as CSV: BOM, header line, one line per row, each line ending in CRLF. */
export function toCsv<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const lines = [columns.map((col) => quote(csvCellText('text', col.header))).join(',')];
  for (const row of rows) {
    lines.push(columns.map((col) => quote(csvCellText(col.kind ?? 'text', col.value(row)))).join(','));
  }
  return BOM + lines.map((l) => l + CRLF).join('');
}

/** Excel's sheet-name rules: at most 31 characters, none of : \ / ? * [ ], not blank. */
function safeSheetName(name: string): string {
  const cleaned = name.replace(/[:\\/?*[\]]/g, '_').replace(/^'+|'+$/g, '').trim().slice(0, 31);
  return cleaned || 'Sheet1';
}

type ExcelJsModule = typeof import('exceljs');

let excel: Promise<ExcelJsModule> | undefined;
/** exceljs is large: loaded on the first export, not when the API starts. */
function loadExcel(): Promise<ExcelJsModule> {
  excel ??= import('exceljs').then((mod) => ((mod as { default?: ExcelJsModule }).default ?? mod) as ExcelJsModule);
  return excel;
}

/** The table as an .xlsx workbook of one sheet with a bold, frozen header row. */
export async function toXlsx<T>(sheetName: string, columns: readonly Column<T>[], rows: readonly T[]): Promise<Uint8Array> {
  const ExcelJS = await loadExcel();
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'apprenticeship-cohorts';
  const sheet = workbook.addWorksheet(safeSheetName(sheetName), { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
  sheet.columns = columns.map((col, i) => ({
    key: `c${i}`,
    width: col.width ?? Math.max(10, Math.min(60, displayWidth(col.header) + 2)),
    style: col.kind === 'fen' ? { numFmt: '#,##0.00' } : col.kind === 'number' ? {} : { numFmt: '@' },
  }));
  const header = sheet.addRow(columns.map((col) => xmlSafe(col.header)));
  header.font = { bold: true };
  for (const row of rows) {
    // Strings are written as string cells, never as formulas, so no injection guard is needed here.
    sheet.addRow(columns.map((col) => xlsxCell(col.kind ?? 'text', col.value(row))));
  }
  const buffer = await workbook.xlsx.writeBuffer();
  return new Uint8Array(buffer as ArrayBuffer);
}

function xlsxCell(kind: ColumnKind, value: CellValue): string | number | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'fen': {
      const fen = typeof value === 'number' ? value : Number(parseFenString(value));
      if (!Number.isSafeInteger(fen)) throw new RangeError(`Not a whole number of fen: ${value}`);
      // Display only: a spreadsheet cell holds an IEEE double, and a user expects to sum a money
      // column, so the cell gets the yuan amount (fen / 100, at most one rounding of 1e-16) shown
      // with '#,##0.00'. The exact integer fen stay in the API, the CSV and every computation.
      return fen / 100;
    }
    case 'number':
      return value;
    case 'date':
      // Dates stay text 'YYYY-MM-DD': an Excel date serial would shift with the reader's time zone.
      return typeof value === 'number' ? String(value) : xmlSafe(value);
    default:
      return typeof value === 'number' ? String(value) : xmlSafe(value);
  }
}

/**
 * Characters XML 1.0 cannot carry (control characters, lone surrogates) would make Excel refuse
 * the whole file, so they are dropped; line breaks become LF, as Excel writes them in a cell.
 */
function xmlSafe(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
}

/** Rough width of a heading: CJK characters take two columns. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\uffff]/.test(ch) ? 2 : 1;
  return w;
}

/**
 * The format asked for in an Accept header: 'csv' for text/csv, 'xlsx' for the spreadsheetml
 * type, 'json' otherwise. Quality values count (q=0 refuses a type); on equal quality the more
 * specific media range wins, then the one listed first.
 */
export function negotiate(accept: string | undefined): TableFormat {
  if (!accept) return 'json';
  let best: { format: TableFormat; q: number; specificity: number } | undefined;
  for (const part of accept.split(',')) {
    const [rawType = '', ...params] = part.split(';');
    const type = rawType.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const [name, val] = p.split('=').map((s) => s.trim());
      if (name?.toLowerCase() === 'q') {
        const parsed = Number(val);
        q = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0;
      }
    }
    const match: [TableFormat, number] | undefined =
      type === 'text/csv' ? ['csv', 2]
      : type === XLSX_TYPE ? ['xlsx', 2]
      : type === 'application/json' ? ['json', 2]
      : type === 'application/*' ? ['json', 1]
      : type === '*/*' ? ['json', 0]
      : undefined;
    if (!match || q <= 0) continue;
    const [format, specificity] = match;
    if (!best || q > best.q || (q === best.q && specificity > best.specificity)) best = { format, q, specificity };
  }
  return best?.format ?? 'json';
}

/**
 * RFC 6266 Content-Disposition for a download: an ASCII `filename` for old clients and the real
 * (Chinese) name as RFC 5987 `filename*=UTF-8''…`.
 */
export function contentDisposition(filename: string): string {
  const name = filename.replace(/[\u0000-\u001f\u007f/\\]/g, '_');
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const asciiStem = stem
    .replace(/[^\x20-\x7e]|["\\%;]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/^[\s._-]+|[\s._-]+$/g, '');
  const asciiExt = ext.replace(/[^A-Za-z0-9.]/g, '');
  const fallback = `${asciiStem || 'export'}${asciiExt}`;
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/** Percent-encodes everything but RFC 5987 attr-char. */
function encodeRfc5987(s: string): string {
  return encodeURIComponent(s).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface TableDownload<T> {
  /** File name without extension (Chinese allowed); '.csv' or '.xlsx' is appended. */
  filename: string;
  sheetName: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  format: Exclude<TableFormat, 'json'>;
}

/** The table as a file download (the caller answers JSON itself when negotiate() says 'json'). */
export async function sendTable<T>(c: Context, table: TableDownload<T>): Promise<Response> {
  const ext = `.${table.format}`;
  const base = table.filename.toLowerCase().endsWith(ext) ? table.filename.slice(0, -ext.length) : table.filename;
  const headers = {
    'content-disposition': contentDisposition(base + ext),
    // Ledgers and statements carry personal data: never cached by a proxy or the browser.
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    vary: 'Accept',
  };
  if (table.format === 'csv') {
    return c.body(toCsv(table.columns, table.rows), 200, { ...headers, 'content-type': CSV_TYPE });
  }
  const bytes = await toXlsx(table.sheetName, table.columns, table.rows);
  return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { ...headers, 'content-type': XLSX_TYPE });
}
