/**
 * The simulated live feed (SIMULATION_MODE): for every market, a few locations
 * that have stored history (or the main hub with a built-in shape), one tick
 * per location every FEED_INTERVAL_S, published on `prices:<ISO>` and stored (by
 * the durable persistence consumer) as the RT5 price of the current 5-minute
 * interval. Each tick refines the same interval, so revisions are not kept.
 * Only the leader instance runs it.
 */
import type { FastifyBaseLogger } from 'fastify';
import {
  createPriceSimulator,
  listMarkets,
  simulationSeedOf,
  type IsoId,
  type MarketDefinition,
  type PriceSimulator,
} from '@optibid/core';
import type { ServerContext } from '../context.js';
import { intervalStartOf, priceChannel, zoneOf } from '../realtime/messages.js';
import { createLeaderLease } from './leader.js';
import { loadSeriesProfile } from '../realtime/series-profile.js';
import { storedTickMessage } from './tick-persistence.js';

export interface FeedSeries {
  iso: IsoId;
  location: string;
  simulator: PriceSimulator;
}

export interface FeedOptions {
  /** Tick period; default FEED_INTERVAL_S. */
  intervalMs?: number;
  /** Base seed (tests); default random. */
  seed?: number;
  maxLocationsPerMarket?: number;
  markets?: IsoId[];
  /** Lease timing when several instances share Redis. */
  leaseTtlMs?: number;
  /** Lease key suffix (tests sharing one Redis use their own). */
  leaseName?: string;
}

const RT_INTERVAL_MIN = 5;

type Log = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;

/** The series one market feeds: its default location first if it has data, then the best-covered ones, at most `max`. */
export async function loadMarketSeries(ctx: ServerContext, market: MarketDefinition, seed: number, max = 4): Promise<FeedSeries[]> {
  const rows = await ctx.repos.prices.locationsWithData(market.iso);
  const byLocation = new Map<string, typeof rows>();
  for (const r of rows) {
    const list = byLocation.get(r.location) ?? [];
    list.push(r);
    byLocation.set(r.location, list);
  }
  // A location known only from the feed's own RT5 rows is not history worth learning from.
  const total = (loc: string) => (byLocation.get(loc) ?? []).filter((r) => r.run !== 'RT5').reduce((a, r) => a + r.intervals, 0);
  const ranked = [...byLocation.keys()].filter((l) => total(l) > 0).sort((a, b) => (a === market.default_location ? -1 : b === market.default_location ? 1 : total(b) - total(a) || a.localeCompare(b)));
  const locations = ranked.length ? ranked.slice(0, max) : [market.default_location];
  const series: FeedSeries[] = [];
  for (const location of locations) {
    const profile = await loadSeriesProfile(ctx.repos.prices, market, location, byLocation.get(location) ?? []);
    series.push({ iso: market.iso, location, simulator: createPriceSimulator(profile, { seed: (seed ^ simulationSeedOf(`${market.iso}|${location}`)) >>> 0 }) });
  }
  return series;
}

/**
 * Publishes one tick of every series at `nowMs`; the durable `persistence`
 * consumer (tick-persistence.ts) stores them as the RT5 price of the interval.
 */
export async function feedTick(ctx: Pick<ServerContext, 'bus'>, series: FeedSeries[], nowMs: number): Promise<number> {
  const start = intervalStartOf(nowMs, RT_INTERVAL_MIN);
  const end = new Date(start.getTime() + RT_INTERVAL_MIN * 60_000);
  const now = new Date(nowMs);
  const publishes: Promise<void>[] = [];
  for (const s of series) {
    const p = s.simulator.next(nowMs);
    const row = {
      market: s.iso,
      location: s.location,
      run: 'RT5' as const,
      interval_start: start,
      interval_end: end,
      lmp_usd_per_mwh: p.lmp_usd_per_mwh,
      energy_usd_per_mwh: p.energy_usd_per_mwh,
      congestion_usd_per_mwh: p.congestion_usd_per_mwh,
      loss_usd_per_mwh: p.loss_usd_per_mwh,
      source: 'simulation',
    };
    publishes.push(ctx.bus.publish(priceChannel(s.iso), storedTickMessage(row, now)));
  }
  await Promise.all(publishes);
  return series.length;
}

