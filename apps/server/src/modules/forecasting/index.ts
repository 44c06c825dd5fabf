/**
 * Forecasting on the server: the model registry (models, versions, stages,
 * experiments, runs) and stored day-ahead forecasts. Routes are thin; the
 * services hold the rules and ForecastingRepository the SQL. The services are
 * built by the composition root (src/services.ts) and shared by the routes,
 * the daily job and the optimiser's lookup, so trainings started anywhere are
 * awaited together on shutdown.
 */
import type { HealthRegistry } from '../../health.js';
import type { App } from '../../http/types.js';
import type { ForecastingDeps } from './common.js';
import { forecastRoutes } from './forecast-routes.js';
import { ForecastService } from './forecast-service.js';
import { registryRoutes } from './registry-routes.js';
import { RegistryService } from './registry-service.js';

export { ForecastNotPossibleError, type DayForecastForOptimizer, type ModelForecastForOptimizer } from './forecast-service.js';
export { loadPriceBook, requireForecastModelAllowed, type Clock, type ForecastingDeps } from './common.js';
export { CHOICE_EVAL_DAYS, choiceCandidates, defaultModelFor, measureCandidates, ModelChooser, type ModelChoice } from './model-choice.js';
export { backtestForecastsInPool } from './engine.js';
export { DEFAULT_TRAIN_EVAL_DAYS } from './training-history.js';
export type { LoadForecastSource } from './exogenous.js';

export interface ForecastingServices {
  deps: ForecastingDeps;
  registry: RegistryService;
  forecasts: ForecastService;
}

/** The forecasting services on one set of dependencies; called by the composition root only. */
export function forecastingServicesOn(deps: ForecastingDeps): ForecastingServices {
  return { deps, registry: new RegistryService(deps), forecasts: new ForecastService(deps) };
}

/** Registry and forecast routes, and the `forecast_registry` health entry. */
export function registerForecasting(app: App, s: ForecastingServices, health: HealthRegistry): void {
  registryRoutes(app, s.registry);
  forecastRoutes(app, s.forecasts);
  health.register('forecast_registry', async () => {
    const c = await s.deps.repo.counts();
    return {
      status: 'ok',
      models: c.models,
      versions: c.versions,
      production_versions: c.production_versions,
      forecasts: c.forecasts,
      running_trainings: c.running_runs,
      latest_forecast_at: c.latest_forecast_at?.toISOString() ?? null,
    };
  });
}
