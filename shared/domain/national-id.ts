/**
 * 居民身份证号码 — citizen identity number (GB 11643-1999), R-ELIG-5:
 * 6-digit address code, 8-digit birth date YYYYMMDD, 3-digit sequence, check character.
 */
import { compareDates, isIsoDate, type IsoDate } from './dates.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';
const EARLIEST_BIRTH = '1900-01-01';
const LATEST_BIRTH = '2099-12-31';

/** Trims spaces and upper-cases a final 'x' (as often typed). Store and compare normalised ids. */
export function normalizeNationalId(id: string): string {
  return id.trim().toUpperCase();
}

/** The check character (0-9 or X) of the first 17 digits. */
export function nationalIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError(`Need 17 digits: ${first17}`);
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

function birthPart(id: string): IsoDate {
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

/**
 * Why an id is not a valid (normalised) national ID number, or undefined when it is.
 * A lowercase 'x' is refused here: pass the id through normalizeNationalId first.
 * When `today` is given, a birth date after it is refused too.
 */
export function nationalIdProblem(id: string, today?: IsoDate): string | undefined {
  if (typeof id !== 'string' || id.length !== 18) return 'must be exactly 18 characters';
  if (!/^\d{17}/.test(id)) return 'the first 17 characters must be digits';
  if (!/^\d{17}[0-9X]$/.test(id)) {
    return id[17] === 'x' ? "the last character must be an upper-case 'X'" : "the last character must be a digit or 'X'";
  }
  const birth = birthPart(id);
  if (!isIsoDate(birth)) return `birth date ${id.slice(6, 14)} is not a calendar date`;
  if (compareDates(birth, EARLIEST_BIRTH) < 0 || compareDates(birth, LATEST_BIRTH) > 0) {
    return `birth date ${birth} is outside ${EARLIEST_BIRTH}..${LATEST_BIRTH}`;
  }
  if (today !== undefined && compareDates(birth, today) > 0) return `birth date ${birth} is in the future`;
  if (nationalIdCheckChar(id.slice(0, 17)) !== id[17]) return 'check character does not match (GB 11643-1999)';
  return undefined;
}

export function isValidNationalId(id: string, today?: IsoDate): boolean {
  return nationalIdProblem(id, today) === undefined;
}

/** The birth date encoded at positions 7–14, or undefined when it is not a calendar date. */
export function birthDateOf(id: string): IsoDate | undefined {
  if (typeof id !== 'string' || !/^\d{14}/.test(id)) return undefined;
  const birth = birthPart(id);
  return isIsoDate(birth) ? birth : undefined;
}

/**
 * R-PRIV-1: first 6 and last 4 characters visible, the rest '*':
 * '32021119900101123X' → '320211********123X'. Anything shorter than 11 characters is fully masked.
 */
export function maskNationalId(id: string): string {
  if (id.length < 11) return '*'.repeat(id.length);
  return id.slice(0, 6) + '*'.repeat(id.length - 10) + id.slice(-4);
}

/** Appends the check character to 17 digits (a fixture helper). */
export function completeNationalId(first17: string): string {
  return first17 + nationalIdCheckChar(first17);
}
