import { addDaysYmd } from '../time/zoned.js';
import type { ForecastDataset } from './types.js';

export class ForecastDataError extends Error {}

/**
 * Builds a dataset from parsed hourly columns in local market time (the epftoolbox
 * CSV layout: `YYYY-MM-DD HH:MM[:SS]` hour-beginning, exactly 24 rows per day,
 * consecutive days). Rows must be in time order.
 */
export function forecastDatasetFromHourly(
  local_timestamps: string[],
  prices: ArrayLike<number>,
  exogenous: ArrayLike<number>[] = [],
  exogenous_names: string[] = exogenous.map((_, i) => `exogenous_${i + 1}`),
): ForecastDataset {
  const n = local_timestamps.length;
  if (n % 24 !== 0) throw new ForecastDataError(`hourly series has ${n} rows, not a multiple of 24`);
  if (prices.length !== n || exogenous.some((e) => e.length !== n)) throw new ForecastDataError('column lengths differ');
  const dates: string[] = [];
  for (let d = 0; d < n / 24; d++) {
    const date = local_timestamps[d * 24]!.slice(0, 10);
    for (let h = 0; h < 24; h++) {
      const ts = local_timestamps[d * 24 + h]!;
      if (ts.slice(0, 10) !== date || Number(ts.slice(11, 13)) !== h) {
        throw new ForecastDataError(`row ${d * 24 + h} (${ts}) is not hour ${h} of ${date}`);
      }
    }
    if (d > 0 && addDaysYmd(dates[d - 1]!, 1) !== date) throw new ForecastDataError(`days not consecutive at ${date}`);
    dates.push(date);
  }
  return {
    dates,
    prices: Float64Array.from(prices),
    exogenous: exogenous.map((e) => Float64Array.from(e)),
    exogenous_names,
  };
}

/** One row of our tidy price CSV: UTC hour start, price, optional exogenous values. */
export interface ForecastTidyRow {
  interval_start_utc: string | Date;
  price: number;
  exogenous?: number[];
}

/**
 * Builds a dataset from tidy UTC hourly rows of ONE location, converting to local
 * market days in `time_zone` (IANA). As the epftoolbox datasets do, a 25-hour day
 * averages its two values of the repeated hour and a 23-hour day gets the missing hour
 * linearly interpolated. Partial first/last days are dropped; a gap inside is an error.
 */
export function forecastDatasetFromTidyRows(
  rows: ForecastTidyRow[],
  time_zone = 'UTC',
  exogenous_names: string[] = [],
): ForecastDataset {
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone: time_zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23',
  });
  const nExo = exogenous_names.length || (rows[0]?.exogenous?.length ?? 0);
  const names = exogenous_names.length ? exogenous_names : Array.from({ length: nExo }, (_, i) => `exogenous_${i + 1}`);
  // date -> hour -> list of value vectors [price, ...exo]
  const byDay = new Map<string, number[][][]>();
  const sorted = [...rows].sort((a, b) => +new Date(a.interval_start_utc) - +new Date(b.interval_start_utc));
  for (const r of sorted) {
    const parts = Object.fromEntries(fmt.formatToParts(new Date(r.interval_start_utc)).map((p) => [p.type, p.value]));
    const date = `${parts.year}-${parts.month}-${parts.day}`;
    const hour = Number(parts.hour);
    let day = byDay.get(date);
    if (!day) byDay.set(date, (day = Array.from({ length: 24 }, () => [])));
    day[hour]!.push([r.price, ...(r.exogenous ?? []).slice(0, nExo)]);
  }
  const allDates = [...byDay.keys()].sort();
  const complete = (d: string) => byDay.get(d)!.filter((h) => h.length > 0).length >= 23;
  while (allDates.length && !complete(allDates[0]!)) allDates.shift();
  while (allDates.length && !complete(allDates[allDates.length - 1]!)) allDates.pop();
  const nDays = allDates.length;
  const prices = new Float64Array(nDays * 24);
  const exo = Array.from({ length: nExo }, () => new Float64Array(nDays * 24));
  allDates.forEach((date, d) => {
    if (d > 0 && addDaysYmd(allDates[d - 1]!, 1) !== date) throw new ForecastDataError(`missing day(s) before ${date}`);
    const hours = byDay.get(date)!;
    const vec = hours.map((vals) => (vals.length ? meanVectors(vals, nExo + 1) : null));
    for (let h = 0; h < 24; h++) {
      let v = vec[h];
      if (!v) {
        const prev = vec[h - 1], next = vec[h + 1];
        if (!prev || !next) throw new ForecastDataError(`${date}: hour ${h} missing and cannot be interpolated`);
        v = prev.map((x, i) => (x + next[i]!) / 2);
      }
      prices[d * 24 + h] = v[0]!;
      for (let k = 0; k < nExo; k++) exo[k]![d * 24 + h] = v[k + 1]!;
    }
  });
  return { dates: allDates, prices, exogenous: exo, exogenous_names: names };
}

function meanVectors(vals: number[][], len: number): number[] {
  const out = new Array<number>(len).fill(0);
  for (const v of vals) for (let i = 0; i < len; i++) out[i]! += (v[i] ?? NaN) / vals.length;
  return out;
}

/** Index of `date` in the dataset, or -1. */
export function forecastDayIndex(data: ForecastDataset, date: string): number {
  const first = data.dates[0];
  if (!first) return -1;
  const idx = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86_400_000);
  return idx >= 0 && idx < data.dates.length && data.dates[idx] === date ? idx : -1;
}
