/**
 * Request generators for property-based fuzzing, driven by the app's own OpenAPI document (so an
 * operation added later is fuzzed without touching this file): schema-shaped bodies (valid enough
 * to get past validation often), hostile mutations of them, raw malformed JSON, hostile path ids,
 * query strings and headers. Bodies are built as a small JSON tree so that duplicate keys,
 * `__proto__` keys and raw number literals (1e400, -0) can be expressed.
 */
import fc from 'fast-check';
import { completeCreditCode } from '../../shared/domain/credit-code.js';
import { completeNationalId } from '../../shared/domain/national-id.js';

// ---------------------------------------------------------------------------------------------
// JSON tree

export type J = string | number | boolean | null | { raw: string } | { arr: J[] } | { obj: Array<[string, J]> };

export function toJson(value: J): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? (Object.is(value, -0) ? '-0' : String(value)) : 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if ('raw' in value) return value.raw;
  if ('arr' in value) return `[${value.arr.map(toJson).join(',')}]`;
  return `{${value.obj.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
}

// ---------------------------------------------------------------------------------------------
// Hostile atoms

export const trickyStrings = [
  '', ' ', '\u0000', '\uD800', '\uDFFF', 'a\uDBFFb', '\uDC00\uD800', '\u202Eevil\u202C', '\u200F\u05D0\u200E', '\u200B', '\u200D\u200D', '\uFEFF',
  '\u2028\u2029', 'İı', 'ß', 'ＡＢＣ１２３', '🧑‍🏭', '👨‍👩‍👧‍👦', '🏳️‍🌈', '\u0301\u0301\u0301', '\uFFFF', '\uFFFE',
  'null', 'undefined', 'NaN', '-0', 'Infinity', '-Infinity', '1e309', '0x10', '１２', 'true',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
  '../', '../../etc/passwd', '..%2F..%2F', '%00', '%', '%ZZ', '%E0%A4%A', '%2e%2e', '\\..\\', '/', '//', '?', '#', '&', '=',
  "' OR '1'='1", '"; DROP TABLE x; --', '<script>alert(1)</script>', '${jndi:ldap://x/a}', '{{7*7}}', '#{7*7}', '\r\nX-Injected: 1',
  'ORG#x', 'PK', 'IDEMPOTENCY#x', 'COHORT#x', 'EVENT#', 'platform', 'admin',
  '2026-02-30', '2026-13-01', '0000-00-00', '9999-12-31', '2026-1-1', '２０２６-０１-０１',
  '320214', '000000', '999999', '91320214MA1XYZ1234', '91320214MA1XYZ123O', '11010519491231002X',
];

export const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...trickyStrings) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(loneSurrogate, fc.constantFrom('a', '\u202E', '\u200B', '🧑‍🏭')), { maxLength: 8 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', '中', '🧑‍🏭', '\u200B'), fc.integer({ min: 200, max: 4_000 })).map(([c, n]) => c.repeat(n)) },
);

export const hostileNumberLiteral: fc.Arbitrary<J> = fc.oneof(
  fc.constantFrom('-0', '1e400', '-1e400', '1e-400', '123456789012345678901234567890', '9007199254740993', '0.1', '-1', '0', '2.5', '1E2', '-2147483649', '4294967296', '0.0000001').map((raw) => ({ raw })),
  fc.double().map((d) => ({ raw: Number.isFinite(d) ? String(d) : '1e999' })),
  fc.integer(),
);

export const hostileScalar: fc.Arbitrary<J> = fc.oneof(
  { weight: 3, arbitrary: hostileString as fc.Arbitrary<J> },
  { weight: 2, arbitrary: hostileNumberLiteral },
  { weight: 1, arbitrary: fc.constantFrom<J>(true, false, null, 'NaN', 'Infinity', { arr: [] }, { obj: [] }) },
);

export const pollutionKeys = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'toString', 'hasOwnProperty', ''];
export const hostileKey: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...pollutionKeys), hostileString.filter((s) => s.length < 100));

/** A polluting payload: {"__proto__": {"isAdmin": true, "role": "admin"}} and friends. */
export const pollution: fc.Arbitrary<J> = fc
  .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.constantFrom('isAdmin', 'role', 'org', 'status', 'polluted', 'toString'))
  .map(([outer, inner]) => ({ obj: [[outer, outer === 'constructor' ? { obj: [['prototype', { obj: [[inner, true]] }]] } : { obj: [[inner, 'admin']] }]] }));

/** Nested arrays/objects, as raw text so that very deep ones stay cheap to build. */
export const deepNesting: fc.Arbitrary<J> = fc
  .tuple(fc.constantFrom('[]', '{"a":}', '{"__proto__":}'), fc.integer({ min: 20, max: 20_000 }))
  .map(([shape, depth]) => {
    if (shape === '[]') return { raw: `${'['.repeat(depth)}${']'.repeat(depth)}` };
    const [open, close] = shape === '{"a":}' ? ['{"a":', '}'] : ['{"__proto__":', '}'];
    const d = Math.min(depth, 20_000);
    return { raw: `${open.repeat(d)}null${close.repeat(d)}` };
  });

/** Any JSON value with hostile leaves, a few levels deep. */
export const hostileJson: fc.Arbitrary<J> = fc.letrec<{ v: J }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileScalar,
    fc.array(tie('v'), { maxLength: 4 }).map((arr): J => ({ arr })),
    fc.array(fc.tuple(hostileKey, tie('v')), { maxLength: 4 }).map((obj): J => ({ obj })),
  ),
})).v;

/** Whole bodies that are not (well-formed) JSON objects. */
export const rawBodies: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'null', 'true', '0', '-0', '1e400', '"x"', '[]', '[{}]', '{', '}', '{"a":', '{"a":1,}', "{'a':1}", '{"a":1}garbage', '\uFEFF{}',
    '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"a":NaN}', '{"a":Infinity}', '{"a":undefined}', '{"__proto__":{"isAdmin":true}}', '{"a":1,"a":2}', 'a=1&b=2', '<xml/>', '\u0000'),
  hostileString,
  deepNesting.map(toJson),
);

// ---------------------------------------------------------------------------------------------
// OpenAPI

export interface OpenApiDoc {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema> };
}
export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  example?: unknown;
}
export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}
export interface OperationObject {
  operationId?: string;
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema; example?: unknown }> };
  security?: unknown[];
}

export interface Operation {
  id: string;
  method: string;
  path: string;
  params: ParameterObject[];
  body?: Schema;
  bodyExample?: unknown;
  secured: boolean;
}

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const json = op.requestBody?.content?.['application/json'];
      out.push({
        id: op.operationId ?? `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        params: op.parameters ?? [],
        ...(json?.schema ? { body: json.schema } : {}),
        ...(json?.example !== undefined ? { bodyExample: json.example } : {}),
        secured: !(Array.isArray(op.security) && op.security.length === 0),
      });
    }
  }
  return out;
}

