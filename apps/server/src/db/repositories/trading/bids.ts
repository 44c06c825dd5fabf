/**
 * Bids, their versions and idempotency keys, written inside a
 * bid transaction (so a transition and its audit entry commit together).
 * Every query is scoped by organization_id except the market-wide reads
 * clearing needs, which say so in their name.
 */
import type { AncillaryOffer, AsOfferIssue, BidIssue, BidRun, BidSegment, BidSide, BidStatus } from '@optibid/core';
import { toDate, toDateOrNull, toJson, type Sql } from './sql.js';

export interface BidRow {
  id: string;
  organization_id: string;
  asset_id: string;
  market: string;
  location: string;
  run: BidRun;
  side: BidSide;
  delivery_date: string;
  interval_start: Date | null;
  interval_minutes: number | null;
  cost_verified: boolean;
  curves: BidSegment[][];
  /** AS offers per period, indexed like `curves`; null = energy only. */
  as_offers: AncillaryOffer[][] | null;
  status: BidStatus;
  version: number;
  issues: StoredBidIssue[];
  gate_closure: Date;
  draft_notified: boolean;
  created_by: string | null;
  submitted_at: Date | null;
  cleared_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A broken rule of the energy curves or of the AS offers (same shape, AS ones name the product). */
export type StoredBidIssue = BidIssue | AsOfferIssue;

/** What a version of a bid holds: the fields a change may touch. */
export type BidContentFields = Pick<BidRow, 'side' | 'delivery_date' | 'interval_start' | 'interval_minutes' | 'cost_verified' | 'curves' | 'as_offers'>;

export type BidVersionRow = BidContentFields & Pick<BidRow, 'version' | 'status' | 'created_by' | 'created_at'> & { bid_id: string };

export interface BidFilter {
  organization_id: string;
  status?: string[];
  market?: string;
  run?: string;
  asset_id?: string;
  /** Market-local delivery dates, inclusive. */
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export type BidContentPatch = BidContentFields & Pick<BidRow, 'gate_closure'>;

export type NewBid = BidContentPatch & Pick<BidRow, 'organization_id' | 'asset_id' | 'market' | 'location' | 'run' | 'created_by'>;

const COLS = `id, organization_id, asset_id, market, location, run, side, delivery_date, interval_start, interval_minutes,
  cost_verified, curves, as_offers, status, version, issues, gate_closure, draft_notified, created_by, submitted_at, cleared_at, created_at, updated_at`;

export function mapBid(r: Record<string, unknown>): BidRow {
  return {
    ...(r as unknown as BidRow),
    interval_start: toDateOrNull(r.interval_start),
    interval_minutes: r.interval_minutes === null ? null : Number(r.interval_minutes),
    curves: toJson(r.curves),
    as_offers: r.as_offers === null || r.as_offers === undefined ? null : toJson(r.as_offers),
    issues: toJson(r.issues),
    version: Number(r.version),
    gate_closure: toDate(r.gate_closure),
    submitted_at: toDateOrNull(r.submitted_at),
    cleared_at: toDateOrNull(r.cleared_at),
    created_at: toDate(r.created_at),
    updated_at: toDate(r.updated_at),
  };
}

const jsonOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

export class BidsRepository {
  constructor(private readonly db: Sql) {}

  async insert(tx: Sql, b: NewBid): Promise<BidRow> {
    const [row] = await tx.query(
      `INSERT INTO bids (organization_id, asset_id, market, location, run, side, delivery_date, interval_start, interval_minutes,
                         cost_verified, curves, as_offers, status, gate_closure, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $14::jsonb, 'draft', $12, $13) RETURNING ${COLS}`,
      [b.organization_id, b.asset_id, b.market, b.location, b.run, b.side, b.delivery_date, b.interval_start, b.interval_minutes,
        b.cost_verified, JSON.stringify(b.curves), b.gate_closure, b.created_by, jsonOrNull(b.as_offers)],
    );
    const bid = mapBid(row!);
    await this.insertVersion(tx, bid, b.created_by);
    return bid;
  }

  private async insertVersion(tx: Sql, b: BidRow, userId: string | null): Promise<void> {
    await tx.query(
      `INSERT INTO bid_versions (bid_id, version, organization_id, side, delivery_date, interval_start, interval_minutes, cost_verified, curves, as_offers, status, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $12::jsonb, $10, $11)`,
      [b.id, b.version, b.organization_id, b.side, b.delivery_date, b.interval_start, b.interval_minutes, b.cost_verified, JSON.stringify(b.curves), b.status, userId, jsonOrNull(b.as_offers)],
    );
  }

