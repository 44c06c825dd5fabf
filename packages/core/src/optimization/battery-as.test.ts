import { describe, expect, it } from 'vitest';
import { ercotAsPrices2015, ercotHoustonDa2015, issue14Battery } from '../../test-fixtures/ercot-2015/load.js';
import { optimizeBatteryAs, type AsProductInput } from './battery-as.js';
import { solveInThread } from './solver-pool.js';

/** One real day, 2015-07-15 (Central), energy and the four ERCOT products. */
function day(): { prices: number[]; products: AsProductInput[] } {
  const from = Date.parse('2015-07-15T05:00:00Z');
  const energy = ercotHoustonDa2015().filter((p) => +p.interval_start >= from && +p.interval_start < from + 86_400_000).sort((a, b) => +a.interval_start - +b.interval_start);
  const rows = ercotAsPrices2015();
  const series = (id: string) => energy.map((e) => rows.find((r) => r.product === id && +r.interval_start === +e.interval_start)!.price_usd_per_mw);
  return {
    prices: energy.map((e) => e.price_usd_per_mwh),
    products: [
      { id: 'REGUP', direction: 'up', prices_usd_per_mw: series('REGUP'), deployment_fraction: 0.1 },
      { id: 'REGDN', direction: 'down', prices_usd_per_mw: series('REGDN'), deployment_fraction: 0.1 },
      { id: 'RRS', direction: 'up', prices_usd_per_mw: series('RRS') },
      { id: 'NSPIN', direction: 'up', prices_usd_per_mw: series('NSPIN'), duration_h: new Array(24).fill(4) },
    ],
  };
}

const TOL = 1e-6;

describe('battery energy + AS co-optimisation', () => {
  it('reference: every row of the issue-14 model holds on the optimum, and revenue is Σp(d−c) + Σπx', async () => {
    const { prices, products } = day();
    const b = issue14Battery;
    const r = await optimizeBatteryAs(solveInThread, { params: b, model: 'reference', prices_usd_per_mwh: prices, products, interval_hours: 1, soc_initial_mwh: 1, soc_terminal_min_mwh: 1 });
    if (r.status !== 'optimal') throw new Error(r.status);
    let prev = 1;
    let revenue = 0;
    r.intervals.forEach((iv, t) => {
      const up = iv.as_mw.REGUP! + iv.as_mw.RRS! + iv.as_mw.NSPIN!;
      const dn = iv.as_mw.REGDN!;
      const { charge_mw: c, discharge_mw: d, soc_mwh: s } = iv;
      expect(d - c + up).toBeLessThanOrEqual(1 + TOL);
      expect(c - d + dn).toBeLessThanOrEqual(1 + TOL);
      expect(s).toBeCloseTo(prev + b.charge_efficiency * c - d / b.discharge_efficiency, 6);
      expect(prev - (d + up) / b.discharge_efficiency).toBeGreaterThanOrEqual(-TOL);
      expect(prev + b.charge_efficiency * (c + dn)).toBeLessThanOrEqual(2 + TOL);
      expect(s).toBeGreaterThanOrEqual(-TOL);
      expect(s).toBeLessThanOrEqual(2 + TOL);
      revenue += prices[t]! * (d - c) + products.reduce((a, k) => a + k.prices_usd_per_mw[t]! * iv.as_mw[k.id]!, 0);
      prev = s;
    });
    expect(prev).toBeGreaterThanOrEqual(1 - TOL);
    expect(r.objective_usd).toBeCloseTo(revenue, 6);
    expect(r.energy_revenue_usd + Object.values(r.as_revenue_by_product).reduce((a, v) => a + v, 0)).toBeCloseTo(revenue, 6);
    expect(Object.values(r.as_revenue_by_product).reduce((a, v) => a + v, 0)).toBeGreaterThan(0);
  });

  it('default: a 4-hour duration rule holds 4 MWh per MW, deployment moves energy, and on this day it earns less than the reference', async () => {
    const { prices, products } = day();
    const b = { ...issue14Battery, degradation_cost_usd_per_mwh: 3, max_cycles_per_day: 1 };
    const ref = await optimizeBatteryAs(solveInThread, { params: b, model: 'reference', prices_usd_per_mwh: prices, products, interval_hours: 1, soc_terminal_min_mwh: 1 });
    const def = await optimizeBatteryAs(solveInThread, { params: b, model: 'default', prices_usd_per_mwh: prices, products, interval_hours: 1, soc_terminal_min_mwh: 1 });
    if (ref.status !== 'optimal' || def.status !== 'optimal') throw new Error('not optimal');
    let prev = 1;
    def.intervals.forEach((iv) => {
      const regUp = iv.as_mw.REGUP!;
      const up = iv.discharge_mw + regUp + iv.as_mw.RRS!;
      expect(prev - up / b.discharge_efficiency - (4 * iv.as_mw.NSPIN!) / b.discharge_efficiency).toBeGreaterThanOrEqual(-TOL);
      const s = prev + b.charge_efficiency * (iv.charge_mw + 0.1 * iv.as_mw.REGDN!) - (iv.discharge_mw + 0.1 * regUp) / b.discharge_efficiency;
      expect(iv.soc_mwh).toBeCloseTo(s, 6);
      prev = iv.soc_mwh;
    });
    expect(def.objective_usd).toBeLessThanOrEqual(ref.objective_usd + TOL);
    expect(def.degradation_usd).toBeGreaterThan(0);
  });

  it('rejects a product price series of the wrong length', async () => {
    const { prices, products } = day();
    await expect(optimizeBatteryAs(solveInThread, { params: issue14Battery, model: 'reference', prices_usd_per_mwh: prices.slice(0, 23), products, interval_hours: 1 })).rejects.toThrow(/REGUP has 24 prices for 23 intervals/);
  });
});
