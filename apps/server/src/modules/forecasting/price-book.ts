/**
 * Stored hourly prices of one location reshaped for the forecasting models,
 * with the no-look-ahead rule applied per delivery day.
 *
 * The models work on local market days of exactly 24 values (the epftoolbox
 * convention): a repeated fall-back hour is averaged, a missing spring-forward
 * hour is interpolated between its neighbours. A forecast for delivery day D
 * may use only what is known at D's day-ahead gate closure (on D−1): every day
 * before D−1 in full, and of D−1 the DA prices whose interval starts before
 * the gate (RTH prices whose interval has ended by then). D−1's other hours
 * are filled with D−2's prices at the same hours, as the backtest adapter does.
 * With a load forecast (exogenous.ts), the window also needs that forecast,
 * as published by D's gate, on every one of its days and on D.
 */
import { addDaysYmd, dayAheadGateClosure, localDayBoundsUtc, utcToZonedParts, type ForecastHistory, type MarketDefinition } from '@optibid/core';
import type { ExogenousSeries } from '../../db/repositories/forecasting.js';
import { ExogenousUnavailableError, type LoadForecastBook } from './exogenous.js';

const H = 3_600_000;

export class InsufficientHistoryError extends Error {}

export interface BookRow {
  interval_start: Date;
  lmp_usd_per_mwh: number;
}

interface LocalRow {
  t: number;
  hour: number;
  price: number;
}

export class PriceBook {
  /** Consecutive calendar dates from the first to the last stored day. */
  readonly dates: string[] = [];
  /** day-major, 24 per day; NaN where a day is incomplete. */
  readonly prices: Float64Array;
  readonly complete: boolean[];
  private readonly rowsByDay: LocalRow[][];
  private readonly index = new Map<string, number>();

  /** `run` decides when a price is known: DA at its interval start, RTH at its interval end. */
  constructor(
    readonly market: MarketDefinition,
    rows: readonly BookRow[],
    readonly run: 'DA' | 'RTH' = 'DA',
  ) {
    const byDate = new Map<string, LocalRow[]>();
    for (const r of rows) {
      const p = utcToZonedParts(r.interval_start, market.timezone);
      let list = byDate.get(p.date);
      if (!list) byDate.set(p.date, (list = []));
      list.push({ t: r.interval_start.getTime(), hour: p.hour, price: r.lmp_usd_per_mwh });
    }
    const sorted = [...byDate.keys()].sort();
    if (sorted.length) for (let d = sorted[0]!; d <= sorted[sorted.length - 1]!; d = addDaysYmd(d, 1)) this.dates.push(d);
    this.dates.forEach((d, i) => this.index.set(d, i));
    this.rowsByDay = this.dates.map((d) => (byDate.get(d) ?? []).sort((a, b) => a.t - b.t));
    this.prices = new Float64Array(this.dates.length * 24);
    this.complete = this.rowsByDay.map((list, i) => {
      const day = dayVector(list);
      this.prices.set(day, i * 24);
      return day.every((x) => Number.isFinite(x));
    });
  }

  indexOf(date: string): number {
    return this.index.get(date) ?? -1;
  }

  /** The 24 actual values of a complete stored day, or null. */
  actual(date: string): Float64Array | null {
    const i = this.indexOf(date);
    return i >= 0 && this.complete[i] ? this.prices.slice(i * 24, i * 24 + 24) : null;
  }

  /** Complete days, newest last. */
  completeDates(): string[] {
    return this.dates.filter((_, i) => this.complete[i]);
  }

