/**
 * Ancillary-services bench, on the real ERCOT 2015 fixtures (HB_HOUSTON
 * day-ahead energy, NP4-181-ER clearing prices; packages/core/test-fixtures/ercot-2015):
 * the co-optimised 24-hour energy + AS solve including model build and the
 * worker round trip (goal < 10 ms), and the wall time of one-year AS
 * backtests (goal < 5 s). The battery is issue 14's: 1 MW / 2 MWh, η = √0.85.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ANCILLARY_SERVICES,
  buildBatteryAsModel,
  createSolverPool,
  parseAncillaryPriceFile,
  parsePriceFile,
  runBacktest,
  type AsModel,
  type BatteryParams,
  type BacktestConfig,
} from '@optibid/core';

const FIX = fileURLToPath(new URL('../../../../packages/core/test-fixtures/ercot-2015/', import.meta.url));
const read = (name: string) => ({ name, data: new Uint8Array(fs.readFileSync(FIX + name)) });

const BATTERY: BatteryParams = {
  charge_power_mw: 1,
  discharge_power_mw: 1,
  energy_mwh: 2,
  charge_efficiency: Math.sqrt(0.85),
  discharge_efficiency: Math.sqrt(0.85),
  soc_min_mwh: 0,
  soc_max_mwh: 2,
  soc_initial_mwh: 1,
  degradation_cost_usd_per_mwh: 0,
  max_cycles_per_day: null,
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function benchAncillary(): Promise<Record<string, number>> {
  const energy = parsePriceFile(read('DAMLZHBSPP_2015_HB_HOUSTON_derived.csv.gz'), { location: 'HB_HOUSTON', run: 'DA' })
    .flatMap((r) => r.rows)
    .map((r) => ({ interval_start: r.interval_start, price_usd_per_mwh: r.lmp_usd_per_mwh }))
    .sort((a, b) => +a.interval_start - +b.interval_start);
  const asRows = parseAncillaryPriceFile(read('NP4-181-ER_DAMASMCPC_2015.zip')).flatMap((r) => r.rows);
  const products = ANCILLARY_SERVICES.ERCOT.products.filter((p) => ['REGUP', 'REGDN', 'RRS', 'NSPIN'].includes(p.id));
  const byKey = new Map(asRows.map((r) => [`${r.product}|${+r.interval_start}`, r.price_usd_per_mw]));
  const out: Record<string, number> = {};
  const pool = createSolverPool({ size: 2 });
  await pool.ready;
  try {
    for (const model of ['reference', 'default'] as AsModel[]) {
      const times: number[] = [];
      for (let k = 0; k < 200; k++) {
        const day = energy.slice((k % 360) * 24, (k % 360) * 24 + 24);
        const t0 = performance.now();
        const built = buildBatteryAsModel({
          params: BATTERY,
          model,
          prices_usd_per_mwh: day.map((p) => p.price_usd_per_mwh),
          products: products.map((p) => ({ id: p.id, direction: p.direction, prices_usd_per_mw: day.map((d) => byKey.get(`${p.id}|${+d.interval_start}`) ?? 0), deployment_fraction: p.expected_deployment_fraction })),
          interval_hours: 1,
          soc_terminal_min_mwh: 1,
        });
        const r = await pool.solve(built.model);
        times.push(performance.now() - t0);
        if (r.status !== 'optimal') throw new Error(`bench solve ended ${r.status}`);
      }
      out[`battery_as_24h_${model}_ms`] = median(times);
    }
    const base: BacktestConfig = { prices: energy, timezone: 'America/Chicago', battery: BATTERY, strategy: 'persistence', ancillary: { model: 'reference', products, prices: asRows } };
    const wall = async (c: BacktestConfig) => {
      const t0 = performance.now();
      const r = await runBacktest(c, { solve: pool.solve });
      return { ms: performance.now() - t0, r };
    };
    const perfect = await wall({ ...base, strategy: 'perfect', compare: false });
    out.backtest_year_as_perfect_wall_ms = perfect.ms;
    out.backtest_year_as_perfect_net_usd = perfect.r.net_usd;
    const persistence = await wall({ ...base, compare: false });
    out.backtest_year_as_persistence_wall_ms = persistence.ms;
    const both = await wall(base);
    out.backtest_year_as_persistence_with_perfect_wall_ms = both.ms;
    out.backtest_year_as_persistence_capture_rate = both.r.capture_rate ?? NaN;
    const def = await wall({ ...base, ancillary: { ...base.ancillary!, model: 'default' }, compare: false });
    out.backtest_year_as_default_persistence_wall_ms = def.ms;
  } finally {
    await pool.close();
  }
  for (const k of Object.keys(out)) out[k] = Math.round(out[k]! * 1000) / 1000;
  return out;
}
