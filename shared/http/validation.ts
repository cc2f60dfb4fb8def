/** Turns a zod error into VALIDATION_FAILED with one entry per field path (English and Chinese). */
import type { ZodError } from 'zod';
import { ApiError } from './errors.js';

const zh: Record<string, string> = {
  invalid_type: '类型不正确或缺少该字段',
  too_small: '值过小或过短',
  too_big: '值过大或过长',
  invalid_format: '格式不正确',
  invalid_value: '取值不在允许范围内',
  unrecognized_keys: '包含未定义的字段',
  invalid_union: '不符合任何允许的格式',
  custom: '取值无效',
};

export function validationError(error: ZodError): ApiError {
  const errors = error.issues.slice(0, 50).map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: { en: issue.message, zh: zh[issue.code] ?? '取值无效' },
  }));
  const first = errors[0];
  return new ApiError(
    'VALIDATION_FAILED',
    { en: first ? `${first.path}: ${first.message.en}` : 'Invalid request', zh: first ? `${first.path}：${first.message.zh}` : '请求无效' },
    errors,
  );
}
