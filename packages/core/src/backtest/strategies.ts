/**
 * One backtest strategy over a prepared price series, for a battery.
 *
 * - `perfect`: one LP over the whole period with the actual prices (upper bound;
 *   at negative prices the MILP's relaxation c/P_c + d/P_d ≤ 1, still a bound).
 * - `rolling`: perfect foresight over a `horizon` of intervals, keep the first
 *   `step`, carry the stored energy, move `step` on (in series order). Windows
 *   run while a full horizon fits in the period, as in published studies.
 * - `persistence` / `forecast`: per market-local day, forecast from history
 *   before gate closure, optimise, build bid curves, clear them price-taker
 *   against the actual prices, deliver what the battery physically can, settle.
 * With perfect foresight the schedule is the dispatch (clearing curves priced
 * at the same prices would only add tie-breaking at equal prices).
 */
import type { BatteryParams } from '../optimization/asset-params.js';
import { batteryCycleCaps, batteryIntervalsPerDay, optimizeBattery, type BatteryOptimization, type DischargeCap } from '../optimization/battery.js';
import { buildBatteryBidCurves, type BidCurveValidator } from '../optimization/bid-curves.js';
import { clearStorageWithSoc } from '../clearing/storage-soc-clearing.js';
import type { SolveFn } from '../optimization/highs-solve.js';
import type { BacktestForecaster } from './forecasters.js';
import { backtestLocalDays, historyEndBeforeGate, type LocalDay, type PreparedPriceSeries } from './price-series.js';

export interface DailyPnl {
  /** Local date of the day (or of the first kept interval of a rolling window). */
  date: string;
  revenue_usd: number;
  cost_usd: number;
  degradation_usd: number;
  net_usd: number;
  discharged_mwh: number;
  charged_mwh: number;
  soc_end_mwh: number;
  /**
   * Solver outcome for the day; anything but `optimal` means the battery idled.
   * `no_history`: a forecast strategy's first day, with nothing before its gate to forecast from.
   */
  status: BatteryOptimization['status'] | 'no_history';
  /**
   * Awarded energy the battery could not deliver (SoC, power or cycle limits), MWh. It is
   * not settled: equivalent to buying the shortfall back at the same price, without penalty.
   */
  undeliverable_mwh: number;
  bid_violations: number;
  /** With ancillary services: net energy (Σ p·(d − c)·Δt, plus deployed regulation energy), capacity revenue, and capacity revenue per product. */
  energy_revenue_usd?: number;
  as_revenue_usd?: number;
  revenue_by_product?: Record<string, number>;
}

export interface StrategyRunOptions {
  series: PreparedPriceSeries;
  /** [from, to) indices of the backtest period in the series. */
  from: number;
  to: number;
  battery: BatteryParams;
  solve: SolveFn;
  onStep?: () => void;
}

export interface StrategyRun {
  daily: DailyPnl[];
  solve_times_ms: number[];
  /** Intervals that were traded (rolling may leave a tail shorter than the horizon). */
  traded_intervals: number;
}

interface Dispatch {
  charge_mw: number[];
  discharge_mw: number[];
}

function settleDay(date: string, prices: readonly number[], d: Dispatch, p: BatteryParams, dt: number, socEnd: number, status: DailyPnl['status'], extra: Partial<DailyPnl> = {}): DailyPnl {
  let revenue = 0;
  let cost = 0;
  let out = 0;
  let inn = 0;
  prices.forEach((lmp, t) => {
    revenue += d.discharge_mw[t]! * lmp * dt;
    cost += d.charge_mw[t]! * lmp * dt;
    out += d.discharge_mw[t]! * dt;
    inn += d.charge_mw[t]! * dt;
  });
  const degradation = out * p.degradation_cost_usd_per_mwh;
  return { date, revenue_usd: revenue, cost_usd: cost, degradation_usd: degradation, net_usd: revenue - cost - degradation, discharged_mwh: out, charged_mwh: inn, soc_end_mwh: socEnd, status, undeliverable_mwh: 0, bid_violations: 0, ...extra };
}

const idle = (n: number): Dispatch => ({ charge_mw: new Array(n).fill(0), discharge_mw: new Array(n).fill(0) });

function scheduleDispatch(opt: Extract<BatteryOptimization, { status: 'optimal' }>, keep: number): Dispatch {
  const kept = opt.intervals.slice(0, keep);
  return { charge_mw: kept.map((i) => i.charge_mw), discharge_mw: kept.map((i) => i.discharge_mw) };
}

function cycleCap(p: BatteryParams): number {
  return p.max_cycles_per_day === null || p.max_cycles_per_day === undefined ? Infinity : p.max_cycles_per_day * p.energy_mwh;
}

