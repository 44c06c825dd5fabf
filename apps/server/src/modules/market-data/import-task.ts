/**
 * The part of a price import that runs in a compute-pool worker: opening the
 * file (gzip, zip, XLSX, within the decompression limits) and parsing it with
 * core's importers, energy first and then ancillary-service formats. The file
 * arrives transferred; the rows go back as columns (import-columns.ts) with
 * each result's summary, so the main thread neither decompresses, parses nor
 * clones row objects. Failures come back as values (an Error's class does not
 * survive the thread boundary): a file past a limit, or one we cannot read.
 */
import {
  DecompressionLimitError,
  parseLoadForecastFile,
  parseAncillaryPriceFile,
  parsePriceFile,
  UnsupportedPriceFormatError,
  type AncillaryPriceParseResult,
  type AncillaryPriceRow,
  type DecompressionLimitName,
  type DecompressionLimits,
  type IsoId,
  type LoadForecastRow,
  type NormalizedPriceRow,
  type PriceParseOptions,
  type PriceParseResult,
} from '@optibid/core';
import type { TransferListItem } from 'node:worker_threads';
import { movable } from '../../compute/pool.js';
import { columnBuffers, encodeColumns, lastPerKey, type ColumnSpec, type Columns } from './import-columns.js';

/** This module's URL, which the pool loads in its workers. */
export const IMPORT_TASK_URL = import.meta.url;

/** Rejections kept per parsed result (the count is always whole). */
export const MAX_REJECTIONS_PER_RESULT = 1000;

export interface ImportTaskInput {
  name: string;
  data: Uint8Array;
  /** An ancillary-service format named by the caller (energy formats travel in `parse.format`). */
  ancillary_format?: string;
  /** Ancillary-service formats only, whichever (an ISO fetch of AS prices). */
  ancillary_only?: boolean;
  parse: PriceParseOptions;
  limits: DecompressionLimits;
}

/** One data file of the upload (a member of an archive is its own), parsed. */
export interface ParsedResult {
  file: string;
  format: string;
  /** Rows the file held (with repeated keys). */
  rows: number;
  /** Rows whose key came again later in the same file: the later one is stored. */
  duplicates: number;
  rejected: number;
  rejections: { line: number; reason: string; sheet?: string }[];
  markets: string[];
  /** Locations, or an AS file's zones (the first 200). */
  locations: string[];
  products?: string[];
  first_interval: string | null;
  last_interval: string | null;
  /** The rows to store, one per key. */
  columns: Columns;
}

export type ImportTaskOutput =
  | { ok: true; kind: 'energy' | 'ancillary'; results: ParsedResult[] }
  | { ok: false; reason: 'limit'; limit: DecompressionLimitName; value: number; message: string }
  | { ok: false; reason: 'unreadable'; message: string };

export const PRICE_COLUMNS = {
  strings: ['market', 'location', 'run', 'source'],
  dates: ['interval_start', 'interval_end'],
  numbers: ['lmp_usd_per_mwh', 'energy_usd_per_mwh', 'congestion_usd_per_mwh', 'loss_usd_per_mwh'],
} as const satisfies ColumnSpec<NormalizedPriceRow>;

export const ANCILLARY_COLUMNS = {
  strings: ['market', 'zone', 'product', 'run'],
  dates: ['interval_start', 'interval_end'],
  numbers: ['price_usd_per_mw'],
} as const satisfies ColumnSpec<AncillaryPriceRow>;

export const LOAD_FORECAST_COLUMNS = {
  strings: ['market', 'area', 'source'],
  dates: ['interval_start', 'interval_end', 'published_at'],
  numbers: ['load_forecast_mw'],
} as const satisfies ColumnSpec<LoadForecastRow>;

export interface LoadForecastTaskOutput {
  columns: Columns;
  rejected: number;
}

/** A downloaded load-forecast file (EIA-930) parsed for `market`, its rows back as columns. */
export function parseLoadForecastImport(input: { name: string; data: Uint8Array; market: IsoId }): LoadForecastTaskOutput {
  const r = parseLoadForecastFile({ name: input.name, data: input.data }, { market: input.market });
  const columns = encodeColumns(r.rows, LOAD_FORECAST_COLUMNS);
  return movable({ columns, rejected: r.rejections.length }, columnBuffers(columns));
}

