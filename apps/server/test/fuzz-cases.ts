/**
 * The fuzz suite's generator: reads an OpenAPI 3 document and, for every
 * operation, builds a schema-valid baseline request and a seeded selection of
 * hostile variants of it (wrong types, missing fields, NUL bytes, unicode,
 * huge and non-finite numbers, impossible dates, over-long paths and bodies).
 * Nothing here knows a route by name, so a new route is fuzzed as soon as it
 * is in /openapi.json.
 */
import { mulberry32 } from '@optibid/core';

type Schema = Record<string, any>;

export interface Operation {
  method: string;
  /** The path template, e.g. /api/bids/{id}. */
  path: string;
  access: string;
  pathParams: { name: string; schema: Schema }[];
  queryParams: { name: string; schema: Schema; required: boolean }[];
  body: Schema | null;
  /** True when the body is multipart (file uploads). */
  multipart: boolean;
}

export interface FuzzRequest {
  method: string;
  url: string;
  /** A raw JSON text (so 1e309 can be sent as a number), or undefined for no body. */
  payload?: string;
  contentType?: string;
  /** What this case does, for the failure report. */
  label: string;
}

export function operationsOf(doc: Schema): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries<Schema>(doc.paths ?? {})) {
    for (const [method, op] of Object.entries<Schema>(methods)) {
      const params: Schema[] = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      ops.push({
        method: method.toUpperCase(),
        path,
        access: String(op['x-access'] ?? 'authenticated'),
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {}, required: Boolean(p.required) })),
        body: content['application/json']?.schema ?? null,
        multipart: Boolean(content['multipart/form-data']) || /import/.test(path),
      });
    }
  }
  return ops;
}

/** Strings that satisfy the patterns our contracts use; the first that matches a pattern is taken. */
const PATTERN_SAMPLES = ['2026-06-01', '2026-06', 'perfect', 'lmp_spike', 'abc_flag', 'DA', 'a', 'A1', '10:00', '1'];

/** Ids of the fuzzing organisation's own things by field name (asset_id → one of its assets), so bodies reach past the lookup. */
export const knownIds = new Map<string, string>();

/** A value that satisfies the schema (as far as a generic reading can tell). */
export function sample(schema: Schema, hint = ''): unknown {
  if (!schema || typeof schema !== 'object') return 'x';
  if (schema.default !== undefined) return schema.default;
  if (schema.example !== undefined) return schema.example;
  if (schema.enum) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  const alt = schema.anyOf ?? schema.oneOf;
  if (alt) return sample(alt.find((s: Schema) => s.type !== 'null' && !s.nullable) ?? alt[0], hint);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s: Schema) => sample(s, hint)));
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type ?? (schema.properties ? 'object' : 'string')) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? []) out[name] = sample(schema.properties?.[name] ?? {}, name);
      return out;
    }
    case 'array': {
      const n = Math.max(1, schema.minItems ?? 1);
      return Array.from({ length: Math.min(n, 24) }, () => sample(schema.items ?? {}, hint));
    }
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? Number(schema.exclusiveMinimum) + 1 : schema.maximum !== undefined ? Math.min(1, schema.maximum) : 1);
    case 'boolean':
      return false;
    default:
      return sampleString(schema, hint);
  }
}

function sampleString(schema: Schema, hint: string): string {
  switch (schema.format) {
    case 'uuid':
      return knownIds.get(hint) ?? '00000000-0000-4000-8000-000000000000';
    case 'date-time':
      return '2026-06-01T00:00:00Z';
    case 'date':
      return '2026-06-01';
    case 'email':
      return `fuzz.${hint || 'x'}@example.com`;
  }
  if (schema.pattern) {
    const re = new RegExp(schema.pattern);
    const found = PATTERN_SAMPLES.find((s) => re.test(s));
    if (found) return found;
  }
  const min = schema.minLength ?? 1;
  return /password/i.test(hint) ? 'fuzz-password-123' : 'x'.repeat(Math.max(min, 1)).slice(0, schema.maxLength ?? 1e9);
}

const NUL = 'a\u0000b';
const UNICODE = '\u202e💥Zürich\uFEFF\uD800';
/** JSON texts substituted verbatim into bodies: 1e309 parses to Infinity. */
const HOSTILE_JSON = ['1e309', '-1e309', '1e308', '-0', '9007199254740993', '"Infinity"', '"NaN"', 'null', 'true', '[]', '{}', '""', JSON.stringify(NUL), JSON.stringify(UNICODE), JSON.stringify('x'.repeat(20_000)), '"2026-02-30"', '"2026-13-01"', '"0000-00-00"', '"2100-02-29"', '"+275760-09-13T00:00:00Z"', '"2026-02-30T00:00:00Z"', '12345', '"12345"'];
/** Text substituted into query strings and path segments (already URL-encoded where needed). */
const HOSTILE_TEXT = ['%00', 'a%00b', encodeURIComponent(UNICODE.replace('\uD800', '')), '%E0%A4%A', '%', 'Infinity', '1e309', '-1', 'NaN', '0', '99999999999999999999', '2026-02-30', '2026-13-01', '0000-00-00', '2100-02-29', '275760-09-13T00:00:00.000Z', 'x'.repeat(5000), '', '..%2F..%2Fetc%2Fpasswd', 'true', '[]'];

/** Leaf paths of a JSON value, e.g. ['curves', 0, 0, 'mw']. */
function leaves(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.length ? value.slice(0, 2).flatMap((v, i) => leaves(v, [...prefix, i])) : [prefix];
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length ? keys.flatMap((k) => [[...prefix, k], ...leaves((value as Record<string, unknown>)[k], [...prefix, k])]) : [prefix];
  }
  return [prefix];
}

