/**
 * ERCOT DAM ancillary-service market clearing prices for capacity (NP4-181-ER
 * yearly `DAMASMCPC_YYYY.csv`, and the daily NP4-188-CD with the same
 * columns): `Delivery Date` (MM/DD/YYYY), `Hour Ending` (01:00…24:00, Central
 * prevailing time), `Repeated Hour Flag` or `DSTFlag` (`Y` on the second,
 * CST, occurrence of the fall-back hour), then one column per product in
 * USD/MW per hour. The 2015 file spells `REGUP ` with a trailing space;
 * product names are trimmed. Every column after the time keys is a product,
 * so ECRS (from 2023-06-10) is read without a change.
 */
import { headerIndex, mdyToYmd, parseNumberCell, splitCsvLine, textLines } from '../csv.js';
import { localStartMs, parseHourEnding } from '../common.js';
import type { AncillaryPriceRow } from '../ancillary-prices.js';

const TZ = 'America/Chicago';
const KEYS = new Set(['delivery date', 'deliverydate', 'hour ending', 'hourending', 'repeated hour flag', 'dstflag']);

export function parseErcotAsPrices(text: string): { rows: AncillaryPriceRow[]; rejections: { line: number; reason: string }[] } {
  const lines = textLines(text);
  const header = splitCsvLine(lines[0] ?? '');
  const col = headerIndex(header);
  const date = Math.max(col('Delivery Date'), col('DeliveryDate'));
  const hour = Math.max(col('Hour Ending'), col('HourEnding'));
  const flag = Math.max(col('Repeated Hour Flag'), col('DSTFlag'));
  const products = header.map((h, i) => ({ name: h.trim(), i })).filter((p) => p.name && !KEYS.has(p.name.toLowerCase()));
  const rows: AncillaryPriceRow[] = [];
  const rejections: { line: number; reason: string }[] = [];
  if (date < 0 || hour < 0 || !products.length) return { rows, rejections: [{ line: 1, reason: 'header lacks Delivery Date / Hour Ending / product columns' }] };
  for (let n = 1; n < lines.length; n++) {
    const line = n + 1;
    if (lines[n]!.trim() === '') continue;
    const f = splitCsvLine(lines[n]!);
    const ymd = mdyToYmd(f[date] ?? '');
    const he = parseHourEnding(f[hour] ?? '');
    if (!ymd || !he) {
      rejections.push({ line, reason: `bad delivery date or hour ending ${JSON.stringify(`${f[date] ?? ''} ${f[hour] ?? ''}`)}` });
      continue;
    }
    const repeated = flag >= 0 && (f[flag] ?? '').trim().toUpperCase() === 'Y';
    const start = localStartMs(ymd, he.startMinutes, TZ, repeated);
    if (typeof start === 'string') {
      rejections.push({ line, reason: start });
      continue;
    }
    for (const p of products) {
      const v = parseNumberCell(f[p.i]);
      if (v === null) continue; // a product not procured that hour (or before it existed)
      if (v === undefined) {
        rejections.push({ line, reason: `bad ${p.name} price ${JSON.stringify(f[p.i])}` });
        continue;
      }
      rows.push({ market: 'ERCOT', zone: 'ERCOT', product: p.name, run: 'DA', interval_start: new Date(start), interval_end: new Date(start + 3_600_000), price_usd_per_mw: v });
    }
  }
  return { rows, rejections };
}
