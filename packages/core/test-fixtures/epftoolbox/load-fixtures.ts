// Test-only loader for the epftoolbox fixtures (reads files: never import from src/ product code).
import { readFileSync } from 'node:fs';
import { gunzipSync, strFromU8 } from 'fflate';
import { forecastDatasetFromHourly } from '../../src/forecasting/dataset.js';
import type { ForecastDataset } from '../../src/forecasting/types.js';

const dir = new URL('./', import.meta.url);

function readGzCsv(name: string): string[][] {
  const text = strFromU8(gunzipSync(readFileSync(new URL(name, dir))));
  return text.trim().split('\n').map((l) => l.split(','));
}

export type EpfMarket = 'NP' | 'BE' | 'FR';

export const EPF_TEST_PERIODS: Record<EpfMarket, { start: string; end: string }> = {
  NP: { start: '2016-12-27', end: '2018-12-24' },
  BE: { start: '2015-01-04', end: '2016-12-31' },
  FR: { start: '2015-01-04', end: '2016-12-31' },
};

export function loadEpfDataset(market: EpfMarket): ForecastDataset {
  const [header, ...rows] = readGzCsv(`${market}.csv.gz`);
  return forecastDatasetFromHourly(
    rows.map((r) => r[0]!),
    rows.map((r) => Number(r[1])),
    [rows.map((r) => Number(r[2])), rows.map((r) => Number(r[3]))],
    header!.slice(2).map((h) => h.trim()),
  );
}

/** Published forecasts: column name -> day-major values over the test period. */
export function loadEpfPublished(market: EpfMarket): { timestamps: string[]; columns: Record<string, Float64Array> } {
  const [header, ...rows] = readGzCsv(`Forecasts_${market}_DNN_LEAR_ensembles.csv.gz`);
  const columns: Record<string, Float64Array> = {};
  header!.forEach((h, i) => { if (i > 0) columns[h] = Float64Array.from(rows, (r) => Number(r[i])); });
  return { timestamps: rows.map((r) => r[0]!), columns };
}
