/**
 * The analytics store (ClickHouse, ANALYTICS_URL): price statistics and
 * hourly/daily history of the shared market, fed from the event log and a
 * sync from PostgreSQL, with PostgreSQL answering whenever it cannot.
 */
import { ClickHouse } from '../../db/clickhouse.js';
import { AnalyticsPricesRepository } from '../../db/repositories/analytics-prices.js';
import { PriceChangesRepository } from '../../db/repositories/price-changes.js';
import type { Database } from '../../db/client.js';
import { PriceAnalytics, type AnalyticsLog, type PriceAnalyticsOptions } from './analytics-service.js';
import { AnalyticsSync, type AnalyticsSyncOptions } from './analytics-sync.js';

export { PriceAnalytics, SYNC_NAME, type SeriesQuery, type ServedCounts, type StatsQuery } from './analytics-service.js';
export { AnalyticsSync, type SyncReport } from './analytics-sync.js';

export interface AnalyticsServices {
  prices: PriceAnalytics;
  sync: AnalyticsSync;
}

export interface AnalyticsWiring {
  url: string;
  database: Database;
  log: AnalyticsLog;
  options?: Omit<PriceAnalyticsOptions, 'log'> & AnalyticsSyncOptions & { requestTimeoutMs?: number };
}

/** The analytics services on one ClickHouse (the composition root calls it when ANALYTICS_URL is set). */
export function analyticsServicesOn(w: AnalyticsWiring): AnalyticsServices {
  const store = new AnalyticsPricesRepository(new ClickHouse({ url: w.url, timeoutMs: w.options?.requestTimeoutMs }));
  const prices = new PriceAnalytics(store, { ...w.options, log: w.log });
  return { prices, sync: new AnalyticsSync(prices, new PriceChangesRepository(w.database), w.options) };
}
