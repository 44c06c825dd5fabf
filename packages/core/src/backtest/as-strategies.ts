/**
 * Backtest strategies for a battery selling energy and ancillary services,
 * co-optimised (optimization/battery-as.ts, `reference` or `default`).
 *
 * State of charge: `perfect` is one optimisation over the whole period ending
 * at least at the starting state of charge; daily strategies carry the state
 * of charge from day to day, and `persistence` / `forecast` plan each day to
 * end at least where it started; `rolling` keeps the first 24 h of each window.
 *
 * Bids: the planned energy is self-scheduled and every planned AS MW is
 * offered price-taker (at $0/MW), so the award is the plan, which satisfies
 * the headroom and energy rows by construction: nothing is undeliverable
 * (delivery is still checked independently by `deliverAward`). `persistence`
 * and `forecast` plan on yesterday's AS prices at the same clock time, and
 * everything settles at the actual prices: energy at the LMP, capacity at the
 * product's clearing price, and in `default` the expected regulation
 * deployment at the LMP.
 */
import type { AncillaryProduct } from '../markets/ancillary-services.js';
import { durationHoursOn } from '../markets/ancillary-services.js';
import type { BatteryAsInterval, AsModel, AsProductInput } from '../optimization/battery-as.js';
import { optimizeBatteryAs } from '../optimization/battery-as.js';
import type { BacktestForecaster } from './forecasters.js';
import { persistenceForecaster } from './forecasters.js';
import { backtestLocalDays, historyEndBeforeGate, type SeriesPoint } from './price-series.js';
import { deliverAward, type DailyPnl, type StrategyRun, type StrategyRunOptions } from './strategies.js';

export interface AsBacktestSetup {
  model: AsModel;
  products: readonly AncillaryProduct[];
  /** Per product, one price per series point ($/MW per hour), aligned with `series.points`. */
  prices: Record<string, number[]>;
}

function productInputs(s: AsBacktestSetup, points: readonly SeriesPoint[], pricesOf: (id: string) => readonly number[]): AsProductInput[] {
  return s.products.map((p) => ({
    id: p.id,
    direction: p.direction,
    prices_usd_per_mw: pricesOf(p.id),
    duration_h: points.map((pt) => durationHoursOn(p, pt.local_date)),
    deployment_fraction: p.expected_deployment_fraction,
  }));
}

/** Settles a planned day at the actual prices (energy, capacity, and in `default` deployed regulation energy). */
function settleAsDay(o: StrategyRunOptions, s: AsBacktestSetup, date: string, from: number, plan: readonly BatteryAsInterval[] | null, soc0: number, status: DailyPnl['status']): DailyPnl {
  const dt = o.series.interval_hours;
  const b = o.battery;
  const n = plan ? plan.length : 0;
  let revenue = 0;
  let cost = 0;
  let out = 0;
  let inn = 0;
  let deployedValue = 0;
  const byProduct: Record<string, number> = Object.fromEntries(s.products.map((p) => [p.id, 0]));
  for (let t = 0; t < n; t++) {
    const iv = plan![t]!;
    const lmp = o.series.points[from + t]!.price_usd_per_mwh;
    revenue += iv.discharge_mw * lmp * dt;
    cost += iv.charge_mw * lmp * dt;
    out += iv.discharge_mw * dt;
    inn += iv.charge_mw * dt;
    for (const p of s.products) {
      const mw = iv.as_mw[p.id] ?? 0;
      byProduct[p.id] = byProduct[p.id]! + mw * s.prices[p.id]![from + t]! * dt;
      const a = s.model === 'default' ? p.expected_deployment_fraction : 0;
      if (!a) continue;
      const sign = p.direction === 'up' ? 1 : -1;
      deployedValue += sign * a * mw * lmp * dt;
      if (sign > 0) out += a * mw * dt;
    }
  }
  // The energy schedule is checked for deliverability on its own (AS deployment is already in the plan's SoC path).
  const check = plan && s.model === 'reference' ? deliverAward(plan.map((iv) => iv.discharge_mw - iv.charge_mw), b, soc0, dt, Infinity) : null;
  const asRevenue = Object.values(byProduct).reduce((a, v) => a + v, 0);
  const degradation = s.model === 'default' ? out * b.degradation_cost_usd_per_mwh : 0;
  const energyNet = revenue - cost + deployedValue;
  return {
    date,
    revenue_usd: revenue + Math.max(0, deployedValue),
    cost_usd: cost + Math.max(0, -deployedValue),
    degradation_usd: degradation,
    net_usd: energyNet - degradation + asRevenue,
    discharged_mwh: out,
    charged_mwh: inn,
    soc_end_mwh: plan && n ? plan[n - 1]!.soc_mwh : soc0,
    status,
    undeliverable_mwh: check?.undeliverable_mwh ?? 0,
    bid_violations: 0,
    energy_revenue_usd: energyNet,
    as_revenue_usd: asRevenue,
    revenue_by_product: byProduct,
  };
}