export async function runPerfect(o: StrategyRunOptions): Promise<StrategyRun> {
  const { series, battery } = o;
  const dt = series.interval_hours;
  const days = backtestLocalDays(series.points, o.from, o.to);
  const prices = series.points.slice(o.from, o.to).map((p) => p.price_usd_per_mwh);
  const cap = cycleCap(battery);
  const caps: DischargeCap[] = Number.isFinite(cap) ? days.map((d) => ({ start: d.start - o.from, end: d.end - o.from, max_mwh: cap })) : [];
  // The relaxed mode constraint keeps a year with negative prices an LP (see battery.ts); it only raises the bound.
  // Ends at least where it started: a bound that may not spend the initial charge for free.
  const opt = await optimizeBattery(o.solve, { params: battery, prices_usd_per_mwh: prices, interval_hours: dt, discharge_caps: caps, soc_terminal_min_mwh: battery.soc_initial_mwh }, { relax_modes: true });
  o.onStep?.();
  let soc = battery.soc_initial_mwh;
  const daily = days.map((day) => {
    const dayPrices = prices.slice(day.start - o.from, day.end - o.from);
    if (opt.status !== 'optimal') return settleDay(day.date, dayPrices, idle(dayPrices.length), battery, dt, soc, opt.status);
    const ivs = opt.intervals.slice(day.start - o.from, day.end - o.from);
    soc = ivs[ivs.length - 1]!.soc_mwh;
    return settleDay(day.date, dayPrices, { charge_mw: ivs.map((i) => i.charge_mw), discharge_mw: ivs.map((i) => i.discharge_mw) }, battery, dt, soc, 'optimal');
  });
  return { daily, solve_times_ms: [opt.solve_time_ms], traded_intervals: o.to - o.from };
}

export interface RollingOptions {
  horizon_intervals: number;
  step_intervals: number;
  /** Throughput caps within each window (window-relative indices); default: max_cycles_per_day blocks from the window start. */
  window_discharge_caps?: DischargeCap[];
}

export function rollingWindowCount(from: number, to: number, r: RollingOptions): number {
  return to - from >= r.horizon_intervals ? Math.floor((to - from - r.horizon_intervals) / r.step_intervals) + 1 : 0;
}

export async function runRolling(o: StrategyRunOptions, r: RollingOptions): Promise<StrategyRun> {
  const { series, battery } = o;
  const dt = series.interval_hours;
  const all = series.points;
  const caps = r.window_discharge_caps ?? batteryCycleCaps(battery, r.horizon_intervals, batteryIntervalsPerDay(dt));
  const daily: DailyPnl[] = [];
  const times: number[] = [];
  let soc = battery.soc_initial_mwh;
  const windows = rollingWindowCount(o.from, o.to, r);
  for (let w = 0; w < windows; w++) {
    const s = o.from + w * r.step_intervals;
    const prices = all.slice(s, s + r.horizon_intervals).map((p) => p.price_usd_per_mwh);
    // The last window of a period ends at least where the period started, as `perfect` does (when its end is the kept end).
    const last = w === windows - 1 && r.horizon_intervals === r.step_intervals ? { soc_terminal_min_mwh: battery.soc_initial_mwh } : {};
    const opt = await optimizeBattery(o.solve, { params: battery, prices_usd_per_mwh: prices, interval_hours: dt, soc_initial_mwh: soc, discharge_caps: caps, ...last });
    times.push(opt.solve_time_ms);
    const kept = prices.slice(0, r.step_intervals);
    if (opt.status === 'optimal') {
      soc = opt.intervals[r.step_intervals - 1]!.soc_mwh;
      daily.push(settleDay(all[s]!.local_date, kept, scheduleDispatch(opt, r.step_intervals), battery, dt, soc, 'optimal'));
    } else {
      daily.push(settleDay(all[s]!.local_date, kept, idle(kept.length), battery, dt, soc, opt.status));
    }
    o.onStep?.();
  }
  return { daily, solve_times_ms: times, traded_intervals: windows ? (windows - 1) * r.step_intervals + Math.min(r.step_intervals, r.horizon_intervals) : 0 };
}

export interface DailyBiddingOptions {
  forecaster: BacktestForecaster;
  /** History is every interval that starts before (day start − this many hours). */
  gate_closure_hours_before_day_start: number;
  max_segments: number;
  validate_curves?: BidCurveValidator;
  price_floor_usd_per_mwh: number;
  price_cap_usd_per_mwh: number;
  scheduled_pricing: 'opportunity_cost' | 'self_schedule';
}

/**
 * Delivers an award within the battery's limits: power, stored energy
 * (s ≥ S_min after discharge, s ≤ S_max after charge) and the day's cycle cap.
 */