/**
 * After a takeover: if the last tick any leader published is more than two periods old (the
 * previous leader died, or every instance was down), every fed zone is told with a `feed_gap`
 * message naming the silent stretch, so clients see it rather than a silent hole.
 */
async function reportGap(ctx: Pick<ServerContext, 'bus'>, series: FeedSeries[], lastMs: number | null, nowMs: number, intervalMs: number, log: Log): Promise<void> {
  if (lastMs === null || nowMs - lastMs <= 2 * intervalMs) return;
  const gap_s = Math.round((nowMs - lastMs) / 100) / 10;
  log.warn({ from: new Date(lastMs).toISOString(), gap_s }, 'price feed: taken over after a gap');
  for (const iso of new Set(series.map((s) => s.iso))) {
    await ctx.bus.publish(priceChannel(iso), {
      type: 'feed_gap',
      market_zone: zoneOf(iso),
      from: new Date(lastMs).toISOString(),
      to: new Date(nowMs).toISOString(),
      gap_s,
      reason: `no simulated tick for ${gap_s} s: the instance running the feed stopped, and this one took it over`,
      timestamp: new Date(nowMs).toISOString(),
    });
  }
}

/**
 * Starts the feed; resolves to a stopper. With Redis, instances contend for a
 * lease and only the holder ticks; the others take over when it stops.
 */
export async function startPriceFeed(ctx: ServerContext, log: Log, opts: FeedOptions = {}): Promise<() => Promise<void>> {
  const intervalMs = opts.intervalMs ?? ctx.config.feedIntervalS * 1000;
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 32);
  const markets = listMarkets().filter((m) => !opts.markets || opts.markets.includes(m.iso));
  let series: FeedSeries[] | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const ns = ctx.config.busNamespace;
  // Set when this instance gains the lead: its first tick checks how long the feed was silent.
  let tookOver = false;
  const lease = createLeaderLease(ctx.config.redisUrl, opts.leaseName ?? (ns === 'optibid' ? 'price-feed' : `${ns}:price-feed`), {
    ttlMs: opts.leaseTtlMs ?? Math.max(ctx.config.leaderLeaseMs, 3 * intervalMs),
    onChange: (leader) => {
      log.info({ leader }, leader ? 'price feed: this instance leads' : 'price feed: another instance leads');
      // Relearn on (re)gaining the lead: the history may have changed meanwhile.
      if (leader) {
        series = null;
        tookOver = true;
      }
    },
    onError: (err) => log.warn({ err: err.message }, 'price feed: lease error'),
  });

  const tick = async () => {
    if (!lease.isLeader()) return;
    try {
      if (!series) {
        const all: FeedSeries[] = [];
        for (const m of markets) all.push(...(await loadMarketSeries(ctx, m, seed, opts.maxLocationsPerMarket ?? 4)));
        series = all;
        log.info({ series: all.map((s) => `${s.iso}/${s.location}:${s.simulator.profile.source}`) }, 'price feed: series ready');
      }
      const nowMs = Date.now();
      if (tookOver) {
        tookOver = false;
        await reportGap(ctx, series, await lease.lastMark().catch(() => null), nowMs, intervalMs, log);
      }
      await feedTick(ctx, series, nowMs);
      await lease.mark(nowMs).catch(() => undefined);
    } catch (err) {
      log.error({ err }, 'price feed: tick failed');
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = null;
        schedule();
      });
    }, intervalMs);
  };

  await lease.start();
  running = tick().finally(() => {
    running = null;
  });
  await running;
  schedule();

  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
    await lease.close();
  };
}
