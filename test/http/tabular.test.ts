import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ExcelJS from 'exceljs';
import { Hono } from 'hono';
import { contentDisposition, formatFen, negotiate, sendTable, toCsv, toXlsx, XLSX_TYPE, type Column } from '../../shared/http/tabular.js';

interface Row {
  name: string;
  note?: string | null;
  hours: number;
  amountFen: number;
  assessedOn: string;
}

const columns: Column<Row>[] = [
  { header: '姓名', value: (r) => r.name, width: 12 },
  { header: '备注', value: (r) => r.note },
  { header: '学时', value: (r) => r.hours, kind: 'number' },
  { header: '补贴金额（元）', value: (r) => r.amountFen, kind: 'fen', width: 16 },
  { header: '考核日期', value: (r) => r.assessedOn, kind: 'date' },
];

const rows: Row[] = [
  { name: '张三', note: '中级工, 车工', hours: 1200, amountFen: 666667, assessedOn: '2027-09-15' },
  { name: '李"四"', note: '第一行\r\n第二行', hours: 0, amountFen: 0, assessedOn: '2027-09-16' },
  { name: '=HYPERLINK("http://evil","x")', note: null, hours: 8, amountFen: 5, assessedOn: '2027-09-17' },
  { name: '王五', hours: 16, amountFen: 100, assessedOn: '2027-09-18' },
];

