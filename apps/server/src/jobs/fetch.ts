/**
 * The ISO fetch job (MARKET_DATA_SOURCE=iso): a scheduler pass every minute, one at a time.
 * Which datasets are due, and when a dataset is stale, is the scheduler's business.
 */
import type { FastifyBaseLogger } from 'fastify';
import { logMarketFeedProblems } from '../modules/market-feed/index.js';
import type { Services } from '../services.js';

export async function startFetchJob(ctx: Services, log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>, opts: { intervalMs?: number } = {}): Promise<() => Promise<void>> {
  if (ctx.config.marketFeed.source !== 'iso') return async () => undefined;
  logMarketFeedProblems(ctx, log);
  const { scheduler } = ctx.marketFeed;
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = scheduler
      .tick()
      .then((views) => {
        const stale = views.filter((v) => v.stale).map((v) => `${v.market} ${v.dataset}`);
        if (stale.length) log.warn({ stale }, 'fetch job: stale datasets');
      })
      .catch((err: Error) => log.error({ err: err.message }, 'fetch job failed; retrying next tick'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, opts.intervalMs ?? 60_000);
  timer.unref?.();
  tick();
  return async () => {
    stopped = true;
    clearInterval(timer);
    if (running) await running;
  };
}
