/**
 * The prices an optimisation runs on, for each hour of a market-local delivery
 * day: given explicitly, taken from stored DA prices, or forecast from the
 * history available before the day's gate closure (never after it).
 */
import {
  backtestLocalDateTime,
  dayAheadGateClosure,
  forecasterFromModel,
  localDayBoundsUtc,
  preparePriceSeries,
  FORECAST_DEFAULT_MODEL,
  type MarketDefinition,
} from '@optibid/core';
import type { ServerContext } from '../../context.js';
import { validationFailed } from '../../http/errors.js';

export interface DayPrices {
  interval_starts: Date[];
  prices: number[];
  p10?: number[];
  p90?: number[];
  source: { type: string; model?: string; model_version_id?: string };
}

export type PriceSourceSpec =
  | { type: 'explicit'; prices: number[] }
  | { type: 'historical' }
  | { type: 'forecast'; model?: string; model_version_id?: string };

/** Stored forecasts from the model registry, when that module is present. */
export type ForecastLookup = (args: { organization_id: string; market: string; location: string; delivery_date: string; model_version_id?: string }) => Promise<{ model_version_id: string; interval_starts: Date[]; p10: number[]; p50: number[]; p90: number[] } | null>;

const H = 3_600_000;

export function dayIntervals(m: MarketDefinition, date: string): Date[] {
  const { start, hours } = localDayBoundsUtc(date, m.timezone);
  return Array.from({ length: hours }, (_, h) => new Date(start.getTime() + h * H));
}

export async function pricesForDay(
  ctx: ServerContext,
  m: MarketDefinition,
  location: string,
  date: string,
  source: PriceSourceSpec,
  opts: { organization_id: string; forecasts?: ForecastLookup },
): Promise<DayPrices> {
  const starts = dayIntervals(m, date);
  if (source.type === 'explicit') {
    if (source.prices.length !== starts.length) {
      throw validationFailed(`${date} has ${starts.length} hours in ${m.iso} (${m.timezone}); ${source.prices.length} prices were given`, [
        { field: 'price_source.prices', message: `expected ${starts.length} prices` },
      ]);
    }
    return { interval_starts: starts, prices: [...source.prices], source: { type: 'explicit' } };
  }
  if (source.type === 'historical') {
    const rows = await ctx.repos.prices.recent(m.iso, location, ['DA'], starts[0]!, new Date(starts[starts.length - 1]!.getTime() + H));
    const byTime = new Map(rows.map((r) => [r.interval_start.getTime(), r.lmp_usd_per_mwh]));
    const missing = starts.filter((s) => !byTime.has(s.getTime()));
    if (missing.length) {
      throw validationFailed(`stored DA prices for ${location} on ${date} cover ${starts.length - missing.length} of ${starts.length} hours; import them or use a forecast`, [
        { field: 'price_source', message: `missing hours from ${missing[0]!.toISOString()}` },
      ]);
    }
    return { interval_starts: starts, prices: starts.map((s) => byTime.get(s.getTime())!), source: { type: 'historical' } };
  }
  if (source.model_version_id) {
    const f = opts.forecasts ? await opts.forecasts({ organization_id: opts.organization_id, market: m.iso, location, delivery_date: date, model_version_id: source.model_version_id }) : null;
    if (!f) throw validationFailed(`no forecast from model version ${source.model_version_id} for ${location} on ${date}`, [{ field: 'price_source.model_version_id', message: 'no forecast' }]);
    return { interval_starts: f.interval_starts, prices: f.p50, p10: f.p10, p90: f.p90, source: { type: 'forecast', model_version_id: source.model_version_id } };
  }
  if (!source.model && opts.forecasts) {
    // No model named: the location's production model in the registry, when there is one.
    const f = await opts.forecasts({ organization_id: opts.organization_id, market: m.iso, location, delivery_date: date });
    if (f) return { interval_starts: f.interval_starts, prices: f.p50, p10: f.p10, p90: f.p90, source: { type: 'forecast', model_version_id: f.model_version_id } };
  }
  return forecastOnTheFly(ctx, m, location, date, starts, source.model ?? FORECAST_DEFAULT_MODEL);
}

/** Runs a forecasting model on the stored DA history strictly before the day's gate closure. */
async function forecastOnTheFly(ctx: ServerContext, m: MarketDefinition, location: string, date: string, starts: Date[], model: string): Promise<DayPrices> {
  let forecaster;
  try {
    forecaster = forecasterFromModel(model);
  } catch (err) {
    throw validationFailed(`unknown forecast model "${model}": ${(err as Error).message}`, [{ field: 'price_source.model', message: 'unknown model' }]);
  }
  const gate = dayAheadGateClosure(m.iso, date, m);
  const history = await ctx.repos.prices.recent(m.iso, location, ['DA'], new Date(gate.getTime() - 1500 * 24 * H), gate);
  const usable = history.filter((p) => p.interval_start.getTime() < gate.getTime());
  if (usable.length < 24 * 7) {
    throw validationFailed(`a forecast for ${location} on ${date} needs at least a week of DA prices before ${gate.toISOString()}; ${usable.length} hours are stored`, [
      { field: 'price_source', message: 'not enough history' },
    ]);
  }
  const series = preparePriceSeries(
    usable.map((p) => ({ interval_start: p.interval_start, price_usd_per_mwh: p.lmp_usd_per_mwh })),
    { timezone: m.timezone, interval_hours: 1 },
  );
  const day = {
    date,
    interval_starts: starts,
    local_times: starts.map((s) => backtestLocalDateTime(s, m.timezone).time),
    timezone: m.timezone,
    interval_hours: 1,
  };
  const f = forecaster(series.points, day);
  return {
    interval_starts: starts,
    prices: f.point,
    ...(f.quantiles ? { p10: [...f.quantiles.p10], p90: [...f.quantiles.p90] } : {}),
    source: { type: 'forecast', model },
  };
}
