/**
 * The SQL runner the trading repositories share: plain `query(text, params)`
 * outside a transaction, and the same interface bound to one connection inside
 * `transaction(fn)`. PGlite has one connection: inside `fn` only the given
 * runner may be used, or the outer query would wait for the transaction forever.
 */
import type { Database, Queryable } from '../../client.js';

export type Sql = Queryable;

export interface SqlRunner extends Sql {
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
}

export function sqlRunner(database: Database): SqlRunner {
  return {
    query: (text, params = []) => database.query(text, params),
    transaction: (fn) => database.transaction(fn),
  };
}

/** Timestamps arrive as `Date` from both drivers; text (`2025-01-01 00:00:00+00`) is accepted too. */
export function toDate(v: unknown): Date {
  if (v instanceof Date) return v;
  const s = String(v);
  const iso = s.includes('T') ? s : s.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) throw new RangeError(`not a timestamp: ${s}`);
  return d;
}

export function toDateOrNull(v: unknown): Date | null {
  return v === null || v === undefined ? null : toDate(v);
}

/** jsonb may come back parsed or as text depending on the path. */
export function toJson<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}
