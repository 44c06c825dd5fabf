/** Market clearings, awards per bid and interval, and metered telemetry. */
import { toDate, toJson, type Sql } from './sql.js';

export interface AwardRow {
  bid_id: string;
  period: number;
  organization_id: string;
  asset_id: string;
  market: string;
  location: string;
  run: string;
  delivery_date: string;
  interval_start: Date;
  duration_h: number;
  awarded_mw: number;
  price_usd_per_mwh: number;
  mode: string;
}

/** One AS product's award in one period of a bid (table bid_as_awards). */
export interface AsAwardRow {
  bid_id: string;
  period: number;
  product: string;
  organization_id: string;
  asset_id: string;
  market: string;
  zone: string;
  run: string;
  delivery_date: string;
  interval_start: Date;
  duration_h: number;
  offered_mw: number;
  offer_price_usd_per_mw: number;
  clearing_price_usd_per_mw: number;
  awarded_mw: number;
  curtailed_mw: number;
}

const AS_AWARD_COLS =
  'bid_id, period, product, organization_id, asset_id, market, zone, run, delivery_date, interval_start, duration_h, offered_mw, offer_price_usd_per_mw, clearing_price_usd_per_mw, awarded_mw, curtailed_mw';

function mapAsAward(r: Record<string, unknown>): AsAwardRow {
  const n = (k: string) => Number(r[k]);
  return {
    ...(r as unknown as AsAwardRow),
    period: n('period'),
    interval_start: toDate(r.interval_start),
    duration_h: n('duration_h'),
    offered_mw: n('offered_mw'),
    offer_price_usd_per_mw: n('offer_price_usd_per_mw'),
    clearing_price_usd_per_mw: n('clearing_price_usd_per_mw'),
    awarded_mw: n('awarded_mw'),
    curtailed_mw: n('curtailed_mw'),
  };
}

export interface ClearingRow {
  id: string;
  market: string;
  run: string;
  delivery_date: string;
  mode: 'price_taker' | 'auction';
  status: 'complete' | 'partial';
  bids_cleared: number;
  result: Record<string, unknown>;
  triggered_by: string | null;
  first_cleared_at: Date;
  cleared_at: Date;
}

export interface TelemetryRow {
  asset_id: string;
  interval_start: Date;
  delivered_mw: number;
}

const AWARD_COLS = 'bid_id, period, organization_id, asset_id, market, location, run, delivery_date, interval_start, duration_h, awarded_mw, price_usd_per_mwh, mode';

function mapAward(r: Record<string, unknown>): AwardRow {
  return {
    ...(r as unknown as AwardRow),
    period: Number(r.period),
    interval_start: toDate(r.interval_start),
    duration_h: Number(r.duration_h),
    awarded_mw: Number(r.awarded_mw),
    price_usd_per_mwh: Number(r.price_usd_per_mwh),
  };
}

function mapClearing(r: Record<string, unknown>): ClearingRow {
  return {
    ...(r as unknown as ClearingRow),
    bids_cleared: Number(r.bids_cleared),
    result: toJson(r.result),
    first_cleared_at: toDate(r.first_cleared_at),
    cleared_at: toDate(r.cleared_at),
  };
}

export class ClearingRepository {
  constructor(private readonly db: Sql) {}

  /**
   * Awards deleted and not replaced leave no row whose timestamp says the day changed: the bid
   * keeps the moment (migration 0025), for the P&L ledger's sync and read check.
   */
  private async markRemoved(tx: Sql, bidId: string, removedRows: number): Promise<void> {
    if (removedRows > 0) await tx.query(`UPDATE bids SET awards_removed_at = now() WHERE id = $1`, [bidId]);
  }