export function deliverAward(netMw: readonly number[], p: BatteryParams, soc0: number, dt: number, capMwh: number): Dispatch & { soc_end_mwh: number; undeliverable_mwh: number } {
  const charge: number[] = [];
  const discharge: number[] = [];
  let soc = soc0;
  let out = 0;
  let lost = 0;
  const sMax = Math.min(p.soc_max_mwh, p.energy_mwh);
  for (const net of netMw) {
    let c = 0;
    let d = 0;
    if (net > 0) d = Math.max(0, Math.min(net, p.discharge_power_mw, ((soc - p.soc_min_mwh) * p.discharge_efficiency) / dt, (capMwh - out) / dt));
    else if (net < 0) c = Math.max(0, Math.min(-net, p.charge_power_mw, (sMax - soc) / (p.charge_efficiency * dt)));
    soc += c * p.charge_efficiency * dt - (d * dt) / p.discharge_efficiency;
    out += d * dt;
    lost += (Math.abs(net) - c - d) * dt;
    charge.push(c);
    discharge.push(d);
  }
  return { charge_mw: charge, discharge_mw: discharge, soc_end_mwh: soc, undeliverable_mwh: lost > 1e-9 ? lost : 0 };
}

export async function runDailyBidding(o: StrategyRunOptions, b: DailyBiddingOptions): Promise<StrategyRun> {
  const { series, battery } = o;
  const dt = series.interval_hours;
  const all = series.points;
  const gateMs = b.gate_closure_hours_before_day_start * 3_600_000;
  const cap = cycleCap(battery);
  const daily: DailyPnl[] = [];
  const times: number[] = [];
  let soc = battery.soc_initial_mwh;
  let traded = 0;
  const days: LocalDay[] = backtestLocalDays(all, o.from, o.to);
  for (const day of days) {
    const dayPoints = all.slice(day.start, day.end);
    const actual = dayPoints.map((p) => p.price_usd_per_mwh);
    const history = all.slice(0, historyEndBeforeGate(all, day, gateMs));
    let result: DailyPnl;
    if (history.length === 0) {
      result = settleDay(day.date, actual, idle(actual.length), battery, dt, soc, 'no_history');
    } else {
      const fc = b.forecaster(history, {
        date: day.date,
        interval_starts: dayPoints.map((p) => p.interval_start),
        local_times: dayPoints.map((p) => p.local_time),
        timezone: series.timezone,
        interval_hours: dt,
      });
      if (fc.point.length !== actual.length || fc.point.some((x) => !Number.isFinite(x))) throw new Error(`forecaster returned an invalid forecast for ${day.date}`);
      const caps = Number.isFinite(cap) ? [{ start: 0, end: actual.length, max_mwh: cap }] : [];
      // Each day may end where its plan ends, but the period's last day ends at least where the period started,
      // as `perfect` does: the starting charge is not free money, and the capture rate stays ≤ 1.
      const last = day === days[days.length - 1] ? { soc_terminal_min_mwh: battery.soc_initial_mwh } : {};
      const opt = await optimizeBattery(o.solve, { params: battery, prices_usd_per_mwh: fc.point, interval_hours: dt, soc_initial_mwh: soc, discharge_caps: caps, ...last }, { duals: true });
      times.push(opt.solve_time_ms);
      if (opt.status !== 'optimal') {
        result = settleDay(day.date, actual, idle(actual.length), battery, dt, soc, opt.status);
      } else {
        const set = buildBatteryBidCurves({
          params: battery,
          schedule: opt,
          forecast_usd_per_mwh: fc.point,
          ...(fc.quantiles ? { quantiles: fc.quantiles } : {}),
          interval_starts: dayPoints.map((p) => p.interval_start),
          max_segments: b.max_segments,
          price_floor_usd_per_mwh: b.price_floor_usd_per_mwh,
          price_cap_usd_per_mwh: b.price_cap_usd_per_mwh,
          scheduled_pricing: b.scheduled_pricing,
          ...(b.validate_curves ? { validate: b.validate_curves } : {}),
        });
        // The market clears the day's curves jointly with the state of charge (see storage-soc-clearing.ts).
        const cleared = await clearStorageWithSoc(o.solve, { params: battery, curves: set.curves.map((c) => c.segments), prices_usd_per_mwh: actual, interval_hours: dt, soc_initial_mwh: soc, discharge_cap_mwh: cap });
        // Delivery is checked independently of the clearing: an award the battery cannot honour is counted, not settled.
        const dispatch = deliverAward(cleared.net_mw, battery, soc, dt, cap);
        soc = dispatch.soc_end_mwh;
        result = settleDay(day.date, actual, dispatch, battery, dt, soc, 'optimal', { undeliverable_mwh: dispatch.undeliverable_mwh, bid_violations: set.violations.length });
        traded += actual.length;
      }
    }
    daily.push(result);
    o.onStep?.();
  }
  return { daily, solve_times_ms: times, traded_intervals: traded };
}
