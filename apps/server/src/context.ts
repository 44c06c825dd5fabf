/**
 * The infrastructure a server runs on (configuration, database, cache, bus,
 * the shared repositories, health probes), opened in order and closed in
 * reverse. It knows nothing of the modules: services.ts builds them on it.
 */
import os from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { createBus, type Bus } from './bus/index.js';
import { createCache, type Cache } from './cache/index.js';
import type { Config } from './config/index.js';
import { openDatabase, ping, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { holdDataDir } from './db/data-lock.js';
import { createRepositories, type Repositories } from './db/repositories/index.js';
import { ComputePool, defaultComputeThreads } from './compute/pool.js';
import { JobRepository } from './db/repositories/jobs.js';
import { JobQueue, type JobQueueOptions } from './jobs/queue.js';
import { HealthRegistry } from './health.js';
import { Metrics } from './metrics/index.js';
import { VERSION } from './version.js';
import { createMarketCatalogue, type MarketCatalogue, type MarketOverrides } from '@optibid/core';
import { ConfigError } from './config/index.js';

export interface ServerContext {
  config: Config;
  database: Database;
  repos: Repositories;
  cache: Cache;
  bus: Bus;
  /** Worker threads for CPU-heavy work (forecast fits and forecasts). */
  compute: ComputePool;
  /** Durable jobs on the database (jobs/queue.ts); a server starts claiming, the CLI does not. */
  jobs: JobQueue;
  health: HealthRegistry;
  /** Prometheus metrics of this server (metrics/index.ts); served at /metrics. */
  metrics: Metrics;
  /** The market rules with MARKET_OVERRIDES applied. */
  catalogue: MarketCatalogue;
  /** Closers run in reverse order of registration on shutdown. */
  onClose(fn: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export interface ContextOptions {
  /** Use an already-open database (tests share one per suite). */
  database?: Database;
  logger?: Pick<FastifyBaseLogger, 'warn' | 'info'>;
  migrate?: boolean;
  /** Job queue tuning (tests shorten leases and backoff). */
  jobs?: Partial<JobQueueOptions>;
  /**
   * Use an already-started bus instead of building one from the configuration (tests: two
   * instances in one process on one memory bus, or each on its own namespaced NATS client);
   * its owner starts and closes it.
   */
  bus?: Bus;
}

export async function createContext(config: Config, opts: ContextOptions = {}): Promise<ServerContext> {
  let catalogue;
  try {
    catalogue = createMarketCatalogue(config.marketOverrides as MarketOverrides);
  } catch (err) {
    throw new ConfigError([`MARKET_OVERRIDES: ${(err as Error).message}`]);
  }
  const closers: (() => Promise<void> | void)[] = [];
  if (!opts.database && !config.databaseUrl) closers.push(holdDataDir(config.dataDir));
  const database =
    opts.database ??
    (await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? null : path.join(config.dataDir, 'pglite') }));
  if (!opts.database) closers.push(() => database.close());
  try {
    if (opts.migrate !== false) await migrate(database);
    const cache = createCache(config.redisUrl);
    const bus = opts.bus ?? createBus(config.redisUrl, config.busUrl, config.busNamespace);
    // Redis being away at start is not fatal: both fall back to memory and health says degraded.
    await cache.start().catch((err: Error) => opts.logger?.warn({ err: err.message }, 'cache: Redis unreachable at start, using memory'));
    if (!opts.bus) await bus.start().catch((err: Error) => opts.logger?.warn({ err: err.message }, `bus: ${bus.backend} unreachable at start, delivering in-process`));
    closers.push(() => cache.close());
    if (!opts.bus) closers.push(() => bus.close());

    const metrics = new Metrics();
    const compute = new ComputePool({
      threads: defaultComputeThreads(os.availableParallelism()),
      observe: (task, outcome, seconds) => metrics.computeTaskDuration.observe({ task, outcome }, seconds),
    });
    closers.push(() => compute.close());

    const jobs = new JobQueue(new JobRepository(database), { lease_ms: config.jobLeaseMs, concurrency: config.jobConcurrency, poll_ms: config.jobPollMs, ...opts.jobs }, (queue, outcome, seconds) =>
      metrics.jobDuration.observe({ queue, outcome }, seconds),
    );
    closers.push(async () => {
      await jobs.stop();
    });

    const repos = createRepositories(database);
    const health = new HealthRegistry(VERSION);
    health.register(
      'database',
      async () => {
        await ping(database);
        return { status: 'ok', backend: database.backend };
      },
      { critical: true },
    );
    health.register('cache', () => cache.health());
    health.register('bus', () => bus.health());

    const ctx: ServerContext = {
      config,
      database,
      repos,
      cache,
      bus,
      compute,
      jobs,
      health,
      metrics,
      catalogue,
      onClose: (fn) => void closers.push(fn),
      async close() {
        for (const fn of closers.reverse()) await Promise.resolve(fn()).catch(() => undefined);
        closers.length = 0;
      },
    };
    return ctx;
  } catch (err) {
    for (const fn of closers.reverse()) await Promise.resolve(fn()).catch(() => undefined);
    throw err;
  }
}
