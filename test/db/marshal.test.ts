/**
 * shared/db/marshal.ts must marshal exactly as @aws-sdk/util-dynamodb's `marshall` with the options
 * the Store used before (removeUndefinedValues, no class-instance conversion): same AttributeValues
 * for JSON-shaped data with undefined members, and the library's own results and errors for
 * everything else.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toAttributeMap } from '../../shared/db/marshal.js';

const options = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;
const library = (item: Record<string, unknown>) => marshall(item, options);
/** The AttributeValues, or the error's message (numbers beyond ±2^53 are refused by both). */
const outcome = (f: () => unknown) => {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).message };
  }
};

// JSON values with undefined sprinkled in, as domain objects with optional members have them.
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string().filter((k) => k !== '__proto__'), tie('value'), { maxKeys: 5 }),
  ),
}));
const item = fc.dictionary(fc.string().filter((k) => k !== '__proto__'), value, { maxKeys: 8 });

describe('marshal: the same AttributeValues as util-dynamodb (issue 8: the Store marshals itself)', () => {
  it('for generated JSON-shaped items with undefined members', () => {
    fc.assert(fc.property(item, (i) => {
      expect(outcome(() => toAttributeMap(i))).toEqual(outcome(() => library(i)));
    }), { numRuns: 500 });
  });

  it('for a stored cohort-like item: nested maps, lists, numbers, empty strings, null', () => {
    const cohort = { PK: 'COHORT#1', SK: 'COHORT', type: 'cohort', version: 3, name: '', participants: [{ enterpriseId: 'e1', units: { '320214': { bureauId: 'b1' } } }], review: null, counts: { enrolled: 0 }, rate: 0.5, left: undefined, tags: [undefined, 'a'] };
    expect(toAttributeMap(cohort)).toEqual(library(cohort));
  });

  it('hands everything else to util-dynamodb: Sets, binaries, bigints, and its errors for NaN, Infinity, unsafe integers and class instances', () => {
    const others = { ss: new Set(['a', 'b']), ns: new Set([1, 2]), b: new Uint8Array([1, 2]), big: 12345678901234567890n };
    expect(toAttributeMap(others)).toEqual(library(others));
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, -(2 ** 60), new Date(0)]) {
      const expected = outcome(() => library({ bad }));
      expect(expected.error).toEqual(expect.any(String));
      expect(outcome(() => toAttributeMap({ bad }))).toEqual(expected);
    }
  });
});
