/**
 * Shared by the CLI commands that read price history (`forecast evaluate`, `backtest`):
 * `--data <file or folder>` (repeatable) read by the importers, one `--location` and
 * `--run`, and `--exogenous-file <file>[:<column>]` (repeatable) aligned on the price hours.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  EIA930_FORECAST_COLUMN,
  forecastDatasetFromTidyRows,
  getMarket,
  parseLoadForecastFile,
  parsePriceFile,
  type ForecastDataset,
  type IsoId,
  type NormalizedPriceRow,
  type PriceRun,
} from '@optibid/core';
import { CliUsageError } from './args.js';

/** Files under the given paths, folders walked in name order (README and dot files skipped). */
export function collectDataFiles(inputs: string[]): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new CliUsageError(`no such file or folder: ${input}`);
    if (fs.statSync(input).isDirectory()) {
      for (const entry of fs.readdirSync(input).sort()) {
        if (/^readme/i.test(entry) || entry.startsWith('.')) continue;
        out.push(...collectDataFiles([path.join(input, entry)]));
      }
    } else out.push(input);
  }
  return out;
}

/** `file[:column]`; a colon is a column separator only when what precedes it is an existing file. */
export function parseExogenousSpec(spec: string): { file: string; column?: string } {
  const i = spec.lastIndexOf(':');
  if (i > 0 && fs.existsSync(spec.slice(0, i)) && !fs.existsSync(spec)) return { file: spec.slice(0, i), column: spec.slice(i + 1) };
  return { file: spec };
}

export interface PriceSeries {
  market: IsoId;
  location: string;
  run: PriceRun;
  rows: NormalizedPriceRow[];
  files: number;
}

/** Reads the price rows of one location and run from any files the importers read. */
export function readPriceSeries(inputs: string[], opts: { location?: string; run?: PriceRun }): PriceSeries {
  const files = collectDataFiles(inputs);
  if (files.length === 0) throw new CliUsageError('no data files found');
  let rows: NormalizedPriceRow[] = [];
  for (const f of files) {
    try {
      for (const r of parsePriceFile({ name: path.basename(f), data: new Uint8Array(fs.readFileSync(f)) })) rows.push(...r.rows);
    } catch (err) {
      throw new CliUsageError(`${f}: ${(err as Error).message.slice(0, 300)}`);
    }
  }
  const runs = [...new Set(rows.map((r) => r.run))];
  const run = opts.run ?? (runs.includes('DA') ? 'DA' : runs.length === 1 ? runs[0]! : undefined);
  if (!run) throw new CliUsageError(`the data holds runs ${runs.join(', ')}: pick one with --run`);
  rows = rows.filter((r) => r.run === run);
  const locations = [...new Set(rows.map((r) => r.location))];
  if (!opts.location && locations.length > 1) throw new CliUsageError(`the data has ${locations.length} locations: pick one with --location (${locations.slice(0, 8).join(', ')}${locations.length > 8 ? ', …' : ''})`);
  const location = opts.location ?? locations[0];
  rows = rows.filter((r) => r.location === location);
  if (rows.length === 0) throw new CliUsageError(`no ${run} rows for location ${location ?? '(none)'}; locations: ${locations.slice(0, 8).join(', ')}`);
  const markets = [...new Set(rows.map((r) => r.market))];
  if (markets.length > 1) throw new CliUsageError(`the data mixes markets ${markets.join(', ')}`);
  return { market: markets[0]!, location: location!, run, rows, files: files.length };
}

const HOUR_MS = 3_600_000;

/**
 * A forecast dataset of hourly prices with exogenous forecast columns. The prices are cut to
 * the hours the exogenous files cover. A missing forecast hour (EIA-930 reports some as 0 or
 * MISSING) takes the same hour of the nearest earlier day that has one (at most 7 days back),
 * never zero; an hour still without one is dropped, which the dataset builder then reports.
 */
export function priceDatasetWithExogenous(series: PriceSeries, exogenousSpecs: string[]): { dataset: ForecastDataset; filled_hours: number } {
  if (series.run !== 'DA' && series.run !== 'RTH') throw new CliUsageError(`day-ahead forecasting needs hourly prices; ${series.run} is not hourly`);
  const tz = getMarket(series.market).timezone;
  const columns = exogenousSpecs.map((spec) => {
    const { file, column } = parseExogenousSpec(spec);
    if (!fs.existsSync(file)) throw new CliUsageError(`no such file: ${file}`);
    let parsed;
    try {
      parsed = parseLoadForecastFile({ name: path.basename(file), data: new Uint8Array(fs.readFileSync(file)) }, { column });
    } catch (err) {
      throw new CliUsageError((err as Error).message);
    }
    const byStart = new Map(parsed.rows.map((r) => [r.interval_start.getTime(), r.load_forecast_mw]));
    const times = [...byStart.keys()];
    return { name: `${path.basename(file).replace(/\.csv(\.gz)?$/i, '')} ${column ?? EIA930_FORECAST_COLUMN}`, byStart, first: Math.min(...times), last: Math.max(...times) };
  });
  let filled = 0;
  const tidy = [];
  for (const r of series.rows) {
    const t = r.interval_start.getTime();
    if (columns.some((c) => t < c.first || t > c.last)) continue;
    const exo: number[] = [];
    for (const c of columns) {
      let v = c.byStart.get(t);
      for (let back = 1; v === undefined && back <= 7; back++) v = c.byStart.get(t - back * 24 * HOUR_MS);
      if (v === undefined) break;
      if (!c.byStart.has(t)) filled++;
      exo.push(v);
    }
    if (exo.length === columns.length) tidy.push({ interval_start_utc: r.interval_start, price: r.lmp_usd_per_mwh, exogenous: exo });
  }
  if (tidy.length === 0) throw new CliUsageError('the exogenous files cover none of the price hours');
  return { dataset: forecastDatasetFromTidyRows(tidy, tz, columns.map((c) => c.name)), filled_hours: filled };
}
