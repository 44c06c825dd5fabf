/**
 * Battery backtest: runs the chosen strategy and, for scoring, the perfect-
 * foresight bound and the persistence baseline over the same period, in
 * parallel when `solve` is a worker pool.
 *
 * capture_rate = net ÷ perfect-foresight net (null when that is ≤ 0);
 * margin_over_persistence_usd = net − persistence net; cycles = discharged
 * MWh ÷ energy_mwh.
 */
import type { BatteryParams } from '../optimization/asset-params.js';
import type { DischargeCap } from '../optimization/battery.js';
import type { BidCurveValidator } from '../optimization/bid-curves.js';
import type { SolveFn } from '../optimization/highs-solve.js';
import { persistenceForecaster, weeklyNaiveForecaster, type BacktestForecaster } from './forecasters.js';
import { backtestLocalDays, preparePriceSeries, type BacktestPricePoint, type PreparedPriceSeries } from './price-series.js';
import type { AncillaryProduct } from '../markets/ancillary-services.js';
import type { AsModel } from '../optimization/battery-as.js';
import { runDailyAs, runPerfectAs, runRollingAs, type AsBacktestSetup } from './as-strategies.js';
import { rollingWindowCount, runDailyBidding, runPerfect, runRolling, type DailyPnl, type StrategyRun, type StrategyRunOptions } from './strategies.js';

export type BacktestStrategy = 'perfect' | 'persistence' | 'rolling' | 'forecast';

export interface BacktestConfig {
  prices: readonly BacktestPricePoint[];
  /** IANA zone of the market clock (days, gate closure). */
  timezone: string;
  battery: BatteryParams;
  strategy: BacktestStrategy;
  /** Period [start, end) as instants; default: the whole series. */
  start?: Date;
  end?: Date;
  /** Default: inferred from the series. */
  interval_hours?: number;
  /** For `forecast`; default weekly naive. */
  forecaster?: BacktestForecaster;
  /** Label for the forecaster in the report (e.g. `forecast:lear`). */
  strategy_label?: string;
  /** Gate closure, hours before the delivery day starts (default 0: history ends at the previous day's end). */
  gate_closure_hours_before_day_start?: number;
  rolling?: { horizon_hours?: number; step_hours?: number; window_discharge_caps?: DischargeCap[] };
  /** ISO segment limit per curve (default 10). */
  max_segments?: number;
  /**
   * The ISO's offer floor and cap: daily strategies self-schedule their plan at
   * these prices (see `scheduled_pricing` in bid-curves.ts). Default: the
   * series' lowest and highest price ∓ 1 $/MWh, which clears exactly as the
   * ISO's limits would in a price-taker backtest.
   */
  offer_limits?: { floor_usd_per_mwh: number; cap_usd_per_mwh: number };
  /** Default `self_schedule`. */
  scheduled_pricing?: 'opportunity_cost' | 'self_schedule';
  validate_curves?: BidCurveValidator;
  /**
   * Sell ancillary services too, co-optimised with energy (see as-strategies.ts):
   * the products (catalogue entries: direction, duration rules, deployment) and
   * their clearing prices ($/MW per hour) by interval start.
   */
  ancillary?: {
    model: AsModel;
    products: readonly AncillaryProduct[];
    prices: readonly { product: string; interval_start: Date; price_usd_per_mw: number }[];
  };
  /** Also run perfect foresight and persistence for capture rate and margin (default true). */
  compare?: boolean;
}

export interface BacktestDeps {
  solve: SolveFn;
  onProgress?: (done: number, total: number) => void;
}

export interface BacktestTotals {
  revenue_usd: number;
  cost_usd: number;
  degradation_usd: number;
  net_usd: number;
  discharged_mwh: number;
  charged_mwh: number;
  cycles: number;
}

export interface BacktestReport extends BacktestTotals {
  strategy: string;
  start: Date;
  end: Date;
  timezone: string;
  interval_hours: number;
  intervals: number;
  traded_intervals: number;
  perfect_foresight_net_usd: number | null;
  capture_rate: number | null;
  persistence_net_usd: number | null;
  margin_over_persistence_usd: number | null;
  solve_time_ms_median: number;
  solves: number;
  daily: DailyPnl[];
  /** Intervals whose price was missing or non-finite and was interpolated. */
  interpolated_intervals: Date[];
  undeliverable_mwh: number;
  bid_violations: number;
  /** Days or windows where the optimisation did not reach an optimum (the battery idled). */
  failed_days: { date: string; status: string }[];
  /** Days a forecast strategy idled because no history preceded their gate (the first day). */
  no_history_days: number;
  /** Net energy: Σ price × (discharge − charge), plus deployed regulation energy in the `default` AS model. */
  energy_revenue_usd: number;
  as_revenue_usd: number;
  revenue_by_product: Record<string, number>;
  as_model: AsModel | null;
  /** Intervals of the period with no price for some AS product (that product is not offered there). */
  as_missing_intervals: number;
}

