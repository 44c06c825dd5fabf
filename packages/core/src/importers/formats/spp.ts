import type { PriceRun } from '../../markets/types.js';
import { headerIndex, splitCsvLine, textLines } from '../csv.js';
import { RowSink, RUN_MINUTES } from '../common.js';
import type { PriceParseOptions, PriceParseResult } from '../types.js';

/**
 * SPP Marketplace `DA-LMP-SL` (and `RTBM-LMP-SL`): `Interval` is the interval END in Central
 * prevailing time; we use `GMTIntervalEnd` (UTC), so DST needs no guessing. Components:
 * MEC energy, MCC congestion, MLC loss. The daily `RTBM-LMP-DAILY-SL` file names its columns
 * `GMT Interval`, `Settlement Location Name` and `PNODE Name` (as gridstatus renames them).
 */
export function parseSppLmpSl(text: string, file: string, opts: PriceParseOptions): Omit<PriceParseResult, 'file'> {
  const sink = new RowSink('spp_lmp_sl', file);
  const lines = textLines(text);
  if (lines.length === 0) return sink.result();
  const col = headerIndex(splitCsvLine(lines[0]!));
  const c = {
    end: Math.max(col('GMTIntervalEnd'), col('GMT Interval')),
    loc: Math.max(col('Settlement Location'), col('Settlement Location Name')),
    lmp: col('LMP'),
    mlc: col('MLC'),
    mcc: col('MCC'),
    mec: col('MEC'),
  };
  if (c.end < 0 || c.loc < 0 || c.lmp < 0) {
    sink.reject(1, 'header lacks GMTIntervalEnd, Settlement Location or LMP');
    return sink.result();
  }
  const run: PriceRun = opts.run ?? (/RTBM/i.test(file) ? 'RT5' : 'DA');
  const len = RUN_MINUTES[run] * 60_000;
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i]!.trim() === '') continue;
    const f = splitCsvLine(lines[i]!);
    const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec((f[c.end] ?? '').trim());
    if (!m) {
      sink.reject(line, `bad GMTIntervalEnd ${JSON.stringify(f[c.end] ?? '')}`);
      continue;
    }
    const end = Date.UTC(+m[3]!, +m[1]! - 1, +m[2]!, +m[4]!, +m[5]!, +(m[6] ?? 0));
    const loc = (f[c.loc] ?? '').trim();
    sink.pushCells(line, f, { lmp: c.lmp, energy: c.mec, congestion: c.mcc, loss: c.mlc }, 'SPP', sink.location('SPP', loc), run, end - len, end);
  }
  return sink.result();
}
