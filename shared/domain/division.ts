/** 行政区划代码 — 6-digit administrative division codes (GB/T 2260), e.g. 320214 新吴区, 320200 无锡市. */

/** Six digits, province part 1x–8x. */
export function isDivisionCode(s: unknown): s is string {
  return typeof s === 'string' && /^[1-8]\d{5}$/.test(s);
}

function assertDivision(code: string): void {
  if (!isDivisionCode(code)) throw new RangeError(`Not a 6-digit division code: ${String(code)}`);
}

/** The prefecture-level city containing a division: 320214 → 320200. */
export function cityOf(code: string): string {
  assertDivision(code);
  return `${code.slice(0, 4)}00`;
}

/** A city-level (or province-level) code: ends with 00. */
export function isCityCode(code: string): boolean {
  return isDivisionCode(code) && code.endsWith('00');
}

/** A county-level city (县级市): last two digits 81–99, e.g. 320281 江阴市, 320282 宜兴市. */
export function isCountyLevelCity(code: string): boolean {
  if (!isDivisionCode(code)) return false;
  const last = Number(code.slice(4));
  return last >= 81 && last <= 99;
}

/**
 * R-ROUTE-1 (group classes): the district code of the city-level bureau where the group HQ is —
 * the county-level city's own bureau when the HQ is in one, else the municipal bureau XXXX00.
 */
export function competentCityBureauDistrict(hqDistrict: string): string {
  assertDivision(hqDistrict);
  return isCountyLevelCity(hqDistrict) ? hqDistrict : cityOf(hqDistrict);
}