/** A strict RFC 4180 reader, to check what toCsv writes. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '\n' || text[i] === '"') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
        field += text[i++];
      }
    }
    row.push(field);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      out.push(row);
      row = [];
      i += 2;
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  if (row.length) throw new Error('last line without CRLF');
  return out;
}

describe('formatFen: integer fen → yuan with two decimals, integer math', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [99, '0.99'],
    [100, '1.00'],
    [666667, '6666.67'],
    [500000, '5000.00'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
    [-5, '-0.05'],
  ])('%i fen → %s', (fen, text) => expect(formatFen(fen)).toBe(text));

  it('refuses fractions of a fen and non-numbers', () => {
    expect(() => formatFen(0.5)).toThrow(RangeError);
    expect(() => formatFen(Number.NaN)).toThrow(RangeError);
    expect(() => formatFen(2 ** 53)).toThrow(RangeError);
  });

  it('reads back to the same integer for every safe integer (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (fen) => {
        const text = formatFen(fen);
        expect(text).toMatch(/^-?\d+\.\d{2}$/);
        expect(BigInt(text.replace('.', ''))).toBe(BigInt(fen));
      }),
    );
  });
});

describe('toCsv', () => {
  const csv = toCsv(columns, rows);

  it('starts with a UTF-8 BOM and ends every line with CRLF', () => {
    expect(csv.startsWith('\uFEFF姓名,备注,学时,补贴金额（元）,考核日期\r\n')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const bytes = new TextEncoder().encode(csv);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    const lines = csv.slice(1).split('\r\n');
    expect(lines[1]).toBe('张三,"中级工, 车工",1200,6666.67,2027-09-15');
    expect(csv).toContain('"李""四""","第一行\r\n第二行",0,0.00,2027-09-16\r\n');
    expect(parseCsv(csv.slice(1))).toEqual([
      ['姓名', '备注', '学时', '补贴金额（元）', '考核日期'],
      ['张三', '中级工, 车工', '1200', '6666.67', '2027-09-15'],
      ['李"四"', '第一行\r\n第二行', '0', '0.00', '2027-09-16'],
      [`'=HYPERLINK("http://evil","x")`, '', '8', '0.05', '2027-09-17'],
      ['王五', '', '16', '1.00', '2027-09-18'],
    ]);
  });

  it('guards against formula injection: text starting with = + - @ TAB CR gets an apostrophe', () => {
    const cols: Column<string>[] = [{ header: '值', value: (s) => s }];
    const cells = parseCsv(toCsv(cols, ['=1+1', '+86 510', '-2', '@SUM(A1)', '\tx', '\rx', "'already", 'a=b', ' =1']).slice(1))
      .slice(1)
      .map((r) => r[0]);
    expect(cells).toEqual(["'=1+1", "'+86 510", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "'already", 'a=b', ' =1']);
    // Numbers are data: a negative number in a number column is not a formula.
    expect(toCsv([{ header: 'n', value: (n: number) => n, kind: 'number' }], [-3])).toBe('\uFEFFn\r\n-3\r\n');
  });

  it('writes fen columns from integers only, never through floating point', () => {
    const cols: Column<number | string>[] = [{ header: '金额', value: (v) => v, kind: 'fen' }];
    expect(toCsv(cols, [0, 5, 100, 666667, '12345'])).toBe('\uFEFF金额\r\n0.00\r\n0.05\r\n1.00\r\n6666.67\r\n123.45\r\n');
    expect(() => toCsv(cols, [1.5])).toThrow(RangeError);
    expect(() => toCsv(cols, ['12.5'])).toThrow(RangeError);
  });

  it('any text survives a round trip through a strict RFC 4180 reader (property)', () => {
    const cols: Column<string[]>[] = [0, 1, 2].map((i) => ({ header: `列${i}`, value: (r: string[]) => r[i] }));
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 3, maxLength: 3 }), { maxLength: 10 }), (data) => {
        const parsed = parseCsv(toCsv(cols, data).slice(1));
        expect(parsed.slice(1)).toEqual(data.map((r) => r.map((s) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s))));
      }),
    );
  });
});

describe('toXlsx', () => {
  it('round trip: Chinese headers, bold frozen header row, widths, yuan numbers, dates as text', async () => {
    const bytes = await toXlsx('培训台账', columns, rows);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...bytes.slice(0, 2)]).toEqual([0x50, 0x4b]); // a zip (PK)
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('培训台账')!;
    expect(sheet).toBeDefined();
    expect(sheet.getRow(1).values).toEqual([undefined, '姓名', '备注', '学时', '补贴金额（元）', '考核日期']);
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getColumn(1).width).toBe(12);
    expect(sheet.getColumn(4).width).toBe(16);
    expect(sheet.rowCount).toBe(5);

    const first = sheet.getRow(2);
    expect(first.getCell(1).value).toBe('张三');
    expect(first.getCell(3).value).toBe(1200);
    expect(first.getCell(4).value).toBe(6666.67);
    expect(first.getCell(4).numFmt).toBe('#,##0.00');
    expect(first.getCell(5).value).toBe('2027-09-15');
    expect(typeof first.getCell(5).value).toBe('string');
    expect(sheet.getRow(3).getCell(2).value).toBe('第一行\n第二行'); // a cell's line break is LF
    expect(sheet.getRow(3).getCell(4).value).toBe(0);
    // A formula-looking name is a plain string cell, not a formula.
    const evil = sheet.getRow(4).getCell(1);
    expect(evil.value).toBe('=HYPERLINK("http://evil","x")');
    expect(evil.formula).toBeUndefined();
    expect(sheet.getRow(4).getCell(2).value).toBeNull();
    expect(sheet.getRow(4).getCell(4).value).toBe(0.05);
    expect(sheet.getRow(5).getCell(4).value).toBe(1);
  });

  it('drops characters XML cannot carry, which would make Excel refuse the file', async () => {
    const cols: Column<string>[] = [{ header: '备注', value: (s) => s }];
    const bytes = await toXlsx('t', cols, ['a\u0001b\u0000c\u001f', 'x\ud800y', '😀\tz']);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('t')!;
    expect([2, 3, 4].map((r) => sheet.getRow(r).getCell(1).value)).toEqual(['abc', 'xy', '😀\tz']);
  });

  it('cleans a sheet name Excel would refuse', async () => {
    const bytes = await toXlsx('补贴/拨付明细[2027]:一季度?*超过三十一个字符的名称会被截断', columns, []);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    const [sheet] = workbook.worksheets;
    expect(sheet!.name).not.toMatch(/[:\\/?*[\]]/);
    expect(sheet!.name.length).toBeLessThanOrEqual(31);
    expect(sheet!.rowCount).toBe(1);
  });
});

describe('negotiate', () => {
  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['application/json', 'json'],
    ['*/*', 'json'],
    ['text/html,application/xhtml+xml,*/*;q=0.8', 'json'],
    ['text/csv', 'csv'],
    ['Text/CSV; charset=utf-8', 'csv'],
    [XLSX_TYPE, 'xlsx'],
    [`${XLSX_TYPE}, */*;q=0.1`, 'xlsx'],
    ['text/csv, */*', 'csv'],
    ['application/json, text/csv;q=0.5', 'json'],
    ['application/json;q=0.5, text/csv', 'csv'],
    [`text/csv;q=0.9, ${XLSX_TYPE}`, 'xlsx'],
    ['text/csv;q=0', 'json'],
    ['application/pdf', 'json'],
  ] as const)('%j → %s', (accept, format) => expect(negotiate(accept)).toBe(format));
});