export interface FuzzContext {
  doc: OpenApiDoc;
  /** Ids of things that exist (so some requests reach real resources). */
  knownIds: string[];
  districts: string[];
  /** Occupation codes that exist (for `occupationCode` fields). */
  occupationCodes?: string[];
}

const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';

export const isoDate: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2029-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)) },
  { weight: 1, arbitrary: fc.constantFrom('2026-02-29', '2028-02-29', '2026-02-30', '2026-04-31', '1900-01-01', '0000-01-01', '9999-12-31', '2026-00-10') },
);

function resolve(schema: Schema, ctx: FuzzContext, seen = 0): Schema {
  if (schema.$ref && seen < 20) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = ctx.doc.components?.schemas?.[name];
    return target ? resolve(target, ctx, seen + 1) : {};
  }
  return schema;
}

/** Values valid for well-known field names (checksummed codes, ids), tried before the schema. */
function hint(name: string | undefined, ctx: FuzzContext): fc.Arbitrary<J> | undefined {
  if (!name) return undefined;
  const district = fc.constantFrom(...ctx.districts);
  if (name === 'creditCode') {
    return fc.tuple(district, fc.stringMatching(/^[0-9A-HJ-NP-RTUW-Y]{8}$/)).map(([d, body]) => completeCreditCode(`91${d}${body}`));
  }
  if (name === 'idNumber') {
    return fc.tuple(district, fc.date({ min: new Date('1966-01-01T00:00:00Z'), max: new Date('2008-12-31T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 999 }))
      .map(([d, birth, seq]) => completeNationalId(`${d}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String(seq).padStart(3, '0')}`));
  }
  if (name === 'district' || name === 'insuredDistrict') return district;
  if (name === 'occupationCode' && ctx.occupationCodes?.length) return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ctx.occupationCodes) }, { weight: 1, arbitrary: fc.stringMatching(/^[0-9]-[0-9]{2}-[0-9]{2}-[0-9]{2}$/) });
  if (/(^id$|Id$)/.test(name) && ctx.knownIds.length) return fc.oneof(fc.constantFrom(...ctx.knownIds), fc.stringMatching(/^[0-9A-Z]{26}$/));
  return undefined;
}

/** A value shaped like the schema (valid more often than not). */
export function fromSchema(schema: Schema, ctx: FuzzContext, name?: string, depth = 0): fc.Arbitrary<J> {
  const s = resolve(schema, ctx);
  const hinted = hint(name, ctx);
  if (hinted) return hinted;
  if (depth > 6) return fc.constant(null);
  if (s.const !== undefined) return fc.constant(s.const as J);
  if (s.enum?.length) return fc.constantFrom(...(s.enum as J[]));
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => fromSchema(a, ctx, name, depth + 1)));
  if (s.allOf?.length) return fromSchema(s.allOf[0]!, ctx, name, depth + 1);
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : s.properties ? ['object'] : ['string'];
  return fc.oneof(...types.map((t) => fromType(t, s, ctx, name, depth)));
}

