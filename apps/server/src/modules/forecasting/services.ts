/**
 * One set of forecasting services per server context, shared by the routes,
 * the daily job and the optimiser's lookup, so trainings started anywhere are
 * awaited together on shutdown.
 */
import type { ServerContext } from '../../context.js';
import { ForecastingRepository } from '../../db/repositories/forecasting.js';
import type { Clock, ForecastingDeps } from './common.js';
import { ForecastService } from './forecast-service.js';
import { RegistryService } from './registry-service.js';

export interface ForecastingServices {
  deps: ForecastingDeps;
  registry: RegistryService;
  forecasts: ForecastService;
}

const perContext = new WeakMap<ServerContext, ForecastingServices>();

/** The context's services; `now` only for a fresh set (tests and the job stand at chosen moments). */
export function forecastingServices(ctx: ServerContext, opts: { now?: Clock } = {}): ForecastingServices {
  if (opts.now) return build(ctx, opts.now);
  let s = perContext.get(ctx);
  if (!s) {
    s = build(ctx, () => new Date());
    perContext.set(ctx, s);
    const registry = s.registry;
    ctx.onClose(() => registry.close());
  }
  return s;
}

function build(ctx: ServerContext, now: Clock): ForecastingServices {
  const deps: ForecastingDeps = { ctx, repo: new ForecastingRepository(ctx.database), now };
  return { deps, registry: new RegistryService(deps), forecasts: new ForecastService(deps) };
}
