/**
 * The exogenous input of the server's forecasting models: the market's stored
 * day-ahead load forecast (`load_forecasts`), laid out on the models' local
 * 24-hour days exactly as the CLI lays out an `--exogenous-file` column
 * (cli/price-data.ts `priceDatasetWithExogenous` then core's
 * `forecastDatasetFromTidyRows`): each UTC hour takes its own forecast, else
 * the same hour of the nearest earlier day that has one (at most 7 back, never
 * zero); a repeated fall-back hour is averaged, a missing hour between two
 * known ones interpolated.
 *
 * No look-ahead: a forecast whose cut-off is C (the delivery day's gate
 * closure) sees only rows published at or before C, for every day of its
 * history as for the delivery day itself.
 */
import { EIA930_BA_TO_ISO, type LoadForecastRow, type MarketDefinition } from '@optibid/core';
import type { ExogenousSeries } from '../../db/repositories/forecasting.js';
import { deliveryHours } from './price-book.js';

const DAY_MS = 86_400_000;
/** How many days back a missing forecast hour may borrow the same hour (as the CLI does). */
export const EXOGENOUS_FILL_DAYS = 7;

/** Where the stored load forecasts are read (the market feed's repository). */
export interface LoadForecastSource {
  range(market: string, start: Date, end: Date, knownAt?: Date): Promise<LoadForecastRow[]>;
  /** When the newest of an area's hours in [start, end) published by `knownAt` was stored or revised. */
  lastIngestedAt(market: string, area: string, start: Date, end: Date, knownAt: Date): Promise<Date | null>;
}

/** A forecast that cannot have its exogenous input (not published by its cut-off, or too short a series). */
export class ExogenousUnavailableError extends Error {}

/**
 * The load-forecast area whose forecast belongs to a location: the finer area the catalogue maps the
 * location to, where there is one (none is mapped today), else the ISO-wide series (the balancing
 * authority code EIA-930 reports it under: ERCO, NYIS, PJM, …).
 */
export function loadForecastAreaFor(m: MarketDefinition, location: string): string | null {
  const mapped = m.locations.find((l) => l.id === location)?.load_forecast_area;
  if (mapped) return mapped;
  return Object.entries(EIA930_BA_TO_ISO).find(([, iso]) => iso === m.iso)?.[0] ?? null;
}

/** One area's stored load-forecast hours, each with its publication time. */
export class LoadForecastBook {
  private readonly byStart = new Map<number, { mw: number; published: number }>();
  readonly sources: string[];

  constructor(
    readonly market: MarketDefinition,
    readonly area: string,
    rows: readonly Pick<LoadForecastRow, 'interval_start' | 'load_forecast_mw' | 'published_at' | 'source'>[],
  ) {
    for (const r of rows) this.byStart.set(r.interval_start.getTime(), { mw: r.load_forecast_mw, published: r.published_at.getTime() });
    this.sources = [...new Set(rows.map((r) => r.source))].sort();
  }

  get hours(): number {
    return this.byStart.size;
  }

  /** The forecast for the hour starting at `t` as known at `cutoff`: its own, else the same hour of the nearest earlier day (≤ 7 back). */
  private valueAt(t: number, cutoff: number): { mw: number; filled: boolean } | null {
    for (let back = 0; back <= EXOGENOUS_FILL_DAYS; back++) {
      const x = this.byStart.get(t - back * DAY_MS);
      if (x && x.published <= cutoff) return { mw: x.mw, filled: back > 0 };
    }
    return null;
  }

  /** The 24 local-hour values of `date` known at `cutoff` (NaN where none), and how many UTC hours were filled or its own. */
  dayVector(date: string, cutoff: Date): { values: Float64Array; filled: number; own: number } {
    const { starts, localHours } = deliveryHours(this.market, date);
    const sum = new Float64Array(24), n = new Float64Array(24);
    let filled = 0, own = 0;
    starts.forEach((s, i) => {
      const v = this.valueAt(s.getTime(), cutoff.getTime());
      if (!v) return;
      if (v.filled) filled++;
      else own++;
      sum[localHours[i]!]! += v.mw;
      n[localHours[i]!]! += 1;
    });
    const values = new Float64Array(24);
    for (let h = 0; h < 24; h++) values[h] = n[h]! > 0 ? sum[h]! / n[h]! : NaN;
    // As core's dataset builder: a missing hour between two known ones is their mean (spring forward).
    const known = Float64Array.from(values);
    for (let h = 1; h < 23; h++) if (Number.isNaN(known[h]!) && !Number.isNaN(known[h - 1]!) && !Number.isNaN(known[h + 1]!)) values[h] = (known[h - 1]! + known[h + 1]!) / 2;
    return { values, filled, own };
  }

  /** What a forecast with this cut-off reports it used. */
  describe(cutoff: Date, filledHours: number): ExogenousSeries {
    return { series: 'load_forecast', market: this.market.iso, area: this.area, unit: 'MW', known_at: cutoff.toISOString(), filled_hours: filledHours, sources: this.sources };
  }

  /**
   * The exogenous column of a history over `dates` (the window's days, the delivery day last) as known at
   * `cutoff`, or, when a day lacks it, how many of the trailing days have it (so the window can shrink).
   * A day none of whose hours has a forecast of its own known at the cut-off counts as lacking it: the
   * CLI would borrow the day before's for every hour, but on a server that is the ISO not having
   * published yet, and yesterday's load forecast is not today's.
   */
  column(dates: readonly string[], cutoff: Date): { values: Float64Array; filled: number } | { complete_trailing_days: number } {
    const values = new Float64Array(dates.length * 24);
    let filled = 0;
    for (let i = dates.length - 1; i >= 0; i--) {
      const day = this.dayVector(dates[i]!, cutoff);
      if (day.own === 0 || day.values.some((x) => Number.isNaN(x))) return { complete_trailing_days: dates.length - 1 - i };
      values.set(day.values, i * 24);
      filled += day.filled;
    }
    return { values, filled };
  }
}

/** What an input reports when it runs on prices alone. */
export interface ExogenousChoice {
  exogenous: ExogenousSeries[];
  note: string | null;
}