function fromType(type: string, s: Schema, ctx: FuzzContext, name: string | undefined, depth: number): fc.Arbitrary<J> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1000);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : Math.max(min, 0) + 100_000);
      return fc.integer({ min: Math.max(min, -(2 ** 40)), max: Math.min(max, 2 ** 40) });
    }
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'array': {
      const maxLength = Math.min(s.maxItems ?? 4, 4);
      return fc.array(fromSchema(s.items ?? {}, ctx, name, depth + 1), { minLength: Math.min(s.minItems ?? 0, maxLength), maxLength }).map((arr): J => ({ arr }));
    }
    case 'object': {
      const props = Object.entries(s.properties ?? {});
      const required = new Set(s.required ?? []);
      const fields = props.map(([key, sub]) =>
        fc.tuple(fc.constant(key), fromSchema(sub, ctx, key, depth + 1), required.has(key) ? fc.constant(true) : fc.boolean()),
      );
      const extra =
        s.additionalProperties && typeof s.additionalProperties === 'object'
          ? fc.array(fc.tuple(s.propertyNames ? fromSchema(s.propertyNames, ctx, undefined, depth + 1) : fc.constantFrom(...ctx.districts), fromSchema(s.additionalProperties, ctx, undefined, depth + 1)), { maxLength: 3 })
          : fc.constant([] as Array<[J, J]>);
      return fc.tuple(fc.tuple(...fields), extra).map(([chosen, more]): J => ({
        obj: [
          ...chosen.filter(([, , keep]) => keep).map(([k, v]) => [k, v] as [string, J]),
          ...more.map(([k, v]) => [typeof k === 'string' ? k : toJson(k), v] as [string, J]),
        ],
      }));
    }
    default: {
      if (s.format === 'date' || s.pattern === DATE_PATTERN) return isoDate;
      if (s.format === 'date-time') return fc.date({ noInvalidDate: true, min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z') }).map((d) => d.toISOString());
      if (s.pattern) {
        try {
          return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length <= (s.maxLength ?? 512) && x.length >= (s.minLength ?? 0));
        } catch {
          // fall through to a plain string
        }
      }
      const minLength = s.minLength ?? 0;
      return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(s.maxLength ?? 24, 24)), unit: 'grapheme' });
    }
  }
}

/** Converts a plain JSON value (an OpenAPI example) to the tree. */
export function fromPlain(value: unknown): J {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return { arr: value.map(fromPlain) };
  if (typeof value === 'object') return { obj: Object.entries(value as object).map(([k, v]) => [k, fromPlain(v)]) };
  return null;
}

// ---------------------------------------------------------------------------------------------
// Mutations

type Mutation =
  | { kind: 'replace'; at: number[]; value: J }
  | { kind: 'delete'; at: number[] }
  | { kind: 'addKey'; at: number[]; key: string; value: J }
  | { kind: 'duplicateKey'; at: number[]; value: J }
  | { kind: 'wrap'; at: number[]; times: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.array(fc.nat(), { maxLength: 4 }), value: fc.oneof({ weight: 4, arbitrary: hostileScalar }, { weight: 1, arbitrary: hostileJson }, { weight: 1, arbitrary: deepNesting }, { weight: 1, arbitrary: pollution }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('addKey' as const), at: fc.array(fc.nat(), { maxLength: 3 }), key: hostileKey, value: fc.oneof(hostileScalar, pollution) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicateKey' as const), at: fc.array(fc.nat(), { maxLength: 3 }), value: hostileScalar }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wrap' as const), at: fc.array(fc.nat(), { maxLength: 3 }), times: fc.integer({ min: 1, max: 3 }) }) },
);

