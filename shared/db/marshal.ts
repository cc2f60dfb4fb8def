/**
 * Plain values → DynamoDB AttributeValues, as @aws-sdk/util-dynamodb's `marshall` does with
 * `removeUndefinedValues` (undefined map values and list elements left out) and no class-instance
 * conversion. The app stores JSON-shaped data (strings, numbers, booleans, null, arrays, plain
 * objects); util-dynamodb checks every value for Sets, binaries and boxed types by constructor name
 * and every number against NaN/Infinity by string, which was ≈ 110 µs of each cohort write (issue
 * 8). Those JSON-shaped values are mapped here directly; anything else (a Set, a Uint8Array, a
 * bigint, an unsafe or special number) goes to util-dynamodb itself, so its rules and errors hold.
 * test/db/marshal.test.ts compares the two on generated data.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { convertToAttr, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';

const options = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function toAttributeValue(value: unknown): AttributeValue {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'boolean':
      return { BOOL: value };
    case 'number':
      if (Number.isFinite(value) && value <= Number.MAX_SAFE_INTEGER && value >= Number.MIN_SAFE_INTEGER) return { N: value.toString() };
      break;
    case 'object':
      if (value === null) return { NULL: true };
      if (Array.isArray(value)) {
        const list: AttributeValue[] = [];
        for (const element of value) if (element !== undefined && typeof element !== 'function') list.push(toAttributeValue(element));
        return { L: list };
      }
      if (isPlainObject(value)) return { M: toAttributeMap(value as Record<string, unknown>) };
      break;
  }
  return convertToAttr(value as NativeAttributeValue, options);
}

/** The attributes of an item (or of any plain object's members). */
export function toAttributeMap(item: Record<string, unknown>): Record<string, AttributeValue> {
  const map: Record<string, AttributeValue> = {};
  for (const key in item) {
    const value = item[key];
    if (value !== undefined && typeof value !== 'function') map[key] = toAttributeValue(value);
  }
  return map;
}
