import { findLocation, parseIsoId } from '../../markets/catalogue.js';
import type { IsoId, PriceRun } from '../../markets/types.js';
import { parseNumberCell, parseUtcTimestamp, splitCsvLine, textLines } from '../csv.js';
import { numberCellOrNull, RowSink } from '../common.js';
import type { PriceParseOptions, PriceParseResult } from '../types.js';

interface LocColumns {
  name: string;
  location?: string;
  lmp: number;
  congestion: number;
  energy: number;
  loss: number;
}

/**
 * EIA "Wholesale Electricity Market Data" files: 3 title lines (the third says "Source: EIA
 * collected from <ISO>"), then `UTC Timestamp (Interval Ending), Local Timestamp … (Interval
 * Beginning), Local Timestamp … (Interval Ending), Local Date, Hour Number`, then per location
 * `<loc> LMP`, `<loc> (Congestion)`, `<loc> (Energy)`, `<loc> (Loss)`. We key on the UTC
 * interval end and take the interval length from the local begin/end columns.
 *
 * EIA's location names are mapped to catalogue ids through aliases; unknown ones are
 * rejected at the header line. Where EIA gives no energy column, energy = LMP − congestion −
 * loss. EIA's NYISO congestion carries NYISO's sign (LBMP = energy + loss − congestion,
 * checked on the data: it makes energy equal across zones); it is flipped like NYISO's own.
 */
export function parseEiaWholesale(text: string, file: string, opts: PriceParseOptions): Omit<PriceParseResult, 'file'> {
  const sink = new RowSink('eia_wholesale_lmp', file);
  const lines = textLines(text);
  const headerAt = lines.findIndex((l, i) => i < 10 && /^"?UTC Timestamp \(Interval Ending\)/.test(l));
  if (headerAt < 0) {
    sink.reject(1, 'no "UTC Timestamp (Interval Ending)" header in the first lines');
    return sink.result();
  }
  const preamble = lines.slice(0, headerAt).join('\n');
  const src = /collected from ([A-Za-z-]+)/i.exec(preamble)?.[1];
  const market: IsoId | undefined = opts.market ?? (src ? parseIsoId(src) : undefined);
  if (!market) {
    sink.reject(1, `cannot tell the ISO from the title lines (${JSON.stringify(src ?? '')}); pass a market`);
    return sink.result();
  }
  const header = splitCsvLine(lines[headerAt]!);
  const localBegin = header.findIndex((h) => /^Local Timestamp .*\(Interval Beginning\)$/.test(h.trim()));
  const localEnd = header.findIndex((h) => /^Local Timestamp .*\(Interval Ending\)$/.test(h.trim()));
  const locs = new Map<string, LocColumns>();
  const get = (name: string): LocColumns => {
    let l = locs.get(name);
    if (!l) {
      l = { name, lmp: -1, congestion: -1, energy: -1, loss: -1 };
      locs.set(name, l);
    }
    return l;
  };
  header.forEach((h, i) => {
    const t = h.trim();
    let m = /^(.*) LMP$/.exec(t);
    if (m) {
      get(m[1]!).lmp = i;
      return;
    }
    m = /^(.*) \((Congestion|Energy|Loss)\)$/.exec(t);
    if (m) get(m[1]!)[m[2]!.toLowerCase() as 'congestion' | 'energy' | 'loss'] = i;
  });
  const usable: LocColumns[] = [];
  for (const l of locs.values()) {
    const id = findLocation(market, l.name)?.id;
    if (!id) {
      sink.reject(headerAt + 1, `unknown ${market} location ${JSON.stringify(l.name)} in the EIA header; its columns are skipped`);
      continue;
    }
    if (l.lmp < 0) {
      sink.reject(headerAt + 1, `location ${JSON.stringify(l.name)} has no LMP column`);
      continue;
    }
    l.location = id;
    usable.push(l);
  }
  const title = lines[0] ?? '';
  const flip = market === 'NYISO';
  let runFromLen: PriceRun | undefined;
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i]!.trim() === '') continue;
    const f = splitCsvLine(lines[i]!);
    const end = parseUtcTimestamp(f[0] ?? '');
    if (!end) {
      sink.reject(line, `bad UTC timestamp ${JSON.stringify(f[0] ?? '')}`);
      continue;
    }
    let lenMin = 60;
    if (localBegin >= 0 && localEnd >= 0) {
      const b = parseUtcTimestamp(f[localBegin] ?? '');
      const e = parseUtcTimestamp(f[localEnd] ?? '');
      // Local wall times: their difference is the interval length except across a DST change.
      if (b && e) lenMin = Math.round((e.getTime() - b.getTime()) / 60_000);
      if (!(lenMin === 5 || lenMin === 15 || lenMin === 60)) lenMin = /5-Minute/i.test(title) && !/15-Minute/i.test(title) ? 5 : /15-Minute/i.test(title) ? 15 : 60;
    }
    runFromLen ??= lenMin === 5 ? 'RT5' : lenMin === 15 ? 'RT15' : 'RTH';
    const run: PriceRun = opts.run ?? (/day-ahead/i.test(title) ? 'DA' : runFromLen);
    const start = end.getTime() - lenMin * 60_000;
    for (const l of usable) {
      const lmp = parseNumberCell(f[l.lmp]);
      if (lmp === undefined || lmp === null) {
        sink.reject(line, `${l.name}: ${lmp === null ? 'empty' : 'bad'} LMP`);
        continue;
      }
      let congestion = numberCellOrNull(f, l.congestion);
      if (flip && congestion !== null && congestion !== 0) congestion = -congestion;
      const loss = numberCellOrNull(f, l.loss);
      const given = numberCellOrNull(f, l.energy);
      const energy = given ?? (congestion !== null && loss !== null ? lmp - congestion - loss : null);
      sink.push(market, l.location!, run, start, end.getTime(), lmp, energy, congestion, loss, line);
    }
  }
  return sink.result();
}
