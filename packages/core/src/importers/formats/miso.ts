import type { PriceRun } from '../../markets/types.js';
import { mdyToYmd, parseNumberCell, splitCsvLine, textLines } from '../csv.js';
import { localStartMs, RowSink } from '../common.js';
import type { PriceParseOptions, PriceParseResult } from '../types.js';

/** MISO's market clock: EST all year. */
const TZ = 'Etc/GMT+5';

interface NodeDay {
  line: number;
  type: string;
  values: Partial<Record<'LMP' | 'MCC' | 'MLC', (number | null | undefined)[]>>;
}

/**
 * MISO `da_expost_lmp` (also `da_exante_lmp`, `rt_lmp_final`/`prelim`): a 4-line preamble
 * (title, `MM/DD/YYYY`, blank, "All Hours-Ending are Eastern Standard Time (EST)"), then
 * `Node,Type,Value,HE 1..HE 24` with one row per node and value (LMP, MCC, MLC). Every day
 * has 24 hours because the clock is fixed EST. Energy = LMP − MCC − MLC (gridstatus).
 */
export function parseMisoExpost(text: string, file: string, opts: PriceParseOptions): Omit<PriceParseResult, 'file'> {
  const sink = new RowSink('miso_expost_lmp', file);
  const lines = textLines(text);
  const headerAt = lines.findIndex((l, i) => i < 12 && /^"?Node"?,"?Type"?,"?Value"?/i.test(l));
  if (headerAt < 0) {
    sink.reject(1, 'no Node,Type,Value,HE 1..HE 24 header in the first lines');
    return sink.result();
  }
  const title = lines[0] ?? '';
  let date: string | undefined;
  for (let i = 0; i < headerAt && !date; i++) date = mdyToYmd(splitCsvLine(lines[i]!)[0] ?? '');
  if (!date) {
    const m = /(\d{4})(\d{2})(\d{2})_/.exec(file);
    if (m) date = `${m[1]}-${m[2]}-${m[3]}`;
  }
  if (!date) {
    sink.reject(2, 'no market date in the preamble (line 2, MM/DD/YYYY) or the file name');
    return sink.result();
  }
  const run: PriceRun = opts.run ?? (/real[- ]?time|rt_lmp/i.test(`${title} ${file}`) ? 'RTH' : 'DA');
  const header = splitCsvLine(lines[headerAt]!);
  const heCols: number[] = [];
  header.forEach((h, i) => {
    const m = /^HE\s*(\d{1,2})$/i.exec(h.trim());
    if (m) heCols[Number(m[1]) - 1] = i;
  });
  if (heCols.length !== 24 || heCols.some((x) => x === undefined)) {
    sink.reject(headerAt + 1, 'header must have HE 1 … HE 24');
    return sink.result();
  }
  const nodes = new Map<string, NodeDay>();
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i]!.replace(/,/g, '').trim() === '') continue;
    const f = splitCsvLine(lines[i]!);
    const node = (f[0] ?? '').trim();
    const value = (f[2] ?? '').trim().toUpperCase();
    if (!node || (value !== 'LMP' && value !== 'MCC' && value !== 'MLC')) {
      sink.reject(line, `expected Node,Type,LMP|MCC|MLC, got ${JSON.stringify(f.slice(0, 3).join(','))}`);
      continue;
    }
    let nd = nodes.get(node);
    if (!nd) {
      nd = { line, type: (f[1] ?? '').trim(), values: {} };
      nodes.set(node, nd);
    }
    if (nd.values[value]) {
      sink.reject(line, `duplicate ${value} row for ${node}`);
      continue;
    }
    nd.values[value] = heCols.map((ci) => parseNumberCell(f[ci]));
    if (value === 'LMP') nd.line = line;
  }
  for (const [node, nd] of nodes) {
    const lmp = nd.values.LMP;
    if (!lmp) {
      sink.reject(nd.line, `${node} has no LMP row`);
      continue;
    }
    const location = sink.location('MISO', node);
    for (let h = 0; h < 24; h++) {
      const v = lmp[h];
      if (v === null || v === undefined) {
        sink.reject(nd.line, `${node} HE ${h + 1}: bad or empty LMP`);
        continue;
      }
      const start = localStartMs(date, h * 60, TZ, false);
      if (typeof start === 'string') {
        sink.reject(nd.line, start);
        break;
      }
      const mcc = nd.values.MCC?.[h] ?? null;
      const mlc = nd.values.MLC?.[h] ?? null;
      const energy = mcc !== null && mlc !== null ? v - mcc - mlc : null;
      sink.push('MISO', location, run, start, start + 3_600_000, v, energy, mcc, mlc, nd.line);
    }
  }
  return sink.result();
}
