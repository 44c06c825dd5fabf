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

function makeAjv(opts: Options): Ajv {
  const ajv = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, strict: false, ...opts });
  addFormats(ajv);
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
