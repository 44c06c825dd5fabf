/**
 * The ISO market-data feed: its service, scheduler and repositories, built once by the
 * composition root (services.ts) through marketFeedOn.
 */
import { ISO_IDS } from '@optibid/core';
import type { ServerContext } from '../../context.js';
import { AncillaryPricesRepository } from '../../db/repositories/ancillary-prices.js';
import { FetchRecordsRepository, LoadForecastsRepository } from '../../db/repositories/fetch-records.js';
import { alertMessage, ALERT_CHANNEL } from '../../realtime/messages.js';
import type { App } from '../../http/types.js';
import { createIsoClients, FETCH_DATASETS } from './iso-clients/index.js';
import { MarketFeedService } from './fetch-service.js';
import { FetchScheduler } from './fetch-scheduler.js';
import { fetchRoutes } from './fetch-routes.js';
import type { FreshnessView } from './freshness.js';

export { FETCH_DATASETS, type FetchDataset } from './iso-clients/index.js';
export type { DueFetch, FetchScheduler } from './fetch-scheduler.js';

export interface MarketFeed {
  service: MarketFeedService;
  scheduler: FetchScheduler;
  records: FetchRecordsRepository;
  loadForecasts: LoadForecastsRepository;
}

type FeedContext = Pick<ServerContext, 'config' | 'database' | 'bus' | 'repos' | 'compute'>;

/** The feed on a context's database and bus; called by the composition root only. */
export function marketFeedOn(ctx: FeedContext, opts: { now?: () => Date } = {}): MarketFeed {
  const records = new FetchRecordsRepository(ctx.database);
  const loadForecasts = new LoadForecastsRepository(ctx.database);
  const service = new MarketFeedService({
    config: ctx.config.marketFeed,
    clients: createIsoClients(ctx.config.marketFeed),
    // The shared repository: its writes reach the read caches (modules/market-data/price-reads.ts).
    prices: ctx.repos.prices,
    ancillaryPrices: new AncillaryPricesRepository(ctx.database),
    loadForecasts,
    records,
    compute: ctx.compute,
    now: opts.now,
  });
  const scheduler = new FetchScheduler({
    service,
    records,
    markets: ISO_IDS,
    backfillDays: 7,
    now: opts.now,
    onStale: (v) => publishStaleAlert(ctx.bus, v),
  });
  return { service, scheduler, records, loadForecasts };
}

/** Tells every socket (and so every trader's screen) that a dataset went stale. */
export function publishStaleAlert(bus: Pick<ServerContext['bus'], 'publish'>, v: FreshnessView): Promise<void> {
  return bus.publish(
    ALERT_CHANNEL,
    alertMessage({
      title: `${v.market} ${v.dataset} data is stale`,
      message: `No complete ${v.dataset} day since ${v.newest_complete_day ?? 'ever'} (expected ${v.expected_day}); last good fetch ${v.last_good_fetch_at ?? 'never'}${v.last_error ? `; last error: ${v.last_error}` : ''}.`,
      severity: 'warning',
      iso: v.market,
      category: 'data_stale',
    }),
  );
}

/** Routes and the /health probe of the feed. */
export function registerMarketFeed(app: App, ctx: ServerContext & { marketFeed: MarketFeed }): void {
  const feed = ctx.marketFeed;
  const source = ctx.config.marketFeed.source;
  ctx.health.register('market_feed', async () => {
    if (source !== 'iso') return { status: 'ok', message: `MARKET_DATA_SOURCE=${source}` };
    const problems = feed.service.credentialProblems().flatMap((p) => p.problems.map((m) => `${p.market}: ${m}`));
    const stale = (await feed.scheduler.checkFreshness()).filter((v) => v.stale).map((v) => `${v.market} ${v.dataset}`);
    const notes = [...problems, ...(stale.length ? [`stale: ${stale.join(', ')}`] : [])];
    return { status: notes.length ? 'degraded' : 'ok', message: notes.length ? notes.join('; ') : 'MARKET_DATA_SOURCE=iso, every dataset fresh' };
  });
  fetchRoutes(app, ctx, feed);
}

/** Says at start which clients cannot run and why, so a missing key is never silent. */
export function logMarketFeedProblems(ctx: ServerContext & { marketFeed: MarketFeed }, log: { warn: (o: object, m: string) => void }): void {
  if (ctx.config.marketFeed.source !== 'iso') return;
  for (const p of ctx.marketFeed.service.credentialProblems()) log.warn({ market: p.market, problems: p.problems }, `${p.market} data client: ${p.problems.join('; ')}`);
  for (const iso of ISO_IDS) {
    for (const dataset of FETCH_DATASETS) {
      const why = ctx.marketFeed.service.unavailable(iso, dataset) ? null : ctx.marketFeed.service.notScheduled(iso, dataset);
      if (why) log.warn({ market: iso, dataset }, `${iso} ${dataset} is not fetched on schedule: ${why}`);
    }
  }
}