  /**
   * What a model may see when forecasting `date`: the trailing run of complete
   * consecutive days ending on D−2 (from `origin` on, when given, so day indices
   * stay fixed across a walk-forward loop), plus D−1 cut at the gate. With
   * `exogenous`, the window starts after the last day without the load forecast
   * known at the gate (ExogenousUnavailableError when D has none or fewer than
   * `minDays` days are left).
   */
  historyFor(
    date: string,
    opts: { origin?: string; minDays: number; maxDays?: number; exogenous?: LoadForecastBook | null },
  ): { history: ForecastHistory; gate_closure: Date; history_end: Date; exogenous: ExogenousSeries[] } {
    const gate = dayAheadGateClosure(this.market.iso, date, this.market);
    const prevDate = addDaysYmd(date, -1);
    const iPrev = this.indexOf(prevDate);
    const known = iPrev >= 0 ? this.rowsByDay[iPrev]!.filter((r) => this.knownAt(r, gate)) : [];
    if (!known.length) {
      const last = this.dates[this.dates.length - 1];
      throw new InsufficientHistoryError(
        `no ${this.run} prices of ${prevDate} before the gate closure of ${date} (${gate.toISOString()}); stored prices ${last ? `end on ${last}` : 'are empty'}`,
      );
    }
    let first = iPrev;
    const floor = opts.origin ? Math.max(0, this.indexOf(opts.origin)) : 0;
    while (first - 1 >= floor && this.complete[first - 1]) first--;
    if (opts.maxDays && iPrev - first > opts.maxDays) first = iPrev - opts.maxDays;
    let nDays = iPrev - first + 1;
    if (nDays < opts.minDays || first === iPrev) {
      throw new InsufficientHistoryError(
        `the model needs ${opts.minDays} consecutive days of ${this.run} prices before ${date}; ${nDays - 1} complete day(s) end on ${addDaysYmd(prevDate, -1)}` +
          (first > 0 ? ` (a gap or incomplete day before ${this.dates[first]})` : ''),
      );
    }
    let exogenous: Float64Array[] = [];
    const used: ExogenousSeries[] = [];
    if (opts.exogenous) {
      const x = opts.exogenous;
      const what = `the ${x.market.iso} load forecast (${x.area}) published by ${gate.toISOString()}`;
      let col = x.column([...this.dates.slice(first, iPrev + 1), date], gate);
      if ('complete_trailing_days' in col) {
        const have = col.complete_trailing_days - 1;
        if (have < 0) throw new ExogenousUnavailableError(`${what} does not cover ${date}`);
        if (have < Math.max(2, opts.minDays)) throw new ExogenousUnavailableError(`${what} covers ${have} day(s) before ${date}; the model needs ${opts.minDays}`);
        first = iPrev - have + 1;
        nDays = have;
        col = x.column([...this.dates.slice(first, iPrev + 1), date], gate);
        if ('complete_trailing_days' in col) throw new ExogenousUnavailableError(`${what} is incomplete before ${date}`);
      }
      exogenous = [col.values];
      used.push(x.describe(gate, col.filled));
    }
    const prices = new Float64Array(nDays * 24);
    prices.set(this.prices.subarray(first * 24, iPrev * 24));
    const partial = dayVector(known);
    const base = (nDays - 1) * 24;
    for (let h = 0; h < 24; h++) prices[base + h] = Number.isFinite(partial[h]!) ? partial[h]! : prices[base - 24 + h]!;
    return {
      history: { day: nDays, dates: [...this.dates.slice(first, iPrev + 1), date], prices, exogenous },
      gate_closure: gate,
      history_end: new Date(known[known.length - 1]!.t),
      exogenous: used,
    };
  }

  private knownAt(r: LocalRow, gate: Date): boolean {
    return this.run === 'DA' ? r.t < gate.getTime() : r.t + H <= gate.getTime();
  }
}

/**
 * The 24 values of a local day from its rows: the mean of the rows of each clock
 * hour (two in a fall-back hour); one missing hour between two known ones is their
 * mean (spring-forward); other missing hours are NaN.
 */
function dayVector(rows: readonly LocalRow[]): Float64Array {
  const sum = new Float64Array(24), n = new Float64Array(24);
  for (const r of rows) {
    sum[r.hour]! += r.price;
    n[r.hour]! += 1;
  }
  const out = new Float64Array(24);
  for (let h = 0; h < 24; h++) out[h] = n[h]! > 0 ? sum[h]! / n[h]! : NaN;
  const missing = out.filter((x) => Number.isNaN(x)).length;
  if (missing === 1) {
    const h = out.findIndex((x) => Number.isNaN(x));
    if (h > 0 && h < 23) out[h] = (out[h - 1]! + out[h + 1]!) / 2;
  }
  return out;
}

/** UTC starts of the delivery day's hours (23, 24 or 25) and each one's local clock hour. */
export function deliveryHours(m: MarketDefinition, date: string): { starts: Date[]; localHours: number[] } {
  const { start, hours } = localDayBoundsUtc(date, m.timezone);
  const starts = Array.from({ length: hours }, (_, h) => new Date(start.getTime() + h * H));
  return { starts, localHours: starts.map((s) => utcToZonedParts(s, m.timezone).hour) };
}
