/**
 * Issue 14 with ancillary services: ERCOT HB_HOUSTON 2015, 1 MW / 2 MWh,
 * η = √0.85 each way, 1 MWh at the start. The figures come from an
 * independent LP of the reference model (issue text): perfect $147,471.44
 * (energy $55.47), persistence $146,074.23.
 */
import { describe, expect, it } from 'vitest';
import { ANCILLARY_SERVICES } from '../markets/ancillary-services.js';
import { createSolverPool } from '../optimization/solver-pool.js';
import { ercotAsPrices2015, ercotHoustonDa2015, issue14Battery } from '../../test-fixtures/ercot-2015/load.js';
import { runBacktest, type BacktestConfig } from './engine.js';

const products = ANCILLARY_SERVICES.ERCOT.products.filter((p) => ['REGUP', 'REGDN', 'RRS', 'NSPIN'].includes(p.id));
const within = (x: number, target: number, rel: number) => expect(Math.abs(x - target)).toBeLessThanOrEqual(Math.abs(target) * rel);

describe('backtests with ancillary services (ERCOT HB_HOUSTON 2015)', () => {
  it('reference model: perfect $147,471.44 ± 0.5 %, persistence ≥ 98 % of it, nothing undeliverable', async () => {
    const pool = createSolverPool({ size: 2 });
    try {
      const base: BacktestConfig = { prices: ercotHoustonDa2015(), timezone: 'America/Chicago', battery: issue14Battery, strategy: 'persistence', ancillary: { model: 'reference', products, prices: ercotAsPrices2015() } };
      const r = await runBacktest(base, { solve: pool.solve });
      within(r.perfect_foresight_net_usd!, 147471.44, 0.005);
      expect(r.capture_rate!).toBeGreaterThanOrEqual(0.98);
      within(r.net_usd, 146074.23, 0.01);
      expect(r.undeliverable_mwh).toBe(0);
      expect(r.failed_days).toEqual([]);
      expect(r.as_missing_intervals).toBe(0);
      expect(Object.keys(r.revenue_by_product).sort()).toEqual(['NSPIN', 'REGDN', 'REGUP', 'RRS']);
      const parts = r.energy_revenue_usd + Object.values(r.revenue_by_product).reduce((a, v) => a + v, 0);
      expect(parts).toBeCloseTo(r.net_usd, 6);
      expect(r.as_revenue_usd).toBeCloseTo(r.net_usd - r.energy_revenue_usd, 6);
      const perfect = await runBacktest({ ...base, strategy: 'perfect', compare: false }, { solve: pool.solve });
      within(perfect.net_usd, 147471.44, 0.005);
      // Equal-value optima may split the upward products differently; energy and REGDN are pinned by the independent LP.
      within(perfect.revenue_by_product.REGDN!, 46572.17, 0.02);
      expect(Math.abs(perfect.energy_revenue_usd - 55.47)).toBeLessThan(50);
      const ends = perfect.daily[perfect.daily.length - 1]!.soc_end_mwh;
      expect(ends).toBeGreaterThanOrEqual(issue14Battery.soc_initial_mwh - 1e-7);
    } finally {
      await pool.close();
    }
  }, 180_000);

  it('DST days (23 and 25 hours) and a period that is not a year: the default model plans and settles every interval', async () => {
    const pool = createSolverPool({ size: 2 });
    try {
      const common = { prices: ercotHoustonDa2015(), timezone: 'America/Chicago', battery: { ...issue14Battery, degradation_cost_usd_per_mwh: 5, max_cycles_per_day: 1 }, ancillary: { model: 'default' as const, products, prices: ercotAsPrices2015() }, compare: false };
      for (const [start, end, hours] of [['2015-03-05T06:00:00Z', '2015-03-10T05:00:00Z', 4 * 24 + 23], ['2015-10-29T05:00:00Z', '2015-11-03T06:00:00Z', 4 * 24 + 25]] as const) {
        for (const strategy of ['persistence', 'perfect'] as const) {
          const r = await runBacktest({ ...common, strategy, start: new Date(start), end: new Date(end) }, { solve: pool.solve });
          expect(r.intervals).toBe(hours);
          expect(r.failed_days).toEqual([]);
          expect(r.undeliverable_mwh).toBe(0);
          expect(r.as_revenue_usd).toBeGreaterThan(0);
          expect(r.degradation_usd).toBeGreaterThan(0);
        }
      }
    } finally {
      await pool.close();
    }
  }, 120_000);
});
