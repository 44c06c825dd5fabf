/**
 * EIA-930 hourly demand files as cleaned by Ruggles & Farnham ("EIA Cleaned Hourly
 * Electricity Demand Data", Zenodo doi 10.5281/zenodo.3517197, CC BY 4.0): one file per
 * balancing authority with `date_time` (UTC, hour ending), raw/cleaned demand and the
 * ISO's own day-ahead demand forecast (`forecast demand (MW)`).
 */
import { splitCsvLine, textLines } from '../csv.js';
import type { IsoId } from '../../markets/types.js';
import { addDaysYmd, localDateOf, zonedLocalToUtc } from '../../time/zoned.js';
import { getMarket } from '../../markets/catalogue.js';
import type { LoadForecastParseResult, LoadForecastRow } from './types.js';

/** EIA-930 balancing-authority codes of the seven ISOs. */
export const EIA930_BA_TO_ISO: Readonly<Record<string, IsoId>> = {
  CISO: 'CAISO',
  ERCO: 'ERCOT',
  ISNE: 'ISONE',
  MISO: 'MISO',
  NYIS: 'NYISO',
  PJM: 'PJM',
  SWPP: 'SPP',
};

export const EIA930_FORECAST_COLUMN = 'forecast demand (MW)';
const HOUR_MS = 3_600_000;

/**
 * The EIA files carry no publication time. We assume a delivery day's forecast is known at
 * 06:00 market time on the day before: every ISO publishes its day-ahead load forecast before
 * its day-ahead gate closure, so 06:00 is a conservative bound for every gate at or after it.
 * NYISO's gate (05:00 ET) is earlier; NYISO posts its forecast the evening before, so for
 * NYISO we assume 04:00, an hour before its gate and still hours after the real posting.
 */
export const EIA930_ASSUMED_PUBLICATION_LOCAL_TIME = '06:00';
const ASSUMED_PUBLICATION_BY_MARKET: Partial<Record<string, string>> = { NYISO: '04:00' };

/** The assumed local publication time (day before delivery) of a market's EIA-930 forecast. */
export function eia930AssumedPublicationLocalTime(market: string): string {
  return ASSUMED_PUBLICATION_BY_MARKET[market] ?? EIA930_ASSUMED_PUBLICATION_LOCAL_TIME;
}

/** Whether a header line is an EIA-930 cleaned-demand file. */
export function isEia930DemandHeader(header: string): boolean {
  return /^date_time,/.test(header) && header.includes(EIA930_FORECAST_COLUMN);
}

/** The ISO of a file named after its balancing authority (`NYIS.csv`, `ERCO.csv.gz`). */
export function eia930MarketFromFileName(file: string): IsoId | undefined {
  const base = file.split('/').pop() ?? file;
  const m = /^([A-Z]{3,4})(?:[._-]|$)/.exec(base);
  return m ? EIA930_BA_TO_ISO[m[1]!] : undefined;
}

/**
 * Reads the forecast column (or `column`) of an EIA-930 demand file. A blank, non-numeric or
 * zero forecast is missing data (the first day of every file reports 0), never a forecast of
 * zero MW: such hours are rejected with their line. `date_time` labels the hour by its end.
 */
export function parseEia930DemandForecast(text: string, file: string, opts: { market?: IsoId; column?: string } = {}): LoadForecastParseResult {
  const market = opts.market ?? eia930MarketFromFileName(file);
  if (!market) throw new RangeError(`${file}: cannot tell the ISO from the file name; name the market (CISO, ERCO, ISNE, MISO, NYIS, PJM or SWPP)`);
  const column = opts.column ?? EIA930_FORECAST_COLUMN;
  const lines = textLines(text);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const ti = header.indexOf('date_time');
  const vi = header.indexOf(column);
  if (ti < 0 || vi < 0) throw new RangeError(`${file}: expected columns "date_time" and "${column}"`);
  const tz = getMarket(market).timezone;
  const area = Object.entries(EIA930_BA_TO_ISO).find(([, iso]) => iso === market)![0];
  const rows: LoadForecastRow[] = [];
  const rejections: { line: number; reason: string }[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const rec = splitCsvLine(lines[i]!);
    const line = i + 1;
    const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(rec[ti] ?? '');
    if (!m) {
      rejections.push({ line, reason: `bad date_time "${rec[ti] ?? ''}"` });
      continue;
    }
    const end = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    const raw = (rec[vi] ?? '').trim();
    const mw = Number(raw);
    if (raw === '' || !Number.isFinite(mw) || mw <= 0) {
      rejections.push({ line, reason: raw === '' ? 'forecast missing (blank)' : `forecast missing (${raw})` });
      continue;
    }
    const start = new Date(end - HOUR_MS);
    const day = localDateOf(start, tz);
    rows.push({
      market,
      area,
      interval_start: start,
      interval_end: new Date(end),
      load_forecast_mw: mw,
      published_at: zonedLocalToUtc(addDaysYmd(day, -1), eia930AssumedPublicationLocalTime(market), tz),
      source: `eia930_demand:${file.split('/').pop()}`,
    });
  }
  return { format: 'eia930_demand', file, rows, rejections };
}
