/**
 * The files people use: the training ledger (培训台账, GET /v1/cohorts/{id}/ledger) and the paying
 * bureau's statement (补贴发放对账单, GET /v1/disbursements/statement), as JSON, CSV and xlsx.
 * R-PRIV-1 must hold in every format: a file is the easiest way for an ID number to leak.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createHarness } from '../support/harness.js';
import { classDraft, createWorld, ok, toClosingReview, toPlanned, type World } from '../support/world.js';
import { maskNationalId } from '../../shared/domain/national-id.js';
import { XLSX_TYPE } from '../../shared/http/tabular.js';
import { percentOfBasisPoints } from '../../shared/http/routes/exports.js';

const LEDGER_HEADERS = ['学徒姓名', '身份证号', '所在企业', '参保属地', '企业导师', '院校导师', '状态', '离职日期', '考核方式', '考核日期', '考核结果', '证书编号', '补贴月数', '补贴金额（元）'];
const STATEMENT_HEADERS = ['补贴明细编号', '班级编号', '班级名称', '受款企业', '受款企业统一社会信用代码', '参保属地', '学徒人数', '补贴金额（元）', '市级分担（元）', '区级分担（元）', '市级分担比例', '政策版本', '资金来源', '状态', '审批日期', '支付日期', '支付凭证号'];

let w: World;
let cohortId: string;
let trainees: { id: string; enterpriseId: string; insuredDistrict: string; idNumber: string; name: string }[];
const outcomes = ['passed', 'departed', 'passed', 'passed', 'failed'] as const;

/** Minimal RFC 4180 reader (fields here never contain line breaks). */
function csvRows(text: string): string[][] {
  expect(text.startsWith('\uFEFF')).toBe(true);
  const lines = text.slice(1).split('\r\n');
  expect(lines.pop()).toBe('');
  return lines.map((line) => {
    const out: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') { out.push(field); field = ''; } else field += ch;
    }
    out.push(field);
    return out;
  });
}