function median(xs: readonly number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function sumDailyPnl(daily: readonly DailyPnl[], energyMwh: number): BacktestTotals {
  const t = { revenue_usd: 0, cost_usd: 0, degradation_usd: 0, net_usd: 0, discharged_mwh: 0, charged_mwh: 0, cycles: 0 };
  for (const d of daily) {
    t.revenue_usd += d.revenue_usd;
    t.cost_usd += d.cost_usd;
    t.degradation_usd += d.degradation_usd;
    t.net_usd += d.net_usd;
    t.discharged_mwh += d.discharged_mwh;
    t.charged_mwh += d.charged_mwh;
  }
  t.cycles = energyMwh > 0 ? t.discharged_mwh / energyMwh : 0;
  return t;
}

function sumByProduct(daily: readonly DailyPnl[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of daily) for (const [k, v] of Object.entries(d.revenue_by_product ?? {})) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** [from, to) indices of the series' intervals within [start, end). */
export function backtestPeriodIndices(series: PreparedPriceSeries, start?: Date, end?: Date): [number, number] {
  const pts = series.points;
  let from = 0;
  while (from < pts.length && start && pts[from]!.interval_start < start) from++;
  let to = from;
  while (to < pts.length && (!end || pts[to]!.interval_start < end)) to++;
  return [from, to];
}

export async function runBacktest(config: BacktestConfig, deps: BacktestDeps): Promise<BacktestReport> {
  const series = preparePriceSeries(config.prices, { timezone: config.timezone, ...(config.interval_hours ? { interval_hours: config.interval_hours } : {}) });
  const [from, to] = backtestPeriodIndices(series, config.start, config.end);
  if (to <= from) throw new Error('the backtest period holds no price intervals');
  const dt = series.interval_hours;
  const rolling = {
    horizon_intervals: Math.round((config.rolling?.horizon_hours ?? 24) / dt),
    step_intervals: Math.round((config.rolling?.step_hours ?? 24) / dt),
    ...(config.rolling?.window_discharge_caps ? { window_discharge_caps: config.rolling.window_discharge_caps } : {}),
  };
  if (rolling.step_intervals < 1 || rolling.horizon_intervals < rolling.step_intervals) throw new Error('rolling: need 1 ≤ step ≤ horizon');
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of series.points) {
    lo = Math.min(lo, p.price_usd_per_mwh);
    hi = Math.max(hi, p.price_usd_per_mwh);
  }
  const limits = config.offer_limits ?? { floor_usd_per_mwh: Math.floor(lo) - 1, cap_usd_per_mwh: Math.ceil(hi) + 1 };
  const bidding = {
    price_floor_usd_per_mwh: limits.floor_usd_per_mwh,
    price_cap_usd_per_mwh: limits.cap_usd_per_mwh,
    scheduled_pricing: config.scheduled_pricing ?? 'self_schedule',
    gate_closure_hours_before_day_start: config.gate_closure_hours_before_day_start ?? 0,
    max_segments: config.max_segments ?? 10,
    ...(config.validate_curves ? { validate_curves: config.validate_curves } : {}),
  };
  const compare = config.compare ?? true;
  const nDays = backtestLocalDays(series.points, from, to).length;
  const steps = (s: BacktestStrategy) => (s === 'perfect' ? 1 : s === 'rolling' ? rollingWindowCount(from, to, rolling) : nDays);
  const runs: BacktestStrategy[] = [config.strategy];
  if (compare && config.strategy !== 'perfect') runs.push('perfect');
  if (compare && config.strategy !== 'persistence') runs.push('persistence');
  const total = runs.reduce((s, r) => s + steps(r), 0);
  let done = 0;
  deps.onProgress?.(0, total);
  const base: Omit<StrategyRunOptions, 'onStep'> = { series, from, to, battery: config.battery, solve: deps.solve };
  const opts: StrategyRunOptions = { ...base, onStep: () => deps.onProgress?.(++done, total) };
  const run = (s: BacktestStrategy): Promise<StrategyRun> => {
    switch (s) {
      case 'perfect':
        return runPerfect(opts);
      case 'rolling':
        return runRolling(opts, rolling);
      case 'persistence':
        return runDailyBidding(opts, { ...bidding, forecaster: persistenceForecaster });
      case 'forecast':
        return runDailyBidding(opts, { ...bidding, forecaster: config.forecaster ?? weeklyNaiveForecaster });
    }
  };
  let as: AsBacktestSetup | null = null;
  let asMissing = 0;
  if (config.ancillary) {
    const byKey = new Map<string, number>();
    for (const r of config.ancillary.prices) byKey.set(`${r.product}|${r.interval_start.getTime()}`, r.price_usd_per_mw);
    const prices: Record<string, number[]> = {};
    const missing = new Set<number>();
    for (const p of config.ancillary.products) {
      prices[p.id] = series.points.map((pt, i) => {
        const v = byKey.get(`${p.id}|${pt.interval_start.getTime()}`);
        if (v === undefined || !Number.isFinite(v)) {
          if (i >= from && i < to) missing.add(i);
          return 0;
        }
        return v;
      });
    }
    asMissing = missing.size;
    as = { model: config.ancillary.model, products: config.ancillary.products, prices };
  }
  const runAs = (s: BacktestStrategy, a: AsBacktestSetup): Promise<StrategyRun> => {
    switch (s) {
      case 'perfect':
        return runPerfectAs(opts, a);
      case 'rolling':
        return runRollingAs(opts, a, rolling);
      case 'persistence':
        return runDailyAs(opts, a, persistenceForecaster, bidding.gate_closure_hours_before_day_start);
      case 'forecast':
        return runDailyAs(opts, a, config.forecaster ?? weeklyNaiveForecaster, bidding.gate_closure_hours_before_day_start);
    }
  };
  const results = await Promise.all(runs.map((r) => (as ? runAs(r, as) : run(r))));
  const main = results[0]!;
  const byName = new Map(runs.map((r, i) => [r, results[i]!]));
  const totals = sumDailyPnl(main.daily, config.battery.energy_mwh);
  const perfect = byName.get('perfect');
  const persistence = byName.get('persistence');
  const perfectNet = perfect ? sumDailyPnl(perfect.daily, config.battery.energy_mwh).net_usd : null;
  const persistenceNet = persistence ? sumDailyPnl(persistence.daily, config.battery.energy_mwh).net_usd : null;
  const inPeriod = new Set(series.interpolated.filter((i) => i >= from && i < to));
  return {
    strategy: config.strategy_label ?? config.strategy,
    start: series.points[from]!.interval_start,
    end: new Date(series.points[to - 1]!.interval_start.getTime() + dt * 3_600_000),
    timezone: config.timezone,
    interval_hours: dt,
    intervals: to - from,
    traded_intervals: main.traded_intervals,
    ...totals,
    perfect_foresight_net_usd: perfectNet,
    capture_rate: perfectNet !== null && perfectNet > 0 ? totals.net_usd / perfectNet : null,
    persistence_net_usd: persistenceNet,
    margin_over_persistence_usd: persistenceNet !== null ? totals.net_usd - persistenceNet : null,
    solve_time_ms_median: median(main.solve_times_ms),
    solves: main.solve_times_ms.length,
    daily: main.daily,
    interpolated_intervals: [...inPeriod].map((i) => series.points[i]!.interval_start),
    undeliverable_mwh: main.daily.reduce((s, d) => s + d.undeliverable_mwh, 0),
    bid_violations: main.daily.reduce((s, d) => s + d.bid_violations, 0),
    failed_days: main.daily.filter((d) => d.status !== 'optimal' && d.status !== 'no_history').map((d) => ({ date: d.date, status: d.status })),
    no_history_days: main.daily.filter((d) => d.status === 'no_history').length,
    energy_revenue_usd: main.daily.reduce((s, d) => s + (d.energy_revenue_usd ?? d.revenue_usd - d.cost_usd), 0),
    as_revenue_usd: main.daily.reduce((s, d) => s + (d.as_revenue_usd ?? 0), 0),
    revenue_by_product: sumByProduct(main.daily),
    as_model: as ? as.model : null,
    as_missing_intervals: asMissing,
  };
}
