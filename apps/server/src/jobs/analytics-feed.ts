/**
 * Feeding the analytics store (ANALYTICS_URL): the durable `analytics` group
 * on `prices:*` writes every stored tick and day-ahead publication into
 * ClickHouse (seconds behind the feed), and one instance (the `analytics-sync`
 * lease when instances share Redis) copies what PostgreSQL wrote without the
 * bus (ISO fetches, imports, corrections) every 30 s, starting with a full
 * backfill when ClickHouse has no copy yet (analytics-sync.ts). The same
 * instance then brings the settlement ledger up to date (pnl-ledger-sync.ts),
 * and the durable `analytics-pnl` group on `org:*` starts that sync at once
 * when an award or a settlement is announced, on whichever instance gets it.
 *
 * The group's handlers resolve once their rows are in ClickHouse; a failed
 * insert (ClickHouse down) rejects them, so the log redelivers them with a
 * backoff until it is back. Rows are keyed as in PostgreSQL and versioned by
 * the tick's time, so a redelivered message changes nothing.
 */
import { parseIsoId, type IsoId } from '@optibid/core';
import type { FastifyBaseLogger } from 'fastify';
import type { AnalyticsPriceRow } from '../db/repositories/analytics-prices.js';
import { PRICE_CHANNEL_PREFIX } from '../realtime/messages.js';
import type { Services } from '../services.js';
import { createLeaderLease } from './leader.js';
import { storedTickRow } from './tick-persistence.js';

export const ANALYTICS_CONSUMER = 'analytics';
export const ANALYTICS_PNL_CONSUMER = 'analytics-pnl';
/** Events after which a day's settlement may have changed. */
const SETTLEMENT_EVENTS = new Set(['award', 'bid_status']);
/** How long a settlement event waits for others before the ledger sync it starts. */
const PNL_LINGER_MS = 500;
const H = 3_600_000;
/** Rows gathered into one insert (ClickHouse wants few, large inserts). */
const MAX_BATCH = 5_000;
/** How long the first row of a batch waits for others. */
const LINGER_MS = 250;
const MAX_IN_FLIGHT = 2_048;

/** The rows a message on `prices:<ISO>` stands for in the store: a stored tick, or a day-ahead publication's hours. */
export function analyticsRowsOf(message: unknown, channel: string, receivedAt = Date.now()): AnalyticsPriceRow[] {
  if (!message || typeof message !== 'object') return [];
  const m = message as Record<string, unknown>;
  const stamp = typeof m.timestamp === 'string' && Number.isFinite(Date.parse(m.timestamp)) ? Date.parse(m.timestamp) : receivedAt;
  if (m.type === 'da_prices') {
    const iso = parseIsoId(channel.slice(PRICE_CHANNEL_PREFIX.length));
    if (!iso || iso !== m.market || typeof m.location !== 'string' || !m.location || m.location.length > 200 || !Array.isArray(m.items)) return [];
    const rows: AnalyticsPriceRow[] = [];
    for (const it of m.items as unknown[]) {
      const item = it as Record<string, unknown> | null;
      const start = typeof item?.interval_start === 'string' ? new Date(item.interval_start) : null;
      const lmp = item?.lmp_usd_per_mwh;
      if (!start || Number.isNaN(start.getTime()) || typeof lmp !== 'number' || !Number.isFinite(lmp)) continue;
      rows.push({
        market: iso as IsoId,
        location: m.location,
        run: 'DA',
        interval_start: start,
        interval_end: new Date(start.getTime() + H),
        lmp_usd_per_mwh: lmp,
        energy_usd_per_mwh: null,
        congestion_usd_per_mwh: null,
        loss_usd_per_mwh: null,
        source: typeof m.source === 'string' ? m.source : 'bus',
        version_ms: stamp,
      });
    }
    return rows;
  }
  const row = storedTickRow(message, channel);
  return row ? [{ ...row, version_ms: stamp }] : [];
}

/** Gathers the rows of concurrent handlers into one insert; each handler settles with the insert that carried its rows. */
class InsertBatcher {
  private pending: { rows: AnalyticsPriceRow[]; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly write: (rows: AnalyticsPriceRow[]) => Promise<void>) {}

