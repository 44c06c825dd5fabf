/** Test-only fixtures shared by the backtest tests (not exported from the package). */
import type { BatteryParams } from '../optimization/asset-params.js';
import type { BacktestPricePoint } from './price-series.js';

/** A 1 MW / 2 MWh battery, half full, one cycle a day at 2 $/MWh of degradation. */
export const battery: BatteryParams = {
  charge_power_mw: 1,
  discharge_power_mw: 1,
  energy_mwh: 2,
  charge_efficiency: 0.95,
  discharge_efficiency: 0.95,
  soc_min_mwh: 0,
  soc_max_mwh: 2,
  soc_initial_mwh: 1,
  degradation_cost_usd_per_mwh: 2,
  max_cycles_per_day: 1,
};

/**
 * `days` × 24 hourly prices from `startMs` (deterministic): a daily shape, a jitter, a tilt by the day
 * (of three) and, with `weeklyTilt`, one by the day of the week.
 */
export function hourlyPrices(days: number, startMs: number, opts: { weeklyTilt?: boolean } = {}): BacktestPricePoint[] {
  return Array.from({ length: days * 24 }, (_, i) => ({
    interval_start: new Date(startMs + i * 3_600_000),
    price_usd_per_mwh:
      30 + 25 * Math.sin(((i % 24) - 6) * (Math.PI / 12)) + ((i * 37) % 11) - 5 + (opts.weeklyTilt ? (Math.floor(i / 24) % 7) * 3 : 0) + (Math.floor(i / 24) % 3) * 4,
  }));
}
