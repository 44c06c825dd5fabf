import { describe, expect, it } from 'vitest';
import { assetBidLimits, normalizeAssetParams, validateAssetParams, batteryRoundTripEfficiency } from './index.js';
import type { BatteryAssetParams, ThermalAssetParams } from './index.js';

const battery: BatteryAssetParams = {
  charge_power_mw: 50,
  discharge_power_mw: 50,
  energy_mwh: 200,
  charge_efficiency: 0.95,
  discharge_efficiency: 0.95,
  soc_min_mwh: 20,
  soc_max_mwh: 190,
  soc_initial_mwh: 100,
  degradation_cost_usd_per_mwh: 5,
  max_cycles_per_day: 1.5,
};

const thermal: ThermalAssetParams = {
  pmin_mw: 50,
  pmax_mw: 200,
  cost_segments: [
    { mw: 100, price_usd_per_mwh: 25 },
    { mw: 100, price_usd_per_mwh: 32 },
  ],
  startup_cost_usd: 5000,
  min_up_h: 4,
  min_down_h: 4,
  ramp_mw_per_h: 100,
};

const fields = (issues: { field: string }[]) => issues.map((i) => i.field).sort();

describe('validateAssetParams', () => {
  it('accepts valid parameters of every type', () => {
    expect(validateAssetParams('battery', battery)).toEqual([]);
    expect(validateAssetParams('thermal', thermal)).toEqual([]);
    const re = { capacity_mw: 100, profile_mw: Array(24).fill(40), curtailable: true, curtailment_loss_usd_per_mwh: 27 };
    expect(validateAssetParams('solar', re)).toEqual([]);
    expect(validateAssetParams('wind', re)).toEqual([]);
    expect(validateAssetParams('demand_response', { max_reduction_mw: 5, strike_usd_per_mwh: 300, max_hours_per_day: 4 })).toEqual([]);
    expect(validateAssetParams('load', { profile_mw: [10, 12, 11] })).toEqual([]);
  });

  it('reports every battery problem with its field', () => {
    const issues = validateAssetParams('battery', {
      ...battery,
      charge_efficiency: 1.2,
      discharge_efficiency: 0,
      soc_min_mwh: 50,
      soc_initial_mwh: 30,
      soc_max_mwh: 250,
    });
    expect(fields(issues)).toEqual(['charge_efficiency', 'discharge_efficiency', 'soc_initial_mwh', 'soc_max_mwh']);
    expect(issues.find((i) => i.field === 'charge_efficiency')!.message).toMatch(/\(0, 1\]/);
    expect(issues.find((i) => i.field === 'soc_max_mwh')!.message).toMatch(/energy_mwh \(200\)/);
  });

  it('reports missing and non-numeric fields', () => {
    const issues = validateAssetParams('battery', { ...battery, energy_mwh: 'big', charge_power_mw: undefined });
    expect(fields(issues)).toEqual(['charge_power_mw', 'energy_mwh']);
    expect(validateAssetParams('rocket', {})[0]!.field).toBe('type');
    expect(validateAssetParams('battery', null)[0]!.field).toBe('params');
  });

  it('accepts a round-trip efficiency and splits it as a square root', () => {
    const { charge_efficiency: _c, discharge_efficiency: _d, ...rest } = battery;
    const r = normalizeAssetParams('battery', { ...rest, round_trip_efficiency: 0.81 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.params.charge_efficiency).toBeCloseTo(0.9, 12);
    expect(r.params.discharge_efficiency).toBeCloseTo(0.9, 12);
    expect(batteryRoundTripEfficiency(r.params)).toBeCloseTo(0.81, 12);
    expect(r.params.round_trip_efficiency).toBeUndefined();
    expect(fields(validateAssetParams('battery', { ...battery, round_trip_efficiency: 0.8 }))).toEqual(['round_trip_efficiency']);
    expect(fields(validateAssetParams('battery', { ...rest, round_trip_efficiency: 1.5 }))).toEqual(['round_trip_efficiency']);
  });

  it('requires ascending thermal cost segments summing to pmax', () => {
    const issues = validateAssetParams('thermal', {
      ...thermal,
      pmin_mw: 300,
      cost_segments: [
        { mw: 100, price_usd_per_mwh: 40 },
        { mw: 50, price_usd_per_mwh: 30 },
        { mw: -1, price_usd_per_mwh: 50 },
      ],
    });
    expect(fields(issues)).toEqual(['cost_segments', 'cost_segments.1.price_usd_per_mwh', 'cost_segments.2.mw', 'pmin_mw']);
    expect(issues.find((i) => i.field === 'cost_segments.1.price_usd_per_mwh')!.message).toMatch(/ascending/);
  });

  it('converts heat-rate segments × fuel price to cost segments', () => {
    const { cost_segments: _cs, ...rest } = thermal;
    const r = normalizeAssetParams('thermal', {
      ...rest,
      heat_rate_segments: [
        { mw: 120, heat_rate_mmbtu_per_mwh: 7.5 },
        { mw: 80, heat_rate_mmbtu_per_mwh: 9 },
      ],
      fuel_price_usd_per_mmbtu: 3.2,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.params.cost_segments[0]!.price_usd_per_mwh).toBeCloseTo(24, 9);
    expect(r.params.cost_segments[1]!.price_usd_per_mwh).toBeCloseTo(28.8, 9);
    const bad = validateAssetParams('thermal', { ...rest, heat_rate_segments: [{ mw: 200, heat_rate_mmbtu_per_mwh: 8 }] });
    expect(fields(bad)).toEqual(['fuel_price_usd_per_mmbtu']);
  });

  it('checks renewable profiles against capacity', () => {
    const issues = validateAssetParams('solar', { capacity_mw: 10, profile_mw: [0, 12, -1], curtailable: 'yes', curtailment_loss_usd_per_mwh: 0 });
    expect(fields(issues)).toEqual(['curtailable', 'profile_mw.1', 'profile_mw.2']);
  });
});

describe('assetBidLimits', () => {
  it('gives signed MW ranges per type', () => {
    expect(assetBidLimits({ type: 'battery', params: battery })).toEqual({ min_mw: -50, max_mw: 50 });
    expect(assetBidLimits({ type: 'thermal', params: thermal })).toEqual({ min_mw: 0, max_mw: 200 });
    expect(assetBidLimits({ type: 'load', params: { profile_mw: [3, 9, 4] } })).toEqual({ min_mw: -9, max_mw: 0 });
    expect(assetBidLimits({ type: 'demand_response', params: { max_reduction_mw: 5, strike_usd_per_mwh: 1, max_hours_per_day: 2 } })).toEqual({ min_mw: 0, max_mw: 5 });
    expect(
      assetBidLimits({ type: 'wind', params: { capacity_mw: 80, profile_mw: [1], curtailable: false, curtailment_loss_usd_per_mwh: 0 } }),
    ).toEqual({ min_mw: 0, max_mw: 80 });
  });
});
