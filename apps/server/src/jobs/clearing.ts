/**
 * The clearing job: every ~30 s, clears each market's day-ahead once its gate
 * has closed (recorded per market, run and delivery day in market_clearings),
 * clears RT bids as their prices arrive, tells owners of drafts that missed the
 * gate, and settles bids whose delivery day is over. One tick at a time.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../services.js';
import type { Clock } from '../modules/trading/index.js';

export interface ClearingJobOptions {
  now?: Clock;
  intervalMs?: number;
}

export async function startClearingJob(ctx: Services, log: Pick<FastifyBaseLogger, 'info' | 'error'>, opts: ClearingJobOptions = {}): Promise<() => Promise<void>> {
  const { clearing } = (opts.now ? ctx.at(opts.now) : ctx).trading;
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = clearing
      .tick()
      .then((r) => {
        if (r.cleared.length || r.rt_cleared || r.drafts_notified || r.settled) log.info(r, 'clearing job');
      })
      .catch((err: Error) => log.error({ err: err.message }, 'clearing job failed; retrying next tick'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, opts.intervalMs ?? 30_000);
  timer.unref?.();
  tick();
  return async () => {
    stopped = true;
    clearInterval(timer);
    if (running) await running;
  };
}
