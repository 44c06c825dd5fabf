/**
 * The SQL runner the trading repositories share: plain `query(text, params)`
 * outside a transaction, and the same interface bound to one connection inside
 * `transaction(fn)` (Drizzle's transaction, so it works on PGlite and
 * node-postgres alike). PGlite has one connection: inside `fn` only the given
 * runner may be used, or the outer query would wait for the transaction forever.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../client.js';

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface SqlRunner extends Sql {
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
}

/** `$n` placeholders to a Drizzle SQL object with bound parameters. */
function toDrizzle(text: string, params: unknown[]): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) {
      if (parts[i]) chunks.push(sql.raw(parts[i]!));
    } else {
      chunks.push(sql`${sql.param(params[Number(parts[i]) - 1])}`);
    }
  }
  return sql.join(chunks, sql.raw(''));
}

export function sqlRunner(database: Database): SqlRunner {
  return {
    query: (text, params = []) => database.query(text, params),
    transaction: (fn) =>
      database.db.transaction(async (tx) =>
        fn({
          async query<T>(text: string, params: unknown[] = []) {
            const r = (await tx.execute(toDrizzle(text, params))) as unknown as { rows: T[] };
            return r.rows;
          },
        }),
      ),
  };
}

/**
 * Timestamps arrive as `Date` from the plain drivers and as text
 * (`2025-01-01 00:00:00+00`) through Drizzle's transaction; both become a Date.
 */
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