  /** Replaces a bid's awards (a re-run writes the same rows again, never duplicates). */
  async replaceAwards(tx: Sql, bidId: string, awards: Omit<AwardRow, 'bid_id'>[]): Promise<void> {
    const removed = await tx.query(`DELETE FROM bid_awards WHERE bid_id = $1 RETURNING 1`, [bidId]);
    if (awards.length === 0) return this.markRemoved(tx, bidId, removed.length);
    const a0 = awards[0]!;
    await tx.query(
      `INSERT INTO bid_awards (bid_id, organization_id, asset_id, market, location, run, delivery_date, mode, period, interval_start, duration_h, awarded_mw, price_usd_per_mwh)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, t.period, t.interval_start, t.duration_h, t.awarded_mw, t.price
       FROM unnest($9::int[], $10::timestamptz[], $11::float8[], $12::float8[], $13::float8[]) AS t(period, interval_start, duration_h, awarded_mw, price)`,
      [
        bidId, a0.organization_id, a0.asset_id, a0.market, a0.location, a0.run, a0.delivery_date, a0.mode,
        awards.map((a) => a.period),
        awards.map((a) => a.interval_start.toISOString()),
        awards.map((a) => a.duration_h),
        awards.map((a) => a.awarded_mw),
        awards.map((a) => a.price_usd_per_mwh),
      ],
    );
  }

  /** Replaces a bid's AS awards (every offered product and period, awarded or not). */
  async replaceAsAwards(tx: Sql, bidId: string, awards: Omit<AsAwardRow, 'bid_id'>[]): Promise<void> {
    const removed = await tx.query(`DELETE FROM bid_as_awards WHERE bid_id = $1 RETURNING 1`, [bidId]);
    if (awards.length === 0) return this.markRemoved(tx, bidId, removed.length);
    const a0 = awards[0]!;
    await tx.query(
      `INSERT INTO bid_as_awards (bid_id, organization_id, asset_id, market, zone, run, delivery_date, period, product, interval_start, duration_h,
                                  offered_mw, offer_price_usd_per_mw, clearing_price_usd_per_mw, awarded_mw, curtailed_mw)
       SELECT $1, $2, $3, $4, $5, $6, $7, t.period, t.product, t.interval_start, t.duration_h, t.offered, t.offer_price, t.mcpc, t.awarded, t.curtailed
       FROM unnest($8::int[], $9::text[], $10::timestamptz[], $11::float8[], $12::float8[], $13::float8[], $14::float8[], $15::float8[], $16::float8[])
         AS t(period, product, interval_start, duration_h, offered, offer_price, mcpc, awarded, curtailed)`,
      [
        bidId, a0.organization_id, a0.asset_id, a0.market, a0.zone, a0.run, a0.delivery_date,
        awards.map((a) => a.period),
        awards.map((a) => a.product),
        awards.map((a) => a.interval_start.toISOString()),
        awards.map((a) => a.duration_h),
        awards.map((a) => a.offered_mw),
        awards.map((a) => a.offer_price_usd_per_mw),
        awards.map((a) => a.clearing_price_usd_per_mw),
        awards.map((a) => a.awarded_mw),
        awards.map((a) => a.curtailed_mw),
      ],
    );
  }

  async asAwardsOfBid(organizationId: string, bidId: string): Promise<AsAwardRow[]> {
    const rows = await this.db.query(`SELECT ${AS_AWARD_COLS} FROM bid_as_awards WHERE organization_id = $1 AND bid_id = $2 ORDER BY period, product`, [organizationId, bidId]);
    return rows.map(mapAsAward);
  }

  /** AS awards of an organisation over market-local delivery days [from, to], optionally one asset or market. */
  async asAwards(f: { organization_id: string; from: string; to: string; asset_id?: string; market?: string }): Promise<AsAwardRow[]> {
    const rows = await this.db.query(
      `SELECT ${AS_AWARD_COLS} FROM bid_as_awards
       WHERE organization_id = $1 AND delivery_date >= $2 AND delivery_date <= $3
         AND ($4::uuid IS NULL OR asset_id = $4::uuid) AND ($5::text IS NULL OR market = $5::text)
       ORDER BY asset_id, interval_start, product`,
      [f.organization_id, f.from, f.to, f.asset_id ?? null, f.market ?? null],
    );
    return rows.map(mapAsAward);
  }

  async awardsOfBid(organizationId: string, bidId: string): Promise<AwardRow[]> {
    const rows = await this.db.query(`SELECT ${AWARD_COLS} FROM bid_awards WHERE organization_id = $1 AND bid_id = $2 ORDER BY period`, [organizationId, bidId]);
    return rows.map(mapAward);
  }

