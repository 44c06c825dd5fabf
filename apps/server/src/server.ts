/**
 * Starts the whole server: services, app, background jobs, listen; and stops it
 * gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight requests, close
 * jobs, WebSockets, Redis and the database).
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
      await stopJobs();
      await app.close();
      await ctx.close();
    })());
  return { app, ctx, url: address, stop };
}

export function handleSignals(server: RunningServer): void {
  const onSignal = (signal: NodeJS.Signals) => {
    server.app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
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
