import { findLocation, getMarket } from '../../markets/catalogue.js';
import { parseNumberCell, splitCsvLine, textLines } from '../csv.js';
import { localStartMs, RowSink } from '../common.js';
import type { PriceParseOptions, PriceParseResult } from '../types.js';

/**
 * epftoolbox benchmark CSV (Lago et al. 2021): `Date` (or a blank index name), the price, then
 * exogenous forecasts; one row per hour, hour beginning, local market time, and always 24
 * rows a day: the dataset averages the two fall-back hours and interpolates the missing
 * spring-forward hour. The files are not tied to one of our ISOs (NP, BE, FR, DE are
 * European; PJM is the COMED zone), so the caller must name market and location.
 *
 * DST: the interpolated spring-forward row (a wall time that does not exist) is rejected; the
 * averaged fall-back row is stored for both real hours (the dataset's value for each), so the
 * day has 25 intervals like every other import.
 */
export function parseEpftoolbox(text: string, file: string, opts: PriceParseOptions): Omit<PriceParseResult, 'file'> {
  const sink = new RowSink('epftoolbox', file);
  const lines = textLines(text);
  if (!opts.market || !opts.location) {
    sink.reject(
      1,
      'epftoolbox files are not tied to a US ISO (NP, BE, FR, DE are European markets; PJM.csv is the COMED zone): pass market and location, e.g. --market PJM --location COMED',
    );
    return sink.result();
  }
  const market = opts.market;
  const tz = getMarket(market).timezone;
  const location = findLocation(market, opts.location)?.id ?? opts.location.trim();
  const run = opts.run ?? 'DA';
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i]!.trim() === '') continue;
    const f = splitCsvLine(lines[i]!);
    const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::\d{2})?$/.exec((f[0] ?? '').trim());
    if (!m) {
      sink.reject(line, `bad timestamp ${JSON.stringify(f[0] ?? '')}`);
      continue;
    }
    const price = parseNumberCell(f[1]);
    if (price === null || price === undefined) {
      sink.reject(line, `bad price ${JSON.stringify(f[1] ?? '')}`);
      continue;
    }
    const minutes = Number(m[2]) * 60 + Number(m[3]);
    const first = localStartMs(m[1]!, minutes, tz, false);
    if (typeof first === 'string') {
      sink.reject(line, `${first}: the dataset interpolated this hour`);
      continue;
    }
    sink.push(market, location, run, first, first + 3_600_000, price, null, null, null, line);
    const second = localStartMs(m[1]!, minutes, tz, true);
    if (typeof second === 'number') sink.push(market, location, run, second, second + 3_600_000, price, null, null, null, line);
  }
  return sink.result();
}