  /** Awards of an organisation over market-local delivery days [from, to], optionally one asset or market. */
  async awards(f: { organization_id: string; from: string; to: string; asset_id?: string; market?: string }): Promise<AwardRow[]> {
    const rows = await this.db.query(
      `SELECT ${AWARD_COLS} FROM bid_awards
       WHERE organization_id = $1 AND delivery_date >= $2 AND delivery_date <= $3
         AND ($4::uuid IS NULL OR asset_id = $4::uuid) AND ($5::text IS NULL OR market = $5::text)
       ORDER BY asset_id, interval_start, run`,
      [f.organization_id, f.from, f.to, f.asset_id ?? null, f.market ?? null],
    );
    return rows.map(mapAward);
  }

  async getClearing(market: string, run: string, deliveryDate: string): Promise<ClearingRow | null> {
    const [row] = await this.db.query(`SELECT * FROM market_clearings WHERE market = $1 AND run = $2 AND delivery_date = $3`, [market, run, deliveryDate]);
    return row ? mapClearing(row) : null;
  }

  /**
   * Serialises clearings of one market day across connections and instances
   * until the transaction ends (a transaction-scoped advisory lock on the
   * day's key; PGlite has one connection, so there it is trivially held).
   */
  async lockDay(tx: Sql, market: string, run: string, deliveryDate: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`clearing|${market}|${run}|${deliveryDate}`]);
  }

  /** The bids' statuses as committed now, their rows locked until the transaction ends. */
  async statusesForUpdate(tx: Sql, bidIds: string[]): Promise<Map<string, string>> {
    if (bidIds.length === 0) return new Map();
    const rows = await tx.query<{ id: string; status: string }>(`SELECT id, status FROM bids WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [bidIds]);
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /** `cleared_at` is the service's clock (the job compares it with gate closure). */
  async recordClearing(tx: Sql, c: Pick<ClearingRow, 'market' | 'run' | 'delivery_date' | 'mode' | 'status' | 'bids_cleared' | 'result' | 'triggered_by' | 'cleared_at'>): Promise<ClearingRow> {
    const [row] = await tx.query(
      `INSERT INTO market_clearings (market, run, delivery_date, mode, status, bids_cleared, result, triggered_by, first_cleared_at, cleared_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $9)
       ON CONFLICT (market, run, delivery_date) DO UPDATE SET mode = EXCLUDED.mode, status = EXCLUDED.status,
         bids_cleared = EXCLUDED.bids_cleared, result = EXCLUDED.result, triggered_by = EXCLUDED.triggered_by, cleared_at = EXCLUDED.cleared_at,
         written_at = now()
       RETURNING *`,
      [c.market, c.run, c.delivery_date, c.mode, c.status, c.bids_cleared, JSON.stringify(c.result), c.triggered_by, c.cleared_at],
    );
    return mapClearing(row!);
  }

  async upsertTelemetry(organizationId: string, assetId: string, points: { interval_start: Date; delivered_mw: number }[]): Promise<number> {
    if (points.length === 0) return 0;
    await this.db.query(
      `INSERT INTO asset_telemetry (organization_id, asset_id, interval_start, delivered_mw)
       SELECT $1, $2, t.s, t.mw FROM unnest($3::timestamptz[], $4::float8[]) AS t(s, mw)
       ON CONFLICT (asset_id, interval_start) DO UPDATE SET delivered_mw = EXCLUDED.delivered_mw, received_at = now()`,
      [organizationId, assetId, points.map((p) => p.interval_start.toISOString()), points.map((p) => p.delivered_mw)],
    );
    return points.length;
  }

  async telemetry(organizationId: string, assetIds: string[], since: Date, until: Date): Promise<TelemetryRow[]> {
    if (assetIds.length === 0) return [];
    const rows = await this.db.query(
      `SELECT asset_id, interval_start, delivered_mw FROM asset_telemetry
       WHERE organization_id = $1 AND asset_id = ANY($2::uuid[]) AND interval_start >= $3 AND interval_start < $4 ORDER BY interval_start`,
      [organizationId, assetIds, since, until],
    );
    return rows.map((r) => ({ asset_id: String(r.asset_id), interval_start: toDate(r.interval_start), delivered_mw: Number(r.delivered_mw) }));
  }
}