const children = (v: J): J[] | undefined => (v !== null && typeof v === 'object' ? ('arr' in v ? v.arr : 'obj' in v ? v.obj.map(([, c]) => c) : undefined) : undefined);

/** Applies the mutation at a path chosen by the numbers in `at` (each taken modulo the children). */
export function mutate(value: J, m: Mutation): J {
  const go = (v: J, at: number[]): J => {
    const kids = children(v);
    const [head, ...rest] = at;
    const atTarget = head === undefined || !kids?.length || (m.kind === 'delete' ? rest.length === 0 : false);
    if (!atTarget && kids?.length) {
      const i = head! % kids.length;
      if (v !== null && typeof v === 'object' && 'arr' in v) return { arr: v.arr.map((c, j) => (j === i ? go(c, rest) : c)) };
      if (v !== null && typeof v === 'object' && 'obj' in v) return { obj: v.obj.map(([k, c], j) => [k, j === i ? go(c, rest) : c] as [string, J]) };
    }
    switch (m.kind) {
      case 'replace':
        return m.value;
      case 'delete': {
        if (v !== null && typeof v === 'object' && 'obj' in v && v.obj.length) {
          const i = (head ?? 0) % v.obj.length;
          return { obj: v.obj.filter((_, j) => j !== i) };
        }
        if (v !== null && typeof v === 'object' && 'arr' in v && v.arr.length) {
          const i = (head ?? 0) % v.arr.length;
          return { arr: v.arr.filter((_, j) => j !== i) };
        }
        return null;
      }
      case 'addKey':
        return v !== null && typeof v === 'object' && 'obj' in v ? { obj: [...v.obj, [m.key, m.value]] } : { obj: [[m.key, m.value]] };
      case 'duplicateKey': {
        if (v !== null && typeof v === 'object' && 'obj' in v && v.obj.length) {
          const [k] = v.obj[(head ?? 0) % v.obj.length]!;
          return { obj: [...v.obj, [k, m.value]] };
        }
        return m.value;
      }
      case 'wrap': {
        let out = v;
        for (let i = 0; i < m.times; i++) out = i % 2 ? { obj: [['value', out]] } : { arr: [out] };
        return out;
      }
    }
  };
  return go(value, m.at);
}

// ---------------------------------------------------------------------------------------------
// Requests

export interface FuzzRequest {
  op: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Which body generator produced the body (for figures/debugging). */
  bodyKind?: 'schema' | 'mutated' | 'hostile' | 'raw';
}

/** Header-safe junk (Latin-1 without CR/LF/NUL: what a Headers object accepts). */
export const headerJunk: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', '*', 'null', '\t', 'é', '\u00ff\u00fe', '%00', '../', '"', '""', "'", '\\', '{}', '[]', '-1', '1e400', 'NaN'),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.tuple(fc.constantFrom('a', 'é', '"', 'W/'), fc.integer({ min: 100, max: 12_000 })).map(([c, n]) => c.repeat(n)),
);

export const ifMatch = fc.oneof(fc.constantFrom('*', '"1"', 'W/"1"', '"0"', '"-1"', '"99999999999999999999999"', '1', '"abc"', '"1", "2"', 'W/', '""'), headerJunk);
export const idempotencyKey = fc.oneof(
  fc.uuid(),
  fc.constantFrom('', ' ', 'k', 'x'.repeat(255), 'x'.repeat(256), 'é'.repeat(200)),
  fc.integer({ min: 256, max: 20_000 }).map((n) => 'k'.repeat(n)),
  headerJunk,
);
export const clockNow = fc.oneof(
  fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2026-04-14T07:00:00+08:00', '2026-04-14', 'yesterday', 'now', '', '0', '-1', '2026-02-30', '2026-13-01T00:00:00Z', '2026-01-01T25:61:61Z',
    '9999-12-31T23:59:59Z', '0000-01-01', '1969-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '2026-01-01T00:00:00.123456789Z', '2026-01-01T::::Z', '+275760-09-13T00:00:00Z', '2026-01-01T00:00:00+99:99'),
  headerJunk,
);
export const acceptLanguage = fc.oneof(fc.constantFrom('zh-CN', 'zh', 'en', 'zh-CN,zh;q=0.9', '*', 'xx', 'zh-Hant-TW;q=2', ';;;', 'en;q=NaN', 'ZH'), headerJunk);
export const contentType = fc.constantFrom(
  'application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'application/JSON', 'text/plain', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/problem+json', 'application/json; charset=utf-16', '', 'application/vnd.api+json', 'application/json;;;',
);

