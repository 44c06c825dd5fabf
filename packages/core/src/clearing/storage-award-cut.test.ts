import { describe, expect, it } from 'vitest';
import { solveInThread } from '../optimization/solver-pool.js';
import type { BatteryParams } from '../optimization/asset-params.js';
import { clearPriceTaker } from './price-taker.js';
import { cutStorageAwardsToSoc, storageAwardPath } from './storage-award-cut.js';

const battery: BatteryParams = {
  charge_power_mw: 10,
  discharge_power_mw: 10,
  energy_mwh: 40,
  charge_efficiency: 0.95,
  discharge_efficiency: 0.95,
  soc_min_mwh: 4,
  soc_max_mwh: 40,
  soc_initial_mwh: 20,
  degradation_cost_usd_per_mwh: 2,
  max_cycles_per_day: 2,
};
const curve = [
  { mw: -10, price_usd_per_mwh: 20 },
  { mw: 10, price_usd_per_mwh: 50 },
];

describe('storage awards cut to the state of charge', () => {
  it('leaves deliverable awards exactly as the market cleared them, without a solve', async () => {
    const prices = [15, 15, 30, 80, 80];
    const curves = prices.map(() => curve);
    const awarded = clearPriceTaker(curves, prices).map((c) => c.awarded_mw);
    const r = await cutStorageAwardsToSoc(() => Promise.reject(new Error('no solve expected')), { params: battery, curves, prices_usd_per_mwh: prices, awarded_mw: awarded, interval_hours: 1, soc_initial_mwh: 20 });
    expect(r.status).toBe('unchanged');
    expect(r.net_mw).toEqual(awarded);
    expect(r.cut_mwh).toBe(0);
  });

  it('cuts discharge the battery does not hold, keeping the most valuable hours, and never adds volume', async () => {
    // Five hours above 50 $/MWh: 50 MWh asked of 20 − 4 = 16 MWh usable (15.2 MWh at the grid).
    const prices = [60, 90, 70, 100, 55];
    const curves = prices.map(() => curve);
    const awarded = clearPriceTaker(curves, prices).map((c) => c.awarded_mw);
    expect(storageAwardPath(battery, awarded, 20, 1).deliverable).toBe(false);
    const r = await cutStorageAwardsToSoc(solveInThread, { params: battery, curves, prices_usd_per_mwh: prices, awarded_mw: awarded, interval_hours: 1, soc_initial_mwh: 20 });
    expect(r.status).toBe('optimal');
    const path = storageAwardPath(battery, r.net_mw, 20, 1);
    expect(path.deliverable).toBe(true);
    r.net_mw.forEach((mw, t) => {
      expect(mw).toBeGreaterThanOrEqual(-1e-9);
      expect(mw).toBeLessThanOrEqual(awarded[t]! + 1e-9);
    });
    // Everything above S_min is sold: 16 MWh × 0.95 at the grid, in the two dearest hours first.
    expect(r.net_mw.reduce((a, b) => a + b, 0)).toBeCloseTo(16 * 0.95, 6);
    expect(r.net_mw[3]).toBeCloseTo(10, 6);
    expect(r.net_mw[1]).toBeCloseTo(5.2, 6);
    expect(r.soc_end_mwh).toBeCloseTo(4, 6);
    expect(r.cut_mwh).toBeCloseTo(50 - 15.2, 6);
  });

  it('cuts charging beyond the top of the battery and honours the daily discharge cap', async () => {
    const prices = [10, 10, 10, 10];
    const curves = prices.map(() => curve);
    const awarded = clearPriceTaker(curves, prices).map((c) => c.awarded_mw);
    const r = await cutStorageAwardsToSoc(solveInThread, { params: battery, curves, prices_usd_per_mwh: prices, awarded_mw: awarded, interval_hours: 1, soc_initial_mwh: 30 });
    expect(storageAwardPath(battery, r.net_mw, 30, 1).deliverable).toBe(true);
    expect(r.soc_end_mwh).toBeCloseTo(40, 6);
    expect(-r.net_mw.reduce((a, b) => a + b, 0)).toBeCloseTo(10 / 0.95, 6);

    const high = [90, 90, 90];
    const capped = await cutStorageAwardsToSoc(solveInThread, {
      params: battery,
      curves: high.map(() => curve),
      prices_usd_per_mwh: high,
      awarded_mw: [10, 10, 10],
      interval_hours: 1,
      soc_initial_mwh: 40,
      discharge_cap_mwh: 12,
    });
    expect(capped.net_mw.reduce((a, b) => a + b, 0)).toBeCloseTo(12, 6);
    expect(storageAwardPath(battery, capped.net_mw, 40, 1, 12).deliverable).toBe(true);
  });

  it('keeps an auction award below the curve (a pro-rata share at the margin) as the upper bound', async () => {
    const prices = [50, 50, 50];
    const curves = prices.map(() => curve);
    // The auction gave 6 MW of the 10 MW block at the margin each hour: 18 MWh asked, 15.2 MWh deliverable.
    const r = await cutStorageAwardsToSoc(solveInThread, { params: battery, curves, prices_usd_per_mwh: prices, awarded_mw: [6, 6, 6], interval_hours: 1, soc_initial_mwh: 20 });
    r.net_mw.forEach((mw) => expect(mw).toBeLessThanOrEqual(6 + 1e-9));
    expect(r.net_mw.reduce((a, b) => a + b, 0)).toBeCloseTo(15.2, 6);
  });
});
