/** Fetch records, completed days and stored load forecasts of the ISO market-data clients. */
import type { LoadForecastRow } from '@optibid/core';
import type { Database } from '../client.js';
import type { UpsertResult } from './prices.js';

export interface FetchRecordInput {
  market: string;
  dataset: string;
  url: string;
  days: string[];
  started_at: Date;
  http_status: number | null;
  bytes: number;
  sha256: string | null;
  attempts: number;
  rows_inserted: number;
  rows_updated: number;
  rows_unchanged: number;
  rows_rejected: number;
  ok: boolean;
  error: string | null;
  trigger: 'schedule' | 'cli' | 'api';
}

export interface FetchRecord extends FetchRecordInput {
  id: string;
  finished_at: Date;
}

export interface FetchDay {
  day: string;
  complete: boolean;
  rows: number;
  detail: string | null;
}

export interface DatasetFreshness {
  market: string;
  dataset: string;
  last_good_fetch_at: Date | null;
  last_attempt_at: Date;
  last_error: string | null;
  newest_complete_day: string | null;
}

export class FetchRecordsRepository {
  constructor(private readonly database: Database) {}

  async record(r: FetchRecordInput): Promise<string> {
    const [row] = await this.database.query<{ id: string }>(
      `INSERT INTO fetch_records (market, dataset, url, days, started_at, http_status, bytes, sha256, attempts,
         rows_inserted, rows_updated, rows_unchanged, rows_rejected, ok, error, trigger)
       VALUES ($1, $2, $3, $4::text[], $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
      [r.market, r.dataset, r.url, r.days, r.started_at.toISOString(), r.http_status, r.bytes, r.sha256, r.attempts, r.rows_inserted, r.rows_updated, r.rows_unchanged, r.rows_rejected, r.ok, r.error, r.trigger],
    );
    return row!.id;
  }

  /** Marks days; a day once complete stays complete (a later partial re-fetch does not undo it). */
  async markDays(market: string, dataset: string, days: FetchDay[], fetchRecordId: string): Promise<void> {
    for (const d of days) {
      await this.database.query(
        `INSERT INTO fetch_days (market, dataset, day, complete, rows, detail, fetch_record_id) VALUES ($1, $2, $3::date, $4, $5, $6, $7)
         ON CONFLICT (market, dataset, day) DO UPDATE SET
           complete = fetch_days.complete OR EXCLUDED.complete,
           rows = CASE WHEN fetch_days.complete AND NOT EXCLUDED.complete THEN fetch_days.rows ELSE EXCLUDED.rows END,
           detail = CASE WHEN fetch_days.complete AND NOT EXCLUDED.complete THEN fetch_days.detail ELSE EXCLUDED.detail END,
           fetch_record_id = EXCLUDED.fetch_record_id, updated_at = now()`,
        [market, dataset, d.day, d.complete, d.rows, d.detail, fetchRecordId],
      );
    }
  }

  async completeDays(market: string, dataset: string, from: string, to: string): Promise<Set<string>> {
    const rows = await this.database.query<{ day: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day FROM fetch_days WHERE market = $1 AND dataset = $2 AND complete AND day BETWEEN $3::date AND $4::date`,
      [market, dataset, from, to],
    );
    return new Set(rows.map((r) => r.day));
  }

