/**
 * What the settlement ledger in the analytics store must settle again: the
 * (organisation, delivery day) pairs whose settlement inputs PostgreSQL wrote
 * in a window of its clock (indexes: migration 0023). A day's settlement reads
 * its awards and AS awards, the RT prices and meter readings inside its awarded
 * periods, and the asset (location, parameters); each of those carries the
 * instant it was written, and a re-clearing of a market day (which may remove a
 * bid's awards) stamps the day's clearing record.
 */
import type { Database } from '../client.js';

export interface SettledDay {
  organization_id: string;
  delivery_date: string;
}

const RT_RUNS = `('RT5', 'RT15', 'RTH')`;
const IN_AWARD = `x.interval_start >= a.interval_start AND x.interval_start < a.interval_start + a.duration_h * interval '1 hour'`;

export class SettlementChangesRepository {
  constructor(private readonly database: Database) {}

  /** Every day any organisation has awards on (the ledger's backfill), in order. */
  async allDays(): Promise<SettledDay[]> {
    return this.database.query<SettledDay>(
      `SELECT organization_id::text AS organization_id, delivery_date FROM bid_awards
       UNION SELECT organization_id::text, delivery_date FROM bid_as_awards
       ORDER BY organization_id, delivery_date`,
    );
  }

  /** Days whose inputs were written in (from, to] (PostgreSQL timestamps as text), in order. */
  async changedDays(from: string, to: string): Promise<SettledDay[]> {
    const w = (col: string) => `${col} > $1::timestamptz AND ${col} <= $2::timestamptz`;
    return this.database.query<SettledDay>(
      `SELECT organization_id::text AS organization_id, delivery_date FROM bid_awards WHERE ${w('cleared_at')}
       UNION SELECT organization_id::text, delivery_date FROM bid_as_awards WHERE ${w('cleared_at')}
       UNION SELECT b.organization_id::text, b.delivery_date FROM market_clearings c
         JOIN bids b ON b.market = c.market AND b.run = c.run AND b.delivery_date = c.delivery_date WHERE ${w('c.written_at')}
       UNION SELECT a.organization_id::text, a.delivery_date FROM asset_telemetry x
         JOIN bid_awards a ON a.asset_id = x.asset_id AND ${IN_AWARD} WHERE ${w('x.received_at')}
       UNION SELECT a.organization_id::text, a.delivery_date FROM prices x
         JOIN bid_awards a ON a.market = x.market AND a.location = x.location AND ${IN_AWARD}
         WHERE x.owner_organization_id IS NULL AND x.run IN ${RT_RUNS} AND ${w('x.ingested_at')}
       UNION SELECT a.organization_id::text, a.delivery_date FROM assets s JOIN bid_awards a ON a.asset_id = s.id WHERE ${w('s.updated_at')}
       UNION SELECT a.organization_id::text, a.delivery_date FROM assets s JOIN bid_as_awards a ON a.asset_id = s.id WHERE ${w('s.updated_at')}
       ORDER BY 1, 2`,
      [from, to],
    );
  }
}