async function download(path: string, token: string, accept: string) {
  const res = await w.h.app.request(path, { headers: { authorization: `Bearer ${token}`, accept } });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

async function sheetOf(bytes: Uint8Array, name: string) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet(name)!;
  expect(sheet).toBeDefined();
  const rows: unknown[][] = [];
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

beforeAll(async () => {
  w = await createWorld(await createHarness());
  const { orgs, tokens } = w;
  const draft = await classDraft(w, {
    participants: [
      { id: orgs.smeA.id, token: tokens.smeA, insured: ['320214', '320214'] },
      { id: orgs.smeB.id, token: tokens.smeB, insured: ['320211', '320214'] },
      { id: orgs.smeC.id, token: tokens.smeC, insured: ['320213'] },
    ],
  });
  ({ cohortId, trainees } = draft);
  // SME B brings its own enterprise mentor; SME C has none (its trainees show none).
  await ok(w, 201, 'POST', `/v1/cohorts/${cohortId}/mentors`, { token: tokens.chamber, now: draft.now, body: { kind: 'enterprise', name: '赵工', organizationId: orgs.smeB.id } });
  await toPlanned(w, cohortId, { organizer: tokens.chamber, bureau: tokens.xinwu, experts: ['e1', 'e2', 'e3'], expertTokens: tokens.experts.slice(0, 3) });
  await toClosingReview(w, {
    cohortId, organizer: tokens.chamber,
    participants: [{ id: orgs.smeA.id, token: tokens.smeA }, { id: orgs.smeB.id, token: tokens.smeB }, { id: orgs.smeC.id, token: tokens.smeC }],
    bureaus: [tokens.xinwu, tokens.binhu, tokens.liangxi], trainees, outcome: (_t, i) => outcomes[i]!,
  });
}, 60_000);

describe('GET /v1/cohorts/{id}/ledger — 培训台账', () => {
  it('before the closing is accepted: one row per trainee, subsidy columns still empty', async () => {
    const ledger = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/ledger`, { token: w.tokens.chamber });
    expect(ledger.subsidyFinal).toBe(false);
    expect(ledger.items).toHaveLength(5);
    expect(ledger.items.every((r: Record<string, unknown>) => r.subsidyMonths === undefined && r.subsidyAmountFen === undefined)).toBe(true);
  });

  describe('after the closing is accepted', () => {
    let lines: { traineeIds: string[]; trainees: { traineeId: string; months: number; amountFen: number }[] }[];
    beforeAll(async () => {
      // 07:00 in Wuxi is still 24 August in UTC: the statement must count the CST day (SPEC §Time).
      await ok(w, 200, 'POST', `/v1/cohorts/${cohortId}/closing/accept`, { token: w.tokens.xinwu, now: '2027-08-25T07:00:00+08:00' });
      lines = (await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/subsidy`, { token: w.tokens.xinwu })).lines;
    });

    it('JSON: mentors, outcome and subsidy per trainee; nothing for the departed and failed trainee (R-SUB-3)', async () => {
      const ledger = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/ledger`, { token: w.tokens.xinwu });
      expect(ledger.subsidyFinal).toBe(true);
      const detail = new Map(lines.flatMap((l) => l.trainees.map((t) => [t.traineeId, t] as const)));
      expect(ledger.totalSubsidyFen).toBe([...detail.values()].reduce((s, t) => s + t.amountFen, 0));
      const byId = new Map(ledger.items.map((r: { traineeId: string }) => [r.traineeId, r]));
      for (const [i, t] of trainees.entries()) {
        const row = byId.get(t.id) as Record<string, unknown>;
        expect(row).toMatchObject({ name: t.name, enterpriseId: t.enterpriseId, insuredDistrict: t.insuredDistrict, schoolMentors: ['李老师'], status: outcomes[i] });
        expect(row.enterpriseMentors).toEqual(t.enterpriseId === w.orgs.smeA.id ? ['王师傅'] : t.enterpriseId === w.orgs.smeB.id ? ['赵工'] : []);
        if (outcomes[i] === 'passed') {
          expect(row).toMatchObject({ passed: true, assessedOn: '2027-08-10', assessmentMethod: 'third_party', subsidyMonths: 11, subsidyAmountFen: detail.get(t.id)!.amountFen });
          expect(row.certificateNo).toMatch(/^S\d{6}$/);
        } else {
          expect(row).toMatchObject({ subsidyMonths: 0, subsidyAmountFen: 0 });
        }
        if (outcomes[i] === 'departed') expect(row.leftOn).toBe('2027-01-10');
        if (outcomes[i] === 'failed') expect(row.passed).toBe(false);
      }
    });

    it('R-PRIV-1: each caller sees exactly the ID numbers GET trainees shows it; bureaus and auditors in full, others masked', async () => {
      const { tokens, orgs } = w;
      const callers: [string, string, (t: { enterpriseId: string }) => boolean][] = [
        ['chamber (organiser)', tokens.chamber, () => false],
        ['provider', tokens.provider, () => false],
        ['SME A', tokens.smeA, (t) => t.enterpriseId === orgs.smeA.id],
        ['SME B', tokens.smeB, (t) => t.enterpriseId === orgs.smeB.id],
        ['competent bureau', tokens.xinwu, () => true],
        ['filing bureau', tokens.liangxi, () => true],
        ['auditor', tokens.auditor, () => true],
        ['expert', tokens.experts[0]!, () => false],
      ];
      for (const [who, token, full] of callers) {
        const ledger = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/ledger`, { token });
        const listed = await ok(w, 200, 'GET', `/v1/cohorts/${cohortId}/trainees?limit=200`, { token });
        const shown = new Map(listed.items.map((t: { id: string; idNumber: string }) => [t.id, t.idNumber]));
        for (const t of trainees) {
          const row = ledger.items.find((r: { traineeId: string }) => r.traineeId === t.id);
          const want = full(t) ? t.idNumber : maskNationalId(t.idNumber);
          expect(row.idNumber, `${who} / ${t.name}`).toBe(want);
          expect(row.idNumber, `${who} / ${t.name}: same as GET trainees`).toBe(shown.get(t.id));
        }
      }
      // Not a party: the cohort does not exist for it.
      expect((await w.h.call('GET', `/v1/cohorts/${cohortId}/ledger`, { token: tokens.hq })).status).toBe(404);
      expect((await w.h.call('GET', `/v1/cohorts/${cohortId}/ledger`, { token: tokens.cityBureau })).status).toBe(404);
    });

    it('CSV for SME A: BOM, Chinese headings, its own trainees’ IDs in full and no other full ID anywhere in the file', async () => {
      const file = await download(`/v1/cohorts/${cohortId}/ledger`, w.tokens.smeA, 'text/csv');
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename=".*\.csv"; filename\*=UTF-8''%E5%9F%B9%E8%AE%AD%E5%8F%B0%E8%B4%A6/);
      expect(file.headers.get('cache-control')).toBe('no-store');
      const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(file.bytes);
      const [header, ...rows] = csvRows(text);
      expect(header).toEqual(LEDGER_HEADERS);
      expect(rows).toHaveLength(5);
      for (const t of trainees) {
        const row = rows.find((r) => r[0] === t.name)!;
        const own = t.enterpriseId === w.orgs.smeA.id;
        expect(row[1]).toBe(own ? t.idNumber : maskNationalId(t.idNumber));
        if (!own) expect(text.includes(t.idNumber)).toBe(false);
      }
      const smeA = await ok(w, 200, 'GET', `/v1/organizations/${w.orgs.smeA.id}`, { token: w.tokens.smeA });
      const first = rows.find((r) => r[0] === trainees[0]!.name)!;
      expect(first.slice(2, 14)).toEqual([smeA.name, '320214', '王师傅', '李老师', '考核合格', '', '第三方评价', '2027-08-10', '合格', expect.stringMatching(/^S\d{6}$/), '11', '4583.33']);
      const departed = rows.find((r) => r[0] === trainees[1]!.name)!;
      expect(departed.slice(6, 14)).toEqual(['已离职', '2027-01-10', '', '', '', '', '0', '0.00']);
      const failed = rows.find((r) => r[0] === trainees[4]!.name)!;
      expect(failed[6]).toBe('考核不合格');
      expect(failed[10]).toBe('不合格');
    });

    it('xlsx for the provider: a real workbook, every ID number masked', async () => {
      const file = await download(`/v1/cohorts/${cohortId}/ledger`, w.tokens.provider, XLSX_TYPE);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe(XLSX_TYPE);
      expect([...file.bytes.slice(0, 2)]).toEqual([0x50, 0x4b]); // a zip container
      const rows = await sheetOf(file.bytes, '培训台账');
      expect(rows[0]).toEqual(LEDGER_HEADERS);
      expect(rows).toHaveLength(6);
      for (const t of trainees) {
        const row = rows.find((r) => r[0] === t.name)!;
        expect(row[1]).toBe(maskNationalId(t.idNumber));
      }
      const passed = rows.find((r) => r[0] === trainees[0]!.name)!;
      expect(passed[12]).toBe(11);
      expect(passed[13]).toBeCloseTo(4583.33, 2);
    });

    it('?format= overrides Accept; Accept: application/json answers JSON', async () => {
      const csv = await download(`/v1/cohorts/${cohortId}/ledger?format=csv`, w.tokens.chamber, 'application/json');
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const json = await download(`/v1/cohorts/${cohortId}/ledger`, w.tokens.chamber, 'application/json');
      expect(json.headers.get('content-type')).toMatch(/^application\/json/);
      expect((await w.h.call('GET', `/v1/cohorts/${cohortId}/ledger?format=pdf`, { token: w.tokens.chamber })).status).toBe(400);
    });
  });
});

