/**
 * An ISO download's bytes (the market feed's) opened and parsed in the compute
 * pool, by the same task module as API imports (import-task.ts): energy prices, ancillary-service
 * prices or a load forecast, within core's default decompression limits. The
 * bytes move to the worker (they are not usable after); the rows come back as
 * columns and are rebuilt here, keeping the ISO's own market only.
 */
import { DEFAULT_DECOMPRESSION_LIMITS, type AncillaryPriceRow, type IsoId, type LoadForecastRow, type NormalizedPriceRow } from '@optibid/core';
import type { TransferListItem } from 'node:worker_threads';
import type { ComputePool } from '../../compute/pool.js';
import { decodeColumns } from './import-columns.js';
import { IMPORT_TASK_URL, type ImportTaskInput, type ImportTaskOutput, type LoadForecastTaskOutput } from './import-task.js';

export type FetchedRow = NormalizedPriceRow | AncillaryPriceRow | LoadForecastRow;

export interface ParsedDownload {
  rows: FetchedRow[];
  rejected: number;
  /** The ISO's answer when it said it has nothing for the query (rather than sending rows). */
  noData: string | null;
}

export interface FetchedFile {
  /** The name the importers see (format and run hints come from it). */
  name: string;
  kind: 'prices' | 'as-prices' | 'load-forecast';
  bytes: Uint8Array;
}

export async function parseFetchedFile(compute: ComputePool, iso: IsoId, dl: FetchedFile, signal?: AbortSignal): Promise<ParsedDownload> {
  const { bytes } = dl;
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  const size = bytes.length;
  // Only a buffer the bytes own whole moves; a view into a larger one is copied, leaving it intact.
  const transferList: TransferListItem[] = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? [bytes.buffer as ArrayBuffer] : [];
  if (dl.kind === 'load-forecast') {
    const out = await compute.run<LoadForecastTaskOutput>(IMPORT_TASK_URL, 'parseLoadForecastImport', { name: dl.name, data: bytes, market: iso }, { transferList, signal });
    return { rows: decodeColumns<LoadForecastRow>(out.columns, 0, out.columns.count), rejected: out.rejected, noData: null };
  }
  const input: ImportTaskInput = { name: dl.name, data: bytes, parse: {}, limits: DEFAULT_DECOMPRESSION_LIMITS, ...(dl.kind === 'as-prices' ? { ancillary_only: true } : {}) };
  const out = await compute.run<ImportTaskOutput>(IMPORT_TASK_URL, 'parseImport', input, { transferList, signal });
  if (!out.ok) {
    const why = out.message.replace(/^could not be read: /, '');
    // fflate and our parsers throw on a zip cut short; say what happened rather than how.
    throw new Error(zip ? `truncated or corrupt zip (${size} bytes): ${why}` : why);
  }
  if (dl.kind === 'prices' && out.kind !== 'energy') throw new Error(`${dl.name} holds ancillary-service prices, not energy prices`);
  const rows = out.results.flatMap((r) => decodeColumns<NormalizedPriceRow | AncillaryPriceRow>(r.columns, 0, r.columns.count)).filter((r) => r.market === iso);
  const rejected = out.results.reduce((s, r) => s + r.rejected, 0);
  const xml = out.kind === 'energy' && out.results.find((r) => r.rows === 0 && r.rejections.some((x) => /XML message/.test(x.reason)));
  return { rows, rejected, noData: xml ? `${iso} answered "no data" for the query` : null };
}
