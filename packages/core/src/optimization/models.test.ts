import { describe, expect, it } from 'vitest';
import type { BatteryParams, ThermalParams } from './asset-params.js';
import { optimizeBattery, type BatteryOptimization } from './battery.js';
import { optimizeThermal } from './thermal.js';
import { optimizeDemandResponse, optimizeRenewable } from './flexible-assets.js';
import { solveInThread } from './solver-pool.js';

const battery = (over: Partial<BatteryParams> = {}): BatteryParams => ({
  charge_power_mw: 1,
  discharge_power_mw: 1,
  energy_mwh: 1,
  charge_efficiency: 1,
  discharge_efficiency: 1,
  soc_min_mwh: 0,
  soc_max_mwh: 1,
  soc_initial_mwh: 0,
  degradation_cost_usd_per_mwh: 0,
  max_cycles_per_day: null,
  ...over,
});

function ok(r: BatteryOptimization) {
  if (r.status !== 'optimal') throw new Error(`expected optimal, got ${r.status}: ${r.message}`);
  return r;
}

describe('battery', () => {
  it('charges 1 MW at $10 and sells the stored 0.9 MWh at $50: 0.9·50 − 10 = $35', async () => {
    const r = ok(await optimizeBattery(solveInThread, { params: battery({ charge_efficiency: 0.9 }), prices_usd_per_mwh: [10, 50], interval_hours: 1 }, { duals: true }));
    expect(r.formulation).toBe('lp');
    expect(r.objective_usd).toBeCloseTo(35, 6);
    expect(r.cost_usd).toBeCloseTo(10, 6);
    expect(r.revenue_usd).toBeCloseTo(45, 6);
    expect(r.intervals.map((i) => i.net_mw)).toEqual([-1, expect.closeTo(0.9, 9)]);
    // Stored energy is worth what it sells for in hour 1: $50/MWh in both hours.
    expect(r.intervals[0]!.stored_energy_value_usd_per_mwh).toBeCloseTo(50, 6);
    expect(r.intervals[1]!.stored_energy_value_usd_per_mwh).toBeCloseTo(50, 6);
  });

  it('does not trade when wear eats the spread: 0.9·(12 − 1) − 10 < 0', async () => {
    const p = { params: battery({ charge_efficiency: 0.9, degradation_cost_usd_per_mwh: 1 }), prices_usd_per_mwh: [10, 12], interval_hours: 1 };
    expect(ok(await optimizeBattery(solveInThread, p)).objective_usd).toBeCloseTo(0, 9);
    const noWear = { ...p, params: battery({ charge_efficiency: 0.9 }) };
    expect(ok(await optimizeBattery(solveInThread, noWear)).objective_usd).toBeCloseTo(0.8, 6);
  });

  it('caps throughput per day: two spreads of $40, one cycle a day → $40 instead of $80', async () => {
    const p = { params: battery(), prices_usd_per_mwh: [10, 50, 10, 50], interval_hours: 1, intervals_per_day: 4 };
    expect(ok(await optimizeBattery(solveInThread, p)).objective_usd).toBeCloseTo(80, 6);
    const capped = ok(await optimizeBattery(solveInThread, { ...p, params: battery({ max_cycles_per_day: 1 }) }));
    expect(capped.objective_usd).toBeCloseTo(40, 6);
    expect(capped.discharged_mwh).toBeCloseTo(1, 9);
  });

  it('works on 15-minute intervals: 4 × 0.25 h charging at $10, 4 × 0.25 h selling at $50 → $40', async () => {
    const r = ok(await optimizeBattery(solveInThread, { params: battery(), prices_usd_per_mwh: [10, 10, 10, 10, 50, 50, 50, 50], interval_hours: 0.25 }));
    expect(r.objective_usd).toBeCloseTo(40, 6);
    expect(r.soc_final_mwh).toBeCloseTo(0, 9);
  });

  it('honours a terminal SoC target, and reports an unreachable one as infeasible', async () => {
    const p = { params: battery({ charge_efficiency: 0.9 }), prices_usd_per_mwh: [10, 50], interval_hours: 1 };
    const held = ok(await optimizeBattery(solveInThread, { ...p, soc_terminal_min_mwh: 0.9 }));
    expect(held.objective_usd).toBeCloseTo(-10, 6); // charge and keep it
    const r = await optimizeBattery(solveInThread, { ...p, prices_usd_per_mwh: [10], soc_terminal_min_mwh: 1 });
    expect(r.status).toBe('infeasible'); // 1 h × 1 MW × 0.9 stores at most 0.9 MWh
  });

  it('uses a MILP at negative prices and never charges and discharges at once', async () => {
    // Full at the start (1 MWh), ηc = 0.8: sell 0.8 MWh at −$10 (−$8) to make room for buying
    // 1 MWh at −$20 (+$20, stores 0.8 MWh) → $12.
    // The LP would burn energy by charging and discharging together in both hours.
    const p = { params: battery({ charge_efficiency: 0.8, soc_initial_mwh: 1 }), prices_usd_per_mwh: [-10, -20], interval_hours: 1 };
    const r = ok(await optimizeBattery(solveInThread, p));
    expect(r.formulation).toBe('milp');
    expect(r.objective_usd).toBeCloseTo(12, 6);
    for (const i of r.intervals) expect(Math.min(i.charge_mw, i.discharge_mw)).toBe(0);
  });
});

