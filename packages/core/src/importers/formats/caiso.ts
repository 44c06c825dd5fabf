import type { PriceRun } from '../../markets/types.js';
import { headerIndex, parseNumberCell, parseUtcTimestamp, splitCsvLine, textLines } from '../csv.js';
import { RowSink } from '../common.js';
import type { PriceParseOptions, PriceParseResult } from '../types.js';

const RUNS: Record<string, PriceRun> = { DAM: 'DA', RTM: 'RT5', RTPD: 'RT15', HASP: 'RT15' };

interface Pending {
  line: number;
  node: string;
  run: PriceRun;
  start: number;
  end: number;
  parts: Partial<Record<'LMP' | 'MCE' | 'MCC' | 'MCL', number>>;
}

/**
 * CAISO OASIS `PRC_LMP` (DAM), `PRC_INTVL_LMP` (RTM, 5 min) and `PRC_RTPD_LMP` (RTPD, 15
 * min) CSV: long format, one row per (interval, node, LMP_TYPE ∈ LMP/MCE/MCC/MCL/MGHG); the
 * value column is `MW`, `VALUE` or `PRC`. Times are GMT. Rows are pivoted on LMP_TYPE;
 * MGHG (greenhouse-gas component) is not stored.
 */
export function parseCaisoOasis(text: string, file: string, opts: PriceParseOptions): Omit<PriceParseResult, 'file'> {
  const sink = new RowSink('caiso_oasis_lmp', file);
  const lines = textLines(text);
  if (lines.length === 0) return sink.result();
  const col = headerIndex(splitCsvLine(lines[0]!));
  const c = {
    start: col('INTERVALSTARTTIME_GMT'),
    end: col('INTERVALENDTIME_GMT'),
    node: col('NODE') >= 0 ? col('NODE') : col('NODE_ID'),
    run: col('MARKET_RUN_ID'),
    type: col('LMP_TYPE'),
    value: [col('MW'), col('VALUE'), col('PRC')].find((i) => i >= 0) ?? -1,
  };
  if (c.start < 0 || c.end < 0 || c.node < 0 || c.type < 0 || c.value < 0) {
    sink.reject(1, 'header lacks INTERVALSTARTTIME_GMT, INTERVALENDTIME_GMT, NODE, LMP_TYPE or a MW/VALUE/PRC column');
    return sink.result();
  }
  const pending = new Map<string, Pending>();
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i]!.trim() === '') continue;
    const f = splitCsvLine(lines[i]!);
    const type = (f[c.type] ?? '').trim().toUpperCase();
    if (type === 'MGHG') continue;
    if (type !== 'LMP' && type !== 'MCE' && type !== 'MCC' && type !== 'MCL') {
      sink.reject(line, `unknown LMP_TYPE ${JSON.stringify(f[c.type] ?? '')}`);
      continue;
    }
    const start = parseUtcTimestamp(f[c.start] ?? '');
    const end = parseUtcTimestamp(f[c.end] ?? '');
    if (!start || !end || end <= start) {
      sink.reject(line, `bad interval ${JSON.stringify(`${f[c.start]} – ${f[c.end]}`)}`);
      continue;
    }
    const runId = c.run >= 0 ? (f[c.run] ?? '').trim().toUpperCase() : '';
    const run = opts.run ?? RUNS[runId];
    if (!run) {
      sink.reject(line, `unknown MARKET_RUN_ID ${JSON.stringify(runId)}`);
      continue;
    }
    const v = parseNumberCell(f[c.value]);
    if (v === null || v === undefined) {
      sink.reject(line, `bad ${type} value ${JSON.stringify(f[c.value] ?? '')}`);
      continue;
    }
    const node = (f[c.node] ?? '').trim();
    const key = `${node}|${run}|${start.getTime()}`;
    let p = pending.get(key);
    if (!p) {
      p = { line, node, run, start: start.getTime(), end: end.getTime(), parts: {} };
      pending.set(key, p);
    }
    if (p.parts[type] !== undefined) {
      sink.reject(line, `duplicate ${type} for ${node} at ${start.toISOString()}`);
      continue;
    }
    p.parts[type] = v;
  }
  const sorted = [...pending.values()].sort((a, b) => a.line - b.line);
  for (const p of sorted) {
    if (p.parts.LMP === undefined) {
      sink.reject(p.line, `${p.node} at ${new Date(p.start).toISOString()} has components but no LMP row`);
      continue;
    }
    sink.push('CAISO', sink.location('CAISO', p.node), p.run, p.start, p.end, p.parts.LMP, p.parts.MCE ?? null, p.parts.MCC ?? null, p.parts.MCL ?? null, p.line);
  }
  return sink.result();
}
