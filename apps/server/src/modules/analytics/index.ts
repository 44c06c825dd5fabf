/**
 * The analytics store (ClickHouse, ANALYTICS_URL): price statistics and
 * hourly/daily history of the shared market, fed from the event log and a
 * sync from PostgreSQL, and organisations' P&L from a settlement ledger,
 * with PostgreSQL answering whenever it cannot.
 */
import { ClickHouse } from '../../db/clickhouse.js';
import { AnalyticsPricesRepository } from '../../db/repositories/analytics-prices.js';
import { AnalyticsPnlRepository } from '../../db/repositories/analytics-pnl.js';
import { PriceChangesRepository } from '../../db/repositories/price-changes.js';
import { SettlementChangesRepository } from '../../db/repositories/settlement-changes.js';
import type { ServiceHealth } from '@optibid/contracts';
import type { Database } from '../../db/client.js';
import { PriceAnalytics, type AnalyticsLog, type PriceAnalyticsOptions } from './analytics-service.js';
import { AnalyticsSync, type AnalyticsSyncOptions } from './analytics-sync.js';
import { PnlAnalytics } from './pnl-analytics.js';
import { PnlLedgerSync, type PnlLedgerSyncOptions } from './pnl-ledger-sync.js';

export { PriceAnalytics, SYNC_NAME, type SeriesQuery, type ServedCounts, type StatsQuery } from './analytics-service.js';
export { AnalyticsSync, type SyncReport } from './analytics-sync.js';
export { PnlAnalytics, PNL_SYNC_NAME } from './pnl-analytics.js';
export { PnlLedgerSync, runsOf, type PnlSyncReport, type SettleDays } from './pnl-ledger-sync.js';

export interface AnalyticsServices {
  prices: PriceAnalytics;
  sync: AnalyticsSync;
  /** P&L aggregates from the settlement ledger. */
  pnl: PnlAnalytics;
  /** Fills the ledger; settles nothing until the composition root attaches the settlement. */
  pnlSync: PnlLedgerSync;
}

export interface AnalyticsWiring {
  url: string;
  database: Database;
  log: AnalyticsLog;
  options?: Omit<PriceAnalyticsOptions, 'log'> & AnalyticsSyncOptions & { requestTimeoutMs?: number; pnl?: PnlLedgerSyncOptions };
}

/** The analytics services on one ClickHouse (the composition root calls it when ANALYTICS_URL is set). */
export function analyticsServicesOn(w: AnalyticsWiring): AnalyticsServices {
  const ch = new ClickHouse({ url: w.url, timeoutMs: w.options?.requestTimeoutMs });
  const store = new AnalyticsPricesRepository(ch);
  const prices = new PriceAnalytics(store, { ...w.options, log: w.log });
  const changes = new PriceChangesRepository(w.database);
  const settlementChanges = new SettlementChangesRepository(w.database);
  const pnl = new PnlAnalytics(new AnalyticsPnlRepository(ch), store, settlementChanges, { ...w.options, readMarginMs: w.options?.pnl?.readMarginMs, log: w.log });
  const pnlSync = new PnlLedgerSync(pnl, settlementChanges, changes, w.options?.pnl);
  // A read that found an input newer than the ledger brings it in now rather than at the next period (run() is one at a time).
  // Not for a write stamped before the last sync began: that sync saw it if it was committed by then, and otherwise an
  // open transaction is what holds the watermark back, which another sync cannot move either (a long one, such as a
  // pg_dump, would start a sync per read for as long as it lasts). The periodic sync brings such a write in, and until
  // then PostgreSQL answers the reads it touches.
  pnl.onBehind = (latestMs) => {
    if (latestMs <= pnlSync.lastStartClockMs) return;
    void pnlSync.run().catch((err: Error) => w.log.warn({ error: err.message }, 'analytics: settlement ledger sync started by a P&L read failed'));
  };
  return { prices, sync: new AnalyticsSync(prices, changes, w.options), pnl, pnlSync };
}

/**
 * /health `analytics`: the price copy's state (analytics-service.ts) with the P&L ledger's
 * beside it; degraded when either has PostgreSQL answering in its place.
 */
export async function analyticsHealth(a: AnalyticsServices): Promise<ServiceHealth> {
  const [prices, pnl] = await Promise.all([a.prices.health(), a.pnl.describe()]);
  const message = `${prices.message ?? ''}; ${pnl.facts}`;
  return { ...prices, status: prices.status === 'ok' && !pnl.ok ? 'degraded' : prices.status, message };
}
