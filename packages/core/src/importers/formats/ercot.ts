import type { PriceRun } from '../../markets/types.js';
import { headerIndex, mdyToYmd, parseNumberCell, splitCsvLine, textLines } from '../csv.js';
import { localStartMs, parseHourEnding, RowSink } from '../common.js';
import type { PriceFormatId, PriceParseOptions, PriceParseResult } from '../types.js';

const TZ = 'America/Chicago';

/** A record with its position, so CSV lines and XLSX sheet rows share one code path. */
export interface SheetRecord {
  line: number;
  fields: string[];
  sheet?: string;
}

interface DamColumns {
  date: number;
  hour: number;
  point: number;
  price: number;
  flag: number;
}

function damColumns(header: string[]): DamColumns | undefined {
  const col = headerIndex(header);
  const c = {
    date: Math.max(col('DeliveryDate'), col('Delivery Date')),
    hour: Math.max(col('HourEnding'), col('Hour Ending')),
    point: Math.max(col('SettlementPoint'), col('Settlement Point'), col('SettlementPointName')),
    price: Math.max(col('SettlementPointPrice'), col('Settlement Point Price')),
    flag: Math.max(col('DSTFlag'), col('Repeated Hour Flag')),
  };
  return c.date < 0 || c.hour < 0 || c.point < 0 || c.price < 0 ? undefined : c;
}

/**
 * ERCOT DAM settlement point prices: daily NP4-190-CD (`DeliveryDate, HourEnding,
 * SettlementPoint, SettlementPointPrice, DSTFlag`) and the yearly NP4-180-ER workbook
 * (`Delivery Date, Hour Ending, Repeated Hour Flag, Settlement Point, Settlement Point
 * Price`). Hour ending in Central prevailing time; the flag `Y` marks the second (CST)
 * occurrence of the repeated fall-back hour. SPP has no components.
 */
export function ercotDamRecords(sink: RowSink, header: SheetRecord, records: Iterable<SheetRecord>, run: PriceRun = 'DA'): void {
  const c = damColumns(header.fields);
  if (!c) {
    sink.reject(header.line, 'header lacks Delivery Date / Hour Ending / Settlement Point / Settlement Point Price', header.sheet);
    return;
  }
  for (const r of records) {
    const f = r.fields;
    if (f.length === 1 && f[0]!.trim() === '') continue;
    const date = mdyToYmd(f[c.date] ?? '');
    if (!date) {
      sink.reject(r.line, `bad delivery date ${JSON.stringify(f[c.date] ?? '')}`, r.sheet);
      continue;
    }
    const he = parseHourEnding(f[c.hour] ?? '');
    if (!he) {
      sink.reject(r.line, `bad hour ending ${JSON.stringify(f[c.hour] ?? '')}`, r.sheet);
      continue;
    }
    const flag = c.flag >= 0 ? (f[c.flag] ?? '').trim().toUpperCase() : 'N';
    const start = localStartMs(date, he.startMinutes, TZ, flag === 'Y');
    if (typeof start === 'string') {
      sink.reject(r.line, start, r.sheet);
      continue;
    }
    const price = parseNumberCell(f[c.price]);
    if (price === null || price === undefined) {
      sink.reject(r.line, `bad settlement point price ${JSON.stringify(f[c.price] ?? '')}`, r.sheet);
      continue;
    }
    const point = (f[c.point] ?? '').trim();
    if (!point) {
      sink.reject(r.line, 'empty settlement point', r.sheet);
      continue;
    }
    sink.push('ERCOT', sink.location('ERCOT', point), run, start, start + 3_600_000, price, null, null, null, r.line, r.sheet);
  }
}

function csvRecords(lines: string[], from: number): Iterable<SheetRecord> {
  return {
    *[Symbol.iterator]() {
      for (let i = from; i < lines.length; i++) yield { line: i + 1, fields: splitCsvLine(lines[i]!) };
    },
  };
}

export function parseErcotDamCsv(text: string, file: string, format: PriceFormatId): Omit<PriceParseResult, 'file'> {
  const sink = new RowSink(format, file);
  const lines = textLines(text);
  if (lines.length === 0) return sink.result();
  ercotDamRecords(sink, { line: 1, fields: splitCsvLine(lines[0]!) }, csvRecords(lines, 1));
  return sink.result();
}

/**
 * ERCOT RT settlement point prices NP6-905-CD: `DeliveryDate, DeliveryHour,
 * DeliveryInterval, SettlementPointName, SettlementPointType, SettlementPointPrice, DSTFlag`.
 * Start = date + (hour − 1) h + (interval − 1) × 15 min, Central prevailing time; `DSTFlag=Y`
 * is the repeated hour.
 */
export function parseErcotRtSpp(text: string, file: string, _opts: PriceParseOptions): Omit<PriceParseResult, 'file'> {
  const sink = new RowSink('ercot_rt_spp', file);
  const lines = textLines(text);
  if (lines.length === 0) return sink.result();
  const col = headerIndex(splitCsvLine(lines[0]!));
  const c = {
    date: col('DeliveryDate'),
    hour: col('DeliveryHour'),
    interval: col('DeliveryInterval'),
    point: col('SettlementPointName'),
    price: col('SettlementPointPrice'),
    flag: col('DSTFlag'),
  };
  if (Object.values(c).some((i) => i < 0)) {
    sink.reject(1, 'header lacks one of DeliveryDate, DeliveryHour, DeliveryInterval, SettlementPointName, SettlementPointPrice, DSTFlag');
    return sink.result();
  }
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i]!.trim() === '') continue;
    const f = splitCsvLine(lines[i]!);
    const date = mdyToYmd(f[c.date] ?? '');
    const hour = Number(f[c.hour]);
    const interval = Number(f[c.interval]);
    if (!date) {
      sink.reject(line, `bad delivery date ${JSON.stringify(f[c.date] ?? '')}`);
      continue;
    }
    if (!Number.isInteger(hour) || hour < 1 || hour > 24 || !Number.isInteger(interval) || interval < 1 || interval > 4) {
      sink.reject(line, `bad delivery hour/interval ${f[c.hour]}/${f[c.interval]}`);
      continue;
    }
    const start = localStartMs(date, (hour - 1) * 60 + (interval - 1) * 15, TZ, (f[c.flag] ?? '').trim().toUpperCase() === 'Y');
    if (typeof start === 'string') {
      sink.reject(line, start);
      continue;
    }
    const price = parseNumberCell(f[c.price]);
    if (price === null || price === undefined) {
      sink.reject(line, `bad settlement point price ${JSON.stringify(f[c.price] ?? '')}`);
      continue;
    }
    const point = (f[c.point] ?? '').trim();
    sink.push('ERCOT', sink.location('ERCOT', point), 'RT15', start, start + 900_000, price, null, null, null, line);
  }
  return sink.result();
}

/** The NP4-180-ER workbook: one sheet per month, each with its own header row. */
export function parseErcotDamWorkbook(
  sheets: { name: string; rows: { row: number; cells: string[] }[] }[],
  file: string,
): Omit<PriceParseResult, 'file'> {
  const sink = new RowSink('ercot_dam_spp_yearly', file);
  for (const s of sheets) {
    const first = s.rows[0];
    if (!first) continue;
    const records = s.rows.slice(1).map((r) => ({ line: r.row, fields: r.cells, sheet: s.name }));
    ercotDamRecords(sink, { line: first.row, fields: first.cells, sheet: s.name }, records);
  }
  return sink.result();
}