export function parseImport(input: ImportTaskInput): ImportTaskOutput {
  try {
    const parsed = parse(input);
    const results = parsed.kind === 'energy' ? parsed.results.map(energyResult) : parsed.results.map(ancillaryResult);
    const buffers: TransferListItem[] = results.flatMap((r) => columnBuffers(r.columns));
    return movable({ ok: true as const, kind: parsed.kind, results }, buffers);
  } catch (err) {
    if (err instanceof DecompressionLimitError) return { ok: false, reason: 'limit', limit: err.limit, value: err.value, message: err.message };
    if (err instanceof UnsupportedPriceFormatError) return { ok: false, reason: 'unreadable', message: err.message };
    return { ok: false, reason: 'unreadable', message: `could not be read: ${(err as Error).message}` };
  }
}

/**
 * Energy formats first; a file no energy parser reads is tried as an ancillary-service price file
 * (ERCOT NP4-181-ER, SPP DA-MCP). An explicit AS format goes straight to the AS parsers.
 */
function parse(input: ImportTaskInput): { kind: 'energy'; results: PriceParseResult[] } | { kind: 'ancillary'; results: AncillaryPriceParseResult[] } {
  const file = { name: input.name, data: input.data };
  if (input.ancillary_format || input.ancillary_only) {
    const results = parseAncillaryPriceFile(file, input.limits);
    const wrong = input.ancillary_format ? results.find((r) => r.format !== input.ancillary_format) : undefined;
    if (wrong) throw new Error(`${wrong.file} is ${wrong.format}, not ${input.ancillary_format}`);
    return { kind: 'ancillary', results };
  }
  try {
    return { kind: 'energy', results: parsePriceFile(file, input.parse, input.limits) };
  } catch (err) {
    if (!(err instanceof UnsupportedPriceFormatError) || input.parse.format) throw err;
    let ancillary: AncillaryPriceParseResult[];
    try {
      ancillary = parseAncillaryPriceFile(file, input.limits);
    } catch (asErr) {
      if (asErr instanceof DecompressionLimitError) throw asErr;
      throw err;
    }
    return { kind: 'ancillary', results: ancillary };
  }
}

function span(times: Float64Array): { first_interval: string | null; last_interval: string | null } {
  if (times.length === 0) return { first_interval: null, last_interval: null };
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of times) {
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return { first_interval: new Date(lo).toISOString(), last_interval: new Date(hi).toISOString() };
}

function energyResult(r: PriceParseResult): ParsedResult {
  const kept = lastPerKey(r.rows, (x) => `${x.market}|${x.location}|${x.run}|${x.interval_start.getTime()}`);
  const columns = encodeColumns(kept.rows, PRICE_COLUMNS);
  return {
    file: r.file,
    format: r.format,
    rows: r.rows.length,
    duplicates: kept.duplicates,
    rejected: r.rejections.length,
    rejections: r.rejections.slice(0, MAX_REJECTIONS_PER_RESULT).map((x) => ({ line: x.line, reason: x.reason, ...(x.sheet ? { sheet: x.sheet } : {}) })),
    markets: columns.strings.market!.values,
    locations: columns.strings.location!.values.slice(0, 200),
    ...span(columns.dates.interval_start!),
    columns,
  };
}

function ancillaryResult(r: AncillaryPriceParseResult): ParsedResult {
  const kept = lastPerKey(r.rows, (x) => `${x.market}|${x.zone}|${x.run}|${x.product}|${x.interval_start.getTime()}`);
  const columns = encodeColumns(kept.rows, ANCILLARY_COLUMNS);
  return {
    file: r.file,
    format: r.format,
    rows: r.rows.length,
    duplicates: kept.duplicates,
    rejected: r.rejections.length,
    rejections: r.rejections.slice(0, MAX_REJECTIONS_PER_RESULT).map((x) => ({ line: x.line, reason: x.reason })),
    markets: columns.strings.market!.values,
    locations: columns.strings.zone!.values.slice(0, 200),
    products: columns.strings.product!.values,
    ...span(columns.dates.interval_start!),
    columns,
  };
}
