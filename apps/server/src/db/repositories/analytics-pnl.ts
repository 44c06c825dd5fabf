/**
 * The settlement ledger in the analytics store (ClickHouse): per organisation,
 * asset, market, delivery day, line kind and AS product, the sums core's
 * `pnlLedgerEntries` makes of that day's settlement (revenue, cost, net amount,
 * MWh sold/bought/net, line count). ReplacingMergeTree with a version (ms of the
 * database clock when the day was settled again): reads use FINAL, so the
 * newest settlement of a day wins; a key a newer settlement no longer has is
 * written again with zero figures and zero lines (a tombstone), which every sum
 * ignores. Nothing here has no organisation: every read filters on it, and it
 * leads the sort key, so a read touches that organisation's parts of the range.
 *
 * ClickHouse 18.16: no query parameters (literals via `literal()`), `Date` days.
 */
import type { PnlGroupBy, PnlLedgerEntry, PnlLedgerKind } from '@optibid/core';
import { literal, type ClickHouse } from '../clickhouse.js';

export const ANALYTICS_PNL_TABLE = 'pnl_ledger';
const COLUMNS = ['organization_id', 'asset_id', 'market', 'market_date', 'kind', 'product', 'revenue_usd', 'cost_usd', 'amount_usd', 'mwh_sold', 'mwh_bought', 'net_mwh', 'lines', 'version'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface PnlLedgerQuery {
  organization_id: string;
  /** Market-local delivery days, inclusive. */
  start: string;
  end: string;
  asset_id?: string;
  market?: string;
  group_by: PnlGroupBy;
}

/** An entry's key within one organisation. */
export type PnlLedgerKey = Pick<PnlLedgerEntry, 'asset_id' | 'iso' | 'market_date' | 'kind' | 'product'>;

function day(d: string): string {
  if (!DAY.test(d)) throw new Error(`not a day: ${d}`);
  return `toDate(${literal(d)})`;
}

export class AnalyticsPnlRepository {
  constructor(private readonly ch: ClickHouse) {}

  /** The table, created when missing (the prices repository creates the database and sync_state). */
  async ensureSchema(): Promise<void> {
    await this.ch.exec(`CREATE TABLE IF NOT EXISTS ${ANALYTICS_PNL_TABLE} (
      organization_id String,
      asset_id String,
      market String,
      market_date Date,
      kind String,
      product String,
      revenue_usd Float64,
      cost_usd Float64,
      amount_usd Float64,
      mwh_sold Float64,
      mwh_bought Float64,
      net_mwh Float64,
      lines UInt32,
      version UInt64
    ) ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYear(market_date)
    ORDER BY (organization_id, market_date, asset_id, kind, product, market)`);
  }

  /** The live keys (lines > 0) an organisation holds on the given days, to tombstone those a new settlement lacks. */
  async keysOn(organizationId: string, days: readonly string[]): Promise<PnlLedgerKey[]> {
    if (days.length === 0) return [];
    // `lines` is filtered here, not in SQL: with FINAL a condition on a non-key column may be
    // applied before the versions are merged (PREWHERE), which would resurrect an older row.
    const rows = await this.ch.query<{ asset_id: string; market: string; d: string; kind: string; product: string; lines: number }>(
      `SELECT asset_id, market, toString(market_date) AS d, kind, product, lines FROM ${ANALYTICS_PNL_TABLE} FINAL
       WHERE organization_id = ${literal(organizationId)} AND market_date IN (${days.map(day).join(', ')})`,
    );
    return rows.filter((r) => Number(r.lines) > 0).map((r) => ({ asset_id: r.asset_id, iso: r.market, market_date: r.d, kind: r.kind as PnlLedgerKind, product: r.product }));
  }

  /** Writes one organisation's entries and tombstones (zero figures, zero lines) as one insert, all at `version`. */
  async write(organizationId: string, entries: readonly PnlLedgerEntry[], tombstones: readonly PnlLedgerKey[], version: number): Promise<void> {
    const v = Math.max(0, Math.round(version));
    const rows = [
      ...entries.map((e) => [organizationId, e.asset_id, e.iso, e.market_date, e.kind, e.product, e.revenue_usd, e.cost_usd, e.amount_usd, e.mwh_sold, e.mwh_bought, e.net_mwh, e.count, v]),
      ...tombstones.map((k) => [organizationId, k.asset_id, k.iso, k.market_date, k.kind, k.product, 0, 0, 0, 0, 0, 0, 0, v]),
    ];
    await this.ch.insert(ANALYTICS_PNL_TABLE, COLUMNS, rows);
  }

  /**
   * One organisation's entries over [start, end], summed by asset, market, kind and product, and
   * by day when grouping by day (else market_date is ''): what aggregatePnlLedger needs.
   */
  async entries(q: PnlLedgerQuery, timeoutMs?: number): Promise<PnlLedgerEntry[]> {
    const filters = [`organization_id = ${literal(q.organization_id)}`, `market_date >= ${day(q.start)}`, `market_date <= ${day(q.end)}`];
    if (q.asset_id) filters.push(`asset_id = ${literal(q.asset_id)}`);
    if (q.market) filters.push(`market = ${literal(q.market)}`);
    const d = q.group_by === 'day' ? 'toString(market_date)' : `''`;
    const rows = await this.ch.query<Record<string, string | number>>(
      `SELECT asset_id, market, ${d} AS d, kind, product, sum(revenue_usd) AS revenue, sum(cost_usd) AS cost, sum(amount_usd) AS amount,
              sum(mwh_sold) AS sold, sum(mwh_bought) AS bought, sum(net_mwh) AS net, sum(lines) AS n
       FROM ${ANALYTICS_PNL_TABLE} FINAL WHERE ${filters.join(' AND ')}
       GROUP BY asset_id, market, d, kind, product HAVING n > 0`,
      { timeoutMs },
    );
    return rows.map((r) => ({
      asset_id: String(r.asset_id),
      iso: String(r.market),
      market_date: String(r.d),
      kind: r.kind as PnlLedgerKind,
      product: String(r.product),
      revenue_usd: Number(r.revenue),
      cost_usd: Number(r.cost),
      amount_usd: Number(r.amount),
      mwh_sold: Number(r.sold),
      mwh_bought: Number(r.bought),
      net_mwh: Number(r.net),
      count: Number(r.n),
    }));
  }

  /** Live entries of an organisation (tests and checks). */
  async count(organizationId: string): Promise<number> {
    const rows = await this.ch.query<{ lines: number }>(`SELECT lines FROM ${ANALYTICS_PNL_TABLE} FINAL WHERE organization_id = ${literal(organizationId)}`);
    return rows.filter((r) => Number(r.lines) > 0).length;
  }
}