describe('contentDisposition (RFC 6266 / RFC 5987)', () => {
  it('gives an ASCII fallback and the UTF-8 Chinese name percent-encoded', () => {
    const header = contentDisposition('培训台账-01JCOHORT.csv');
    expect(header).toBe(
      `attachment; filename="01JCOHORT.csv"; filename*=UTF-8''%E5%9F%B9%E8%AE%AD%E5%8F%B0%E8%B4%A6-01JCOHORT.csv`,
    );
    expect(decodeURIComponent(header.split("UTF-8''")[1]!)).toBe('培训台账-01JCOHORT.csv');
  });

  it('never lets quotes, separators or control characters through', () => {
    const header = contentDisposition('补贴"明细";\r\n(2027)\'*/..\\x.xlsx');
    expect(header).not.toMatch(/[\r\n]/);
    const [, fallback, encoded] = /^attachment; filename="([^"]*)"; filename\*=UTF-8''(.+)$/.exec(header)!;
    expect(fallback).toMatch(/^[\x20-\x7e]+\.xlsx$/);
    expect(encoded).toMatch(/^[A-Za-z0-9!#$&+\-.^_`|~%]+$/);
    expect(decodeURIComponent(encoded!)).not.toMatch(/[/\\\r\n]/);
  });

  it('falls back to "export" for a name with no ASCII at all', () => {
    expect(contentDisposition('拨付明细.xlsx')).toMatch(/^attachment; filename="export\.xlsx"; /);
  });
});

describe('sendTable', () => {
  const app = new Hono();
  app.get('/t', async (c) => {
    const format = negotiate(c.req.header('accept'));
    if (format === 'json') return c.json({ items: rows });
    return sendTable(c, { filename: '培训台账-01JCOHORT', sheetName: '培训台账', columns, rows, format });
  });

  it('answers CSV with its content type and a download name', async () => {
    const res = await app.request('/t', { headers: { accept: 'text/csv' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''%E5%9F%B9%E8%AE%AD%E5%8F%B0%E8%B4%A6-01JCOHORT.csv`);
    expect(res.headers.get('content-disposition')).toContain('filename="01JCOHORT.csv"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)).toBe(toCsv(columns, rows));
  });

  it('answers XLSX as a workbook that Excel can read', async () => {
    const res = await app.request('/t', { headers: { accept: XLSX_TYPE } });
    expect(res.headers.get('content-type')).toBe(XLSX_TYPE);
    expect(res.headers.get('content-disposition')).toContain('filename="01JCOHORT.xlsx"');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    expect(workbook.getWorksheet('培训台账')!.getRow(2).getCell(4).value).toBe(6666.67);
  });

  it('leaves JSON to the caller', async () => {
    const res = await app.request('/t');
    expect(res.headers.get('content-type')).toContain('application/json');
  });
});