const unit = (over: Partial<ThermalParams> = {}): ThermalParams => ({
  pmin_mw: 20,
  pmax_mw: 100,
  cost_segments: [
    { mw: 50, price_usd_per_mwh: 30 },
    { mw: 50, price_usd_per_mwh: 50 },
  ],
  startup_cost_usd: 500,
  min_up_h: 1,
  min_down_h: 1,
  ramp_mw_per_h: null,
  ...over,
});

describe('thermal unit commitment', () => {
  const prices = [10, 60, 60, 10];
  it('runs at Pmax in the two $60 hours: 2 × (6000 − 1500 − 2500) − 500 = $3,500', async () => {
    const r = await optimizeThermal(solveInThread, { params: unit(), prices_usd_per_mwh: prices, interval_hours: 1 });
    if (r.status !== 'optimal') throw new Error(r.status);
    expect(r.objective_usd).toBeCloseTo(3500, 4);
    expect(r.intervals.map((i) => i.output_mw)).toEqual([0, 100, 100, 0]);
    expect(r.starts).toBe(1);
  });

  it('min up 3 h adds one loss-making hour at Pmin: 3500 − 20·(30 − 10) = $3,100', async () => {
    const r = await optimizeThermal(solveInThread, { params: unit({ min_up_h: 3 }), prices_usd_per_mwh: prices, interval_hours: 1 });
    expect(r.status === 'optimal' && r.objective_usd).toBeCloseTo(3100, 4);
  });

  it('stays off when the start-up cost exceeds the margin', async () => {
    const r = await optimizeThermal(solveInThread, { params: unit({ startup_cost_usd: 5000 }), prices_usd_per_mwh: prices, interval_hours: 1 });
    if (r.status !== 'optimal') throw new Error(r.status);
    expect(r.objective_usd).toBeCloseTo(0, 6);
    expect(r.starts).toBe(0);
  });

  it('ramps 30 MW/h from 20 MW already on: 50·(60 − 30) + (80·60 − 1500 − 1500) = $3,300', async () => {
    const params = unit({ ramp_mw_per_h: 30, initial_state: { on: true, hours_in_state: 10, output_mw: 20 } });
    const r = await optimizeThermal(solveInThread, { params, prices_usd_per_mwh: [60, 60], interval_hours: 1 });
    if (r.status !== 'optimal') throw new Error(r.status);
    expect(r.intervals.map((i) => i.output_mw)).toEqual([expect.closeTo(50, 6), expect.closeTo(80, 6)]);
    expect(r.objective_usd).toBeCloseTo(3300, 4);
  });

  it('keeps a unit that must stay down off, even at high prices', async () => {
    const params = unit({ min_down_h: 3, initial_state: { on: false, hours_in_state: 1, output_mw: 0 } });
    const r = await optimizeThermal(solveInThread, { params, prices_usd_per_mwh: [90, 90, 90], interval_hours: 1 });
    if (r.status !== 'optimal') throw new Error(r.status);
    expect(r.intervals.map((i) => i.on)).toEqual([false, false, true]);
  });
});

describe('renewable curtailment and demand response', () => {
  it('curtails only below −credits: 10 MW at $20, −$5, −$30 with $25 credits → curtail the last hour', async () => {
    const r = await optimizeRenewable(solveInThread, {
      params: { capacity_mw: 10, profile_mw: [10, 10, 10], curtailable: true, curtailment_loss_usd_per_mwh: 25 },
      prices_usd_per_mwh: [20, -5, -30],
      interval_hours: 1,
    });
    if (r.status !== 'optimal') throw new Error(r.status);
    expect(r.intervals.map((i) => i.curtailed_mw)).toEqual([0, 0, 10]);
    expect(r.revenue_usd).toBeCloseTo(150, 9);
    expect(r.credits_usd).toBeCloseTo(500, 9);
  });

  it('cannot curtail a non-curtailable plant', async () => {
    const r = await optimizeRenewable(solveInThread, {
      params: { capacity_mw: 10, profile_mw: [10], curtailable: false, curtailment_loss_usd_per_mwh: 0 },
      prices_usd_per_mwh: [-100],
      interval_hours: 1,
    });
    expect(r.status === 'optimal' && r.curtailed_mwh).toBe(0);
  });

  it('reduces in the best 2 hours above the $110 strike: 5 MW × ((200 − 110) + (150 − 110)) = $650', async () => {
    const r = await optimizeDemandResponse(solveInThread, {
      params: { max_reduction_mw: 5, strike_usd_per_mwh: 110, max_hours_per_day: 2 },
      prices_usd_per_mwh: [100, 30, 200, 150, 120],
      interval_hours: 1,
    });
    if (r.status !== 'optimal') throw new Error(r.status);
    expect(r.objective_usd).toBeCloseTo(650, 6);
    expect(r.intervals.map((i) => i.reduction_mw)).toEqual([0, 0, 5, 5, 0]);
    expect(r.event_hours).toBe(2);
  });
});

describe('battery mode relaxation', () => {
  it('bounds the MILP from above and never lets c/Pc + d/Pd exceed 1', async () => {
    const p = { params: battery({ charge_efficiency: 0.8, soc_initial_mwh: 1 }), prices_usd_per_mwh: [-10, -20], interval_hours: 1 };
    const relaxed = ok(await optimizeBattery(solveInThread, p, { relax_modes: true }));
    expect(relaxed.formulation).toBe('lp');
    // Alternating within an interval can only do better than the MILP's $12.
    expect(relaxed.objective_usd).toBeGreaterThanOrEqual(12 - 1e-9);
    for (const i of relaxed.intervals) expect(i.charge_mw + i.discharge_mw).toBeLessThanOrEqual(1 + 1e-9);
  });
});
