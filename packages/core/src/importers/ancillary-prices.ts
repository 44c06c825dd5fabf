/**
 * Ancillary-service clearing prices: pure parsers from the ISO's own files to
 * one row per product × zone × interval. Kept apart from the energy price rows
 * (`NormalizedPriceRow`), whose LMP components mean nothing for a capacity price.
 *
 * Row shape (the contract for whoever stores or serves them):
 *   market         ISO id (`ERCOT`, `SPP`)
 *   zone           where the price applies: `ERCOT` (system-wide) or SPP's reserve zone (`1`…`5`, `SPP`)
 *   product        the ISO's column name, trimmed (`REGUP`, `REGDN`, `RRS`, `NSPIN`, `ECRS`; `RegUP`, `RegDN`, `Spin`, `Supp`, `RampUP`, `RampDN`)
 *   run            `DA`
 *   interval_start, interval_end   UTC instants (hourly)
 *   price_usd_per_mw               capacity price for one MW held over the interval, USD per MW per hour
 * Bad lines are rejected with their line number and reason, never dropped silently.
 */
import { DecompressionBudget, DEFAULT_DECOMPRESSION_LIMITS, gunzipBounded, isGzip, unzipBounded, type DecompressionLimits } from './archive.js';
import type { IsoId } from '../markets/types.js';
import { parseErcotAsPrices } from './formats/ercot-as.js';
import { parseSppMcp } from './formats/spp-mcp.js';
import { isZip } from './xlsx.js';

export interface AncillaryPriceRow {
  market: IsoId;
  zone: string;
  product: string;
  run: 'DA';
  interval_start: Date;
  interval_end: Date;
  price_usd_per_mw: number;
}

export const ANCILLARY_PRICE_FORMATS = ['ercot_dam_as_mcpc', 'spp_da_mcp'] as const;
export type AncillaryPriceFormat = (typeof ANCILLARY_PRICE_FORMATS)[number];

export interface AncillaryPriceParseResult {
  format: AncillaryPriceFormat;
  file: string;
  rows: AncillaryPriceRow[];
  rejections: { line: number; reason: string }[];
}

const decoder = new TextDecoder('utf-8');

/** Format from the header line, or undefined. */
export function detectAncillaryFormat(text: string): AncillaryPriceFormat | undefined {
  const header = text.slice(0, 2048).split(/\r?\n/, 1)[0]!.toLowerCase();
  if (/delivery ?date/.test(header) && /hour ?ending/.test(header) && /regup|regdn|rrs|nspin|ecrs/.test(header)) return 'ercot_dam_as_mcpc';
  if (header.includes('gmtintervalend') && header.includes('reserve zone')) return 'spp_da_mcp';
  return undefined;
}

export function parseAncillaryPriceText(text: string, file: string): AncillaryPriceParseResult {
  const format = detectAncillaryFormat(text);
  if (!format) throw new Error(`${file}: not an ancillary-service price file we read (ERCOT NP4-181-ER DAM AS MCPC, SPP DA-MCP)`);
  return { format, file, ...(format === 'ercot_dam_as_mcpc' ? parseErcotAsPrices(text) : parseSppMcp(text)) };
}

/** A CSV, or a gzip or zip of them (ERCOT's yearly NP4-181-ER zip), decompressed within `limits` (DecompressionLimitError beyond). */
export function parseAncillaryPriceFile(input: { name: string; data: Uint8Array }, limits: DecompressionLimits = DEFAULT_DECOMPRESSION_LIMITS): AncillaryPriceParseResult[] {
  return parseWithin(input, new DecompressionBudget(input.name, input.data.length, limits), 0);
}

function parseWithin(input: { name: string; data: Uint8Array }, budget: DecompressionBudget, depth: number): AncillaryPriceParseResult[] {
  let { name, data } = input;
  if (isGzip(data)) {
    budget.enter(depth + 1);
    data = gunzipBounded(data, budget, name);
    name = name.replace(/\.gz$/i, '');
  }
  if (!isZip(data)) return [parseAncillaryPriceText(decoder.decode(data), name)];
  budget.enter(depth + 1);
  return Object.entries(unzipBounded(data, budget, name))
    .filter(([member]) => !member.startsWith('__MACOSX'))
    .flatMap(([member, bytes]) => parseWithin({ name: `${name}/${member}`, data: bytes }, budget, depth + 1));
}
