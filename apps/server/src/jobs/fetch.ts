/**
 * The ISO fetch job (MARKET_DATA_SOURCE=iso), as durable jobs. Every minute each instance's
 * scheduler says what is due (which datasets, over which days: the scheduler's business) and
 * queues one job per due fetch (queue `iso-fetch`, key `<ISO>:<dataset>:<from>:<to>:<slot
 * start>`, unique while queued, running or succeeded), so with several instances each fetch
 * of a period runs once. A fetch whose listing or a download failed after the polite HTTP
 * client's own retries throws, and the queue retries it with its backoff (days already
 * complete are skipped then); a fetch on an instance that dies is taken by another after its
 * lease. Politeness across instances: each job carries the exclusive key of the host it asks
 * (`host:<ISO>`, or `host:EIA930` for load forecasts), which at most one running job holds
 * at a time on all instances together, so one scheduled request at a time goes to each ISO
 * as on one instance. Freshness is checked after each round on every instance.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { IsoId } from '@optibid/core';
import { logMarketFeedProblems, type DueFetch, type FetchDataset, type FetchScheduler } from '../modules/market-feed/index.js';
import type { Services } from '../services.js';
import { runPeriodically } from './periodic.js';

export const FETCH_QUEUE = 'iso-fetch';
/** Finished fetch jobs are kept this long (their keys carry a past slot, so none can recur). */
const KEEP_FINISHED_MS = 2 * 86_400_000;

export function fetchJobKey(f: DueFetch): string {
  return `${f.iso}:${f.dataset}:${f.from}:${f.to}:${f.slot_start.toISOString()}`;
}

/** The host a fetch asks: EIA's API for load forecasts, else the ISO's own. */
export function fetchHostKey(f: Pick<DueFetch, 'iso' | 'dataset'>): string {
  return `host:${f.dataset === 'load-forecast' ? 'EIA930' : f.iso}`;
}

/** Registers the fetch job's handler on this instance's queue (two fetches at a time here, one per host everywhere). */
export function registerFetchJobs(ctx: Services): void {
  const { service } = ctx.marketFeed;
  ctx.jobs.register(
    FETCH_QUEUE,
    {
      async run(payload, job) {
        const failures: string[] = [];
        const r = await service.fetchDays(payload.market as IsoId, payload.dataset as FetchDataset, String(payload.from), String(payload.to), {
          trigger: 'schedule',
          onFailure: (m) => failures.push(m),
        });
        await job.progress({ days_complete: r.days_complete.length, days_incomplete: r.days_incomplete.length, inserted: r.inserted, updated: r.updated, downloads: r.downloads });
        if (failures.length) throw new Error(`${payload.market} ${payload.dataset}: ${failures.length} failed request(s): ${failures.join('; ')}`);
      },
    },
    { concurrency: 2 },
  );
}

/** One scheduling round: queues what is due; returns the jobs it queued (not those another instance queued first). */
export async function planFetchJobs(ctx: Services, scheduler: Pick<FetchScheduler, 'plan'> = ctx.marketFeed.scheduler): Promise<number> {
  let queued = 0;
  for (const f of scheduler.plan()) {
    const payload = { market: f.iso, dataset: f.dataset, from: f.from, to: f.to, slot_start: f.slot_start.toISOString() };
    if (await ctx.jobs.enqueueUnique(FETCH_QUEUE, fetchJobKey(f), payload, { exclusive_key: fetchHostKey(f) })) queued++;
  }
  return queued;
}

export async function startFetchJob(ctx: Services, log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>, opts: { intervalMs?: number } = {}): Promise<() => Promise<void>> {
  if (ctx.config.marketFeed.source !== 'iso') return async () => undefined;
  logMarketFeedProblems(ctx, log);
  registerFetchJobs(ctx);
  const { scheduler } = ctx.marketFeed;
  const round = async () => {
    await planFetchJobs(ctx);
    await ctx.jobs.prune(FETCH_QUEUE, KEEP_FINISHED_MS);
    const stale = (await scheduler.checkFreshness()).filter((v) => v.stale).map((v) => `${v.market} ${v.dataset}`);
    if (stale.length) log.warn({ stale }, 'fetch job: stale datasets');
  };
  return runPeriodically(round, {
    intervalMs: opts.intervalMs ?? 60_000,
    runNow: true,
    onError: (err) => log.error({ err: err.message }, 'fetch job failed; retrying next tick'),
  });
}