/** Path segment values: valid-looking, known and hostile. */
export function pathValue(param: ParameterObject, ctx: FuzzContext): fc.Arbitrary<{ value: string; encode: boolean }> {
  const schemaValue = fromSchema(param.schema ?? {}, ctx, param.name).map((v) => (typeof v === 'string' ? v : typeof v === 'object' && v !== null ? toJson(v) : String(v)));
  return fc.record({
    value: fc.oneof(
      { weight: 3, arbitrary: schemaValue },
      { weight: 2, arbitrary: ctx.knownIds.length ? fc.constantFrom(...ctx.knownIds) : schemaValue },
      { weight: 3, arbitrary: hostileString },
      { weight: 1, arbitrary: fc.constantFrom('..', '.', '../..', '..%2f', '%2e%2e%2f', '%00', '%', '%ZZ', ' ', '%20', '-0', '0x7EB', '2027.0', '1e3', ' 2027', '2027 ', '+2027', '02027', 'x'.repeat(5000), '🧑‍🏭'.repeat(50)) },
    ),
    encode: fc.boolean(),
  });
}

function encodeSegment(value: string, encode: boolean): string {
  if (!encode) return value.replaceAll('#', '%23').replaceAll('?', '%3F');
  try {
    return encodeURIComponent(value);
  } catch {
    return value.replaceAll('#', '%23').replaceAll('?', '%3F'); // lone surrogate: sent raw (becomes U+FFFD)
  }
}

function encodeQuery(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value.replaceAll('#', '%23').replaceAll('&', '%26');
  }
}

/**
 * Triggers of known, not yet fixed defects the generators can steer around (see KNOWN_DEFECTS in
 * fuzz.test.ts), so the rest of the space keeps being searched while a pinned test reproduces each.
 */
export type Defect = 'non-json-content-type' | 'clock-out-of-range';

export interface FuzzOptions {
  avoid?: ReadonlySet<Defect>;
}

const JSON_CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/JSON', 'application/json; charset=utf-16', 'application/vnd.api+json', 'application/problem+json'];
const CLOCK_PATTERN = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/;
/** An X-Clock-Now the app would accept as a date between 1970 and 9998 (outside: defect 'clock-out-of-range'). */
export function clockInSafeRange(value: string): boolean {
  if (!CLOCK_PATTERN.test(value)) return true; // refused as malformed anyway
  const t = new Date(value).getTime();
  return Number.isNaN(t) || (t >= 0 && t < Date.UTC(9998, 0, 1));
}

/** `arb` with probability p, else undefined. */
export function sometimes<T>(arb: fc.Arbitrary<T>, p: number): fc.Arbitrary<T | undefined> {
  const present = Math.max(1, Math.round(p * 100));
  return fc.oneof({ weight: 100 - present, arbitrary: fc.constant(undefined) }, { weight: present, arbitrary: arb });
}

export interface Principal {
  label: string;
  token?: string;
  /** Raw Authorization header (for junk schemes). */
  authorization?: string;
}

