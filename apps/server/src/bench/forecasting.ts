/**
 * Forecasting bench: wall time of one day's forecast for one location (fit + predict,
 * cold start) with the platform default model, LEAR's longest window and our own
 * combinations (the hybrid one includes a cold gradient-boosted tree fit), on the
 * epftoolbox NP fixture (first benchmark test day, 2016-12-27). The full two-year
 * LEAR-ensemble walk-forward is measured with `optibid forecast evaluate` (see
 * notes/forecast-results.md); it is too long for a routine bench run.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createForecastModel,
  FORECAST_DEFAULT_MODEL,
  forecastDayIndex,
  forecastHistoryAt,
} from '@optibid/core';
import { readForecastDataset } from '../cli/commands/forecast.js';

const FIXTURE = new URL('../../../../packages/core/test-fixtures/epftoolbox/NP.csv.gz', import.meta.url);

export async function benchForecasting(): Promise<Record<string, number>> {
  const file = fileURLToPath(FIXTURE);
  if (!fs.existsSync(file)) throw new Error(`forecast bench fixture missing: ${file}`);
  const data = readForecastDataset(file);
  const day = forecastDayIndex(data, '2016-12-27');
  const time = (spec: string) => {
    const model = createForecastModel(spec);
    const t0 = performance.now();
    const f = model.forecastDay(forecastHistoryAt(data, day));
    const s = (performance.now() - t0) / 1000;
    if (f.length !== 24 || f.some((v) => !Number.isFinite(v))) throw new Error(`${spec}: bad forecast`);
    return s;
  };
  return {
    forecast_one_day_default_s: time(FORECAST_DEFAULT_MODEL),
    forecast_one_day_lear_1456_s: time('lear:1456'),
    forecast_one_day_lear_rw_s: time('lear-rw'),
    forecast_one_day_hybrid_rw_s: time('hybrid-rw'),
  };
}
