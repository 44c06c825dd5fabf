/**
 * Issue 14, energy only: the platform's daily strategies clear their curves
 * under the battery's state of charge (clearing/storage-soc-clearing.ts), so
 * every award is deliverable, on every year of real data in the fixtures.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createSolverPool } from '../optimization/solver-pool.js';
import { runBacktest } from './engine.js';
import { persistenceForecaster, type BacktestForecaster } from './forecasters.js';
import { ercotHoustonDa2015, issue14Battery } from '../../test-fixtures/ercot-2015/load.js';
import type { BacktestPricePoint } from './price-series.js';
import { EPF_TEST_PERIODS } from '../../test-fixtures/epftoolbox/load-fixtures.js';

function nycDa2019(): BacktestPricePoint[] {
  const url = new URL('../../test-fixtures/nyiso-nyc-2019-2020/nyc-damlbmp-zone-2019-05-01_2020-04-30.csv.gz', import.meta.url);
  const lines = gunzipSync(readFileSync(url)).toString('utf8').split(/\r?\n/).filter(Boolean).slice(1);
  // Rows are hourly in real time order from 2019-05-01 00:00 EDT (see nyiso-reproduction.test.ts).
  return lines.map((line, i) => ({ interval_start: new Date(Date.UTC(2019, 4, 1, 4) + i * 3_600_000), price_usd_per_mwh: Number(line.split(',')[3]) }));
}

describe('deliverable awards (energy only)', () => {
  it('ERCOT HB_HOUSTON 2015: perfect $29,162.04 ± 0.5 %, persistence ≥ 92 % with nothing undeliverable and no failed day', async () => {
    const pool = createSolverPool({ size: 2 });
    try {
      const prices = ercotHoustonDa2015();
      expect(prices).toHaveLength(8760);
      const report = await runBacktest({ prices, timezone: 'America/Chicago', battery: issue14Battery, strategy: 'persistence' }, { solve: pool.solve });
      expect(report.perfect_foresight_net_usd!).toBeGreaterThan(29162.04 * 0.995);
      expect(report.perfect_foresight_net_usd!).toBeLessThan(29162.04 * 1.005);
      expect(report.capture_rate!).toBeGreaterThanOrEqual(0.92);
      expect(report.undeliverable_mwh).toBe(0);
      expect(report.failed_days).toEqual([]);
      expect(report.no_history_days).toBe(1);
      expect(report.daily).toHaveLength(365);
      // Curves priced at opportunity cost (the API's default) cleared hour by hour left 251 MWh undeliverable; cleared under SoC, none.
      const priced = await runBacktest({ prices, timezone: 'America/Chicago', battery: issue14Battery, strategy: 'persistence', scheduled_pricing: 'opportunity_cost', compare: false }, { solve: pool.solve });
      expect(priced.undeliverable_mwh).toBe(0);
      expect(priced.net_usd).toBeGreaterThan(0);
      const weekly = await runBacktest({ prices, timezone: 'America/Chicago', battery: issue14Battery, strategy: 'forecast', compare: false }, { solve: pool.solve });
      expect(weekly.undeliverable_mwh).toBe(0);
      expect(weekly.failed_days).toEqual([]);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('NYISO N.Y.C. 2019-05 – 2020-04 (leap day, both DST days): nothing undeliverable, also with price-responsive spare capacity from forecast quantiles', async () => {
    const pool = createSolverPool({ size: 2 });
    try {
      const prices = nycDa2019();
      expect(prices).toHaveLength(8784);
      const battery = { ...issue14Battery, max_cycles_per_day: 1, degradation_cost_usd_per_mwh: 2 };
      const report = await runBacktest({ prices, timezone: 'America/New_York', battery, strategy: 'persistence', compare: false }, { solve: pool.solve });
      expect(report.daily).toHaveLength(366);
      expect(report.undeliverable_mwh).toBe(0);
      expect(report.failed_days).toEqual([]);
      expect(report.net_usd).toBeGreaterThan(0);
      // Quantiles add price-responsive spare blocks beyond the plan: only the SoC-enforcing clearing keeps those deliverable.
      const banded: BacktestForecaster = (history, day) => {
        const { point } = persistenceForecaster(history, day);
        return { point, quantiles: { p10: point.map((x) => x * 0.8), p50: point, p90: point.map((x) => x * 1.2) } };
      };
      const withSpare = await runBacktest({ prices, timezone: 'America/New_York', battery, strategy: 'forecast', forecaster: banded, compare: false }, { solve: pool.solve });
      expect(withSpare.undeliverable_mwh).toBe(0);
      expect(withSpare.discharged_mwh).toBeGreaterThan(report.discharged_mwh);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('epftoolbox NP, BE, FR test periods (two years each, negative prices in BE/FR): persistence and a banded forecast deliver every award', async () => {
    const pool = createSolverPool({ size: 2 });
    try {
      for (const market of ['NP', 'BE', 'FR'] as const) {
        const url = new URL(`../../test-fixtures/epftoolbox/${market}.csv.gz`, import.meta.url);
        const rows = gunzipSync(readFileSync(url)).toString('utf8').trim().split('\n').slice(1);
        // Local hour-beginning stamps with exactly 24 rows per day: read on a UTC clock, one row per hour.
        const prices = rows.map((line) => {
          const [stamp, price] = line.split(',');
          return { interval_start: new Date(`${stamp!.replace(' ', 'T')}Z`), price_usd_per_mwh: Number(price) };
        });
        const start = new Date(`${EPF_TEST_PERIODS[market].start}T00:00:00Z`);
        const banded: BacktestForecaster = (history, day) => {
          const { point } = persistenceForecaster(history, day);
          return { point, quantiles: { p10: point.map((x) => x - 8), p50: point, p90: point.map((x) => x + 8) } };
        };
        for (const forecaster of [persistenceForecaster, banded]) {
          const r = await runBacktest({ prices, timezone: 'UTC', battery: issue14Battery, strategy: 'forecast', forecaster, start, compare: false }, { solve: pool.solve });
          expect(r.daily.length).toBeGreaterThanOrEqual(728);
          expect(r.undeliverable_mwh).toBe(0);
          expect(r.failed_days).toEqual([]);
          expect(r.net_usd).toBeGreaterThan(0);
        }
      }
    } finally {
      await pool.close();
    }
  }, 180_000);
});
