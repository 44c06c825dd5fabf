import type { PriceRun } from '../../markets/types.js';
import { headerIndex, parseUsDateTime12, parseUtcTimestamp, splitCsvLine, textLines } from '../csv.js';
import { RowSink, RUN_MINUTES } from '../common.js';
import type { PriceParseOptions, PriceParseResult } from '../types.js';

/**
 * PJM Data Miner 2 `da_hrl_lmps` / `rt_hrl_lmps` (and `rt_fivemin_hrl_lmps`) CSV export.
 * Uses `datetime_beginning_utc`, so no DST handling is needed. Only `row_is_current=True`
 * rows are taken: superseded versions are rejected with that reason.
 */
export function parsePjmHrlLmps(text: string, file: string, opts: PriceParseOptions): Omit<PriceParseResult, 'file'> {
  const sink = new RowSink('pjm_hrl_lmps', file);
  const lines = textLines(text);
  if (lines.length === 0) return sink.result();
  const header = splitCsvLine(lines[0]!);
  const col = headerIndex(header);
  const suffix = col('total_lmp_da') >= 0 ? 'da' : 'rt';
  const c = {
    start: col('datetime_beginning_utc'),
    id: col('pnode_id'),
    name: col('pnode_name'),
    lmp: col(`total_lmp_${suffix}`),
    energy: col(`system_energy_price_${suffix}`),
    congestion: col(`congestion_price_${suffix}`),
    loss: col(`marginal_loss_price_${suffix}`),
    current: col('row_is_current'),
  };
  if (c.start < 0 || c.lmp < 0 || (c.id < 0 && c.name < 0)) {
    sink.reject(1, 'header lacks datetime_beginning_utc, pnode_id/pnode_name or total_lmp_da/total_lmp_rt');
    return sink.result();
  }
  const run: PriceRun = opts.run ?? (suffix === 'da' ? 'DA' : /fivemin|5min/i.test(file) ? 'RT5' : 'RTH');
  const len = RUN_MINUTES[run] * 60_000;
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i]!.trim() === '') continue;
    const f = splitCsvLine(lines[i]!);
    if (c.current >= 0 && (f[c.current] ?? '').trim().toLowerCase() === 'false') {
      sink.reject(line, 'superseded version (row_is_current=False)');
      continue;
    }
    const raw = f[c.start] ?? '';
    const us = parseUsDateTime12(raw);
    const start = us ? Date.UTC(+us.date.slice(0, 4), +us.date.slice(5, 7) - 1, +us.date.slice(8, 10)) + us.minutes * 60_000 : parseUtcTimestamp(raw)?.getTime();
    if (start === undefined || !Number.isFinite(start)) {
      sink.reject(line, `bad datetime_beginning_utc ${JSON.stringify(raw)}`);
      continue;
    }
    const id = c.id >= 0 ? (f[c.id] ?? '').trim() : '';
    const name = c.name >= 0 ? (f[c.name] ?? '').trim() : '';
    const byId = id ? sink.location('PJM', id) : '';
    const location = byId && byId !== id ? byId : name ? sink.location('PJM', name) : id;
    sink.pushCells(line, f, c, 'PJM', location, run, start, start + len);
  }
  return sink.result();
}
