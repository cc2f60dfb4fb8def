/**
 * Files people use (API.md): the training ledger of a cohort (培训台账) and a paying bureau's
 * disbursement statement (补贴发放对账单). JSON by default; `Accept: text/csv` gives CSV (UTF-8 with
 * BOM, opens in Excel), `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`
 * a real .xlsx. `?format=` overrides Accept, so a plain browser link can download a file.
 * Headings are Chinese: these files go to bureau clerks and enterprise HR staff.
 */
import type { Services } from '../../services/index.js';
import { assessmentMethodNames, fundingSourceNames, LedgerService, lineStatusNames, traineeStatusNames, type LedgerRow, type StatementRow } from '../../services/ledger.js';
import type { App } from '../app.js';
import { requestContext } from '../app.js';
import { ApiError } from '../errors.js';
import { defineRoute, responseSchema, z } from '../openapi.js';
import { negotiate, sendTable, XLSX_TYPE, type Column, type TableFormat } from '../tabular.js';
import { CohortParams, IsoDateBound } from './cohort-schemas.js';
import { SubsidyLine, lineExample } from './subsidy.js';

const FormatQuery = z
  .enum(['json', 'csv', 'xlsx'])
  .optional()
  .openapi({ description: 'Overrides the Accept header (handy for a download link)', example: 'csv' });

/** Basis points as a percentage with at most two decimals, by integer arithmetic: 5000 → 50%, 3333 → 33.33%. */
export function percentOfBasisPoints(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const rest = bp % 100;
  return `${whole}${rest ? `.${String(rest).padStart(2, '0').replace(/0$/, '')}` : ''}%`;
}

const yesNo = (passed: boolean | undefined) => (passed === undefined ? '' : passed ? '合格' : '不合格');

/** 培训台账 columns, in the order clerks fill the paper form. */
export const ledgerColumns: Column<LedgerRow>[] = [
  { header: '学徒姓名', value: (r) => r.name, width: 12 },
  { header: '身份证号', value: (r) => r.idNumber, width: 22 },
  { header: '所在企业', value: (r) => r.enterpriseName, width: 30 },
  { header: '参保属地', value: (r) => r.insuredDistrict, width: 10 },
  { header: '企业导师', value: (r) => r.enterpriseMentors.join('、'), width: 16 },
  { header: '院校导师', value: (r) => r.schoolMentors.join('、'), width: 16 },
  { header: '状态', value: (r) => traineeStatusNames[r.status], width: 12 },
  { header: '离职日期', value: (r) => r.leftOn, kind: 'date', width: 12 },
  { header: '考核方式', value: (r) => (r.assessmentMethod ? assessmentMethodNames[r.assessmentMethod] : undefined), width: 14 },
  { header: '考核日期', value: (r) => r.assessedOn, kind: 'date', width: 12 },
  { header: '考核结果', value: (r) => yesNo(r.passed), width: 10 },
  { header: '证书编号', value: (r) => r.certificateNo, width: 20 },
  { header: '补贴月数', value: (r) => r.subsidyMonths, kind: 'number', width: 10 },
  { header: '补贴金额（元）', value: (r) => r.subsidyAmountFen, kind: 'fen', width: 16 },
];

/** 补贴发放对账单 columns: one row per subsidy line (payee enterprise × this bureau). */
export const statementColumns: Column<StatementRow>[] = [
  { header: '补贴明细编号', value: (r) => r.id, width: 26 },
  { header: '班级编号', value: (r) => r.cohortId, width: 28 },
  { header: '班级名称', value: (r) => r.cohortName, width: 30 },
  { header: '受款企业', value: (r) => r.payeeName, width: 30 },
  { header: '受款企业统一社会信用代码', value: (r) => r.payeeCreditCode, width: 22 },
  { header: '参保属地', value: (r) => r.district, width: 10 },
  { header: '学徒人数', value: (r) => r.traineeIds.length, kind: 'number', width: 10 },
  { header: '补贴金额（元）', value: (r) => r.amountFen, kind: 'fen', width: 16 },
  { header: '市级分担（元）', value: (r) => r.cityShareFen, kind: 'fen', width: 16 },
  { header: '区级分担（元）', value: (r) => r.districtShareFen, kind: 'fen', width: 16 },
  { header: '市级分担比例', value: (r) => percentOfBasisPoints(r.cityShareBasisPoints), width: 12 },
  { header: '政策版本', value: (r) => r.policyVersion, width: 14 },
  { header: '资金来源', value: (r) => (r.approval ? fundingSourceNames[r.approval.fundingSource] : undefined), width: 24 },
  { header: '状态', value: (r) => lineStatusNames[r.status as keyof typeof lineStatusNames] ?? r.status, width: 10 },
  { header: '审批日期', value: (r) => r.approval?.approvedOn, kind: 'date', width: 12 },
  { header: '支付日期', value: (r) => r.payment?.paidOn, kind: 'date', width: 12 },
  { header: '支付凭证号', value: (r) => r.payment?.reference, width: 24 },
];

