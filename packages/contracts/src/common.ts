import { Type, type Static, type TSchema } from 'typebox';

/** The one error shape every failure uses. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'machine-readable code, e.g. validation_failed, not_found, unauthorized' }),
      message: Type.String(),
      details: Type.Optional(Type.Array(Type.Unknown())),
      request_id: Type.Optional(Type.String()),
    }),
  },
  { $id: 'ErrorBody', title: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const Uuid = Type.String({ format: 'uuid' });
export const IsoDateTime = Type.String({ format: 'date-time' });
/** A calendar date; the server's `date` format refuses days that do not exist (2026-02-30). */
export const IsoDate = Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
/** A page offset: bounded, so no query carries an OFFSET PostgreSQL cannot hold. */
export const PageOffset = Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 });

/** `t` or null: a field that is always present and may be empty. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const IdParams = Type.Object({ id: Uuid });
export type IdParams = Static<typeof IdParams>;

export const OkBody = Type.Object({ ok: Type.Boolean() });

/** A page of items with an opaque cursor to the next page. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) });
}

/** Standard error responses a route may declare alongside its success response. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  422: ErrorBody,
  429: ErrorBody,
} as const;