  async get(organizationId: string, id: string, db: Sql = this.db): Promise<BidRow | null> {
    const [row] = await db.query(`SELECT ${COLS} FROM bids WHERE organization_id = $1 AND id = $2`, [organizationId, id]);
    return row ? mapBid(row) : null;
  }

  /** Locks the row for the rest of the transaction (PostgreSQL; PGlite has one connection anyway). */
  async getForUpdate(tx: Sql, organizationId: string, id: string): Promise<BidRow | null> {
    const [row] = await tx.query(`SELECT ${COLS} FROM bids WHERE organization_id = $1 AND id = $2 FOR UPDATE`, [organizationId, id]);
    return row ? mapBid(row) : null;
  }

  async list(f: BidFilter): Promise<{ items: BidRow[]; total: number }> {
    const where = ['organization_id = $1'];
    const params: unknown[] = [f.organization_id];
    const add = (cond: string, v: unknown) => {
      params.push(v);
      where.push(cond.replace('?', `$${params.length}`));
    };
    if (f.status?.length) add('status = ANY(?::text[])', f.status);
    if (f.market) add('market = ?', f.market);
    if (f.run) add('run = ?', f.run);
    if (f.asset_id) add('asset_id = ?', f.asset_id);
    if (f.from) add('delivery_date >= ?', f.from);
    if (f.to) add('delivery_date <= ?', f.to);
    const w = where.join(' AND ');
    const [count] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bids WHERE ${w}`, params);
    const rows = await this.db.query(
      `SELECT ${COLS} FROM bids WHERE ${w} ORDER BY delivery_date DESC, created_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, f.limit, f.offset],
    );
    return { items: rows.map(mapBid), total: Number(count?.n ?? 0) };
  }