const LedgerRowSchema = responseSchema(() =>
  z
    .object({
      traineeId: z.string(),
      name: z.string(),
      idNumber: z.string().describe('masked (first 6 and last 4 visible) unless the caller may see it in full (R-PRIV-1)'),
      enterpriseId: z.string(),
      enterpriseName: z.string(),
      insuredDistrict: z.string(),
      enterpriseMentors: z.array(z.string()),
      schoolMentors: z.array(z.string()),
      status: z.enum(['active', 'departed', 'passed', 'failed']),
      leftOn: z.string().optional(),
      assessmentMethod: z.string().optional(),
      assessedOn: z.string().optional(),
      passed: z.boolean().optional(),
      certificateNo: z.string().optional(),
      subsidyMonths: z.number().int().optional().describe('after the closing is accepted; 0 for departed or failed trainees (R-SUB-3)'),
      subsidyAmountFen: z.number().int().optional(),
    })
    .openapi('LedgerRow'),
);

const TrainingLedgerSchema = responseSchema(() =>
  z
    .object({
      cohortId: z.string(),
      cohortName: z.string(),
      occupationCode: z.string(),
      level: z.string(),
      status: z.string(),
      subsidyFinal: z.boolean().describe('true once the closing is accepted and the subsidy columns are final'),
      totalSubsidyFen: z.number().int(),
      items: z.array(LedgerRowSchema()),
    })
    .openapi('TrainingLedger'),
);

const ledgerExample = {
  cohortId: '01JC0H0RT0000000000000000A',
  cohortName: '2026年新吴区数控车工联合组班（中级工）',
  occupationCode: '6-18-01-01',
  level: 'intermediate',
  status: 'closed',
  subsidyFinal: true,
  totalSubsidyFen: 666667,
  items: [
    {
      traineeId: '01JTRA1NEE00000000000000AA', name: '张伟', idNumber: '320214********0013', enterpriseId: '01JENTERPR1SE0000000000000', enterpriseName: '无锡精工机械有限公司',
      insuredDistrict: '320214', enterpriseMentors: ['王建军'], schoolMentors: ['李建国'], status: 'passed', assessmentMethod: 'third_party', assessedOn: '2027-09-15', passed: true,
      certificateNo: 'S000032020000123', subsidyMonths: 16, subsidyAmountFen: 666667,
    },
  ],
};

const StatementRowSchema = responseSchema(() => SubsidyLine().extend({ cohortName: z.string(), payeeName: z.string(), payeeCreditCode: z.string() }).openapi('StatementRow'));
const StatementSchema = responseSchema(() =>
  z
    .object({
      bureauId: z.string(),
      from: z.string(),
      to: z.string(),
      totals: z.object({ lines: z.number().int(), trainees: z.number().int(), amountFen: z.number().int(), cityShareFen: z.number().int(), districtShareFen: z.number().int(), paidFen: z.number().int() }),
      items: z.array(StatementRowSchema()),
    })
    .openapi('DisbursementStatement'),
);

const statementExample = {
  bureauId: lineExample.payerBureauId,
  from: '2027-01-01',
  to: '2027-12-31',
  totals: { lines: 1, trainees: 1, amountFen: 666667, cityShareFen: 333334, districtShareFen: 333333, paidFen: 666667 },
  items: [
    {
      ...lineExample, status: 'paid', cohortName: '2026年新吴区数控车工联合组班（中级工）', payeeName: '无锡精工机械有限公司', payeeCreditCode: '91320214MA1XXXXXX0',
      approval: { fundingSource: 'employment_subsidy', approvedAt: '2027-10-25T02:00:00.000Z', approvedOn: '2027-10-25', by: 'hr-clerk-1' },
      payment: { paidOn: '2027-11-05', reference: '国库集中支付 2027-110512', paidAt: '2027-11-05T03:00:00.000Z', by: 'hr-clerk-1' },
    },
  ],
};

