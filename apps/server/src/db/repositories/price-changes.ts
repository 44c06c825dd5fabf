/**
 * What the analytics store copies from PostgreSQL: the shared market's price
 * rows (never an organisation's own series), read either in key order (the
 * backfill) or by when they were written (`ingested_at`: set by every insert
 * and every changed value; the incremental sync).
 */
import type { PriceRun } from '@optibid/core';
import type { Database } from '../client.js';
import type { PricePoint } from './prices.js';

export interface ChangedPrice extends PricePoint {
  ingested_at: Date;
}

export interface PriceKey {
  market: string;
  location: string;
  run: string;
  interval_start: Date;
}

const SELECT = `SELECT market, location, run, interval_start, interval_end, lmp_usd_per_mwh, energy_usd_per_mwh,
                       congestion_usd_per_mwh, loss_usd_per_mwh, source, ingested_at FROM prices`;

function toChanged(r: Record<string, unknown>): ChangedPrice {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    market: String(r.market),
    location: String(r.location),
    run: r.run as PriceRun,
    interval_start: new Date(r.interval_start as string),
    interval_end: new Date(r.interval_end as string),
    lmp_usd_per_mwh: Number(r.lmp_usd_per_mwh),
    energy_usd_per_mwh: num(r.energy_usd_per_mwh),
    congestion_usd_per_mwh: num(r.congestion_usd_per_mwh),
    loss_usd_per_mwh: num(r.loss_usd_per_mwh),
    source: String(r.source),
    ingested_at: new Date(r.ingested_at as string),
  };
}

export class PriceChangesRepository {
  constructor(private readonly database: Database) {}

  /**
   * The database's clock (the watermark is compared with ingested_at, which it wrote), as
   * PostgreSQL's own text: instants here are kept as text, which keeps their microseconds.
   * `settled_ms` is never later than the start of a transaction still open on another
   * connection: the rows it writes carry that start as ingested_at (now() is the transaction's
   * start) but appear only when it commits, which for an import storing a large file whole can
   * be minutes later; a watermark must not pass it.
   */
  async now(): Promise<{ text: string; ms: number; settled_ms: number }> {
    const [row] = await this.database.query<{ text: string; ms: number; settled_ms: number }>(
      `SELECT t::text AS text, (extract(epoch FROM t) * 1000)::float8 AS ms, (extract(epoch FROM least(t, open)) * 1000)::float8 AS settled_ms
       FROM (SELECT clock_timestamp() AS t,
                    (SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL) AS open) x`,
    );
    return { text: row!.text, ms: Math.floor(Number(row!.ms)), settled_ms: Math.floor(Number(row!.settled_ms)) };
  }

  /** Rows of the shared market. */
  async countShared(): Promise<number> {
    const [row] = await this.database.query<{ n: number }>('SELECT count(*)::bigint AS n FROM prices WHERE owner_organization_id IS NULL');
    return Number(row?.n ?? 0);
  }

  /** A page of the shared market in key order, after `after` (exclusive). */
  async pageByKey(after: PriceKey | null, limit: number): Promise<ChangedPrice[]> {
    const rows = after
      ? await this.database.query<Record<string, unknown>>(
          `${SELECT} WHERE owner_organization_id IS NULL AND (market, location, run, interval_start) > ($1, $2, $3, $4::timestamptz)
           ORDER BY market, location, run, interval_start LIMIT $5`,
          [after.market, after.location, after.run, after.interval_start, limit],
        )
      : await this.database.query<Record<string, unknown>>(
          `${SELECT} WHERE owner_organization_id IS NULL ORDER BY market, location, run, interval_start LIMIT $1`,
          [limit],
        );
    return rows.map(toChanged);
  }

  /** How many shared rows were written at each instant in (from, to], oldest first (instants as PostgreSQL text). */
  async writesBetween(from: string, to: string): Promise<{ at: string; rows: number }[]> {
    const rows = await this.database.query<{ at: string; n: number }>(
      `SELECT ingested_at::text AS at, count(*)::int AS n FROM prices
       WHERE owner_organization_id IS NULL AND ingested_at > $1::timestamptz AND ingested_at <= $2::timestamptz
       GROUP BY ingested_at ORDER BY ingested_at`,
      [from, to],
    );
    return rows.map((r) => ({ at: r.at, rows: Number(r.n) }));
  }

  /** The shared rows written in (from, to]. */
  async writtenBetween(from: string, to: string): Promise<ChangedPrice[]> {
    const rows = await this.database.query<Record<string, unknown>>(
      `${SELECT} WHERE owner_organization_id IS NULL AND ingested_at > $1::timestamptz AND ingested_at <= $2::timestamptz`,
      [from, to],
    );
    return rows.map(toChanged);
  }
}
