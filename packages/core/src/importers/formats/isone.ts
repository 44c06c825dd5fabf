import type { PriceRun } from '../../markets/types.js';
import { headerIndex, mdyToYmd, splitCsvLine, textLines } from '../csv.js';
import { localStartMs, parseHourEnding, RowSink } from '../common.js';
import type { PriceParseOptions, PriceParseResult } from '../types.js';

const TZ = 'America/New_York';

/**
 * ISO-NE hourly LMP reports (`WW_DALMP_ISO_YYYYMMDD.csv`, and the RT hourly equivalent):
 * the first field of each record is C (comment), H (header: names, then types), D (data) or
 * T (trailer). `Hour Ending` is Eastern prevailing time; on the fall-back day the repeated
 * hour is labelled `02X`, and on the spring-forward day `03` is absent.
 */
export function parseIsoneHourly(text: string, file: string, opts: PriceParseOptions): Omit<PriceParseResult, 'file'> {
  const sink = new RowSink('isone_hourly_lmp', file);
  const lines = textLines(text);
  let col: ((n: string) => number) | undefined;
  let run: PriceRun | undefined = opts.run;
  let c = { date: -1, he: -1, id: -1, name: -1, lmp: -1, energy: -1, congestion: -1, loss: -1 };
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i]!.trim() === '') continue;
    const f = splitCsvLine(lines[i]!);
    const kind = (f[0] ?? '').trim().toUpperCase();
    if (kind === 'C') {
      if (!run && /day-ahead/i.test(f[1] ?? '')) run = 'DA';
      else if (!run && /real-time/i.test(f[1] ?? '')) run = 'RTH';
      continue;
    }
    if (kind === 'T') continue;
    if (kind === 'H') {
      if (!col) {
        col = headerIndex(f);
        c = {
          date: col('Date'),
          he: col('Hour Ending'),
          id: col('Location ID'),
          name: col('Location Name'),
          lmp: col('Locational Marginal Price'),
          energy: col('Energy Component'),
          congestion: col('Congestion Component'),
          loss: col('Marginal Loss Component'),
        };
        if (c.date < 0 || c.he < 0 || c.lmp < 0 || (c.id < 0 && c.name < 0)) {
          sink.reject(line, 'H record lacks Date, Hour Ending, Location or Locational Marginal Price');
          return sink.result();
        }
      }
      continue;
    }
    if (kind !== 'D') {
      sink.reject(line, `unknown record type ${JSON.stringify(f[0] ?? '')}`);
      continue;
    }
    if (!col) {
      sink.reject(line, 'D record before the H header record');
      continue;
    }
    const date = mdyToYmd(f[c.date] ?? '');
    const he = parseHourEnding(f[c.he] ?? '');
    if (!date || !he) {
      sink.reject(line, `bad date/hour ending ${JSON.stringify(`${f[c.date]} ${f[c.he]}`)}`);
      continue;
    }
    const start = localStartMs(date, he.startMinutes, TZ, he.repeated);
    if (typeof start === 'string') {
      sink.reject(line, start);
      continue;
    }
    const name = c.name >= 0 ? (f[c.name] ?? '').trim() : '';
    const id = c.id >= 0 ? (f[c.id] ?? '').trim() : '';
    const location = name ? sink.location('ISONE', name) : sink.location('ISONE', id);
    sink.pushCells(line, f, c, 'ISONE', location, run ?? 'DA', start, start + 3_600_000);
  }
  return sink.result();
}