const MARK = '"__FUZZ_SLOT__"';

/** The baseline with the value at `at` replaced by a raw JSON text (or removed when `raw` is undefined). */
function substitute(base: unknown, at: (string | number)[], raw: string | undefined): string {
  if (at.length === 0) return raw ?? '';
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  if (raw === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
    return JSON.stringify(copy);
  }
  node[last] = '__FUZZ_SLOT__';
  return JSON.stringify(copy).replace(MARK, raw);
}

export interface Baseline {
  path: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

export function urlOf(op: Operation, path: Record<string, string>, query: Record<string, string>): string {
  const p = op.path.replace(/\{(\w+)\}/g, (_, name: string) => path[name] ?? 'x');
  const q = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&');
  return q ? `${p}?${q}` : p;
}

export function baselineOf(op: Operation, ids: string[]): Baseline {
  const path: Record<string, string> = {};
  for (const p of op.pathParams) path[p.name] = p.schema.format === 'uuid' && ids.length ? ids[0]! : encodeURIComponent(String(sample(p.schema, p.name)));
  const query: Record<string, string> = {};
  for (const q of op.queryParams) if (q.required) query[q.name] = encodeURIComponent(String(sample(q.schema, q.name)));
  return { path, query, body: op.body ? sample(op.body) : undefined };
}

/**
 * Every hostile variant of one operation, then a seeded choice of at most
 * `cap` of them (the baseline itself always included).
 */
export function casesFor(op: Operation, ids: string[], seed: number, cap: number): FuzzRequest[] {
  const rand = mulberry32(seed);
  const base = baselineOf(op, ids);
  const json = op.body ? 'application/json' : undefined;
  const baseBody = op.body ? JSON.stringify(base.body) : undefined;
  const all: FuzzRequest[] = [];
  const add = (label: string, url: string, payload = baseBody, contentType = json) => all.push({ method: op.method, url, payload, contentType, label });
  const baseUrl = urlOf(op, base.path, base.query);

  for (const p of op.pathParams) {
    for (const t of HOSTILE_TEXT.filter((t) => t !== '')) add(`path ${p.name}=${t.slice(0, 30)}`, urlOf(op, { ...base.path, [p.name]: t }, base.query));
    add(`path ${p.name} random uuid`, urlOf(op, { ...base.path, [p.name]: '7f3c1a2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b' }, base.query));
  }
  for (const q of op.queryParams) {
    for (const t of HOSTILE_TEXT) add(`query ${q.name}=${t.slice(0, 30)}`, urlOf(op, base.path, { ...base.query, [q.name]: t }));
    if (q.required) {
      const rest = { ...base.query };
      delete rest[q.name];
      add(`query ${q.name} missing`, urlOf(op, base.path, rest));
    }
  }
  add('unknown query repeated', urlOf(op, base.path, { ...base.query, zz: 'a%00' }) + '&zz=b');
  if (op.body) {
    for (const at of leaves(base.body)) {
      const name = at.join('.') || 'body';
      add(`body ${name} missing`, baseUrl, substitute(base.body, at, undefined));
      for (const raw of HOSTILE_JSON) add(`body ${name}=${raw.slice(0, 30)}`, baseUrl, substitute(base.body, at, raw));
    }
    // Optional fields too: each set to something hostile.
    for (const [name, s] of Object.entries<Schema>(op.body.properties ?? {})) {
      if ((op.body.required ?? []).includes(name)) continue;
      const raw = HOSTILE_JSON[Math.floor(rand() * HOSTILE_JSON.length)]!;
      add(`body optional ${name}=${raw.slice(0, 30)}`, baseUrl, JSON.stringify({ ...(base.body as object), [name]: '__FUZZ_SLOT__' }).replace(MARK, raw));
      add(`body optional ${name} sample`, baseUrl, JSON.stringify({ ...(base.body as object), [name]: sample(s, name) }));
    }
    add('body not JSON', baseUrl, '{"a":');
    add('body empty', baseUrl, '');
    add('body huge', baseUrl, JSON.stringify({ pad: 'x'.repeat(3 * 1024 * 1024) }));
  }
  if (op.method !== 'GET' && op.method !== 'DELETE') add('body as text/plain', baseUrl, 'hello', 'text/plain');
  add('over-long path', `${op.path.replace(/\{\w+\}/g, 'x'.repeat(4000))}`);

  const chosen: FuzzRequest[] = [{ method: op.method, url: baseUrl, payload: baseBody, contentType: json, label: 'baseline' }];
  const pool = [...all];
  while (chosen.length < cap && pool.length) chosen.push(pool.splice(Math.floor(rand() * pool.length), 1)[0]!);
  return chosen;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every UUID that appears anywhere in a JSON value; ids under a `…_id` key are also remembered by that name. */
export function uuidsIn(value: unknown, into = new Set<string>(), key = '', byName?: Map<string, string>): Set<string> {
  if (typeof value === 'string') {
    if (UUID.test(value)) {
      into.add(value.toLowerCase());
      if (byName && key.endsWith('_id') && !byName.has(key)) byName.set(key, value.toLowerCase());
    }
  } else if (Array.isArray(value)) value.forEach((v) => uuidsIn(v, into, key, byName));
  else if (value && typeof value === 'object') Object.entries(value).forEach(([k, v]) => uuidsIn(v, into, k, byName));
  return into;
}