/** A 200 that is JSON, CSV or xlsx depending on Accept. */
const tableResponse = (description: string, schema: () => z.ZodType, example: unknown, csvExample: string) => ({
  description,
  get content() {
    return {
      'application/json': { schema: schema(), example },
      'text/csv': { schema: z.string().openapi({ description: 'UTF-8 with BOM, CRLF line ends, Chinese headings' }), example: csvExample },
      [XLSX_TYPE]: { schema: z.string().openapi({ format: 'binary', description: 'one sheet, bold frozen header row' }) },
    };
  },
});

const formatOf = (format: TableFormat | undefined, accept: string | undefined): TableFormat => format ?? negotiate(accept);

export function registerExportRoutes(app: App, services: Services) {
  const ledger = new LedgerService(services.store, services.cohorts, services.subsidy, services.organizations);

  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/disbursements/statement', operationId: 'getDisbursementStatement', tags: ['Subsidy'],
      summary: 'Statement of the paying bureau’s subsidy lines (补贴发放对账单), as JSON, CSV or xlsx',
      description:
        'Payer bureau only (other roles: 403). Lists the bureau’s own lines whose latest activity — payment, else approval, else the closing acceptance that created them — ' +
        'falls in [from, to] (CST days). Payee names and unified social credit codes are looked up for each line. Headings of the files: 补贴明细编号, 班级编号, 班级名称, 受款企业, ' +
        '受款企业统一社会信用代码, 参保属地, 学徒人数, 补贴金额（元）, 市级分担（元）, 区级分担（元）, 市级分担比例, 政策版本, 资金来源, 状态, 审批日期, 支付日期, 支付凭证号.',
      request: { query: z.object({ from: IsoDateBound.openapi({ example: '2027-01-01' }), to: IsoDateBound.openapi({ example: '2027-12-31' }), format: FormatQuery }) },
      responses: {
        200: tableResponse('The statement', StatementSchema, statementExample, '\uFEFF补贴明细编号,班级编号,班级名称,受款企业,…\r\n01JC0H0RT0000000000000000A-7Q2mK0pXw9aBc3dE,01JC0H0RT0000000000000000A,…,6666.67,3333.34,3333.33,50%,…\r\n'),
      },
    }),
    async (c) => {
      const { from, to, format } = c.req.valid('query');
      if (from > to) {
        throw new ApiError('VALIDATION_FAILED', { en: '`from` must not be after `to`', zh: '起始日期不能晚于截止日期' }, [{ path: 'from', message: { en: 'after to', zh: '晚于截止日期' } }]);
      }
      const statement = await ledger.statement(requestContext(c), from, to);
      const chosen = formatOf(format, c.req.header('accept'));
      if (chosen === 'json') return c.json(statement as never, 200);
      return sendTable(c, { filename: `补贴发放对账单_${from}_${to}`, sheetName: '补贴发放对账单', columns: statementColumns, rows: statement.items, format: chosen }) as never;
    },
  );

  app.openapi(
    defineRoute({
      method: 'get', path: '/v1/cohorts/{id}/ledger', operationId: 'getCohortLedger', tags: ['Supervision'],
      summary: 'Training ledger of a cohort (培训台账), one row per trainee, as JSON, CSV or xlsx',
      description:
        'Anyone who may see the cohort. ID numbers are masked per R-PRIV-1 for the caller, in every format, exactly as in GET /v1/cohorts/{id}/trainees. ' +
        'Subsidy months and amount are filled once the closing is accepted (0 for departed or failed trainees, R-SUB-3). Headings of the files: 学徒姓名, 身份证号, 所在企业, 参保属地, ' +
        '企业导师, 院校导师, 状态, 离职日期, 考核方式, 考核日期, 考核结果, 证书编号, 补贴月数, 补贴金额（元）.',
      request: { params: CohortParams, query: z.object({ format: FormatQuery }) },
      responses: {
        200: tableResponse('The ledger', TrainingLedgerSchema, ledgerExample, '\uFEFF学徒姓名,身份证号,所在企业,…\r\n张伟,320214********0013,无锡精工机械有限公司,…,16,6666.67\r\n'),
      },
    }),
    async (c) => {
      const result = await ledger.trainingLedger(requestContext(c), c.req.valid('param').id);
      const chosen = formatOf(c.req.valid('query').format, c.req.header('accept'));
      if (chosen === 'json') return c.json(result as never, 200);
      return sendTable(c, { filename: `培训台账_${result.cohortName}_${result.cohortId}`, sheetName: '培训台账', columns: ledgerColumns, rows: result.items, format: chosen }) as never;
    },
  );
}
