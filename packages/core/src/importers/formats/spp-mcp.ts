/**
 * SPP Integrated Marketplace day-ahead market clearing prices for operating
 * reserves (`DA-MCP-YYYYMMDD0100.csv`): `Interval` (interval end, Central
 * prevailing time), `GMTIntervalEnd` (the same instant in UTC,
 * `MM/DD/YYYY HH:MM:SS`), `Reserve Zone` (`1`…`5` or `SPP`), then one column
 * per product in USD/MW: `RegUP`, `RegDN`, `Spin`, `Supp`, and from
 * 2022-02-25 `RampUP`, `RampDN`. We read the UTC column (no DST ambiguity)
 * and take the interval as the hour ending there.
 */
import { headerIndex, parseNumberCell, splitCsvLine, textLines } from '../csv.js';
import type { AncillaryPriceRow } from '../ancillary-prices.js';

const KEYS = new Set(['interval', 'gmtintervalend', 'reserve zone']);

function parseGmt(s: string): number | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s.trim());
  if (!m) return undefined;
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
}

export function parseSppMcp(text: string): { rows: AncillaryPriceRow[]; rejections: { line: number; reason: string }[] } {
  const lines = textLines(text);
  const header = splitCsvLine(lines[0] ?? '');
  const col = headerIndex(header);
  const gmt = col('GMTIntervalEnd');
  const zone = col('Reserve Zone');
  const products = header.map((h, i) => ({ name: h.trim(), i })).filter((p) => p.name && !KEYS.has(p.name.toLowerCase()));
  const rows: AncillaryPriceRow[] = [];
  const rejections: { line: number; reason: string }[] = [];
  if (gmt < 0 || zone < 0 || !products.length) return { rows, rejections: [{ line: 1, reason: 'header lacks GMTIntervalEnd / Reserve Zone / product columns' }] };
  for (let n = 1; n < lines.length; n++) {
    const line = n + 1;
    if (lines[n]!.trim() === '') continue;
    const f = splitCsvLine(lines[n]!);
    const end = parseGmt(f[gmt] ?? '');
    const z = (f[zone] ?? '').trim();
    if (end === undefined || !z) {
      rejections.push({ line, reason: `bad GMTIntervalEnd or reserve zone ${JSON.stringify(`${f[gmt] ?? ''} ${f[zone] ?? ''}`)}` });
      continue;
    }
    for (const p of products) {
      const v = parseNumberCell(f[p.i]);
      if (v === null) continue;
      if (v === undefined) {
        rejections.push({ line, reason: `bad ${p.name} price ${JSON.stringify(f[p.i])}` });
        continue;
      }
      rows.push({ market: 'SPP', zone: z, product: p.name, run: 'DA', interval_start: new Date(end - 3_600_000), interval_end: new Date(end), price_usd_per_mw: v });
    }
  }
  return { rows, rejections };
}
