import type { PriceRun } from '../../markets/types.js';
import { headerIndex, parseNumberCell, splitCsvLine, textLines } from '../csv.js';
import { FoldTracker, localStartMs, RowSink } from '../common.js';
import type { PriceParseOptions, PriceParseResult } from '../types.js';

const TZ = 'America/New_York';

/**
 * NYISO zonal LBMP (`damlbmp_zone`, hourly `rtlbmp_zone`): `Time Stamp` is hour beginning in
 * Eastern prevailing time with no DST flag; the fall-back hour's label appears twice per zone,
 * the second being the later (EST) hour.
 *
 * NYISO publishes LBMP = energy + losses − congestion. We store gridstatus's convention,
 * congestion = −(NYISO congestion) and energy = LMP − loss − congestion, so that for every
 * market LMP = energy + congestion + loss.
 */
export function parseNyisoZone(text: string, file: string, opts: PriceParseOptions): Omit<PriceParseResult, 'file'> {
  const sink = new RowSink('nyiso_lbmp_zone', file);
  const lines = textLines(text);
  if (lines.length === 0) return sink.result();
  const col = headerIndex(splitCsvLine(lines[0]!));
  const c = {
    ts: col('Time Stamp'),
    name: col('Name'),
    lbmp: col('LBMP ($/MWHr)'),
    loss: col('Marginal Cost Losses ($/MWHr)'),
    cong: col('Marginal Cost Congestion ($/MWHr)'),
  };
  if (c.ts < 0 || c.name < 0 || c.lbmp < 0) {
    sink.reject(1, 'header lacks Time Stamp, Name or LBMP ($/MWHr)');
    return sink.result();
  }
  const run: PriceRun = opts.run ?? (/rtlbmp/i.test(file) ? 'RTH' : 'DA');
  const folds = new FoldTracker();
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i]!.trim() === '') continue;
    const f = splitCsvLine(lines[i]!);
    const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})(?::\d{2})?$/.exec((f[c.ts] ?? '').trim());
    if (!m) {
      sink.reject(line, `bad Time Stamp ${JSON.stringify(f[c.ts] ?? '')}`);
      continue;
    }
    const date = `${m[3]}-${m[1]}-${m[2]}`;
    const minutes = Number(m[4]) * 60 + Number(m[5]);
    const name = (f[c.name] ?? '').trim();
    const occurrence = folds.next(`${name}|${date}|${minutes}`);
    if (occurrence > 1) {
      sink.reject(line, `duplicate row for ${name} at ${f[c.ts]}`);
      continue;
    }
    const start = localStartMs(date, minutes, TZ, occurrence === 1);
    if (typeof start === 'string') {
      sink.reject(line, occurrence === 1 ? `duplicate row for ${name} at ${f[c.ts]}` : start);
      continue;
    }
    const lmp = parseNumberCell(f[c.lbmp]);
    if (lmp === null || lmp === undefined) {
      sink.reject(line, `bad LBMP ${JSON.stringify(f[c.lbmp] ?? '')}`);
      continue;
    }
    const loss = c.loss >= 0 ? (parseNumberCell(f[c.loss]) ?? null) : null;
    const nyCong = c.cong >= 0 ? (parseNumberCell(f[c.cong]) ?? null) : null;
    const congestion = nyCong === null ? null : nyCong === 0 ? 0 : -nyCong;
    const energy = loss !== null && congestion !== null ? lmp - loss - congestion : null;
    sink.push('NYISO', sink.location('NYISO', name), run, start, start + 3_600_000, lmp, energy, congestion, loss, line);
  }
  return sink.result();
}
