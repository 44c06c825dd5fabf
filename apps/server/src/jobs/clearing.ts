/**
 * The clearing schedule: every ~30 s each instance looks for day-ahead days whose
 * gate has closed with no complete clearing since, and queues one durable job per
 * market day (queue `clearing`, key `<ISO>:DA:<date>`, unique while queued, running
 * or succeeded, so all instances asking make one job). Whichever instance claims it
 * clears the day; if it dies mid-way its lease expires and another instance clears
 * it again, which the clearing's lock and unique record make a no-op where the first
 * had committed. The same round clears RT bids as their prices arrive, tells owners
 * of drafts that missed the gate, and settles bids whose delivery day is over.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { IsoId } from '@optibid/core';
import type { Services } from '../services.js';
import type { Clock } from '../modules/trading/index.js';
import { runPeriodically } from './periodic.js';

export const CLEARING_QUEUE = 'clearing';

export interface ClearingJobOptions {
  now?: Clock;
  intervalMs?: number;
}

export async function startClearingJob(ctx: Services, log: Pick<FastifyBaseLogger, 'info' | 'error'>, opts: ClearingJobOptions = {}): Promise<() => Promise<void>> {
  const services = opts.now ? ctx.at(opts.now) : ctx;
  const { clearing } = services.trading;
  ctx.jobs.register(CLEARING_QUEUE, {
    async run(payload) {
      const r = await clearing.clearDueDay(payload.iso as IsoId, String(payload.delivery_date));
      if (r) log.info({ market: payload.iso, delivery_date: payload.delivery_date, bids_cleared: r.bids_cleared, status: r.status }, 'clearing job: day cleared');
    },
  });
  const round = async () => {
    for (const d of await clearing.dueDayAhead()) {
      await ctx.jobs.enqueueUnique(CLEARING_QUEUE, `${d.iso}:DA:${d.delivery_date}`, { iso: d.iso, delivery_date: d.delivery_date });
    }
    const r = await clearing.tick({ dayAhead: false });
    if (r.rt_cleared || r.drafts_notified || r.settled) log.info(r, 'clearing job');
  };
  return runPeriodically(round, {
    intervalMs: opts.intervalMs ?? 30_000,
    runNow: true,
    onError: (err) => log.error({ err: err.message }, 'clearing job failed; retrying next tick'),
  });
}
