import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  birthDateOf,
  completeNationalId,
  isValidNationalId,
  maskNationalId,
  nationalIdCheckChar,
  nationalIdProblem,
  normalizeNationalId,
} from '../../shared/domain/national-id.js';

describe('R-ELIG-5 national ID number (GB 11643-1999)', () => {
  it('accepts the standard example 11010519491231002X', () => {
    // The worked example of GB 11643-1999 (Beijing, born 1949-12-31, check character X).
    expect(nationalIdCheckChar('11010519491231002')).toBe('X');
    expect(isValidNationalId('11010519491231002X')).toBe(true);
  });

  it('completeNationalId builds valid fixtures', () => {
    const id = completeNationalId('32021419900101123');
    expect(id).toHaveLength(18);
    expect(isValidNationalId(id)).toBe(true);
    expect(birthDateOf(id)).toBe('1990-01-01');
  });

  it('accepts upper-case X only; normalizeNationalId fixes a typed lower-case x and spaces', () => {
    expect(nationalIdProblem('11010519491231002x')).toMatch(/upper-case 'X'/);
    expect(normalizeNationalId(' 11010519491231002x ')).toBe('11010519491231002X');
  });

  it('refuses a wrong length, non-digits and a wrong check character', () => {
    expect(nationalIdProblem('1101051949123100')).toMatch(/18 characters/);
    expect(nationalIdProblem('110105194912310021X')).toMatch(/18 characters/);
    expect(nationalIdProblem('1101051949123100AX')).toMatch(/first 17/);
    expect(nationalIdProblem('110105194912310021')).toMatch(/check character/);
  });

  it('refuses birth dates that are not calendar dates or are out of range', () => {
    expect(nationalIdProblem(completeNationalId('32021420230229123'))).toMatch(/not a calendar date/);
    expect(isValidNationalId(completeNationalId('32021420240229123'))).toBe(true); // leap day
    expect(nationalIdProblem(completeNationalId('32021418991231123'))).toMatch(/outside/);
    expect(isValidNationalId(completeNationalId('32021419000101123'))).toBe(true);
    expect(birthDateOf(completeNationalId('32021420231301123'))).toBeUndefined();
  });

  it('refuses a birth date after the given day', () => {
    const id = completeNationalId('32021420260415123');
    expect(isValidNationalId(id)).toBe(true);
    expect(nationalIdProblem(id, '2026-04-14')).toMatch(/future/);
    expect(isValidNationalId(id, '2026-04-15')).toBe(true);
  });

  it('detects every single-digit substitution', () => {
    const first17 = fc
      .tuple(
        fc.array(fc.constantFrom(...'0123456789'), { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 0, max: 36_500 }),
        fc.array(fc.constantFrom(...'0123456789'), { minLength: 3, maxLength: 3 }),
      )
      .map(([area, days, seq]) => {
        const birth = new Date(Date.UTC(1930, 0, 1) + days * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
        return `${area.join('')}${birth}${seq.join('')}`;
      });
    fc.assert(
      fc.property(first17, fc.integer({ min: 0, max: 17 }), fc.constantFrom(...'0123456789X'), (head, pos, c) => {
        const id = completeNationalId(head);
        expect(isValidNationalId(id)).toBe(true);
        fc.pre(id[pos] !== c);
        expect(isValidNationalId(id.slice(0, pos) + c + id.slice(pos + 1))).toBe(false);
      }),
    );
  });
});

describe('R-PRIV-1 masked national ID', () => {
  it('shows the first 6 and last 4 characters only', () => {
    expect(maskNationalId('32021119900101123X')).toBe('320211********123X');
    expect(maskNationalId('320211199001011234')).toBe('320211********1234');
  });

  it('masks short garbage completely rather than leak it', () => {
    expect(maskNationalId('1234567890')).toBe('**********');
    expect(maskNationalId('')).toBe('');
  });
});
