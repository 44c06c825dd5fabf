import { DecompressionBudget, gunzipBounded, isGzip } from '../archive.js';
import type { IsoId } from '../../markets/types.js';
import { isEia930DemandHeader, parseEia930DemandForecast } from './eia930.js';
import type { LoadForecastParseResult } from './types.js';

const decoder = new TextDecoder('utf-8');

/**
 * Reads a load-forecast file (plain or gzip) in a format we know; throws a RangeError naming
 * the formats we read otherwise.
 */
export function parseLoadForecastFile(input: { name: string; data: Uint8Array }, opts: { market?: IsoId; column?: string } = {}): LoadForecastParseResult {
  let { name, data } = input;
  if (isGzip(data)) {
    data = gunzipBounded(data, new DecompressionBudget(name, data.length));
    name = name.replace(/\.gz$/i, '');
  }
  const text = decoder.decode(data);
  const header = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : text.length).replace(/^\uFEFF/, '').trim();
  if (isEia930DemandHeader(header) || (opts.column && /^date_time,/.test(header))) return parseEia930DemandForecast(text, name, opts);
  throw new RangeError(`${name}: unknown load-forecast format; we read EIA-930 demand files (date_time, …, forecast demand (MW))`);
}
