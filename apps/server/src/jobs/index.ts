/**
 * Background jobs of a running server (live feed, clearing, forecasts). Each
 * returns a stopper; `startJobs` returns one that stops them all.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../services.js';
import { startAnalyticsFeed } from './analytics-feed.js';
import { startClearingJob } from './clearing.js';
import { startPriceFeed } from './feed.js';
import { startForecastJob } from './forecast.js';
import { startOutboxSweeper } from './outbox-sweeper.js';
import { startFetchJob } from './fetch.js';
import { startTickPersistence } from './tick-persistence.js';

export type JobStopper = () => Promise<void>;

export async function startJobs(ctx: Services, log: FastifyBaseLogger): Promise<JobStopper> {
  const stoppers: JobStopper[] = [];
  // MARKET_DATA_SOURCE decides where the shared prices come from; SIMULATION_MODE keeps the simulated clearing.
  // The persistence member first, so it stops after the feed (stoppers run in reverse).
  if (ctx.config.simulationMode && ctx.config.marketFeed.source === 'simulated') {
    stoppers.push(await startTickPersistence(ctx, log), await startPriceFeed(ctx, log));
  }
  // ANALYTICS_URL: the event-log consumer and sync that keep ClickHouse's copy.
  stoppers.push(await startAnalyticsFeed(ctx, log));
  stoppers.push(await startFetchJob(ctx, log));
  stoppers.push(await startOutboxSweeper(ctx, log));
  stoppers.push(await startClearingJob(ctx, log));
  stoppers.push(await startForecastJob(ctx, log));
  return async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  };
}
