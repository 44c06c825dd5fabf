/**
 * The outbox sweeper (bus/outbox.ts): every instance, each second, publishes outbox rows
 * left unpublished for OUTBOX_STALE_MS — the events of a transaction whose instance died
 * (or whose bus failed) between its commit and its publishes — and now and then drops rows
 * published a day ago. Rows are claimed with SKIP LOCKED, so two sweepers and a live
 * publisher never send the same row at once.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../services.js';
import { runPeriodically } from './periodic.js';

/** Older than this, an unpublished row is taken to be orphaned (a live publisher flushes right after its commit). */
export const OUTBOX_STALE_MS = 5_000;
const SWEEP_INTERVAL_MS = 1_000;
const KEEP_PUBLISHED_MS = 24 * 3_600_000;
const PURGE_EVERY_ROUNDS = 600;

export async function startOutboxSweeper(ctx: Services, log: Pick<FastifyBaseLogger, 'info' | 'warn'>, opts: { intervalMs?: number; staleMs?: number } = {}): Promise<() => Promise<void>> {
  let rounds = 0;
  const round = async () => {
    const sent = await ctx.outbox.sweep(opts.staleMs ?? OUTBOX_STALE_MS);
    if (sent > 0) log.info({ published: sent }, 'outbox: published events another instance left unpublished');
    if (++rounds % PURGE_EVERY_ROUNDS === 0) await ctx.outbox.purge(KEEP_PUBLISHED_MS);
  };
  return runPeriodically(round, {
    intervalMs: opts.intervalMs ?? SWEEP_INTERVAL_MS,
    runNow: false,
    onError: (err) => log.warn({ err: err.message }, 'outbox sweep failed; retrying next round'),
  });
}
