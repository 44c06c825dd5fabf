/**
 * The gauges /metrics reads at scrape time, wired onto the composition root's services
 * (metrics/index.ts holds the histograms the parts record into as they run). Called once by
 * createServices. Each reader is cheap: counters kept in memory, one grouped query on the
 * job queue's claim index, the fetch records' freshness, and the newest price of each
 * market through the latest-prices walk (a few index rows per series).
 */
import { ISO_IDS } from '@optibid/core';
import type { Sample } from './metrics/index.js';
import type { Services } from './services.js';

export function registerMetricCollectors(s: Omit<Services, 'at'>): void {
  const m = s.metrics;

  // WebSocket connections, their send queues and messages.
  m.gauge('optibid_ws_connections', 'Open WebSocket connections on this instance by endpoint (market: one zone; prices: subscriptions)', ['endpoint'], () => {
    const st = s.realtime.stats();
    return [
      { labels: { endpoint: 'market' }, value: st.by_endpoint.market },
      { labels: { endpoint: 'prices' }, value: st.by_endpoint.prices },
    ];
  });
  m.gauge('optibid_ws_send_queue_bytes', 'Bytes written to WebSockets and not yet sent: total over sockets, and the most on one socket', ['stat'], () => {
    const q = s.realtime.sendQueue();
    return [
      { labels: { stat: 'total' }, value: q.bytes },
      { labels: { stat: 'max' }, value: q.max_bytes },
    ];
  });
  m.gauge('optibid_ws_backlogged_sockets', 'WebSockets with bytes waiting to be sent', [], () => [{ value: s.realtime.sendQueue().backlogged }]);
  m.counter('optibid_ws_messages_sent_total', 'WebSocket messages sent by this instance', [], () => [{ value: s.realtime.stats().messages_sent }]);

  // Jobs and the compute pool.
  m.gauge('optibid_jobs', 'Durable jobs queued or running, by queue and state (the whole queue, every instance)', ['queue', 'state'], async () =>
    (await s.jobs.depth()).map((d) => ({ labels: { queue: d.queue, state: d.status }, value: d.jobs })),
  );
  m.gauge('optibid_compute_pool_queued_tasks', 'Compute-pool tasks waiting for a worker thread', [], () => [{ value: s.compute.queued }]);
  m.gauge('optibid_compute_pool_threads', 'Compute-pool worker threads at most', [], () => [{ value: s.compute.threads }]);

  // Data freshness: what the ISO clients fetched (MARKET_DATA_SOURCE=iso), and the newest stored price of every source.
  const freshness = m.perScrape(async () => {
    const feed = s.marketFeed;
    const active = s.config.marketFeed.source === 'iso' || (await feed.records.freshness()).length > 0;
    return active ? feed.scheduler.checkFreshness() : [];
  });
  m.gauge('optibid_market_data_stale', '1 when an ISO dataset is older than the ISO calendar says it should be (fetched data)', ['market', 'dataset'], async () =>
    (await freshness()).map((v) => ({ labels: { market: v.market, dataset: v.dataset }, value: v.stale ? 1 : 0 })),
  );
  m.gauge('optibid_market_data_last_good_fetch_timestamp_seconds', 'When each ISO dataset was last fetched successfully (Unix seconds)', ['market', 'dataset'], async () =>
    (await freshness()).filter((v) => v.last_good_fetch_at).map((v) => ({ labels: { market: v.market, dataset: v.dataset }, value: Date.parse(v.last_good_fetch_at!) / 1000 })),
  );
  m.gauge('optibid_market_data_newest_complete_day_lag_days', 'Days between the day an ISO dataset should be complete for and its newest complete day (0 is fresh)', ['market', 'dataset'], async () =>
    (await freshness())
      .filter((v) => v.newest_complete_day)
      .map((v) => ({ labels: { market: v.market, dataset: v.dataset }, value: Math.max(0, (Date.parse(v.expected_day) - Date.parse(v.newest_complete_day!)) / 86_400_000) })),
  );
  m.gauge('optibid_price_newest_interval_timestamp_seconds', 'Start of the newest shared price at or before now (within 60 days) per market and run, any source (Unix seconds)', ['market', 'run'], async () => {
    const out: Sample<'market' | 'run'>[] = [];
    for (const iso of ISO_IDS) {
      const newest = new Map<string, number>();
      for (const p of await s.repos.prices.latest(iso)) newest.set(p.run, Math.max(newest.get(p.run) ?? 0, p.interval_start.getTime()));
      for (const [run, ms] of newest) out.push({ labels: { market: iso, run }, value: ms / 1000 });
    }
    return out;
  });

  // Durable bus consumers (event log): how far each group with a member here is behind (memory and NATS buses).
  const lag = m.perScrape(async () => (s.bus.consumerLag ? s.bus.consumerLag() : []));
  m.gauge('optibid_bus_consumer_pending_messages', 'Event-log messages a durable consumer group has not yet been handed (memory and NATS buses)', ['stream', 'consumer'], async () =>
    (await lag()).map((l) => ({ labels: { stream: l.stream, consumer: l.consumer }, value: l.pending })),
  );
  m.gauge('optibid_bus_consumer_unacknowledged_messages', 'Event-log messages handed to a durable consumer group and not yet acknowledged', ['stream', 'consumer'], async () =>
    (await lag()).map((l) => ({ labels: { stream: l.stream, consumer: l.consumer }, value: l.unacknowledged })),
  );

  // The read path's cache.
  const cache = s.priceReads.cache;
  m.counter('optibid_price_read_cache_requests_total', 'Market-data reads by kind (prices, stats, latest, locations) answered from the in-process cache (hit) or the database (miss)', ['kind', 'result'], () =>
    (['prices', 'stats', 'latest', 'locations'] as const).flatMap((kind) => [
      { labels: { kind, result: 'hit' }, value: cache.counters.hits[kind] },
      { labels: { kind, result: 'miss' }, value: cache.counters.misses[kind] },
    ]),
  );
  m.counter('optibid_price_read_cache_invalidated_total', 'Cached market-data answers dropped because a price write touched them', [], () => [{ value: cache.counters.invalidated }]);
  m.gauge('optibid_price_read_cache_bytes', 'Bytes of serialised answers held by the read cache', [], () => [{ value: cache.bytes }]);
}
