/**
 * The analytics store's prices, in ClickHouse: the platform's shared market
 * only (organisations' own series stay in PostgreSQL and are never copied, so
 * no tenant filter can be forgotten here). One ReplacingMergeTree keyed on
 * (market, location, run, interval_start) with a version (milliseconds of the
 * write it came from: the tick's time, or the row's `ingested_at` in
 * PostgreSQL); reads use FINAL, so a redelivered tick or a re-copied row is
 * one row, and of two values for an interval the later write wins.
 *
 * Written for ClickHouse 18.16 (Debian's): instants are `DateTime('UTC')`
 * (seconds; interval starts are whole minutes), versions plain UInt64
 * milliseconds because there is no DateTime64.
 */
import type { IsoId, PriceRun } from '@optibid/core';
import { identifier, literal, type ClickHouse } from '../clickhouse.js';
import type { PricePoint, PriceStats } from './prices.js';

export const ANALYTICS_PRICES_TABLE = 'prices';
export const ANALYTICS_SYNC_TABLE = 'sync_state';
const COLUMNS = ['market', 'location', 'run', 'interval_start', 'interval_end', 'lmp_usd_per_mwh', 'energy_usd_per_mwh', 'congestion_usd_per_mwh', 'loss_usd_per_mwh', 'source', 'version'] as const;

/** A price row as the store keeps it, with the version that orders writes of the same interval. */
export interface AnalyticsPriceRow extends PricePoint {
  version_ms: number;
}

export interface AnalyticsSyncState {
  /** PostgreSQL rows with `ingested_at` up to this instant are copied. */
  watermark: Date;
  /** When a sync last finished (ClickHouse's clock). */
  synced_at: Date;
  /** Rows the last sync copied. */
  rows: number;
  /** Seconds since that sync finished, by ClickHouse's clock. */
  age_s: number;
}

export interface AnalyticsSeriesQuery {
  market: IsoId;
  location: string;
  run: PriceRun;
  start: Date;
  end: Date;
  resolution: 'hourly' | 'daily';
  timezone: string;
  after?: Date;
  limit: number;
}

