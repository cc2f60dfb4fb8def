/**
 * The one error type of the API. It knows its HTTP status and renders itself as an RFC 9457
 * problem document in English or Chinese, so no handler ever builds an error body by hand.
 */
import type { Message, RuleIssue } from '../domain/messages.js';

export type Lang = 'en' | 'zh';

export const errorCatalogue = {
  UNAUTHENTICATED: { status: 401, title: { en: 'Authentication required', zh: '未认证或令牌无效' } },
  FORBIDDEN: { status: 403, title: { en: 'Not allowed for this role', zh: '当前角色无权执行此操作' } },
  NOT_FOUND: { status: 404, title: { en: 'Not found', zh: '资源不存在' } },
  VALIDATION_FAILED: { status: 400, title: { en: 'Request does not match the schema', zh: '请求格式不正确' } },
  RULE_VIOLATION: { status: 422, title: { en: 'Refused by a policy rule', zh: '不符合政策规定' } },
  FILING_DEADLINE_PASSED: { status: 422, title: { en: 'Filing deadline has passed', zh: '已超过开班备案期限' } },
  ASSESSMENT_WINDOW: { status: 422, title: { en: 'Outside the assessment window', zh: '不在考核评价时间范围内' } },
  DUPLICATE_ENROLMENT: { status: 409, title: { en: 'Person already enrolled', zh: '该人员已在其他班级或已享受补贴' } },
  INVALID_STATE: { status: 409, title: { en: 'Not allowed in the current state', zh: '当前状态下不允许此操作' } },
  CONFLICT: { status: 409, title: { en: 'Concurrent change; retry', zh: '并发修改冲突，请重试' } },
  PRECONDITION_FAILED: { status: 412, title: { en: 'Resource has changed (If-Match)', zh: '资源已被修改（If-Match 不匹配）' } },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: { en: 'Idempotency key reused with another request', zh: '幂等键已用于其他请求' } },
  CLOCK_OVERRIDE_FORBIDDEN: { status: 400, title: { en: 'X-Clock-Now is not allowed here', zh: '此环境不允许设置 X-Clock-Now' } },
  PAYLOAD_TOO_LARGE: { status: 413, title: { en: 'Request body too large', zh: '请求体过大' } },
  THROTTLED: { status: 503, title: { en: 'Database is throttling; retry later', zh: '数据库繁忙，请稍后重试' } },
  UNAVAILABLE: { status: 503, title: { en: 'Temporarily unavailable; retry later', zh: '服务暂时不可用，请稍后重试' } },
  INTERNAL: { status: 500, title: { en: 'Internal error', zh: '内部错误' } },
} as const satisfies Record<string, { status: number; title: Message }>;

export type ErrorCode = keyof typeof errorCatalogue;
export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

export interface FieldProblem {
  path: string;
  message: Message | string;
  rule?: string;
}

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: Message,
    readonly errors?: FieldProblem[],
    readonly headers: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(detail?.en ?? errorCatalogue[code].title.en, options);
    this.status = errorCatalogue[code].status;
  }

  toProblem(lang: Lang, instance?: string) {
    const localise = (m: Message | string) => (typeof m === 'string' ? m : m[lang]);
    return {
      type: problemType(this.code),
      title: errorCatalogue[this.code].title[lang],
      status: this.status,
      detail: this.detail ? this.detail[lang] : errorCatalogue[this.code].title[lang],
      code: this.code,
      ...(instance ? { instance } : {}),
      ...(this.errors?.length
        ? { errors: this.errors.map((e) => ({ path: e.path, message: localise(e.message), ...(e.rule ? { rule: e.rule } : {}) })) }
        : {}),
    };
  }

  toResponse(lang: Lang, instance?: string): Response {
    return new Response(JSON.stringify(this.toProblem(lang, instance)), {
      status: this.status,
      headers: { 'content-type': 'application/problem+json; charset=utf-8', 'content-language': lang === 'zh' ? 'zh-CN' : 'en', ...this.headers },
    });
  }
}

export function problemType(code: ErrorCode): string {
  return `/problems/${code.toLowerCase().replaceAll('_', '-')}`;
}

/** 422 RULE_VIOLATION listing every refused rule (errors[].rule names the SPEC id). */
export function ruleViolation(issues: RuleIssue[], code: ErrorCode = 'RULE_VIOLATION'): ApiError {
  const [first] = issues;
  return new ApiError(
    code,
    first?.message,
    issues.map((i) => ({ path: i.path ?? '', message: i.message, rule: i.rule })),
  );
}

export const notFound = (what = 'resource') =>
  new ApiError('NOT_FOUND', { en: `No such ${what}, or it is not visible to you`, zh: '资源不存在或无权查看' });

export const forbidden = (en: string, zh: string) => new ApiError('FORBIDDEN', { en, zh });

export const invalidState = (status: string, action: string) =>
  new ApiError('INVALID_STATE', {
    en: `Cannot ${action} a cohort that is ${status}`,
    zh: `班级当前状态（${status}）不允许执行“${action}”`,
  });

export const conflict = () =>
  new ApiError('CONFLICT', { en: 'Another change won the race; reload and retry', zh: '其他修改已先完成，请刷新后重试' });

/** 400 for a list cursor this service did not make for this query (pagination.ts, Store.query). */
export const invalidCursor = () =>
  new ApiError('VALIDATION_FAILED', { en: 'cursor is invalid or belongs to another query', zh: '分页游标无效或不属于当前查询' }, [
    { path: 'cursor', message: { en: 'invalid cursor', zh: '游标无效' } },
  ]);
