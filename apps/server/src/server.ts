/**
 * Starts the whole server: services, app, background jobs, listen; and drains it
 * on SIGTERM/SIGINT within SHUTDOWN_GRACE_MS: /health/ready 503, WebSockets closed
 * with 1012 (reconnect elsewhere), no more job claims and running jobs finished or
 * handed back, the feed's leadership given up, in-flight requests finished, then
 * bus, Redis and the database closed.
 */
import type { Config } from './config/index.js';
import { buildApp } from './app.js';
import { createServices, type Services } from './services.js';
import { seedDemo } from './demo/seed.js';
import { demoSeedSteps } from './demo/steps.js';
import type { App } from './http/types.js';
import { startJobs } from './jobs/index.js';

export interface RunningServer {
  app: App;
  ctx: Services;
  url: string;
  /** Drains and stops (see `startServer`); the same promise on every call. */
  stop(): Promise<void>;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const ctx = await createServices(config);
  let app: App;
  try {
    if (config.demoMode) await seedDemo(ctx, demoSeedSteps());
    app = await buildApp(ctx);
  } catch (err) {
    await ctx.close();
    throw err;
  }
  const address = await app.listen({ port: config.port, host: config.host });
  const stopJobs = await startJobs(ctx, app.log);
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      const t0 = Date.now();
      // 1. Not ready any more (503), so the load balancer sends new work elsewhere; HTTP still answers.
      ctx.health.beginDrain();
      // 2. Sockets go to another instance now (1012 with a reconnect hint), not when the process is gone.
      ctx.realtime.drain();
      // 3. No more claims; running jobs get half the grace to finish, the rest are handed back to the queue.
      const jobs = await ctx.jobs.stop(Math.floor(config.shutdownGraceMs / 2));
      // 4. Background roles: the feed's lease is given up, so another instance leads at its next round.
      await stopJobs();
      app.log.info({ ...jobs, drain_ms: Date.now() - t0 }, 'drained: closing connections, bus, cache and database');
      // 5. In-flight requests finish, then bus, Redis and the database close.
      await app.close();
      await ctx.close();
    })());
  return { app, ctx, url: address, stop };
}

/**
 * SIGTERM/SIGINT: drain and exit 0, or exit 1 if draining takes longer than SHUTDOWN_GRACE_MS
 * (a job's handler or a connection that does not let go) or fails.
 */
export function handleSignals(server: RunningServer): void {
  const graceMs = server.ctx.config.shutdownGraceMs;
  const onSignal = (signal: NodeJS.Signals) => {
    server.app.log.info({ signal, grace_ms: graceMs }, 'shutting down: draining');
    const force = setTimeout(() => {
      server.app.log.error({ grace_ms: graceMs }, 'drain did not finish within SHUTDOWN_GRACE_MS; exiting');
      process.exit(1);
    }, graceMs);
    force.unref();
    server.stop().then(
      () => process.exit(0),
      (err: Error) => {
        server.app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
