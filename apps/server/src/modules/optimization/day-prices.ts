/**
 * The prices an optimisation runs on, for each hour of a market-local delivery
 * day: given explicitly, taken from stored DA prices, or forecast from the
 * history available before the day's gate closure (never after it) by the
 * forecasting service: the registry's version, or a named model run in the
 * compute pool, each with the location's load forecast as published by then.
 * Stored and forecast prices come from one series: the shared market, or the
 * organisation's own (`price_scope: own`, see price-scope.ts).
 */
import { localDayBoundsUtc, type MarketDefinition } from '@optibid/core';
import type { ExogenousSeriesView, PriceScope } from '@optibid/contracts';
import type { ServerContext } from '../../context.js';
import { validationFailed } from '../../http/errors.js';
import { resolvePriceScope } from './price-scope.js';

export interface DayPrices {
  interval_starts: Date[];
  prices: number[];
  p10?: number[];
  p90?: number[];
  source: { type: string; model?: string; model_version_id?: string; exogenous?: ExogenousSeriesView[]; exogenous_note?: string };
  price_scope: PriceScope;
}

export type PriceSourceSpec =
  | { type: 'explicit'; prices: number[] }
  | { type: 'historical' }
  | { type: 'forecast'; model?: string; model_version_id?: string };

interface ForecastArgs {
  organization_id: string;
  market: string;
  location: string;
  delivery_date: string;
  price_scope: PriceScope;
}

/** Forecasts from the forecasting module (wired by the composition root). */
export interface ForecastLookup {
  /** The registry's stored forecast: the named version, else the location's production version; null when none applies. */
  registry(args: ForecastArgs & { model_version_id?: string }): Promise<{ model_version_id: string; interval_starts: Date[]; p10: number[]; p50: number[]; p90: number[]; exogenous: ExogenousSeriesView[]; exogenous_note: string | null } | null>;
  /** A named model (unnamed: the most capable one the history supports) run now on the history before the gate. */
  model(args: ForecastArgs & { model?: string }): Promise<{ model: string; interval_starts: Date[]; p50: number[]; exogenous: ExogenousSeriesView[]; exogenous_note: string | null }>;
}

const H = 3_600_000;

export function dayIntervals(m: MarketDefinition, date: string): Date[] {
  const { start, hours } = localDayBoundsUtc(date, m.timezone);
  return Array.from({ length: hours }, (_, h) => new Date(start.getTime() + h * H));
}

const exogenousOf = (f: { exogenous: ExogenousSeriesView[]; exogenous_note: string | null }) => ({ exogenous: f.exogenous, ...(f.exogenous_note ? { exogenous_note: f.exogenous_note } : {}) });

export async function pricesForDay(
  ctx: ServerContext,
  m: MarketDefinition,
  location: string,
  date: string,
  source: PriceSourceSpec,
  opts: { organization_id: string; forecasts?: ForecastLookup; price_scope?: PriceScope },
): Promise<DayPrices> {
  const starts = dayIntervals(m, date);
  const scope = opts.price_scope ?? 'shared';
  if (source.type === 'explicit') {
    if (source.prices.length !== starts.length) {
      throw validationFailed(`${date} has ${starts.length} hours in ${m.iso} (${m.timezone}); ${source.prices.length} prices were given`, [
        { field: 'price_source.prices', message: `expected ${starts.length} prices` },
      ]);
    }
    return { interval_starts: starts, prices: [...source.prices], source: { type: 'explicit' }, price_scope: 'shared' };
  }
  const end = new Date(starts[starts.length - 1]!.getTime() + H);
  if (source.type === 'historical') {
    const { owner } = await resolvePriceScope(ctx, opts.organization_id, scope, { market: m.iso, location, runs: ['DA'], start: starts[0]!, end });
    const rows = await ctx.repos.prices.recent(m.iso, location, ['DA'], starts[0]!, end, owner);
    const byTime = new Map(rows.map((r) => [r.interval_start.getTime(), r.lmp_usd_per_mwh]));
    const missing = starts.filter((s) => !byTime.has(s.getTime()));
    if (missing.length) {
      throw validationFailed(`${scope === 'own' ? "your organisation's own" : 'stored'} DA prices for ${location} on ${date} cover ${starts.length - missing.length} of ${starts.length} hours; import them or use a forecast`, [
        { field: 'price_source', message: `missing hours from ${missing[0]!.toISOString()}` },
      ]);
    }
    return { interval_starts: starts, prices: starts.map((s) => byTime.get(s.getTime())!), source: { type: 'historical' }, price_scope: scope };
  }
  const lookup = opts.forecasts;
  if (!lookup) throw validationFailed('forecasts are not available on this server', [{ field: 'price_source', message: 'no forecasting module' }]);
  const args: ForecastArgs = { organization_id: opts.organization_id, market: m.iso, location, delivery_date: date, price_scope: scope };
  if (source.model_version_id) {
    const f = await lookup.registry({ ...args, model_version_id: source.model_version_id });
    if (!f) throw validationFailed(`no forecast from model version ${source.model_version_id} for ${location} on ${date}`, [{ field: 'price_source.model_version_id', message: 'no forecast' }]);
    return { interval_starts: f.interval_starts, prices: f.p50, p10: f.p10, p90: f.p90, source: { type: 'forecast', model_version_id: source.model_version_id, ...exogenousOf(f) }, price_scope: scope };
  }
  if (!source.model) {
    // No model named: the location's production model in the registry, when there is one.
    const f = await lookup.registry(args);
    if (f) return { interval_starts: f.interval_starts, prices: f.p50, p10: f.p10, p90: f.p90, source: { type: 'forecast', model_version_id: f.model_version_id, ...exogenousOf(f) }, price_scope: scope };
  }
  const f = await lookup.model({ ...args, ...(source.model ? { model: source.model } : {}) });
  return { interval_starts: f.interval_starts, prices: f.p50, source: { type: 'forecast', model: f.model, ...exogenousOf(f) }, price_scope: scope };
}
