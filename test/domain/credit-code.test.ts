import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  completeCreditCode,
  creditCodeCharset,
  creditCodeCheckChar,
  creditCodeProblem,
  isValidCreditCode,
  orgCodeCheckDigit,
} from '../../shared/domain/credit-code.js';

/** Published codes of well-known companies; each passes both check characters. */
const realCodes = {
  huawei: '914403001922038216', // 华为技术有限公司
  tencent: '91440300708461136T', // 深圳市腾讯计算机系统有限公司
  alibaba: '91330100716105852F', // 阿里巴巴（中国）有限公司
  xiaomi: '91110108551385082Q', // 小米科技有限责任公司
};

describe('Organisation: unified social credit code (GB 32100-2015)', () => {
  it.each(Object.entries(realCodes))('accepts the published code of %s', (_name, code) => {
    expect(creditCodeProblem(code)).toBeUndefined();
    expect(isValidCreditCode(code)).toBe(true);
  });

  it('computes the GB 11714 check digit with letter values A = 10 … Z = 35, 10 → X, 11 → 0', () => {
    expect(orgCodeCheckDigit('19220382')).toBe('1'); // Huawei's organisation code 19220382-1
    expect(orgCodeCheckDigit('70846113')).toBe('6');
    expect(orgCodeCheckDigit('00000000')).toBe('0'); // 11 − 0 = 11 → '0'
    // Σ = 1 × 2 (last weight) = 2 → 11 − 2 = 9
    expect(orgCodeCheckDigit('00000001')).toBe('9');
    // Σ = 1 × 3 + 1 × 7 + 1 × 2 = 12 → 12 mod 11 = 1 → 10 → 'X'
    expect(orgCodeCheckDigit('11000001')).toBe('X');
    // 'A' counts 10: Σ = 10 × 2 = 20 → 20 mod 11 = 9 → 2
    expect(orgCodeCheckDigit('0000000A')).toBe('2');
  });

  it('computes the final check character modulo 31 into the charset', () => {
    expect(creditCodeCheckChar(realCodes.huawei.slice(0, 17))).toBe('6');
    expect(creditCodeCheckChar(realCodes.tencent.slice(0, 17))).toBe('T');
    // Σ = 0 → 31 − 0 = 31 → 0
    expect(creditCodeCheckChar('00000000000000000')).toBe('0');
  });

  it('explains each kind of problem', () => {
    expect(creditCodeProblem('91440300192203821')).toMatch(/18 characters/);
    expect(creditCodeProblem('91440300192203821I')).toMatch(/not allowed/);
    expect(creditCodeProblem(realCodes.tencent.toLowerCase())).toMatch(/not allowed/);
    expect(creditCodeProblem('X14403001922038216')).toMatch(/registration authority/);
    expect(creditCodeProblem('9144A3001922038216')).toMatch(/division/);
    expect(creditCodeProblem('914403001922038226')).toMatch(/position 17/);
    expect(creditCodeProblem('914403001922038217')).toMatch(/position 18/);
  });

  it('completeCreditCode builds valid fixtures, including ones with letters in the organisation code', () => {
    const a = completeCreditCode('9132021400000001');
    expect(a).toHaveLength(18);
    expect(a.startsWith('9132021400000001')).toBe(true);
    expect(isValidCreditCode(a)).toBe(true);
    expect(isValidCreditCode(completeCreditCode('91320214MA1MA7T5'))).toBe(true);
    expect(completeCreditCode(realCodes.huawei.slice(0, 16))).toBe(realCodes.huawei);
    expect(() => completeCreditCode('0132021400000001')).toThrow(/registration authority/);
  });

  it('detects every single-character substitution', () => {
    const bodyChar = fc.constantFrom(...creditCodeCharset);
    const digit = fc.constantFrom(...'0123456789');
    const first16 = fc
      .tuple(
        fc.constantFrom(...'159Y'),
        fc.constantFrom(...'123'),
        fc.array(digit, { minLength: 6, maxLength: 6 }),
        fc.array(bodyChar, { minLength: 8, maxLength: 8 }),
      )
      .map(([a, t, div, body]) => `${a}${t}${div.join('')}${body.join('')}`);
    fc.assert(
      fc.property(first16, fc.integer({ min: 0, max: 17 }), fc.constantFrom(...creditCodeCharset), (head, pos, c) => {
        const code = completeCreditCode(head);
        fc.pre(code[pos] !== c);
        const changed = code.slice(0, pos) + c + code.slice(pos + 1);
        expect(isValidCreditCode(changed)).toBe(false);
      }),
    );
  });
});
