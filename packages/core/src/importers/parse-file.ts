import { DecompressionBudget, DEFAULT_DECOMPRESSION_LIMITS, gunzipBounded, isGzip, unzipBounded, type DecompressionLimits } from './archive.js';
import { detectFormatFromText, describeSupportedFormats } from './detect.js';
import { parseCaisoOasis } from './formats/caiso.js';
import { parseEiaWholesale } from './formats/eia.js';
import { parseEpftoolbox } from './formats/epftoolbox.js';
import { parseErcotDamCsv, parseErcotDamWorkbook, parseErcotRtSpp } from './formats/ercot.js';
import { parseGridstatus } from './formats/gridstatus.js';
import { parseIsoneHourly } from './formats/isone.js';
import { parseMisoExpost } from './formats/miso.js';
import { parseNyisoZone } from './formats/nyiso.js';
import { parsePjmHrlLmps } from './formats/pjm.js';
import { parseSppLmpSl } from './formats/spp.js';
import type { PriceFormatId, PriceParseOptions, PriceParseResult, TextPriceParser } from './types.js';
import { isXlsx, isZip, readXlsx } from './xlsx.js';

const TEXT_PARSERS: Record<PriceFormatId, TextPriceParser> = {
  caiso_oasis_lmp: parseCaisoOasis,
  ercot_dam_spp: (t, f) => parseErcotDamCsv(t, f, 'ercot_dam_spp'),
  ercot_dam_spp_yearly: (t, f) => parseErcotDamCsv(t, f, 'ercot_dam_spp_yearly'),
  ercot_rt_spp: parseErcotRtSpp,
  pjm_hrl_lmps: parsePjmHrlLmps,
  nyiso_lbmp_zone: parseNyisoZone,
  miso_expost_lmp: parseMisoExpost,
  spp_lmp_sl: parseSppLmpSl,
  isone_hourly_lmp: parseIsoneHourly,
  eia_wholesale_lmp: parseEiaWholesale,
  epftoolbox: parseEpftoolbox,
  gridstatus_lmp: parseGridstatus,
};

/** Thrown for a file in a format we do not read; the message names the formats we do. */
export class UnsupportedPriceFormatError extends Error {
  constructor(readonly file: string) {
    super(`${file}: unknown price file format. Supported formats: ${describeSupportedFormats()}`);
    this.name = 'UnsupportedPriceFormatError';
  }
}

const decoder = new TextDecoder('utf-8');

/**
 * The format of a file's content (text, or bytes that may be gzip, an XLSX workbook or a zip
 * whose first data member decides). `undefined` when we do not read it. Decompression stays
 * within `limits` (DecompressionLimitError beyond).
 */
export function detectFormat(input: Uint8Array | string, filename?: string, limits: DecompressionLimits = DEFAULT_DECOMPRESSION_LIMITS): PriceFormatId | undefined {
  if (typeof input === 'string') return detectFormatFromText(input, filename);
  return detectWithin(input, filename, new DecompressionBudget(filename ?? 'file', input.length, limits), 0);
}

function detectWithin(input: Uint8Array, filename: string | undefined, budget: DecompressionBudget, depth: number): PriceFormatId | undefined {
  let data = input;
  if (isGzip(data)) {
    budget.enter(depth + 1);
    data = gunzipBounded(data, budget, filename);
  }
  if (isZip(data)) {
    budget.enter(depth + 1);
    const files = unzipBounded(data, budget, filename);
    if (isXlsx(files)) return 'ercot_dam_spp_yearly';
    for (const [name, member] of Object.entries(files)) {
      if (name.startsWith('__MACOSX')) continue;
      const f = detectWithin(member, name, budget, depth + 1);
      if (f) return f;
    }
    return undefined;
  }
  return detectFormatFromText(decoder.decode(data.subarray(0, 65_536)), filename);
}

/** Parses one decompressed text file; throws UnsupportedPriceFormatError when undetected. */
export function parsePriceText(text: string, file: string, opts: PriceParseOptions = {}): PriceParseResult {
  const format = opts.format ?? detectFormatFromText(text, file);
  if (!format) throw new UnsupportedPriceFormatError(file);
  return { ...TEXT_PARSERS[format](text, file, opts), file };
}

function stripGz(name: string): string {
  return name.replace(/\.gz$/i, '');
}

/**
 * Parses an uploaded file: gzip and zip (including CAISO OASIS zips, the ERCOT NP4-180-ER zip
 * and its XLSX) are opened transparently. One result per data file inside. Throws
 * UnsupportedPriceFormatError naming the file and the formats we read, and
 * DecompressionLimitError when the file (every archive level counted) passes `limits`.
 */
export function parsePriceFile(input: { name: string; data: Uint8Array }, opts: PriceParseOptions = {}, limits: DecompressionLimits = DEFAULT_DECOMPRESSION_LIMITS): PriceParseResult[] {
  return parseWithin(input, opts, new DecompressionBudget(input.name, input.data.length, limits), 0);
}

function parseWithin(input: { name: string; data: Uint8Array }, opts: PriceParseOptions, budget: DecompressionBudget, depth: number): PriceParseResult[] {
  let { name, data } = input;
  if (isGzip(data)) {
    budget.enter(depth + 1);
    data = gunzipBounded(data, budget, name);
    name = stripGz(name);
  }
  if (!isZip(data)) return [parsePriceText(decoder.decode(data), name, opts)];
  budget.enter(depth + 1);
  const files = unzipBounded(data, budget, name);
  if (isXlsx(files)) {
    if (opts.format && opts.format !== 'ercot_dam_spp_yearly') throw new UnsupportedPriceFormatError(`${name} (an XLSX workbook, read only as ercot_dam_spp_yearly)`);
    return [{ ...parseErcotDamWorkbook(readXlsx(files), name), file: name }];
  }
  const out: PriceParseResult[] = [];
  for (const [member, bytes] of Object.entries(files)) {
    if (member.startsWith('__MACOSX')) continue;
    const memberName = `${name}/${member}`;
    if (/\.xml$/i.test(member) && opts.format !== undefined && opts.format !== 'caiso_oasis_lmp') throw new UnsupportedPriceFormatError(memberName);
    if (/\.xml$/i.test(member) && /OASIS|ERR_CODE|MessagePayload/i.test(decoder.decode(bytes.subarray(0, 4096)))) {
      // CAISO answers a query without data with an XML error document inside the zip.
      out.push({ format: 'caiso_oasis_lmp', file: memberName, rows: [], rejections: [{ line: 1, reason: 'CAISO OASIS returned an XML message instead of CSV data (no data for the query)' }] });
      continue;
    }
    out.push(...parseWithin({ name: memberName, data: bytes }, opts, budget, depth + 1));
  }
  return out;
}
