import { findLocation } from '../../markets/catalogue.js';
import { ISO_IDS, type IsoId, type PriceRun } from '../../markets/types.js';
import { parseUtcTimestamp, splitCsvLine, textLines } from '../csv.js';
import { RowSink } from '../common.js';
import type { PriceParseOptions, PriceParseResult } from '../types.js';

const MARKETS: Record<string, PriceRun> = {
  DAY_AHEAD_HOURLY: 'DA',
  REAL_TIME_5_MIN: 'RT5',
  REAL_TIME_15_MIN: 'RT15',
  REAL_TIME_HOURLY: 'RTH',
  REAL_TIME_HOURLY_FINAL: 'RTH',
  REAL_TIME_HOURLY_PRELIM: 'RTH',
  REAL_TIME_SCED: 'RT5',
};

function norm(h: string): string {
  return h.trim().toLowerCase().replace(/\s+/g, '_').replace(/_utc$/, '');
}

/** Finds the ISO from options, the file name (`caiso`, `pjm`, …) or a catalogued location. */
function isoFromFileName(file: string): IsoId | undefined {
  const base = file.toLowerCase();
  for (const iso of ISO_IDS) {
    const k = iso.toLowerCase();
    if (new RegExp(`(^|[^a-z])${k}([^a-z]|$)`).test(base)) return iso;
  }
  return /iso[-_]?ne/.test(base) ? 'ISONE' : undefined;
}

/**
 * A tidy CSV with gridstatus's LMP columns: `interval_start_utc, interval_end_utc, market,
 * location, location_type, lmp, energy, congestion, loss` or the capitalised `Interval
 * Start, Interval End, Market, Location, Location Type, LMP, Energy, Congestion, Loss`
 * (ERCOT: `SPP`). gridstatus already applies the LMP = energy + congestion + loss
 * convention. The file does not name the ISO: it comes from the options, the file name, or
 * the first catalogued location.
 */
export function parseGridstatus(text: string, file: string, opts: PriceParseOptions): Omit<PriceParseResult, 'file'> {
  const sink = new RowSink('gridstatus_lmp', file);
  const lines = textLines(text);
  if (lines.length === 0) return sink.result();
  const header = splitCsvLine(lines[0]!).map(norm);
  const idx = (...names: string[]) => names.map((n) => header.indexOf(n)).find((i) => i >= 0) ?? -1;
  const c = {
    start: idx('interval_start'),
    end: idx('interval_end'),
    market: idx('market'),
    loc: idx('location'),
    lmp: idx('lmp', 'spp'),
    energy: idx('energy'),
    cong: idx('congestion'),
    loss: idx('loss'),
  };
  if (c.start < 0 || c.loc < 0 || c.lmp < 0) {
    sink.reject(1, 'header lacks interval_start_utc/Interval Start, location/Location or lmp/LMP');
    return sink.result();
  }
  let iso: IsoId | undefined = opts.market ?? isoFromFileName(file);
  if (!iso) {
    for (let i = 1; i < lines.length && !iso; i++) {
      const name = (splitCsvLine(lines[i]!)[c.loc] ?? '').trim();
      iso = ISO_IDS.find((m) => findLocation(m, name));
    }
  }
  if (!iso) {
    sink.reject(1, 'cannot tell which ISO this gridstatus file is for (no catalogued location, no ISO in the file name): pass a market');
    return sink.result();
  }
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i]!.trim() === '') continue;
    const f = splitCsvLine(lines[i]!);
    const start = parseUtcTimestamp(f[c.start] ?? '');
    const endGiven = c.end >= 0 ? parseUtcTimestamp(f[c.end] ?? '') : undefined;
    const mk = c.market >= 0 ? (f[c.market] ?? '').trim().toUpperCase() : '';
    const run = opts.run ?? MARKETS[mk] ?? (mk === '' ? 'DA' : undefined);
    if (!start) {
      sink.reject(line, `bad interval start ${JSON.stringify(f[c.start] ?? '')}`);
      continue;
    }
    if (!run) {
      sink.reject(line, `unknown market ${JSON.stringify(mk)}`);
      continue;
    }
    const end = endGiven ?? new Date(start.getTime() + (run === 'RT5' ? 5 : run === 'RT15' ? 15 : 60) * 60_000);
    if (end <= start) {
      sink.reject(line, 'interval end is not after its start');
      continue;
    }
    const name = (f[c.loc] ?? '').trim();
    sink.pushCells(line, f, { lmp: c.lmp, energy: c.energy, congestion: c.cong, loss: c.loss }, iso, sink.location(iso, name), run, start.getTime(), end.getTime());
  }
  return sink.result();
}

