/**
 * Forecasting on the server: the model registry (models, versions, stages,
 * experiments, runs) and stored day-ahead forecasts. Routes are thin; the
 * services hold the rules and ForecastingRepository the SQL.
 */
import type { ServerContext } from '../../context.js';
import type { App } from '../../http/types.js';
import { forecastRoutes } from './forecast-routes.js';
import { registryRoutes } from './registry-routes.js';
import { forecastingServices } from './services.js';

export { forecastingServices } from './services.js';
export { getForecastForDay, type DayForecastForOptimizer } from './forecast-service.js';

/** Registry and forecast routes, and the `forecast_registry` health entry. */
export async function registerForecasting(app: App, ctx: ServerContext): Promise<void> {
  const s = forecastingServices(ctx);
  registryRoutes(app, s.registry);
  forecastRoutes(app, s.forecasts);
  ctx.health.register('forecast_registry', async () => {
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
