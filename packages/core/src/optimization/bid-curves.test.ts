import { describe, expect, it } from 'vitest';
import type { BatteryParams } from './asset-params.js';
import { optimizeBattery } from './battery.js';
import { buildBatteryBidCurves, clearBidCurve, normalizeCurveSegments } from './bid-curves.js';
import { solveInThread } from './solver-pool.js';

const params: BatteryParams = {
  charge_power_mw: 1,
  discharge_power_mw: 1,
  energy_mwh: 1,
  charge_efficiency: 0.9,
  discharge_efficiency: 1,
  soc_min_mwh: 0,
  soc_max_mwh: 1,
  soc_initial_mwh: 0,
  degradation_cost_usd_per_mwh: 0,
};
const starts = [new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T01:00:00Z')];

async function schedule(prices: number[]) {
  const r = await optimizeBattery(solveInThread, { params, prices_usd_per_mwh: prices, interval_hours: 1 }, { duals: true });
  if (r.status !== 'optimal') throw new Error(r.status);
  return r;
}

describe('battery bid curves', () => {
  it('bids the scheduled charge at λ·ηc and offers the scheduled discharge at λ/ηd (λ = $50)', async () => {
    const s = await schedule([10, 50]);
    const { curves, violations } = buildBatteryBidCurves({ params, schedule: s, forecast_usd_per_mwh: [10, 50], interval_starts: starts, max_segments: 10 });
    expect(violations).toEqual([]);
    expect(curves[0]).toEqual({ hour_index: 0, interval_start: starts[0], segments: [{ mw: -1, price_usd_per_mwh: 45 }] });
    expect(curves[1]!.segments).toEqual([{ mw: expect.closeTo(0.9, 9), price_usd_per_mwh: 50 }]);
    // Price-taker clearing: charge if LMP ≤ 45, discharge if LMP ≥ 50.
    expect(clearBidCurve(curves[0]!.segments, 44)).toBe(-1);
    expect(clearBidCurve(curves[0]!.segments, 46)).toBe(0);
    expect(clearBidCurve(curves[1]!.segments, 50)).toBeCloseTo(0.9, 9);
    expect(clearBidCurve(curves[1]!.segments, 49.99)).toBe(0);
  });

  it('spreads spare capacity with quantiles, keeps monotone prices and calls the validator', async () => {
    const s = await schedule([10, 50]);
    const seen: number[] = [];
    const { curves, violations } = buildBatteryBidCurves({
      params,
      schedule: s,
      forecast_usd_per_mwh: [10, 50],
      quantiles: { p10: [5, 30], p50: [10, 50], p90: [20, 90] },
      interval_starts: starts,
      max_segments: 10,
      validate: (c) => {
        seen.push(c.length);
        return [{ hour_index: 0, message: 'test rule' }];
      },
    });
    expect(seen).toEqual([2]);
    expect(violations).toHaveLength(1);
    // Hour 1: the scheduled 0.9 MW at $50, the spare 0.1 MW only if the price reaches P90 = $90.
    expect(curves[1]!.segments).toEqual([
      { mw: expect.closeTo(0.9, 9), price_usd_per_mwh: 50 },
      { mw: expect.closeTo(0.1, 9), price_usd_per_mwh: 90 },
    ]);
    expect(clearBidCurve(curves[1]!.segments, 95)).toBeCloseTo(1, 9);
    for (const c of curves) {
      const prices = c.segments.map((x) => x.price_usd_per_mwh);
      expect([...prices].sort((a, b) => a - b)).toEqual(prices);
    }
  });

  it('adds the throughput-cap shadow price to the offer: the scheduled discharge is indifferent at its own price', async () => {
    // Two $10→$50 spreads, one cycle a day (E = 1 MWh, lossless): one spread is used.
    const p = { ...params, charge_efficiency: 1, max_cycles_per_day: 1 };
    const r = await optimizeBattery(solveInThread, { params: p, prices_usd_per_mwh: [10, 50, 10, 50], interval_hours: 1, intervals_per_day: 4 }, { duals: true });
    if (r.status !== 'optimal') throw new Error(r.status);
    const d = r.intervals.find((i) => i.discharge_mw > 0.5)!;
    expect(d.stored_energy_value_usd_per_mwh! + d.discharge_cap_value_usd_per_mwh!).toBeCloseTo(50, 6);
    expect(d.discharge_cap_value_usd_per_mwh!).toBeGreaterThanOrEqual(0);
  });

  it('orders a storage curve charge-deepest-first, keeps charge below discharge, and respects the segment limit', () => {
    const segs = normalizeCurveSegments(
      [
        { mw: 2, price_usd_per_mwh: 40 },
        { mw: 1, price_usd_per_mwh: 60 },
        { mw: -1, price_usd_per_mwh: 45 },
        { mw: -2, price_usd_per_mwh: 20 },
        { mw: 1, price_usd_per_mwh: 80 },
      ],
      4,
    );
    // Charge at 45 would cross the $40 offer: lowered to 39.99. The $80 block is dropped (limit 4).
    expect(segs).toEqual([
      { mw: -2, price_usd_per_mwh: 20 },
      { mw: -1, price_usd_per_mwh: 39.99 },
      { mw: 2, price_usd_per_mwh: 40 },
      { mw: 1, price_usd_per_mwh: 60 },
    ]);
  });

  it('leaves out a charge block that would have to sit below the floor (an hour both charging and discharging, self-scheduled)', () => {
    // ERCOT: floor −250, cap 5000. Before, the charge block came out at −250.01 and the bid was refused.
    const segs = normalizeCurveSegments([{ mw: 7.16, price_usd_per_mwh: -250 }, { mw: -7.16, price_usd_per_mwh: 5000 }], 10, -250, 5000);
    expect(segs).toEqual([{ mw: 7.16, price_usd_per_mwh: -250 }]);
    // Above the floor the charge block stays, just under the offer.
    expect(normalizeCurveSegments([{ mw: 1, price_usd_per_mwh: -249 }, { mw: -1, price_usd_per_mwh: 5000 }], 10, -250, 5000)).toEqual([
      { mw: -1, price_usd_per_mwh: -249.01 },
      { mw: 1, price_usd_per_mwh: -249 },
    ]);
  });
});

describe('curves for other assets', () => {
  it('thermal: committed hours offer the cost blocks at marginal cost, merged to the segment limit', async () => {
    const { optimizeThermal } = await import('./thermal.js');
    const { buildThermalBidCurves } = await import('./bid-curves.js');
    const params = {
      pmin_mw: 20,
      pmax_mw: 100,
      cost_segments: [
        { mw: 40, price_usd_per_mwh: 20 },
        { mw: 30, price_usd_per_mwh: 30 },
        { mw: 30, price_usd_per_mwh: 45 },
      ],
      startup_cost_usd: 100,
      min_up_h: 1,
      min_down_h: 1,
    };
    const s = await optimizeThermal(solveInThread, { params, prices_usd_per_mwh: [5, 60], interval_hours: 1 });
    if (s.status !== 'optimal') throw new Error(s.status);
    const { curves } = buildThermalBidCurves({ params, schedule: s, interval_starts: starts, max_segments: 2 });
    expect(curves[0]!.segments).toEqual([]);
    expect(curves[1]!.segments).toEqual([
      { mw: 40, price_usd_per_mwh: 20 },
      { mw: 60, price_usd_per_mwh: 45 },
    ]);
  });

  it('renewable offers at −credits; demand response offers its chosen hours at the strike', async () => {
    const { optimizeRenewable, optimizeDemandResponse } = await import('./flexible-assets.js');
    const { buildRenewableBidCurves, buildDemandResponseBidCurves } = await import('./bid-curves.js');
    const rp = { capacity_mw: 10, profile_mw: [8, 12], curtailable: true, curtailment_loss_usd_per_mwh: 25 };
    const rs = await optimizeRenewable(solveInThread, { params: rp, prices_usd_per_mwh: [20, -40], interval_hours: 1 });
    if (rs.status !== 'optimal') throw new Error(rs.status);
    const rc = buildRenewableBidCurves({ params: rp, schedule: rs, interval_starts: starts, max_segments: 10 }).curves;
    expect(rc.map((c) => c.segments)).toEqual([[{ mw: 8, price_usd_per_mwh: -25 }], [{ mw: 10, price_usd_per_mwh: -25 }]]);
    expect(clearBidCurve(rc[1]!.segments, -40)).toBe(0); // curtailed below −$25
    const dp = { max_reduction_mw: 3, strike_usd_per_mwh: 100, max_hours_per_day: 1 };
    const ds = await optimizeDemandResponse(solveInThread, { params: dp, prices_usd_per_mwh: [150, 300], interval_hours: 1 });
    if (ds.status !== 'optimal') throw new Error(ds.status);
    const dc = buildDemandResponseBidCurves({ params: dp, schedule: ds, interval_starts: starts, max_segments: 10 }).curves;
    expect(dc.map((c) => c.segments)).toEqual([[], [{ mw: 3, price_usd_per_mwh: 100 }]]);
  });
});
