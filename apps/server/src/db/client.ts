/**
 * One database handle for the whole server, over either PGlite (embedded,
 * default) or PostgreSQL (node-postgres). Repositories run plain SQL through
 * `query` and `transaction`; migrations use `exec`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import copyStreams from 'pg-copy-streams';
export type DbBackend = 'pglite' | 'postgres';

export interface Database {
  readonly backend: DbBackend;
  /** Runs one or more statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs one parameterised statement and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs `fn` in one transaction on one connection, committed when it resolves and
   * rolled back when it throws. PGlite has one connection: inside `fn` only `tx`
   * may be used, or an outer query would wait for the transaction forever.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Bulk-loads rows with COPY (fast path for data known to be new; fails as a whole on any conflict). */
  copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
  close(): Promise<void>;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** A transaction's connection: statements, and COPY on the same connection (so it commits or rolls back with them). */
export interface Transaction extends Queryable {
  copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
  /** Runs `fn` once the transaction has committed (never if it rolls back): what others may learn only after the commit (cache invalidation). */
  afterCommit(fn: () => void): void;
}

/** Runs a transaction body with an after-commit list, then the list once `commit` has succeeded. */
async function withAfterCommit<T>(run: (afterCommit: (fn: () => void) => void) => Promise<T>): Promise<T> {
  const after: (() => void)[] = [];
  const out = await run((fn) => void after.push(fn));
  for (const fn of after) {
    try {
      fn();
    } catch {
      /* a callback's failure is its own; the transaction committed */
    }
  }
  return out;
}

/** The cheapest round trip that proves the database answers (health and readiness probes). */
export async function ping(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}

export interface DatabaseOptions {
  /** postgres:// URL; absent → PGlite. */
  url?: string | null;
  /** PGlite data directory; absent → in memory. */
  dataDir?: string | null;
  /** node-postgres: `-c search_path=...` etc. (tests isolate suites in their own schema). */
  pgOptions?: string;
  poolSize?: number;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) return openPostgres(opts.url, opts.pgOptions, opts.poolSize ?? 10);
  return openPglite(opts.dataDir ?? null);
}

// int8 (count(*), bigint) comes back from pg as a string but from PGlite as a number;
// we parse it as a number everywhere so both backends pass the same contract suite.
pg.types.setTypeParser(20, (v) => Number(v));
// numeric likewise: we use it only for money/price values that fit a double.
pg.types.setTypeParser(1700, (v) => Number(v));

async function openPostgres(url: string, options: string | undefined, max: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max, options, connectionTimeoutMillis: 5000 });
  // A dropped idle connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const probe = await pool.connect();
  probe.release();
  return {
    backend: 'postgres',
    async exec(sql) {
      await pool.query(sql);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      const r = await pool.query(sql, params);
      return r.rows as T[];
    },
    transaction: (fn) =>
      withAfterCommit(async (afterCommit) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const out = await fn({
            async query<R>(sql: string, params: unknown[] = []) {
              return (await client.query(sql, params)).rows as R[];
            },
            async copyRows(table, columns, rows) {
              const sink = client.query(copyStreams.from(copySql(table, columns)));
              await pipeline(Readable.from(csvChunks(rows)), sink);
            },
            afterCommit,
          });
          await client.query('COMMIT');
          return out;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          client.release();
        }
      }),
    async copyRows(table, columns, rows) {
      const client = await pool.connect();
      try {
        const sink = client.query(copyStreams.from(copySql(table, columns)));
        await pipeline(Readable.from(csvChunks(rows)), sink);
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * PGlite runs each statement synchronously on this thread and resolves its promise in a
 * microtask, so a chain of statements (an import's slices, a job's reads) would otherwise run
 * as one macrotask and hold the event loop for its whole length (17 s for a 300k-row import,
 * measured by the combined-load bench). Each statement therefore ends with a turn of the
 * event loop: timers, sockets and other requests run between statements.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function openPglite(dataDir: string | null): Promise<Database> {
  if (dataDir) fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const client = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  return {
    backend: 'pglite',
    async exec(sql) {
      await client.exec(sql);
      await nextTurn();
    },
    async query<T>(sql: string, params: unknown[] = []) {
      const r = await client.query(sql, params);
      await nextTurn();
      return r.rows as T[];
    },
    transaction: (fn) =>
      withAfterCommit((afterCommit) =>
        client.transaction((tx) =>
          fn({
            async query<R>(sql: string, params: unknown[] = []) {
              const r = await tx.query(sql, params);
              await nextTurn();
              return r.rows as R[];
            },
            async copyRows(table, columns, rows) {
              const blob = new Blob([...csvChunks(rows)]);
              await nextTurn();
              await tx.query(copySql(table, columns, "'/dev/blob'"), [], { blob });
              await nextTurn();
            },
            afterCommit,
          }),
        ),
      ),
    async copyRows(table, columns, rows) {
      const blob = new Blob([...csvChunks(rows)]);
      await nextTurn();
      await client.query(copySql(table, columns, "'/dev/blob'"), [], { blob });
      await nextTurn();
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

function copySql(table: string, columns: readonly string[], source = 'STDIN'): string {
  if (![table, ...columns].every((n) => /^[a-z_][a-z0-9_]*$/.test(n))) throw new Error('copyRows: invalid identifier');
  return `COPY ${table} (${columns.join(', ')}) FROM ${source} WITH (FORMAT csv)`;
}

/** CSV lines for COPY: null → empty unquoted field, Date → ISO, strings quoted. */
function* csvChunks(rows: readonly (readonly unknown[])[], perChunk = 5000): Generator<string> {
  let buf: string[] = [];
  for (const row of rows) {
    buf.push(
      row
        .map((v) => {
          if (v === null || v === undefined) return '';
          if (v instanceof Date) return v.toISOString();
          if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
          return `"${String(v).replace(/"/g, '""')}"`;
        })
        .join(','),
    );
    if (buf.length >= perChunk) {
      yield buf.join('\n') + '\n';
      buf = [];
    }
  }
  if (buf.length) yield buf.join('\n') + '\n';
}
