/**
 * Optimisation bench: battery LP solve times through the worker pool (model
 * build + structured clone + HiGHS + reply) for 24, 168 and 8,760 hours, a
 * 24-hour thermal unit-commitment MILP, and the wall time of a one-year daily
 * backtest (goal: under 3 s on two cores). Prices are synthetic and seeded
 * (daily and weekly shape, noise, spikes, a few negative hours), so runs are
 * comparable. All figures are medians in milliseconds.
 */
import {
  buildBatteryModel,
  buildThermalModel,
  createSolverPool,
  runBacktest,
  weeklyNaiveForecaster,
  type BatteryParams,
  type SolverPool,
  type ThermalParams,
} from '@optibid/core';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Hourly prices: 35 + daily sine + weekday lift + noise; 1 % spikes to $200–400, 0.5 % negative hours. */
export function syntheticPrices(hours: number, seed = 7, allowNegative = true): number[] {
  const r = lcg(seed);
  return Array.from({ length: hours }, (_, t) => {
    const h = t % 24;
    const weekday = Math.floor(t / 24) % 7 < 5 ? 6 : 0;
    let p = 35 + 18 * Math.sin(((h - 9) * Math.PI) / 12) + weekday + (r() - 0.5) * 12;
    const u = r();
    if (u < 0.01) p = 200 + 200 * r();
    else if (allowNegative && u > 0.995) p = -20 * r();
    return Math.round(p * 100) / 100;
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const BATTERY: BatteryParams = {
  charge_power_mw: 10,
  discharge_power_mw: 10,
  energy_mwh: 40,
  charge_efficiency: 0.95,
  discharge_efficiency: 0.95,
  soc_min_mwh: 4,
  soc_max_mwh: 40,
  soc_initial_mwh: 20,
  degradation_cost_usd_per_mwh: 2,
  max_cycles_per_day: 1.5,
};

const THERMAL: ThermalParams = {
  pmin_mw: 60,
  pmax_mw: 200,
  cost_segments: [
    { mw: 80, price_usd_per_mwh: 22 },
    { mw: 60, price_usd_per_mwh: 30 },
    { mw: 60, price_usd_per_mwh: 41 },
  ],
  startup_cost_usd: 4000,
  min_up_h: 4,
  min_down_h: 3,
  ramp_mw_per_h: 60,
  initial_state: { on: false, hours_in_state: 8, output_mw: 0 },
};

/** Median wall time of `runs` solves, each including model build and the worker round trip. */
async function timeSolves(pool: SolverPool, runs: number, make: (k: number) => Parameters<SolverPool['solve']>[0]): Promise<number> {
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    const model = make(k);
    const r = await pool.solve(model);
    times.push(performance.now() - t0);
    if (r.status !== 'optimal') throw new Error(`bench solve ended ${r.status}`);
  }
  return median(times);
}

export async function benchOptimization(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const t0 = performance.now();
  const pool = createSolverPool({ size: 2 });
  await pool.ready;
  out.pool_start_with_warm_up_ms = performance.now() - t0;
  try {
    // Non-negative prices: the LP formulation, as on most days.
    const year = syntheticPrices(8760, 11, false);
    const battery = (hours: number, k: number) =>
      buildBatteryModel({ params: BATTERY, prices_usd_per_mwh: year.slice((k * 24) % (8760 - hours + 1), ((k * 24) % (8760 - hours + 1)) + hours), interval_hours: 1 });
    out.battery_lp_24h_ms = await timeSolves(pool, 200, (k) => battery(24, k));
    out.battery_lp_168h_ms = await timeSolves(pool, 40, (k) => battery(168, k));
    out.battery_lp_8760h_ms = await timeSolves(pool, 5, () => battery(8760, 0));
    // Worst case: a mode binary in all 24 hours (by default only hours with price ≤ 0 get one).
    out.battery_milp_24h_all_binaries_ms = await timeSolves(pool, 50, (k) =>
      buildBatteryModel({ params: BATTERY, prices_usd_per_mwh: year.slice(k * 24, k * 24 + 24).map((p, h) => (h === 3 ? -5 : p)), interval_hours: 1 }, { binary: true, mode_intervals: 'all' }),
    );
    out.thermal_uc_milp_24h_ms = await timeSolves(pool, 20, (k) => buildThermalModel({ params: THERMAL, prices_usd_per_mwh: year.slice(k * 24, k * 24 + 24), interval_hours: 1 }));

    const prices = syntheticPrices(8760 + 7 * 24, 23).map((p, i) => ({ interval_start: new Date(Date.UTC(2023, 11, 25) + i * 3_600_000), price_usd_per_mwh: p }));
    const start = new Date(Date.UTC(2024, 0, 1));
    const end = new Date(Date.UTC(2024, 11, 31));
    const walls: number[] = [];
    const persistenceWalls: number[] = [];
    for (let r = 0; r < 3; r++) {
      let t = performance.now();
      const report = await runBacktest({ prices, timezone: 'America/New_York', battery: BATTERY, strategy: 'forecast', forecaster: weeklyNaiveForecaster, start, end }, { solve: pool.solve });
      walls.push(performance.now() - t);
      out.backtest_year_days = report.daily.length;
      out.backtest_year_capture_rate = report.capture_rate ?? NaN;
      t = performance.now();
      await runBacktest({ prices, timezone: 'America/New_York', battery: BATTERY, strategy: 'persistence', start, end, compare: false }, { solve: pool.solve });
      persistenceWalls.push(performance.now() - t);
    }
    // One year of daily forecast → optimise → bid → clear → settle, plus the perfect-foresight and persistence runs it is scored against.
    out.backtest_year_with_comparisons_wall_ms = median(walls);
    out.backtest_year_single_strategy_wall_ms = median(persistenceWalls);
  } finally {
    await pool.close();
  }
  for (const k of Object.keys(out)) out[k] = Math.round(out[k]! * 1000) / 1000;
  return out;
}
