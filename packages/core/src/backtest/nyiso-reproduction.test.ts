/**
 * Reproduces S. Klosterman, "Designing an energy arbitrage strategy with linear
 * programming" (2020-05-03; GitHub klostest/energy_arbitrage_work_sample) on
 * NYISO day-ahead zonal prices, zone N.Y.C., 2019-05-01 … 2020-04-30
 * (fixture: packages/core/test-fixtures/nyiso-nyc-2019-2020, see its README).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { solveInThread } from '../optimization/solver-pool.js';
import { runBacktest } from './engine.js';
import { backtestLocalDateTime, type BacktestPricePoint } from './price-series.js';

const FIXTURE = new URL('../../test-fixtures/nyiso-nyc-2019-2020/nyc-damlbmp-zone-2019-05-01_2020-04-30.csv.gz', import.meta.url);

/**
 * A minimal reader for NYISO `damlbmp_zone` CSV. `Time Stamp` is hour
 * beginning in US/Eastern prevailing time and rows are in real time order
 * (the repeated 01:00 on 2019-11-03 is two hours), so row i starts i hours
 * after the first row, 2019-05-01 00:00 EDT = 04:00 UTC. The test checks that
 * every derived instant renders back to the row's own time stamp.
 */
function readNyc(): { points: BacktestPricePoint[]; stamps: string[] } {
  const lines = gunzipSync(readFileSync(FIXTURE)).toString('utf8').split(/\r?\n/).filter(Boolean);
  expect(lines[0]).toBe('Time Stamp,Name,PTID,LBMP ($/MWHr),Marginal Cost Losses ($/MWHr),Marginal Cost Congestion ($/MWHr)');
  const t0 = Date.UTC(2019, 4, 1, 4);
  const stamps: string[] = [];
  const points = lines.slice(1).map((line, i) => {
    const [stamp, zone, , lbmp] = line.split(',');
    expect(zone).toBe('N.Y.C.');
    stamps.push(stamp!);
    return { interval_start: new Date(t0 + i * 3_600_000), price_usd_per_mwh: Number(lbmp) };
  });
  return { points, stamps };
}

describe('NYISO N.Y.C. 2019-2020 rolling arbitrage (published result)', () => {
  it('reproduces revenue $2,354.66, charging cost $1,391.68, profit $962.98 and 72,955 kWh discharged', async () => {
    const { points, stamps } = readNyc();
    expect(points).toHaveLength(8784);
    const rendered = points.map((p) => {
      const { date, time } = backtestLocalDateTime(p.interval_start, 'America/New_York');
      return `${date.slice(5, 7)}/${date.slice(8)}/${date.slice(0, 4)} ${time}`;
    });
    expect(rendered).toEqual(stamps);
    const report = await runBacktest(
      {
        prices: points,
        timezone: 'America/New_York',
        strategy: 'rolling',
        start: new Date('2019-05-01T16:00:00Z'), // 12:00 EDT
        compare: false,
        // 100 kW / 200 kWh, starting at 100 kWh; 85 % of charged energy is stored, none lost on discharge.
        battery: {
          charge_power_mw: 0.1,
          discharge_power_mw: 0.1,
          energy_mwh: 0.2,
          charge_efficiency: 0.85,
          discharge_efficiency: 1,
          soc_min_mwh: 0,
          soc_max_mwh: 0.2,
          soc_initial_mwh: 0.1,
          degradation_cost_usd_per_mwh: 0,
          max_cycles_per_day: 1,
        },
        rolling: {
          horizon_hours: 36,
          step_hours: 24,
          // The original throughput constraint: ≤ 200 kWh in window hours 0..23 and ≤ 100 kWh in
          // hours 25..35 (it leaves hour 24 out of the second sum; kept to reproduce the result).
          window_discharge_caps: [
            { start: 0, end: 24, max_mwh: 0.2 },
            { start: 25, end: 36, max_mwh: 0.1 },
          ],
        },
      },
      { solve: solveInThread },
    );
    expect(report.daily).toHaveLength(365);
    expect(report.revenue_usd.toFixed(2)).toBe('2354.66');
    expect(report.cost_usd.toFixed(2)).toBe('1391.68');
    expect(report.net_usd.toFixed(2)).toBe('962.98');
    expect((report.discharged_mwh * 1000).toFixed(0)).toBe('72955');
    // The daily cap binds on 364 of 365 days.
    expect(report.daily.filter((d) => d.discharged_mwh > 0.2 - 1e-9).length).toBe(364);
  });
});
