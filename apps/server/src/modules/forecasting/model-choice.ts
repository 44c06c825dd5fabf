/** Which model a location gets when none is named: the most capable one its stored history supports. */
import { createForecastModel, FORECAST_DEFAULT_MODEL, LEAR_BENCHMARK_WINDOWS } from '@optibid/core';

/**
 * The platform default when the stored history supports it (its minimum plus
 * `evalDays` evaluation days and two more), else the longest benchmark LEAR
 * window that fits, else a 28-day LEAR, else the weekly naive. The reason is
 * returned with it.
 */
export function defaultModelFor(historyDays: number, evalDays: number): { spec: string; note: string } {
  const candidates = [FORECAST_DEFAULT_MODEL, ...[...LEAR_BENCHMARK_WINDOWS].sort((a, b) => b - a).map((w) => `lear:${w}`), 'lear:28', 'weekly-naive'];
  const need = (spec: string) => createForecastModel(spec).min_history_days + evalDays + 2;
  const spec = candidates.find((c) => need(c) <= historyDays) ?? 'weekly-naive';
  const note =
    spec === FORECAST_DEFAULT_MODEL
      ? `platform default (${FORECAST_DEFAULT_MODEL})`
      : `${FORECAST_DEFAULT_MODEL} needs ${need(FORECAST_DEFAULT_MODEL)} days of history and ${historyDays} are stored: ${spec} until there are enough`;
  return { spec, note };
}