  add(rows: AnalyticsPriceRow[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ rows, resolve, reject });
      this.size += rows.length;
      if (this.size >= MAX_BATCH) this.flushSoon(0);
      else this.flushSoon(LINGER_MS);
    });
  }

  private flushSoon(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      const batch = this.pending;
      this.pending = [];
      this.size = 0;
      // One insert at a time, in arrival order.
      this.flushing = this.flushing.then(async () => {
        try {
          await this.write(batch.flatMap((p) => p.rows));
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      });
    }, ms);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const p of this.pending) p.reject(new Error('analytics feed stopping'));
    this.pending = [];
    await this.flushing;
  }
}

export interface AnalyticsFeedOptions {
  /** Seconds between syncs from PostgreSQL; default 30. */
  syncEveryS?: number;
  /** Lease name for the sync (tests sharing one Redis use their own). */
  leaseName?: string;
  consumer?: string;
  pnlConsumer?: string;
}

/** Starts one ledger sync shortly after the first of a burst of events; every event of the burst settles with it. */
function debounced(run: () => Promise<unknown>): () => Promise<void> {
  let next: Promise<void> | null = null;
  return () =>
    (next ??= new Promise<void>((resolve) => setTimeout(resolve, PNL_LINGER_MS)).then(async () => {
      next = null;
      await run();
    }));
}

/** Starts the consumer and the sync when ANALYTICS_URL is set; resolves to their stopper. */
export async function startAnalyticsFeed(ctx: Pick<Services, 'analytics' | 'bus' | 'config'>, log: Pick<FastifyBaseLogger, 'info' | 'warn'>, opts: AnalyticsFeedOptions = {}): Promise<() => Promise<void>> {
  const analytics = ctx.analytics;
  if (!analytics) return async () => undefined;
  await analytics.prices.ensureSchema();
  const batcher = new InsertBatcher((rows) => analytics.prices.write(rows));
  const unsubscribe = await ctx.bus.subscribeDurable(
    `${PRICE_CHANNEL_PREFIX}*`,
    opts.consumer ?? ANALYTICS_CONSUMER,
    async (message, delivery) => {
      const rows = analyticsRowsOf(message, delivery.channel);
      if (rows.length) await batcher.add(rows);
    },
    { maxInFlight: MAX_IN_FLIGHT },
  );
  // The handler resolves once the ledger holds the event's day (a failed sync redelivers it).
  const syncPnlSoon = debounced(() => analytics.pnlSync.run());
  const unsubscribePnl = await ctx.bus.subscribeDurable(
    'org:*',
    opts.pnlConsumer ?? ANALYTICS_PNL_CONSUMER,
    async (message) => {
      const type = (message as { type?: unknown } | null)?.type;
      if (typeof type === 'string' && SETTLEMENT_EVENTS.has(type)) await syncPnlSoon();
    },
    { maxInFlight: 256 },
  );

  const lease = createLeaderLease(ctx.config.redisUrl, opts.leaseName ?? 'analytics-sync', {
    onChange: (leader) => log.info({ leader }, leader ? 'analytics sync: this instance copies from PostgreSQL' : 'analytics sync: another instance copies'),
  });
  await lease.start();
  let stopped = false;
  const syncPrices = loggedPass(() => analytics.sync.run(), log, 'analytics sync: copied from PostgreSQL', 'analytics sync failed; retrying');
  const syncLedger = loggedPass(() => analytics.pnlSync.run(), log, 'analytics sync: settlement ledger brought up to date', 'analytics settlement ledger sync failed; retrying');
  const sync = async () => {
    if (stopped || !lease.isLeader()) return;
    await syncPrices();
    await syncLedger();
  };
  const first = setTimeout(() => void sync(), 1_000);
  const timer = setInterval(() => void sync(), (opts.syncEveryS ?? 30) * 1000);
  first.unref();
  timer.unref();
  return async () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
    await unsubscribe();
    await unsubscribePnl();
    await batcher.close();
    await lease.close();
  };
}

/**
 * One sync pass that never rejects, logged only when it says something: a backfill, the first
 * failure with a new message (not one line every 30 s while ClickHouse is down), and the recovery.
 */
function loggedPass(run: () => Promise<{ kind: string }>, log: Pick<FastifyBaseLogger, 'info' | 'warn'>, done: string, failed: string): () => Promise<void> {
  let lastError: string | null = null;
  return async () => {
    try {
      const r = await run();
      if (r.kind === 'backfill' || lastError) log.info({ ...r }, done);
      lastError = null;
    } catch (err) {
      const message = (err as Error).message;
      if (message !== lastError) log.warn({ error: message }, failed);
      lastError = message;
    }
  };
}
