/** The state of charge each storage asset's day-ahead awards start and end a delivery day at (table storage_day_states). */
import { toDate, type Sql } from './sql.js';

export interface StorageDayStateRow {
  asset_id: string;
  delivery_date: string;
  organization_id: string;
  bid_id: string;
  soc_start_mwh: number;
  soc_end_mwh: number;
  /** `asset` (its soc_initial_mwh) or `previous_day` (the end of `start_date`). */
  start_source: string;
  start_date: string | null;
  cut_mwh: number;
  cleared_at: Date;
}

const COLS = 'asset_id, delivery_date, organization_id, bid_id, soc_start_mwh, soc_end_mwh, start_source, start_date, cut_mwh, cleared_at';

function mapRow(r: Record<string, unknown>): StorageDayStateRow {
  return {
    ...(r as unknown as StorageDayStateRow),
    asset_id: String(r.asset_id),
    bid_id: String(r.bid_id),
    organization_id: String(r.organization_id),
    soc_start_mwh: Number(r.soc_start_mwh),
    soc_end_mwh: Number(r.soc_end_mwh),
    cut_mwh: Number(r.cut_mwh),
    start_date: r.start_date === null || r.start_date === undefined ? null : String(r.start_date),
    cleared_at: toDate(r.cleared_at),
  };
}

export class StorageStatesRepository {
  constructor(private readonly db: Sql) {}

  /** Writes (or rewrites, on a re-run) one asset's day. */
  async record(tx: Sql, s: StorageDayStateRow): Promise<void> {
    await tx.query(
      `INSERT INTO storage_day_states (${COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (asset_id, delivery_date) DO UPDATE SET organization_id = EXCLUDED.organization_id, bid_id = EXCLUDED.bid_id,
         soc_start_mwh = EXCLUDED.soc_start_mwh, soc_end_mwh = EXCLUDED.soc_end_mwh, start_source = EXCLUDED.start_source,
         start_date = EXCLUDED.start_date, cut_mwh = EXCLUDED.cut_mwh, cleared_at = EXCLUDED.cleared_at`,
      [s.asset_id, s.delivery_date, s.organization_id, s.bid_id, s.soc_start_mwh, s.soc_end_mwh, s.start_source, s.start_date, s.cut_mwh, s.cleared_at],
    );
  }

  /** The asset's latest recorded day strictly before `date` (its bid still cleared or settled), or null. */
  async latestBefore(organizationId: string, assetId: string, date: string): Promise<StorageDayStateRow | null> {
    const [row] = await this.db.query(
      `SELECT ${COLS.split(', ').map((c) => `s.${c}`).join(', ')} FROM storage_day_states s JOIN bids b ON b.id = s.bid_id
       WHERE s.organization_id = $1 AND s.asset_id = $2 AND s.delivery_date < $3 AND b.status IN ('cleared', 'settled')
       ORDER BY s.delivery_date DESC LIMIT 1`,
      [organizationId, assetId, date],
    );
    return row ? mapRow(row) : null;
  }

  /** The asset's recorded day `date`, or null. */
  async ofDay(organizationId: string, assetId: string, date: string): Promise<StorageDayStateRow | null> {
    const [row] = await this.db.query(`SELECT ${COLS} FROM storage_day_states WHERE organization_id = $1 AND asset_id = $2 AND delivery_date = $3`, [organizationId, assetId, date]);
    return row ? mapRow(row) : null;
  }
}