/** One request for the operation. */
export function requestFor(op: Operation, ctx: FuzzContext, principals: Principal[], options: FuzzOptions = {}): fc.Arbitrary<FuzzRequest> {
  const avoid = options.avoid ?? new Set<Defect>();
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const path = fc.tuple(...pathParams.map((p) => pathValue(p, ctx))).map((values) => {
    let out = op.path;
    pathParams.forEach((p, i) => {
      const v = values[i]!;
      out = out.replace(`{${p.name}}`, encodeSegment(v.value, v.encode));
    });
    return out;
  });
  const query = fc
    .tuple(
      fc.tuple(
        ...queryParams.map((p) =>
          fc.option(
            fc.oneof(
              { weight: 3, arbitrary: fromSchema(p.schema ?? {}, ctx, p.name).map((v) => (typeof v === 'string' ? v : typeof v === 'object' && v !== null ? toJson(v) : String(v))) },
              { weight: 2, arbitrary: hostileString },
              { weight: 1, arbitrary: fc.constantFrom('-0', '0', '-1', '201', '1e3', '50.5', 'NaN', '', '[]', '{}', 'null') },
            ),
            { freq: 2 },
          ),
        ),
      ),
      fc.array(fc.tuple(fc.oneof(hostileKey, fc.constantFrom(...(queryParams.length ? queryParams.map((p) => p.name) : ['limit']))), hostileString), { maxLength: 3 }),
    )
    .map(([declared, extra]) => {
      const pairs: Array<[string, string]> = [];
      queryParams.forEach((p, i) => {
        const v = declared[i];
        if (v !== null && v !== undefined) pairs.push([p.name, v]);
      });
      pairs.push(...extra);
      return pairs.length ? `?${pairs.map(([k, v]) => `${encodeQuery(k)}=${encodeQuery(v)}`).join('&')}` : '';
    });

  const canHaveBody = op.method !== 'GET';
  const example = op.bodyExample !== undefined ? fromPlain(op.bodyExample) : undefined;
  const shaped = op.body ? fromSchema(op.body, ctx) : fc.constant<J>({ obj: [] });
  const base = example ? fc.oneof({ weight: 2, arbitrary: shaped }, { weight: 1, arbitrary: fc.constant(example) }) : shaped;
  const body: fc.Arbitrary<{ text: string; kind: NonNullable<FuzzRequest['bodyKind']> } | undefined> = canHaveBody
    ? fc.oneof(
        { weight: 3, arbitrary: shaped.map((j) => ({ text: toJson(j), kind: 'schema' as const })) },
        { weight: 5, arbitrary: fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([j, ms]) => ({ text: toJson(ms.reduce(mutate, j)), kind: 'mutated' as const })) },
        { weight: 1, arbitrary: hostileJson.map((j) => ({ text: toJson(j), kind: 'hostile' as const })) },
        { weight: 1, arbitrary: rawBodies.map((text) => ({ text, kind: 'raw' as const })) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      )
    : fc.constant(undefined);

  const anyClock = fc.oneof({ weight: 2, arbitrary: isoDate }, { weight: 1, arbitrary: clockNow });
  const clock = avoid.has('clock-out-of-range') ? anyClock.filter(clockInSafeRange) : anyClock;
  const headers = fc.record({
    principal: fc.constantFrom(...principals),
    ifMatch: sometimes(ifMatch, 0.2),
    idempotencyKey: sometimes(fc.oneof({ weight: 3, arbitrary: fc.uuid() }, { weight: 1, arbitrary: idempotencyKey }), 0.25),
    clockNow: sometimes(clock, 0.25),
    acceptLanguage: sometimes(acceptLanguage, 0.3),
    contentType: fc.oneof({ weight: 4, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: avoid.has('non-json-content-type') ? fc.constantFrom(...JSON_CONTENT_TYPES) : contentType }),
    requestId: sometimes(headerJunk, 0.15),
    accept: sometimes(fc.constantFrom('application/json', '*/*', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/html', 'junk/', ''), 0.2),
  });

  return fc.tuple(path, query, body, headers).map(([p, q, b, hd]) => {
    const h: Record<string, string> = {};
    if (hd.principal.authorization !== undefined) h.authorization = hd.principal.authorization;
    else if (hd.principal.token) h.authorization = `Bearer ${hd.principal.token}`;
    if (hd.ifMatch !== undefined) h['if-match'] = hd.ifMatch;
    if (hd.idempotencyKey !== undefined) h['idempotency-key'] = hd.idempotencyKey;
    if (hd.clockNow !== undefined) h['x-clock-now'] = hd.clockNow;
    if (hd.acceptLanguage !== undefined) h['accept-language'] = hd.acceptLanguage;
    if (hd.requestId !== undefined) h['x-request-id'] = hd.requestId;
    if (hd.accept !== undefined) h.accept = hd.accept;
    if (b) h['content-type'] = hd.contentType;
    return { op: op.id, method: op.method, url: `${p}${q}`, headers: h, ...(b ? { body: b.text, bodyKind: b.kind } : {}) };
  });
}
