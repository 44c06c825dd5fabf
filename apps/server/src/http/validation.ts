/**
 * Request validation. Bodies are validated strictly (no type coercion, unknown
 * fields rejected where a schema says additionalProperties: false) so a client
 * sending "10" for a number learns about it; query strings and params are
 * coerced, since everything in a URL is text.
 */
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/**
 * A real proleptic-Gregorian calendar date YYYY-MM-DD, years 0001–9999:
 * day ≤ days in the month, February 29 only when the year is divisible by 4
 * and not by 100 unless by 400 (so 2026-02-30, 2026-13-01, 0000-00-00 and
 * 2100-02-29 are refused). Source: ISO 8601-1:2019 §4.3.
 */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  return d <= days;
}

/** An RFC 3339 instant whose date part is a real date and whose year is 0001–9999 (PostgreSQL and Date agree there). */
function isInstant(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/.test(s) && isCalendarDate(s.slice(0, 10)) && !Number.isNaN(Date.parse(s));
}

function makeAjv(opts: Options): Ajv {
  const ajv = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, strict: false, ...opts });
  addFormats(ajv);
  ajv.addFormat('date', { type: 'string', validate: isCalendarDate });
  ajv.addFormat('date-time', { type: 'string', validate: isInstant });
  return ajv;
}

const strict = makeAjv({ coerceTypes: false });
const coercing = makeAjv({ coerceTypes: 'array' });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  return ajv.compile(schema) as ReturnType<FastifySchemaCompiler<object>>;
};

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Turns Ajv errors into `{field, message}` entries that name the offending field. */
export function describeValidationErrors(errors: AjvIssue[], part: string): { field: string; message: string }[] {
  return errors.map((e) => {
    let field = (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    if (e.keyword === 'required' && e.params?.missingProperty) field = [field, String(e.params.missingProperty)].filter(Boolean).join('.');
    if (e.keyword === 'additionalProperties' && e.params?.additionalProperty) {
      field = [field, String(e.params.additionalProperty)].filter(Boolean).join('.');
      return { field: field || part, message: 'is not an allowed field' };
    }
    return { field: field || part, message: e.message ?? 'is invalid' };
  });
}