export async function runPerfectAs(o: StrategyRunOptions, s: AsBacktestSetup): Promise<StrategyRun> {
  const pts = o.series.points.slice(o.from, o.to);
  const days = backtestLocalDays(o.series.points, o.from, o.to);
  const opt = await optimizeBatteryAs(o.solve, {
    params: o.battery,
    model: s.model,
    prices_usd_per_mwh: pts.map((p) => p.price_usd_per_mwh),
    products: productInputs(s, pts, (id) => s.prices[id]!.slice(o.from, o.to)),
    interval_hours: o.series.interval_hours,
    soc_terminal_min_mwh: o.battery.soc_initial_mwh,
    cycle_blocks: days.map((d) => ({ start: d.start - o.from, end: d.end - o.from })),
  });
  o.onStep?.();
  let soc = o.battery.soc_initial_mwh;
  const daily = days.map((d) => {
    const plan = opt.status === 'optimal' ? opt.intervals.slice(d.start - o.from, d.end - o.from) : null;
    const row = settleAsDay(o, s, d.date, d.start, plan, soc, opt.status);
    soc = row.soc_end_mwh;
    return row;
  });
  return { daily, solve_times_ms: [opt.solve_time_ms], traded_intervals: o.to - o.from };
}

export async function runRollingAs(o: StrategyRunOptions, s: AsBacktestSetup, r: { horizon_intervals: number; step_intervals: number }): Promise<StrategyRun> {
  const all = o.series.points;
  const daily: DailyPnl[] = [];
  const times: number[] = [];
  let soc = o.battery.soc_initial_mwh;
  let traded = 0;
  for (let st = o.from; st + r.horizon_intervals <= o.to; st += r.step_intervals) {
    const pts = all.slice(st, st + r.horizon_intervals);
    const last = st + r.step_intervals + r.horizon_intervals > o.to && r.horizon_intervals === r.step_intervals ? { soc_terminal_min_mwh: o.battery.soc_initial_mwh } : {};
    const opt = await optimizeBatteryAs(o.solve, {
      params: o.battery,
      model: s.model,
      prices_usd_per_mwh: pts.map((p) => p.price_usd_per_mwh),
      products: productInputs(s, pts, (id) => s.prices[id]!.slice(st, st + r.horizon_intervals)),
      interval_hours: o.series.interval_hours,
      soc_initial_mwh: soc,
      ...last,
      cycle_blocks: [{ start: 0, end: Math.min(r.step_intervals, pts.length) }],
    });
    times.push(opt.solve_time_ms);
    const plan = opt.status === 'optimal' ? opt.intervals.slice(0, r.step_intervals) : null;
    const row = settleAsDay(o, s, all[st]!.local_date, st, plan, soc, opt.status);
    soc = row.soc_end_mwh;
    daily.push(row);
    traded += r.step_intervals;
    o.onStep?.();
  }
  return { daily, solve_times_ms: times, traded_intervals: traded };
}

/** Yesterday's AS price at the same clock time, per product (the persistence forecaster on each product's series). */
function asPersistence(o: StrategyRunOptions, s: AsBacktestSetup, historyEnd: number, day: Parameters<BacktestForecaster>[1]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  // The persistence forecaster looks back at most 7 days; 9 days of history are plenty.
  const first = Math.max(0, historyEnd - 9 * Math.round(24 / o.series.interval_hours));
  for (const p of s.products) {
    const series = s.prices[p.id]!;
    const history = o.series.points.slice(first, historyEnd).map((pt, i) => ({ ...pt, price_usd_per_mwh: series[first + i]! }));
    out[p.id] = persistenceForecaster(history, day).point;
  }
  return out;
}

export async function runDailyAs(o: StrategyRunOptions, s: AsBacktestSetup, forecaster: BacktestForecaster, gateHours: number): Promise<StrategyRun> {
  const all = o.series.points;
  const daily: DailyPnl[] = [];
  const times: number[] = [];
  let soc = o.battery.soc_initial_mwh;
  let traded = 0;
  for (const d of backtestLocalDays(all, o.from, o.to)) {
    const pts = all.slice(d.start, d.end);
    const h = historyEndBeforeGate(all, d, gateHours * 3_600_000);
    if (h === 0) {
      daily.push(settleAsDay(o, s, d.date, d.start, null, soc, 'no_history'));
      o.onStep?.();
      continue;
    }
    const day = { date: d.date, interval_starts: pts.map((p) => p.interval_start), local_times: pts.map((p) => p.local_time), timezone: o.series.timezone, interval_hours: o.series.interval_hours };
    const fc = forecaster(all.slice(0, h), day);
    if (fc.point.length !== pts.length || fc.point.some((x) => !Number.isFinite(x))) throw new Error(`forecaster returned an invalid forecast for ${d.date}`);
    const asFc = asPersistence(o, s, h, day);
    const opt = await optimizeBatteryAs(o.solve, {
      params: o.battery,
      model: s.model,
      prices_usd_per_mwh: fc.point,
      products: productInputs(s, pts, (id) => asFc[id]!),
      interval_hours: o.series.interval_hours,
      soc_initial_mwh: soc,
      soc_terminal_min_mwh: soc,
    });
    times.push(opt.solve_time_ms);
    const row = settleAsDay(o, s, d.date, d.start, opt.status === 'optimal' ? opt.intervals : null, soc, opt.status);
    soc = row.soc_end_mwh;
    if (opt.status === 'optimal') traded += pts.length;
    daily.push(row);
    o.onStep?.();
  }
  return { daily, solve_times_ms: times, traded_intervals: traded };
}
