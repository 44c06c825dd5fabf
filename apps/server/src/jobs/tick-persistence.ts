/**
 * Storing ticks through the event log: the feed publishes each tick once on
 * `prices:<ISO>` with the fields of the row it stands for (run, interval end,
 * source), and the durable `persistence` consumer upserts it. Because the
 * consumer is durable, ticks published while it restarts are stored when it is
 * back; because the upsert is keyed on (market, location, run, interval_start),
 * a redelivered tick changes nothing. Price updates without those fields (an
 * admin broadcast, /simulate) are live only and not stored.
 */
import { PRICE_RUNS, parseIsoId, type IsoId, type PriceRun } from '@optibid/core';
import type { PriceUpdateMessage } from '@optibid/contracts';
import type { FastifyBaseLogger } from 'fastify';
import type { ServerContext } from '../context.js';
import type { PricePoint } from '../db/repositories/prices.js';
import { PRICE_CHANNEL_PREFIX, priceUpdateMessage, sanitizePriceUpdate } from '../realtime/messages.js';

export const PERSISTENCE_CONSUMER = 'persistence';

/** A price update that also names the stored row it is (clients get only the PriceUpdateMessage fields). */
export type StoredTickMessage = PriceUpdateMessage & { run: PriceRun; interval_end: string; source: string };

export function storedTickMessage(row: PricePoint & { market: IsoId }, now: Date): StoredTickMessage {
  const update = priceUpdateMessage(
    row.market,
    { location: row.location, interval_start: row.interval_start, lmp: row.lmp_usd_per_mwh, energy: row.energy_usd_per_mwh, congestion: row.congestion_usd_per_mwh, loss: row.loss_usd_per_mwh },
    now,
  );
  return { ...update, run: row.run, interval_end: row.interval_end.toISOString(), source: row.source ?? 'simulation' };
}

/** The row a stored tick stands for; null for a live-only update or a malformed one. */
export function storedTickRow(message: unknown, channel: string): PricePoint | null {
  const iso = parseIsoId(channel.slice(PRICE_CHANNEL_PREFIX.length));
  if (!iso || !message || typeof message !== 'object') return null;
  const m = message as Record<string, unknown>;
  if (!PRICE_RUNS.includes(m.run as PriceRun) || typeof m.source !== 'string' || typeof m.interval_end !== 'string') return null;
  const update = sanitizePriceUpdate(message, iso);
  if (!update) return null;
  const start = new Date(update.interval_start);
  const end = new Date(m.interval_end);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end <= start) return null;
  return {
    market: iso,
    location: update.location,
    run: m.run as PriceRun,
    interval_start: start,
    interval_end: end,
    lmp_usd_per_mwh: update.lmp,
    energy_usd_per_mwh: update.energy,
    congestion_usd_per_mwh: update.congestion,
    loss_usd_per_mwh: update.loss,
    source: m.source,
  };
}

type Log = Pick<FastifyBaseLogger, 'warn'>;

/** Ticks handled at once: a backlog (after a restart) is written a few hundred rows per statement. */
const MAX_IN_FLIGHT = 256;

/**
 * Gathers the rows of concurrent handlers into one upsert; each handler's
 * promise settles with the statement that wrote its row. One statement at a
 * time, in arrival order, so a later tick of an interval is written after an
 * earlier one (the upsert keeps the last of a key within a statement).
 */
class RowBatcher {
  private pending: { row: PricePoint; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushing = false;

  constructor(private readonly write: (rows: PricePoint[]) => Promise<unknown>) {}

  add(row: PricePoint): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    // Let the handlers started in this turn join the first statement.
    await new Promise((r) => setImmediate(r));
    while (this.pending.length) {
      const batch = this.pending.splice(0, MAX_IN_FLIGHT);
      try {
        await this.write(batch.map((p) => p.row));
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.flushing = false;
  }
}

/**
 * Starts this instance's member of the `persistence` group; resolves to its
 * stopper. Instances share the group's work. A failed upsert (database away)
 * rejects, so its ticks are redelivered after a backoff.
 */
export async function startTickPersistence(ctx: Pick<ServerContext, 'bus' | 'repos'>, log: Log, consumer = PERSISTENCE_CONSUMER): Promise<() => Promise<void>> {
  const batcher = new RowBatcher((rows) => ctx.repos.prices.upsert(rows, { keepRevisions: false }));
  return ctx.bus.subscribeDurable(
    `${PRICE_CHANNEL_PREFIX}*`,
    consumer,
    async (message, delivery) => {
      const row = storedTickRow(message, delivery.channel);
      if (!row) {
        if (message && typeof message === 'object' && 'run' in message) log.warn({ id: delivery.id, channel: delivery.channel }, 'tick persistence: malformed stored tick skipped');
        return;
      }
      await batcher.add(row);
    },
    { maxInFlight: MAX_IN_FLIGHT },
  );
}
