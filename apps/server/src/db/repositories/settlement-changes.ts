/**
 * What the settlement ledger in the analytics store must settle again: the
 * (organisation, delivery day) pairs whose settlement inputs PostgreSQL wrote
 * in a window of its clock (indexes: migrations 0023, 0024). A day's settlement reads
 * its awards and AS awards, the RT prices and meter readings inside its awarded
 * periods, and the asset (location, parameters); each of those carries the
 * instant it was written, and a re-clearing of a market day (which may remove a
 * bid's awards) stamps the day's clearing record. `latestChangeIn` asks the
 * same of one organisation and range of days (GET /api/pnl, per request).
 */
import type { Database } from '../client.js';

export interface SettledDay {
  organization_id: string;
  delivery_date: string;
}

const RT_RUNS = `('RT5', 'RT15', 'RTH')`;
const IN_AWARD = `x.interval_start >= a.interval_start AND x.interval_start < a.interval_start + a.duration_h * interval '1 hour'`;
// The same, with the lower bound on a.interval_start it implies (an award's period lasts at most an hour: DA hours,
// RT intervals of ≤ 60 min), which an index range can use: a probe reads the awards of that hour, not the asset's history.
const NEAR_AWARD = `${IN_AWARD} AND a.interval_start > x.interval_start - interval '1 hour'`;

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
       UNION SELECT organization_id::text, delivery_date FROM bids WHERE ${w('awards_removed_at')}
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

  /**
   * The latest instant (epoch ms) after `after` at which PostgreSQL wrote an input of the
   * organisation's delivery days start..end (inclusive), or null: nothing since. The change
   * sources of `changedDays`, each branch led by its timestamp index (rows written since `after`,
   * a few minutes ago) and narrowed to the organisation and days by index probes, so the cost
   * follows what was written lately, not the length of the range (~1 ms on PostgreSQL; README).
   * A telemetry row's asset is the organisation's (x.organization_id), so its probe leaves the
   * organisation out: with it, the planner intersects the probe with all of the organisation's
   * awards in the range. The LATERAL … LIMIT 1 probes keep each lookup a nested index probe.
   */
  async latestChangeIn(organizationId: string, start: string, end: string, after: string): Promise<number | null> {
    const inRange = (alias: string) => `${alias}.organization_id = $1 AND ${alias}.delivery_date >= $2 AND ${alias}.delivery_date <= $3`;
    const [row] = await this.database.query<{ ms: number | null }>(
      `SELECT (extract(epoch FROM max(t)) * 1000)::float8 AS ms FROM (
         SELECT max(a.cleared_at) AS t FROM bid_awards a WHERE a.cleared_at > $4::timestamptz AND ${inRange('a')}
         UNION ALL SELECT max(a.cleared_at) FROM bid_as_awards a WHERE a.cleared_at > $4::timestamptz AND ${inRange('a')}
         UNION ALL SELECT max(b.awards_removed_at) FROM bids b WHERE b.awards_removed_at > $4::timestamptz AND ${inRange('b')}
         UNION ALL SELECT max(c.written_at) FROM market_clearings c
           JOIN bids b ON b.market = c.market AND b.run = c.run AND b.delivery_date = c.delivery_date
           WHERE c.written_at > $4::timestamptz AND c.delivery_date >= $2 AND c.delivery_date <= $3 AND b.organization_id = $1
         UNION ALL SELECT max(x.received_at) FROM asset_telemetry x
           CROSS JOIN LATERAL (SELECT 1 FROM bid_awards a WHERE a.asset_id = x.asset_id AND ${NEAR_AWARD} AND a.delivery_date >= $2 AND a.delivery_date <= $3 LIMIT 1) hit
           WHERE x.received_at > $4::timestamptz AND x.organization_id = $1
         UNION ALL SELECT max(x.ingested_at) FROM prices x
           CROSS JOIN LATERAL (SELECT 1 FROM bid_awards a WHERE a.market = x.market AND a.location = x.location AND ${NEAR_AWARD} AND ${inRange('a')} LIMIT 1) hit
           WHERE x.owner_organization_id IS NULL AND x.run IN ${RT_RUNS} AND x.ingested_at > $4::timestamptz
         UNION ALL SELECT max(s.updated_at) FROM assets s WHERE s.updated_at > $4::timestamptz AND s.organization_id = $1
           AND (EXISTS (SELECT 1 FROM bid_awards a WHERE a.asset_id = s.id AND ${inRange('a')})
                OR EXISTS (SELECT 1 FROM bid_as_awards a WHERE a.asset_id = s.id AND ${inRange('a')}))
       ) m`,
      [organizationId, start, end, after],
    );
    return row?.ms === null || row?.ms === undefined ? null : Number(row.ms);
  }
}