/** A bucket of a series: hourly buckets by their UTC start, daily ones by their market-local date. */
export interface AnalyticsBucket {
  bucket_unix_s: number | null;
  bucket_day: string | null;
  lmp_usd_per_mwh: number;
  energy_usd_per_mwh: number | null;
  congestion_usd_per_mwh: number | null;
  loss_usd_per_mwh: number | null;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export class AnalyticsPricesRepository {
  constructor(private readonly ch: ClickHouse) {}

  get address(): string {
    return this.ch.address;
  }

  ping(timeoutMs?: number): Promise<void> {
    return this.ch.ping(timeoutMs);
  }

  async version(): Promise<string> {
    const [row] = await this.ch.query<{ v: string }>('SELECT version() AS v');
    return row?.v ?? 'unknown';
  }

  /** The database and tables, created when missing (every start; idempotent). */
  async ensureSchema(): Promise<void> {
    await this.ch.exec(`CREATE DATABASE IF NOT EXISTS ${identifier(this.ch.database)}`, { inDatabase: false });
    await this.ch.exec(`CREATE TABLE IF NOT EXISTS ${ANALYTICS_PRICES_TABLE} (
      market String,
      location String,
      run String,
      interval_start DateTime('UTC'),
      interval_end DateTime('UTC'),
      lmp_usd_per_mwh Float64,
      energy_usd_per_mwh Nullable(Float64),
      congestion_usd_per_mwh Nullable(Float64),
      loss_usd_per_mwh Nullable(Float64),
      source String,
      version UInt64,
      series UInt64 MATERIALIZED cityHash64(market, location, run)
    ) ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYear(interval_start)
    ORDER BY (series, interval_start)`);
    await this.ch.exec(`CREATE TABLE IF NOT EXISTS ${ANALYTICS_SYNC_TABLE} (
      name String,
      watermark_ms UInt64,
      synced_at DateTime('UTC'),
      rows UInt64,
      updated_ms UInt64
    ) ENGINE = ReplacingMergeTree(updated_ms)
    ORDER BY name`);
  }

  /** Writes rows as one insert (one part); a row already there with a lower version is replaced at merge, and FINAL reads see only the newest. */
  async write(rows: readonly AnalyticsPriceRow[]): Promise<void> {
    await this.ch.insert(
      ANALYTICS_PRICES_TABLE,
      COLUMNS,
      rows.map((r) => [r.market, r.location, r.run, r.interval_start, r.interval_end, r.lmp_usd_per_mwh, r.energy_usd_per_mwh, r.congestion_usd_per_mwh, r.loss_usd_per_mwh, r.source ?? 'unknown', Math.max(0, Math.round(r.version_ms))]),
    );
  }

  /** Inserts a prepared TabSeparated body in COLUMNS order (the bench's bulk load). */
  writeTsv(body: string): Promise<void> {
    return this.ch.insert(ANALYTICS_PRICES_TABLE, COLUMNS, body, { timeoutMs: 600_000 });
  }

  /** One series over [start, end): the series hash leads the sort key, so this reads only that range. */
  private where(q: { market: string; location: string; run: string; start: Date; end: Date }): string {
    return `series = cityHash64(${literal(q.market)}, ${literal(q.location)}, ${literal(q.run)})
      AND interval_start >= ${literal(q.start)} AND interval_start < ${literal(q.end)}`;
  }

  /** The same figures as PricesRepository.stats, over the shared market. */
  async stats(q: { market: IsoId; location: string; run: PriceRun; start: Date; end: Date; timezone: string }, timeoutMs?: number): Promise<PriceStats> {
    const from = `${ANALYTICS_PRICES_TABLE} FINAL WHERE ${this.where(q)}`;
    const tz = literal(q.timezone);
    const [[all], [daily]] = await Promise.all([
      this.ch.query<Record<string, number | null>>(
        `SELECT count() AS intervals, avg(lmp_usd_per_mwh) AS mean, min(lmp_usd_per_mwh) AS min, max(lmp_usd_per_mwh) AS max,
                stddevPop(lmp_usd_per_mwh) AS std,
                sumIf((interval_end - interval_start) / 3600, lmp_usd_per_mwh < 0) AS negative_hours
         FROM ${from}`,
        { timeoutMs },
      ),
      this.ch.query<Record<string, number | null>>(
        `SELECT avg(spread) AS spread, count() AS days FROM (
           SELECT toDate(interval_start, ${tz}) AS d, max(lmp_usd_per_mwh) - min(lmp_usd_per_mwh) AS spread FROM ${from} GROUP BY d
         )`,
        { timeoutMs },
      ),
    ]);
    const intervals = Number(all?.intervals ?? 0);
    // Over no rows ClickHouse answers 0 or nan where PostgreSQL answers NULL.
    const orNull = (v: unknown) => (intervals === 0 ? null : finite(num(v)));
    const days = Number(daily?.days ?? 0);
    return {
      intervals,
      mean_usd_per_mwh: orNull(all?.mean),
      min_usd_per_mwh: orNull(all?.min),
      max_usd_per_mwh: orNull(all?.max),
      std_usd_per_mwh: orNull(all?.std),
      negative_price_hours: intervals === 0 ? 0 : Number(all?.negative_hours ?? 0),
      mean_daily_spread_usd_per_mwh: days === 0 ? null : finite(num(daily?.spread)),
      days,
    };
  }

  /** Time-weighted hourly (UTC hours) or daily (market-local days) buckets, as PricesRepository.query computes them. */
  async series(q: AnalyticsSeriesQuery, timeoutMs?: number): Promise<AnalyticsBucket[]> {
    const tz = literal(q.timezone);
    const bucket = q.resolution === 'hourly' ? 'toUnixTimestamp(toStartOfHour(interval_start))' : `toDate(interval_start, ${tz})`;
    const after = q.after ? (q.resolution === 'hourly' ? `b > ${Math.floor(q.after.getTime() / 1000)}` : `b > toDate(${literal(q.after)}, ${tz})`) : '1';
    const weighted = (col: string) => `sum(${col} * w) / nullIf(sumIf(w, isNotNull(${col})), 0)`;
    const rows = await this.ch.query<{ b: number | string; lmp: number; energy: number | null; congestion: number | null; loss: number | null }>(
      `SELECT ${bucket} AS b,
              sum(lmp_usd_per_mwh * w) / sum(w) AS lmp,
              ${weighted('energy_usd_per_mwh')} AS energy,
              ${weighted('congestion_usd_per_mwh')} AS congestion,
              ${weighted('loss_usd_per_mwh')} AS loss
       FROM (SELECT *, toFloat64(interval_end - interval_start) AS w FROM ${ANALYTICS_PRICES_TABLE} FINAL WHERE ${this.where(q)})
       GROUP BY b HAVING ${after} ORDER BY b LIMIT ${Math.max(0, Math.floor(q.limit))}`,
      { timeoutMs },
    );
    return rows.map((r) => ({
      bucket_unix_s: q.resolution === 'hourly' ? Number(r.b) : null,
      bucket_day: q.resolution === 'daily' ? String(r.b) : null,
      lmp_usd_per_mwh: Number(r.lmp),
      energy_usd_per_mwh: finite(num(r.energy)),
      congestion_usd_per_mwh: finite(num(r.congestion)),
      loss_usd_per_mwh: finite(num(r.loss)),
    }));
  }

  /** Rows of one series as stored (FINAL: one per interval), for tests and checks. */
  async rows(q: { market: string; location: string; run: string; start: Date; end: Date }): Promise<AnalyticsPriceRow[]> {
    const rows = await this.ch.query<Record<string, unknown>>(
      `SELECT market, location, run, toUnixTimestamp(interval_start) AS s, toUnixTimestamp(interval_end) AS e, lmp_usd_per_mwh,
              energy_usd_per_mwh, congestion_usd_per_mwh, loss_usd_per_mwh, source, version
       FROM ${ANALYTICS_PRICES_TABLE} FINAL WHERE ${this.where(q)} ORDER BY interval_start`,
    );
    return rows.map((r) => ({
      market: String(r.market),
      location: String(r.location),
      run: r.run as PriceRun,
      interval_start: new Date(Number(r.s) * 1000),
      interval_end: new Date(Number(r.e) * 1000),
      lmp_usd_per_mwh: Number(r.lmp_usd_per_mwh),
      energy_usd_per_mwh: num(r.energy_usd_per_mwh),
      congestion_usd_per_mwh: num(r.congestion_usd_per_mwh),
      loss_usd_per_mwh: num(r.loss_usd_per_mwh),
      source: String(r.source),
      version_ms: Number(r.version),
    }));
  }

  /** Distinct intervals stored (FINAL), for the backfill's report. */
  async count(): Promise<number> {
    const [row] = await this.ch.query<{ n: number }>(`SELECT count() AS n FROM ${ANALYTICS_PRICES_TABLE} FINAL`, { timeoutMs: 600_000 });
    return Number(row?.n ?? 0);
  }

  async syncState(name: string): Promise<AnalyticsSyncState | null> {
    const [row] = await this.ch.query<{ n: number; w: number; s: number; r: number; now_s: number }>(
      `SELECT count() AS n, argMax(watermark_ms, updated_ms) AS w, toUnixTimestamp(argMax(synced_at, updated_ms)) AS s, argMax(rows, updated_ms) AS r,
              toUnixTimestamp(now()) AS now_s
       FROM ${ANALYTICS_SYNC_TABLE} WHERE name = ${literal(name)}`,
    );
    if (!row || Number(row.n) === 0) return null;
    return { watermark: new Date(Number(row.w)), synced_at: new Date(Number(row.s) * 1000), rows: Number(row.r), age_s: Number(row.now_s) - Number(row.s) };
  }

  async saveSyncState(name: string, watermark: Date, rows: number): Promise<void> {
    await this.ch.exec(
      `INSERT INTO ${ANALYTICS_SYNC_TABLE} (name, watermark_ms, synced_at, rows, updated_ms)
       SELECT ${literal(name)}, ${watermark.getTime()}, now(), ${Math.max(0, Math.floor(rows))}, ${Date.now()}`,
    );
  }

  /** Drops the store's database (tests and the bench, on databases they created). */
  async dropDatabase(): Promise<void> {
    await this.ch.exec(`DROP DATABASE IF EXISTS ${identifier(this.ch.database)}`, { inDatabase: false });
  }
}

function finite(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : v;
}
