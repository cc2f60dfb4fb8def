import { describe, expect, it } from 'vitest';
import {
  cityOf,
  competentCityBureauDistrict,
  isCityCode,
  isCountyLevelCity,
  isDivisionCode,
} from '../../shared/domain/division.js';

describe('Organisation: administrative division codes', () => {
  it('are six digits', () => {
    expect(isDivisionCode('320214')).toBe(true);
    expect(isDivisionCode('320200')).toBe(true);
    expect(isDivisionCode('32021')).toBe(false);
    expect(isDivisionCode('3202140')).toBe(false);
    expect(isDivisionCode('32021A')).toBe(false);
    expect(isDivisionCode('020214')).toBe(false);
    expect(isDivisionCode(320214)).toBe(false);
  });

  it('a city is XXXX00', () => {
    expect(cityOf('320214')).toBe('320200');
    expect(cityOf('320200')).toBe('320200');
    expect(isCityCode('320200')).toBe(true);
    expect(isCityCode('320214')).toBe(false);
    expect(() => cityOf('abc')).toThrow(RangeError);
  });

  it('a county-level city ends 81–99', () => {
    expect(isCountyLevelCity('320281')).toBe(true); // 江阴市
    expect(isCountyLevelCity('320282')).toBe(true); // 宜兴市
    expect(isCountyLevelCity('320299')).toBe(true);
    expect(isCountyLevelCity('320280')).toBe(false);
    expect(isCountyLevelCity('320214')).toBe(false); // 新吴区
  });
});

describe('R-ROUTE-1 group class: city-level bureau of the HQ', () => {
  it('is the municipal bureau for an HQ in a district of the city', () => {
    expect(competentCityBureauDistrict('320214')).toBe('320200');
    expect(competentCityBureauDistrict('320213')).toBe('320200');
    expect(competentCityBureauDistrict('320200')).toBe('320200');
  });

  it("is the county-level city's own bureau for an HQ there", () => {
    expect(competentCityBureauDistrict('320281')).toBe('320281');
    expect(competentCityBureauDistrict('320282')).toBe('320282');
  });
});
