/**
 * 统一社会信用代码 — unified social credit code (GB 32100-2015), 18 characters:
 *   1     registration authority (登记管理部门)   2      organisation type (机构类别)
 *   3–8   administrative division code (GB/T 2260 digits)
 *   9–17  organisation code (GB 11714: 8 body characters + check digit at 17)
 *   18    check character over positions 1–17 (mod 31)
 */

/** The 31 characters of GB 32100 in value order (no I, O, Z, S, V). */
export const creditCodeCharset = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const FINAL_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Registration authority codes of GB 32100-2015 and its amendments (1 机构编制 … 9 工商, Y 其他). */
const AUTHORITIES = '123456789ANY';

const CHARSET_VALUE = new Map([...creditCodeCharset].map((c, i) => [c, i] as const));

/** GB 11714 character value: digits 0–9, letters A = 10 … Z = 35 (not the GB 32100 value). */
function orgValue(c: string): number {
  return c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 55;
}

/** GB 11714 check digit of the 8 body characters: C9 = 11 − (Σ mod 11); 10 → X, 11 → 0. */
export function orgCodeCheckDigit(body8: string): string {
  if (!/^[0-9A-Z]{8}$/.test(body8)) throw new RangeError(`Organisation code body must be 8 characters 0-9A-Z: ${body8}`);
  let sum = 0;
  for (let i = 0; i < 8; i += 1) sum += orgValue(body8[i]!) * ORG_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** GB 32100 check character of positions 1–17: C18 = 31 − (Σ mod 31), 31 → 0. */
export function creditCodeCheckChar(first17: string): string {
  if (first17.length !== 17) throw new RangeError(`Need 17 characters: ${first17}`);
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    const v = CHARSET_VALUE.get(first17[i]!);
    if (v === undefined) throw new RangeError(`Character outside the GB 32100 set: ${first17[i]!}`);
    sum += v * FINAL_WEIGHTS[i]!;
  }
  return creditCodeCharset[(31 - (sum % 31)) % 31]!;
}

/** Why a code is not a valid unified social credit code, or undefined when it is. */
export function creditCodeProblem(code: string): string | undefined {
  if (typeof code !== 'string' || code.length !== 18) return 'must be exactly 18 characters';
  for (const c of code) {
    if (!CHARSET_VALUE.has(c)) return `character '${c}' is not allowed (0-9 and A-Y except I, O, S, V, Z; upper case)`;
  }
  if (!AUTHORITIES.includes(code[0]!)) return `position 1 '${code[0]!}' is not a registration authority code`;
  if (code[1] === '0') return "position 2 (organisation type) cannot be '0'";
  if (!/^\d{6}$/.test(code.slice(2, 8))) return 'positions 3-8 must be a 6-digit administrative division code';
  if (orgCodeCheckDigit(code.slice(8, 16)) !== code[16]) return 'position 17 fails the GB 11714 organisation code check digit';
  if (creditCodeCheckChar(code.slice(0, 17)) !== code[17]) return 'position 18 fails the GB 32100 check character';
  return undefined;
}

export function isValidCreditCode(code: string): boolean {
  return creditCodeProblem(code) === undefined;
}

/**
 * Appends the check digit at position 17 and the check character at 18 to positions 1–16
 * (a fixture helper: `completeCreditCode('9132021400000001')`). Throws when the result is invalid.
 */
export function completeCreditCode(first16: string): string {
  if (first16.length !== 16) throw new RangeError(`Need the first 16 characters: ${first16}`);
  const first17 = first16 + orgCodeCheckDigit(first16.slice(8, 16));
  const code = first17 + creditCodeCheckChar(first17);
  const problem = creditCodeProblem(code);
  if (problem) throw new RangeError(`${first16}: ${problem}`);
  return code;
}
