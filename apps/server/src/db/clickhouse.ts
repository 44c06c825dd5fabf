/**
 * A small client for ClickHouse's HTTP interface (port 8123), on Node's fetch.
 * Written for the oldest server we run against, Debian's 18.16: that version
 * has no query parameters (`{name:Type}` / `param_*` came in 19.x), so values
 * are sent as literals built by `literal()` and `identifier()`, never by
 * pasting raw text; rows go in as TabSeparated and come back as JSON.
 */

export class ClickHouseError extends Error {
  constructor(
    message: string,
    /** ClickHouse's error code (`Code: 60` …), when the server answered with one. */
    readonly code: number | null,
    readonly httpStatus: number | null,
  ) {
    super(message);
    this.name = 'ClickHouseError';
  }
}

export interface ClickHouseOptions {
  /** `http(s)://[user:password@]host:port[/database]`; the database defaults to `optibid`. */
  url: string;
  /** Per-request timeout (a query or an insert); default 30 s. */
  timeoutMs?: number;
}

export const DEFAULT_ANALYTICS_DATABASE = 'optibid';

/** Errors of a request written to a connection the server had closed. */
const STALE_SOCKET = new Set(['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET']);

/** A SQL literal for a string, number, boolean, null or instant (as a UTC DateTime). */
export function literal(v: string | number | boolean | null | Date): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v);
  }
  if (v instanceof Date) {
    const t = v.getTime();
    if (Number.isNaN(t)) throw new Error('invalid date');
    return `toDateTime(${Math.floor(t / 1000)}, 'UTC')`;
  }
  // ClickHouse string literals: backslash escapes, single quotes.
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\0/g, '\\0')}'`;
}

/** A table, column or database name: only identifier characters, checked rather than escaped. */
export function identifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a ClickHouse identifier: ${name}`);
  return name;
}

/** One TabSeparated field: \N for null, instants as Unix seconds, strings with \t \n \\ escaped. */
function tsvField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (v instanceof Date) return String(Math.floor(v.getTime() / 1000));
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v);
  }
  return String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function tsvRows(rows: readonly (readonly unknown[])[]): string {
  let out = '';
  for (const r of rows) out += r.map(tsvField).join('\t') + '\n';
  return out;
}

export class ClickHouse {
  readonly database: string;
  private readonly base: string;
  private readonly auth: string | null;
  private readonly timeoutMs: number;

  constructor(opts: ClickHouseOptions) {
    const u = new URL(opts.url);
    this.database = identifier(u.pathname.replace(/^\/+|\/+$/g, '') || DEFAULT_ANALYTICS_DATABASE);
    this.auth = u.username ? `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}` : null;
    this.base = `${u.protocol}//${u.host}/`;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** Where the client points, without credentials (for health and logs). */
  get address(): string {
    return `${this.base}${this.database}`;
  }

  /** `GET /ping` answers `Ok.` while the server runs. */
  async ping(timeoutMs = 2000): Promise<void> {
    const res = await this.send(`${this.base}ping`, { headers: this.headers() }, timeoutMs);
    const text = await res.text();
    if (!res.ok || !text.startsWith('Ok')) throw new ClickHouseError(`ClickHouse ping answered ${res.status} ${text.slice(0, 200)}`, null, res.status);
  }

  /** A statement without a result (DDL, INSERT … SELECT); `inDatabase: false` for CREATE DATABASE. */
  async exec(sql: string, opts: { inDatabase?: boolean; timeoutMs?: number } = {}): Promise<void> {
    await this.request(sql, null, opts);
  }

  /** A SELECT; rows as objects. 64-bit integers come back as numbers (our counts fit). */
  async query<T>(sql: string, opts: { timeoutMs?: number } = {}): Promise<T[]> {
    const text = await this.request(`${sql}\nFORMAT JSON`, null, { ...opts, settings: { output_format_json_quote_64bit_integers: '0' } });
    return (JSON.parse(text) as { data: T[] }).data;
  }

  /** Inserts rows, in the order of `columns`, as one TabSeparated body (one part on the server). */
  async insert(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[] | string, opts: { timeoutMs?: number } = {}): Promise<void> {
    if (typeof rows !== 'string' && rows.length === 0) return;
    const body = typeof rows === 'string' ? rows : tsvRows(rows);
    await this.request(null, body, { ...opts, settings: { query: `INSERT INTO ${identifier(table)} (${columns.map(identifier).join(', ')}) FORMAT TabSeparated` } });
  }

  /**
   * fetch, with a network failure or timeout turned into an error that says what happened. A
   * request that met a kept-alive connection the server had just closed (ClickHouse closes idle
   * ones after 3 s; the write then fails with EPIPE or a reset) is sent once more on a new one:
   * every statement we send is safe to repeat (reads, IF NOT EXISTS, and inserts into a
   * ReplacingMergeTree, where a repeated row is the same row).
   */
  private async send(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        const e = err as Error & { cause?: { code?: string; message?: string } };
        const code = e.cause?.code ?? '';
        if (attempt < 3 && e.name !== 'TimeoutError' && STALE_SOCKET.has(code)) {
          // Let the loop see the other closed connections before taking one again.
          await new Promise((r) => setTimeout(r, 50 * attempt));
          continue;
        }
        const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : code || (e.cause?.message ?? e.message);
        throw new ClickHouseError(`ClickHouse at ${this.base} unreachable: ${why}`, null, null);
      }
    }
  }

  private headers(): Record<string, string> {
    return this.auth ? { authorization: this.auth } : {};
  }

  private async request(sql: string | null, data: string | null, opts: { inDatabase?: boolean; timeoutMs?: number; settings?: Record<string, string> }): Promise<string> {
    const params = new URLSearchParams(opts.settings ?? {});
    if (opts.inDatabase !== false) params.set('database', this.database);
    // With a body of rows the statement rides in the URL; otherwise the statement is the body.
    const body = data ?? sql ?? '';
    const res = await this.send(
      `${this.base}?${params}`,
      { method: 'POST', body, headers: { ...this.headers(), 'content-type': 'text/plain; charset=utf-8' } },
      opts.timeoutMs ?? this.timeoutMs,
    );
    const text = await res.text();
    if (!res.ok) {
      const code = /Code: (\d+)/.exec(text);
      throw new ClickHouseError(`ClickHouse: ${text.trim().slice(0, 500)}`, code ? Number(code[1]) : null, res.status);
    }
    return text;
  }
}