describe('GET /v1/disbursements/statement — 补贴发放对账单', () => {
  let xinwuLines: { id: string; payeeId: string; amountFen: number; cityShareFen: number; districtShareFen: number; traineeIds: string[] }[];
  beforeAll(async () => {
    xinwuLines = (await ok(w, 200, 'GET', '/v1/disbursements?limit=200', { token: w.tokens.xinwu })).items;
    // One line approved and paid in September, the others still pending since the closing (2027-08-25).
    const paid = xinwuLines.find((l) => l.payeeId === w.orgs.smeA.id)!;
    await ok(w, 200, 'POST', `/v1/disbursements/${paid.id}/approve`, { token: w.tokens.xinwu, now: '2027-09-02T10:00:00+08:00', body: { fundingSource: 'employment_subsidy' } });
    await ok(w, 200, 'POST', `/v1/disbursements/${paid.id}/pay`, { token: w.tokens.xinwu, now: '2027-09-05T10:00:00+08:00', body: { paidOn: '2027-09-05', reference: '国库集中支付 2027-0905-01' } });
  });

  it('JSON: the bureau’s own lines with payee names and credit codes, and totals', async () => {
    const st = await ok(w, 200, 'GET', '/v1/disbursements/statement?from=2027-08-01&to=2027-09-30', { token: w.tokens.xinwu });
    expect(st.bureauId).toBe(w.orgs.xinwu.id);
    expect(st.items.map((l: { id: string }) => l.id).sort()).toEqual(xinwuLines.map((l) => l.id).sort());
    const orgs = await Promise.all(st.items.map((l: { payeeId: string }) => ok(w, 200, 'GET', `/v1/organizations/${l.payeeId}`, { token: w.tokens.xinwu })));
    st.items.forEach((l: { payeeName: string; payeeCreditCode: string; cohortName: string }, i: number) => {
      expect(l.payeeName).toBe(orgs[i].name);
      expect(l.payeeCreditCode).toBe(orgs[i].creditCode);
      expect(l.cohortName).toBe('数控车工联合组班');
    });
    expect(st.totals).toMatchObject({
      lines: xinwuLines.length,
      amountFen: xinwuLines.reduce((s, l) => s + l.amountFen, 0),
      cityShareFen: xinwuLines.reduce((s, l) => s + l.cityShareFen, 0),
      districtShareFen: xinwuLines.reduce((s, l) => s + l.districtShareFen, 0),
      trainees: xinwuLines.reduce((s, l) => s + l.traineeIds.length, 0),
      paidFen: xinwuLines.find((l) => l.payeeId === w.orgs.smeA.id)!.amountFen,
    });
    // Other bureaus' lines never appear in this bureau's statement.
    const binhu = await ok(w, 200, 'GET', '/v1/disbursements/statement?from=2027-01-01&to=2027-12-31', { token: w.tokens.binhu });
    expect(binhu.items.every((l: { payerBureauId: string }) => l.payerBureauId === w.orgs.binhu.id)).toBe(true);
    expect(binhu.items.some((l: { id: string }) => xinwuLines.some((x) => x.id === l.id))).toBe(false);
  });

  it('the period selects by latest activity: payment, else approval, else the closing acceptance (CST days)', async () => {
    const sept = await ok(w, 200, 'GET', '/v1/disbursements/statement?from=2027-09-01&to=2027-09-30', { token: w.tokens.xinwu });
    expect(sept.items.map((l: { payeeId: string }) => l.payeeId)).toEqual([w.orgs.smeA.id]);
    const aug = await ok(w, 200, 'GET', '/v1/disbursements/statement?from=2027-08-25&to=2027-08-25', { token: w.tokens.xinwu });
    expect(xinwuLines).toHaveLength(2);
    expect(aug.items.map((l: { payeeId: string }) => l.payeeId)).toEqual([w.orgs.smeB.id]);
    const none = await ok(w, 200, 'GET', '/v1/disbursements/statement?from=2026-01-01&to=2027-08-24', { token: w.tokens.xinwu });
    expect(none.items).toEqual([]);
  });

  it('CSV: Chinese headings, yuan with two decimals, funding source and payment on the paid line', async () => {
    const file = await download('/v1/disbursements/statement?from=2027-08-01&to=2027-09-30', w.tokens.xinwu, 'text/csv');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const [header, ...rows] = csvRows(new TextDecoder('utf-8', { ignoreBOM: true }).decode(file.bytes));
    expect(header).toEqual(STATEMENT_HEADERS);
    expect(rows).toHaveLength(xinwuLines.length);
    const paid = xinwuLines.find((l) => l.payeeId === w.orgs.smeA.id)!;
    const row = rows.find((r) => r[0] === paid.id)!;
    const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
    expect(row.slice(5)).toEqual(['320214', String(paid.traineeIds.length), yuan(paid.amountFen), yuan(paid.cityShareFen), yuan(paid.districtShareFen), '50%', '2024-04-02', '就业补助资金', '已支付', '2027-09-02', '2027-09-05', '国库集中支付 2027-0905-01']);
    expect(row[1]).toBe(cohortId);
    for (const r of rows.filter((r) => r[0] !== paid.id)) expect(r.slice(12)).toEqual(['', '待审批', '', '', '']);
  });

  it('xlsx: a real workbook with the same rows', async () => {
    const file = await download('/v1/disbursements/statement?from=2027-08-01&to=2027-09-30', w.tokens.xinwu, XLSX_TYPE);
    expect(file.headers.get('content-type')).toBe(XLSX_TYPE);
    const rows = await sheetOf(file.bytes, '补贴发放对账单');
    expect(rows[0]).toEqual(STATEMENT_HEADERS);
    expect(rows).toHaveLength(xinwuLines.length + 1);
    const sum = rows.slice(1).reduce((s, r) => s + Math.round((r[7] as number) * 100), 0);
    expect(sum).toBe(xinwuLines.reduce((s, l) => s + l.amountFen, 0));
  });

  it('payer bureaus only (403 for others); from after to or a missing date is 400', async () => {
    for (const token of [w.tokens.smeA, w.tokens.auditor, w.tokens.chamber]) {
      const res = await w.h.call('GET', '/v1/disbursements/statement?from=2027-01-01&to=2027-12-31', { token });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    const reversed = await w.h.call('GET', '/v1/disbursements/statement?from=2027-12-31&to=2027-01-01', { token: w.tokens.xinwu });
    expect(reversed.status).toBe(400);
    expect(reversed.body.code).toBe('VALIDATION_FAILED');
    expect((await w.h.call('GET', '/v1/disbursements/statement?from=2027-01-01', { token: w.tokens.xinwu })).status).toBe(400);
    expect((await w.h.call('GET', '/v1/disbursements/statement?from=2027-02-30&to=2027-03-01', { token: w.tokens.xinwu })).status).toBe(400);
    // An open end is a far date: the request-date bounds (1900–2199) are for data, not for filters.
    expect((await w.h.call('GET', '/v1/disbursements/statement?from=2000-01-01&to=9999-12-31', { token: w.tokens.xinwu })).status).toBe(200);
    expect((await w.h.call('GET', '/v1/disbursements/statement?from=2027-01-01&to=2027-12-31')).status).toBe(401);
  });

  it('both operations are in the OpenAPI document with their three media types', async () => {
    const doc = (await w.h.call('GET', '/openapi.json')).body;
    const statement = doc.paths['/v1/disbursements/statement'].get;
    const ledger = doc.paths['/v1/cohorts/{id}/ledger'].get;
    expect(statement.operationId).toBe('getDisbursementStatement');
    expect(ledger.operationId).toBe('getCohortLedger');
    for (const op of [statement, ledger]) expect(Object.keys(op.responses['200'].content).sort()).toEqual(['application/json', XLSX_TYPE, 'text/csv'].sort());
    expect(statement.tags).toEqual(['Subsidy']);
    expect(ledger.tags).toEqual(['Supervision']);
  });
});

describe('市级分担比例 column', () => {
  it('basis points print as a percentage by integer arithmetic', () => {
    expect([5000, 3333, 5050, 5005, 10000, 0, 1].map(percentOfBasisPoints)).toEqual(['50%', '33.33%', '50.5%', '50.05%', '100%', '0%', '0.01%']);
  });
});
