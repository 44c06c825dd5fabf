/**
 * Ancillary-service clearing prices: one series per market × zone × product ×
 * run, USD per MW per hour of capacity. Written by the import paths (API, CLI,
 * demo seed) in `unnest` batches, read by the prices API and by clearing.
 */
import type { AncillaryPriceRow, IsoId } from '@optibid/core';
import type { Database, Queryable } from '../client.js';
import type { UpsertResult } from './prices.js';

export interface AncillaryPricePoint {
  market: string;
  zone: string;
  product: string;
  run: string;
  interval_start: Date;
  interval_end: Date;
  price_usd_per_mw: number;
  source?: string;
}

export interface AncillaryPriceQuery {
  market: IsoId;
  zone: string;
  run: string;
  /** Omitted: every product of the zone. */
  products?: readonly string[];
  start: Date;
  end: Date;
  limit: number;
}

const BATCH = 10_000;

export class AncillaryPricesRepository {
  constructor(private readonly database: Database) {}

  /** Inserts new intervals and updates changed prices; an unchanged price is counted, not rewritten. Inside `tx` when given. */
  async upsert(rows: readonly (AncillaryPriceRow | AncillaryPricePoint)[], opts: { source?: string } = {}, tx: Queryable = this.database): Promise<UpsertResult> {
    // The same key twice in one statement cannot be upserted: the last occurrence wins, as in a file read top to bottom.
    const dedup = new Map<string, AncillaryPricePoint>();
    for (const r of rows) dedup.set(`${r.market}|${r.zone}|${r.run}|${r.product}|${r.interval_start.getTime()}`, r);
    const all = [...dedup.values()];
    const result: UpsertResult = { inserted: 0, updated: 0, unchanged: rows.length - all.length };
    for (let i = 0; i < all.length; i += BATCH) {
      const batch = all.slice(i, i + BATCH);
      const [counts] = await tx.query<{ inserted: number; updated: number }>(
        `WITH incoming AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::float8[], $8::text[])
             AS t(market, zone, product, run, interval_start, interval_end, price, source)
         ), upserted AS (
           INSERT INTO ancillary_prices AS p (market, zone, product, run, interval_start, interval_end, price_usd_per_mw, source)
           SELECT market, zone, product, run, interval_start, interval_end, price, source FROM incoming
           ON CONFLICT (market, zone, run, product, interval_start) DO UPDATE SET
             interval_end = EXCLUDED.interval_end, price_usd_per_mw = EXCLUDED.price_usd_per_mw,
             source = EXCLUDED.source, ingested_at = now()
           WHERE p.price_usd_per_mw IS DISTINCT FROM EXCLUDED.price_usd_per_mw OR p.interval_end IS DISTINCT FROM EXCLUDED.interval_end
           RETURNING (xmax = 0) AS inserted
         )
         SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM upserted`,
        [
          batch.map((r) => r.market),
          batch.map((r) => r.zone),
          batch.map((r) => r.product),
          batch.map((r) => r.run),
          batch.map((r) => r.interval_start.toISOString()),
          batch.map((r) => r.interval_end.toISOString()),
          batch.map((r) => r.price_usd_per_mw),
          batch.map((r) => ('source' in r && r.source) || opts.source || 'unknown'),
        ],
      );
      const inserted = Number(counts?.inserted ?? 0);
      const updated = Number(counts?.updated ?? 0);
      result.inserted += inserted;
      result.updated += updated;
      result.unchanged += batch.length - inserted - updated;
    }
    return result;
  }

  /** Rows of one zone and run in [start, end), ordered by product then time. */
  async query(q: AncillaryPriceQuery): Promise<AncillaryPricePoint[]> {
    const rows = await this.database.query<AncillaryPricePoint>(
      `SELECT market, zone, product, run, interval_start, interval_end, price_usd_per_mw
       FROM ancillary_prices
       WHERE market = $1 AND zone = $2 AND run = $3 AND interval_start >= $4 AND interval_start < $5
         AND ($6::text[] IS NULL OR product = ANY($6::text[]))
       ORDER BY product, interval_start LIMIT $7`,
      [q.market, q.zone, q.run, q.start, q.end, q.products ? [...q.products] : null, q.limit],
    );
    return rows.map((r) => ({ ...r, interval_start: new Date(r.interval_start), interval_end: new Date(r.interval_end), price_usd_per_mw: Number(r.price_usd_per_mw) }));
  }

  /** The zones and products stored for a market, with their interval count and range. */
  async series(market: IsoId): Promise<{ zone: string; run: string; product: string; intervals: number; first: Date; last: Date }[]> {
    const rows = await this.database.query<{ zone: string; run: string; product: string; intervals: number; first: Date; last: Date }>(
      `SELECT zone, run, product, count(*)::int AS intervals, min(interval_start) AS first, max(interval_start) AS last
       FROM ancillary_prices WHERE market = $1 GROUP BY zone, run, product ORDER BY zone, run, product`,
      [market],
    );
    return rows.map((r) => ({ ...r, intervals: Number(r.intervals), first: new Date(r.first), last: new Date(r.last) }));
  }
}