  async days(market: string, dataset: string, from: string, to: string): Promise<FetchDay[]> {
    const rows = await this.database.query<{ day: string; complete: boolean; rows: number; detail: string | null }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, complete, rows, detail FROM fetch_days
       WHERE market = $1 AND dataset = $2 AND day BETWEEN $3::date AND $4::date ORDER BY day`,
      [market, dataset, from, to],
    );
    return rows.map((r) => ({ ...r, rows: Number(r.rows) }));
  }

  async list(filter: { market?: string; dataset?: string; limit: number }): Promise<FetchRecord[]> {
    const rows = await this.database.query<FetchRecord & { days: string[] }>(
      `SELECT * FROM fetch_records WHERE ($1::text IS NULL OR market = $1) AND ($2::text IS NULL OR dataset = $2)
       ORDER BY finished_at DESC, started_at DESC LIMIT $3`,
      [filter.market ?? null, filter.dataset ?? null, filter.limit],
    );
    return rows.map((r) => ({ ...r, started_at: new Date(r.started_at), finished_at: new Date(r.finished_at) }));
  }

  /** Per ISO and dataset: the last successful fetch, the last attempt and the newest complete day. */
  async freshness(): Promise<DatasetFreshness[]> {
    const rows = await this.database.query<{ market: string; dataset: string; last_good: string | null; last_attempt: string; last_error: string | null; newest_day: string | null }>(
      `SELECT f.market, f.dataset,
              max(f.finished_at) FILTER (WHERE f.ok) AS last_good,
              max(f.finished_at) AS last_attempt,
              (SELECT error FROM fetch_records e WHERE e.market = f.market AND e.dataset = f.dataset ORDER BY finished_at DESC LIMIT 1) AS last_error,
              (SELECT to_char(max(day), 'YYYY-MM-DD') FROM fetch_days d WHERE d.market = f.market AND d.dataset = f.dataset AND d.complete) AS newest_day
       FROM fetch_records f GROUP BY f.market, f.dataset ORDER BY f.market, f.dataset`,
    );
    return rows.map((r) => ({
      market: r.market,
      dataset: r.dataset,
      last_good_fetch_at: r.last_good ? new Date(r.last_good) : null,
      last_attempt_at: new Date(r.last_attempt),
      last_error: r.last_error,
      newest_complete_day: r.newest_day,
    }));
  }
}

const LF_UPSERT = `
WITH incoming AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::float8[], $6::timestamptz[], $7::text[])
    AS t(market, area, interval_start, interval_end, mw, published_at, source)
), upserted AS (
  INSERT INTO load_forecasts AS l (market, area, interval_start, interval_end, load_forecast_mw, published_at, source)
  SELECT market, area, interval_start, interval_end, mw, published_at, source FROM incoming
  ON CONFLICT (market, area, interval_start) DO UPDATE SET
    interval_end = EXCLUDED.interval_end, load_forecast_mw = EXCLUDED.load_forecast_mw,
    published_at = EXCLUDED.published_at, source = EXCLUDED.source, ingested_at = now()
  WHERE l.load_forecast_mw IS DISTINCT FROM EXCLUDED.load_forecast_mw
  RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM upserted`;

export class LoadForecastsRepository {
  constructor(private readonly database: Database) {}

  async upsert(rows: readonly LoadForecastRow[]): Promise<UpsertResult> {
    const result: UpsertResult = { inserted: 0, updated: 0, unchanged: 0 };
    for (let i = 0; i < rows.length; i += 10_000) {
      const batch = rows.slice(i, i + 10_000);
      const [c] = await this.database.query<{ inserted: number; updated: number }>(LF_UPSERT, [
        batch.map((r) => r.market),
        batch.map((r) => r.area),
        batch.map((r) => r.interval_start.toISOString()),
        batch.map((r) => r.interval_end.toISOString()),
        batch.map((r) => r.load_forecast_mw),
        batch.map((r) => r.published_at.toISOString()),
        batch.map((r) => r.source),
      ]);
      result.inserted += Number(c?.inserted ?? 0);
      result.updated += Number(c?.updated ?? 0);
      result.unchanged += batch.length - Number(c?.inserted ?? 0) - Number(c?.updated ?? 0);
    }
    return result;
  }

  /** When the newest of an area's forecast hours in [start, end) published by `knownAt` was stored (inserted or revised), or null. */
  async lastIngestedAt(market: string, area: string, start: Date, end: Date, knownAt: Date): Promise<Date | null> {
    const [r] = await this.database.query<{ at: string | Date | null }>(
      `SELECT max(ingested_at) AS at FROM load_forecasts WHERE market = $1 AND area = $2 AND interval_start >= $3 AND interval_start < $4 AND published_at <= $5`,
      [market, area, start.toISOString(), end.toISOString(), knownAt.toISOString()],
    );
    return r?.at ? new Date(r.at) : null;
  }

  /** Forecast hours of a market in [start, end), only those published by `knownAt` when given. */
  async range(market: string, start: Date, end: Date, knownAt?: Date): Promise<LoadForecastRow[]> {
    const rows = await this.database.query<LoadForecastRow>(
      `SELECT market, area, interval_start, interval_end, load_forecast_mw, published_at, source FROM load_forecasts
       WHERE market = $1 AND interval_start >= $2 AND interval_start < $3 AND ($4::timestamptz IS NULL OR published_at <= $4)
       ORDER BY interval_start`,
      [market, start.toISOString(), end.toISOString(), knownAt ? knownAt.toISOString() : null],
    );
    return rows.map((r) => ({ ...r, interval_start: new Date(r.interval_start), interval_end: new Date(r.interval_end), published_at: new Date(r.published_at), load_forecast_mw: Number(r.load_forecast_mw) }));
  }
}