  /** Live (not cancelled/rejected) DA bids of an asset for a day, other than `exceptId`. */
  async liveDayAheadForAsset(tx: Sql, organizationId: string, assetId: string, deliveryDate: string, exceptId?: string): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(
      `SELECT id FROM bids WHERE organization_id = $1 AND asset_id = $2 AND run = 'DA' AND delivery_date = $3
         AND status NOT IN ('cancelled', 'rejected') AND id <> COALESCE($4::uuid, '00000000-0000-0000-0000-000000000000'::uuid)`,
      [organizationId, assetId, deliveryDate, exceptId ?? null],
    );
    return rows.map((r) => r.id);
  }

  /** New content as a new version; the previous versions stay in bid_versions. */
  async revise(tx: Sql, b: BidRow, patch: BidContentPatch, status: BidStatus, issues: StoredBidIssue[], userId: string | null): Promise<BidRow> {
    const [row] = await tx.query(
      `UPDATE bids SET side = $3, delivery_date = $4, interval_start = $5, interval_minutes = $6, cost_verified = $7, curves = $8::jsonb,
         as_offers = $12::jsonb, gate_closure = $9, status = $10, issues = $11::jsonb, version = version + 1, updated_at = now()
       WHERE organization_id = $1 AND id = $2 RETURNING ${COLS}`,
      [b.organization_id, b.id, patch.side, patch.delivery_date, patch.interval_start, patch.interval_minutes, patch.cost_verified,
        JSON.stringify(patch.curves), patch.gate_closure, status, JSON.stringify(issues), jsonOrNull(patch.as_offers)],
    );
    const next = mapBid(row!);
    await this.insertVersion(tx, next, userId);
    return next;
  }

  async setStatus(tx: Sql, organizationId: string, id: string, status: BidStatus, opts: { issues?: StoredBidIssue[]; submitted?: boolean; cleared?: boolean } = {}): Promise<BidRow> {
    const [row] = await tx.query(
      `UPDATE bids SET status = $3, issues = COALESCE($4::jsonb, issues),
         submitted_at = CASE WHEN $5 THEN now() ELSE submitted_at END,
         cleared_at = CASE WHEN $6 THEN now() ELSE cleared_at END,
         updated_at = now()
       WHERE organization_id = $1 AND id = $2 RETURNING ${COLS}`,
      [organizationId, id, status, opts.issues ? JSON.stringify(opts.issues) : null, opts.submitted ?? false, opts.cleared ?? false],
    );
    return mapBid(row!);
  }

  async versions(organizationId: string, bidId: string): Promise<BidVersionRow[]> {
    const rows = await this.db.query(
      `SELECT bid_id, version, side, delivery_date, interval_start, interval_minutes, cost_verified, curves, as_offers, status, created_by, created_at
       FROM bid_versions WHERE organization_id = $1 AND bid_id = $2 ORDER BY version`,
      [organizationId, bidId],
    );
    return rows.map((r) => ({
      ...(r as unknown as BidVersionRow),
      version: Number(r.version),
      interval_start: toDateOrNull(r.interval_start),
      interval_minutes: r.interval_minutes === null ? null : Number(r.interval_minutes),
      curves: toJson(r.curves),
      as_offers: r.as_offers === null || r.as_offers === undefined ? null : toJson(r.as_offers),
      created_at: toDate(r.created_at),
    }));
  }

  /** Market-wide: bids of every organisation in a market, run and day with one of the statuses (clearing). */
  async marketWide(market: string, run: string, deliveryDate: string, statuses: BidStatus[]): Promise<BidRow[]> {
    const rows = await this.db.query(
      `SELECT ${COLS} FROM bids WHERE market = $1 AND run = $2 AND delivery_date = $3 AND status = ANY($4::text[]) ORDER BY created_at, id`,
      [market, run, deliveryDate, statuses],
    );
    return rows.map(mapBid);
  }

  /** Market-wide: drafts whose gate has closed and whose owner has not been told yet. */
  async unnotifiedLateDrafts(now: Date): Promise<BidRow[]> {
    const rows = await this.db.query(`SELECT ${COLS} FROM bids WHERE status = 'draft' AND NOT draft_notified AND gate_closure <= $1 ORDER BY gate_closure`, [now]);
    return rows.map(mapBid);
  }

  /** Marks a late draft notified, in the caller's transaction; false when another instance already did (so only one tells its owner). */
  async markDraftNotified(tx: Sql, organizationId: string, id: string): Promise<boolean> {
    const rows = await tx.query(`UPDATE bids SET draft_notified = true WHERE organization_id = $1 AND id = $2 AND status = 'draft' AND NOT draft_notified RETURNING id`, [organizationId, id]);
    return rows.length > 0;
  }

  /** Market-wide: accepted RT bids whose gate has closed (cleared per interval by the job). */
  async dueRealTime(now: Date): Promise<BidRow[]> {
    const rows = await this.db.query(`SELECT ${COLS} FROM bids WHERE run = 'RT' AND status = 'accepted' AND gate_closure <= $1 ORDER BY gate_closure`, [now]);
    return rows.map(mapBid);
  }

  /** Market-wide: cleared bids whose delivery has ended (before `endedBefore` market-local date). */
  async clearedBefore(deliveryDateBefore: string): Promise<BidRow[]> {
    const rows = await this.db.query(`SELECT ${COLS} FROM bids WHERE status = 'cleared' AND delivery_date < $1 ORDER BY delivery_date`, [deliveryDateBefore]);
    return rows.map(mapBid);
  }

  /**
   * Claims an Idempotency-Key inside the caller's transaction. On PostgreSQL a
   * concurrent request with the same key waits on the primary key until the
   * first commits, then finds its stored answer.
   */
  async claimKey(
    tx: Sql,
    organizationId: string,
    key: string,
    scope: string,
    fingerprint: string | null = null,
  ): Promise<{ claimed: true } | { claimed: false; scope: string; fingerprint: string | null; status_code: number | null; response: unknown }> {
    const inserted = await tx.query(
      `INSERT INTO idempotency_keys (organization_id, key, scope, fingerprint) VALUES ($1, $2, $3, $4) ON CONFLICT (organization_id, key) DO NOTHING RETURNING key`,
      [organizationId, key, scope, fingerprint],
    );
    if (inserted.length > 0) return { claimed: true };
    const [row] = await tx.query<{ scope: string; fingerprint: string | null; status_code: number | null; response: unknown }>(
      `SELECT scope, fingerprint, status_code, response FROM idempotency_keys WHERE organization_id = $1 AND key = $2`,
      [organizationId, key],
    );
    return { claimed: false, scope: row!.scope, fingerprint: row!.fingerprint, status_code: row!.status_code === null ? null : Number(row!.status_code), response: toJson(row!.response) };
  }

  /** Whether an Idempotency-Key was already used (read outside any transaction). */
  async keyUsed(organizationId: string, key: string): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM idempotency_keys WHERE organization_id = $1 AND key = $2`, [organizationId, key]);
    return rows.length > 0;
  }

  async storeKeyResponse(tx: Sql, organizationId: string, key: string, statusCode: number, response: unknown): Promise<void> {
    await tx.query(`UPDATE idempotency_keys SET status_code = $3, response = $4::jsonb WHERE organization_id = $1 AND key = $2`, [
      organizationId,
      key,
      statusCode,
      JSON.stringify(response),
    ]);
  }
}
