/**
 * Test helpers: the ERCOT 2015 fixtures (test-fixtures/ercot-2015, see its
 * README) read through the importers, and the issue-14 battery: 1 MW / 2 MWh,
 * η = √0.85 each way, 1 MWh stored at the start.
 */
import { readFileSync } from 'node:fs';
import type { BatteryParams } from '../../src/optimization/asset-params.js';
import { parsePriceFile } from '../../src/importers/parse-file.js';
import { parseAncillaryPriceFile } from '../../src/importers/ancillary-prices.js';
import type { BacktestPricePoint } from '../../src/backtest/price-series.js';

const DIR = new URL('./', import.meta.url);

export function readFixtureFile(name: string): { name: string; data: Uint8Array } {
  return { name, data: new Uint8Array(readFileSync(new URL(name, DIR))) };
}

export function ercotHoustonDa2015(): BacktestPricePoint[] {
  const rows = parsePriceFile(readFixtureFile('DAMLZHBSPP_2015_HB_HOUSTON_derived.csv.gz'), { location: 'HB_HOUSTON', run: 'DA' }).flatMap((r) => r.rows);
  return rows.filter((r) => r.location === 'HB_HOUSTON' && r.run === 'DA').map((r) => ({ interval_start: r.interval_start, price_usd_per_mwh: r.lmp_usd_per_mwh }));
}

export const issue14Battery: BatteryParams = {
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

/** The NP4-181-ER 2015 clearing prices (REGDN, REGUP, RRS, NSPIN) as importer rows. */
export function ercotAsPrices2015() {
  const [r] = parseAncillaryPriceFile(readFixtureFile('NP4-181-ER_DAMASMCPC_2015.zip'));
  return r!.rows;
}
