/**
 * Bounded decompression of uploaded files: gzip and zip (members stored or
 * deflated, nested archives included) opened with a budget, so a small file
 * that expands to gigabytes (a "zip bomb") is refused after a bounded amount
 * of work and memory instead of exhausting the process.
 *
 * Every byte a file produces counts against one budget: gzip output, every zip
 * member (stored ones too: overlapping entries can repeat one compressed block
 * many times) and what nested archives produce in turn. The budget refuses when
 * the total passes `max_decompressed_bytes`, or passes `max_ratio` times the
 * file's own (compressed) size once it is beyond `RATIO_FLOOR_BYTES`. Sizes an
 * archive declares are never trusted: only bytes actually produced are counted,
 * and inflation runs in slices so at most one slice's output (about 1,032 ×
 * `SLICE_BYTES`, deflate's largest expansion) is produced past a limit.
 */
import { Gunzip, Inflate } from 'fflate';

export interface DecompressionLimits {
  /** Most bytes one file may decompress to, every nested level counted. */
  max_decompressed_bytes: number;
  /** Most decompressed bytes per byte of the file as received (checked past RATIO_FLOOR_BYTES). */
  max_ratio: number;
}

/** What a library caller gets without limits: about the longest text a JavaScript string holds. */
export const DEFAULT_DECOMPRESSION_LIMITS: DecompressionLimits = Object.freeze({ max_decompressed_bytes: 512 * 1024 * 1024, max_ratio: Number.POSITIVE_INFINITY });
/** Below this much output the ratio is not checked: a tiny file of repeated lines may legitimately expand far. */
export const RATIO_FLOOR_BYTES = 8 * 1024 * 1024;
/** Most members one zip (at any level) may list. */
export const MAX_ZIP_MEMBERS = 10_000;
/** Most archive levels inside one another (a zip in a gzip is two). */
export const MAX_ARCHIVE_DEPTH = 4;
const SLICE_BYTES = 16 * 1024;

export type DecompressionLimitName = 'max_decompressed_bytes' | 'max_ratio' | 'max_zip_members' | 'max_archive_depth';

/** A file refused for what it would decompress to; `limit` and `value` name the limit it passed. */
export class DecompressionLimitError extends Error {
  constructor(
    readonly file: string,
    readonly limit: DecompressionLimitName,
    readonly value: number,
    message: string,
  ) {
    super(message);
    this.name = 'DecompressionLimitError';
  }
}

const MIB = 1024 * 1024;
const mib = (n: number) => (n >= MIB ? `${Math.round((n / MIB) * 10) / 10} MiB` : `${n} bytes`);

/** The decompression allowance of one received file, shared by every archive level inside it. */
export class DecompressionBudget {
  private produced = 0;

  constructor(
    /** The received file's name (error messages name it). */
    readonly file: string,
    /** The received file's size in bytes. */
    readonly compressed_bytes: number,
    readonly limits: DecompressionLimits = DEFAULT_DECOMPRESSION_LIMITS,
  ) {}

  /** Bytes produced so far. */
  get used(): number {
    return this.produced;
  }

  /** Counts `n` more bytes produced; throws DecompressionLimitError past a limit. */
  take(n: number): void {
    this.produced += n;
    const { max_decompressed_bytes: max, max_ratio: ratio } = this.limits;
    if (this.produced > max) {
      throw new DecompressionLimitError(this.file, 'max_decompressed_bytes', max, `${this.file} decompresses to more than ${mib(max)}, the most one file may`);
    }
    if (this.produced > RATIO_FLOOR_BYTES && this.produced > ratio * this.compressed_bytes) {
      throw new DecompressionLimitError(
        this.file,
        'max_ratio',
        ratio,
        `${this.file} decompresses to more than ${ratio} times its size (${mib(this.compressed_bytes)} → over ${mib(this.produced)}): refused as a decompression bomb`,
      );
    }
  }

  /** Throws when archives nest deeper than MAX_ARCHIVE_DEPTH. */
  enter(depth: number): void {
    if (depth > MAX_ARCHIVE_DEPTH) {
      throw new DecompressionLimitError(this.file, 'max_archive_depth', MAX_ARCHIVE_DEPTH, `${this.file} nests archives more than ${MAX_ARCHIVE_DEPTH} deep`);
    }
  }
}

export function isGzip(d: Uint8Array): boolean {
  return d.length > 2 && d[0] === 0x1f && d[1] === 0x8b;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Feeds `data` to a streaming inflater in slices, counting every output chunk against the budget. */
function inflateSliced(data: Uint8Array, budget: DecompressionBudget, make: (ondata: (chunk: Uint8Array, final: boolean) => void) => Gunzip | Inflate, what: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const stream = make((chunk, final) => {
    if (chunk.length) {
      budget.take(chunk.length);
      chunks.push(chunk);
      total += chunk.length;
    }
    if (final) ended = true;
  });
  try {
    for (let at = 0; at < data.length; at += SLICE_BYTES) {
      const end = Math.min(data.length, at + SLICE_BYTES);
      stream.push(data.subarray(at, end), end === data.length);
    }
    if (data.length === 0) stream.push(new Uint8Array(0), true);
  } catch (err) {
    if (err instanceof DecompressionLimitError) throw err;
    throw new Error(`${what}: ${(err as Error).message}`, { cause: err });
  }
  if (!ended) throw new Error(`${what}: truncated compressed data`);
  return concat(chunks, total);
}

/** gunzip (single or multi-member) within the budget. */
export function gunzipBounded(data: Uint8Array, budget: DecompressionBudget, what = budget.file): Uint8Array {
  return inflateSliced(data, budget, (ondata) => new Gunzip(ondata), `${what}: invalid gzip data`);
}

/** Raw DEFLATE (a zip member) within the budget. */
export function inflateBounded(data: Uint8Array, budget: DecompressionBudget, what = budget.file): Uint8Array {
  return inflateSliced(data, budget, (ondata) => new Inflate(ondata), `${what}: invalid deflate data`);
}

const u16 = (d: Uint8Array, at: number) => d[at]! | (d[at + 1]! << 8);
const u32 = (d: Uint8Array, at: number) => (d[at]! | (d[at + 1]! << 8) | (d[at + 2]! << 16) | (d[at + 3]! << 24)) >>> 0;
const u64 = (d: Uint8Array, at: number) => u32(d, at) + u32(d, at + 4) * 2 ** 32;

interface ZipEntry {
  name: string;
  method: number;
  compressed: number;
  local_offset: number;
}

/** The central directory of a zip (zip64 included); archive-structure errors name the file. */
function zipEntries(data: Uint8Array, what: string): ZipEntry[] {
  let eocd = -1;
  for (let at = data.length - 22; at >= Math.max(0, data.length - 22 - 65_535); at--) {
    if (u32(data, at) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${what}: not a readable zip (no end of central directory)`);
  let count = u16(data, eocd + 10);
  let offset = u32(data, eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || u32(data, locator) !== 0x07064b50) throw new Error(`${what}: zip64 archive without its locator`);
    const z64 = u64(data, locator + 8);
    if (z64 + 56 > data.length || u32(data, z64) !== 0x06064b50) throw new Error(`${what}: zip64 end record missing`);
    count = u64(data, z64 + 32);
    offset = u64(data, z64 + 48);
  }
  if (count > MAX_ZIP_MEMBERS) throw new DecompressionLimitError(what, 'max_zip_members', MAX_ZIP_MEMBERS, `${what} lists ${count} members; at most ${MAX_ZIP_MEMBERS} are read`);
  const decoder = new TextDecoder('utf-8');
  const out: ZipEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > data.length || u32(data, at) !== 0x02014b50) throw new Error(`${what}: central directory entry ${i + 1} is damaged`);
    const method = u16(data, at + 10);
    let compressed = u32(data, at + 20);
    const uncompressed = u32(data, at + 24);
    const nameLen = u16(data, at + 28);
    const extraLen = u16(data, at + 30);
    const commentLen = u16(data, at + 32);
    let local = u32(data, at + 42);
    const name = decoder.decode(data.subarray(at + 46, at + 46 + nameLen));
    if (compressed === 0xffffffff || uncompressed === 0xffffffff || local === 0xffffffff) {
      // zip64 extended information: the 64-bit fields present are those whose 32-bit field is all ones, in this order.
      let e = at + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = u16(data, e);
        const size = u16(data, e + 2);
        if (id === 0x0001) {
          let f = e + 4;
          if (uncompressed === 0xffffffff) f += 8;
          if (compressed === 0xffffffff) {
            compressed = u64(data, f);
            f += 8;
          }
          if (local === 0xffffffff) local = u64(data, f);
          break;
        }
        e += 4 + size;
      }
    }
    out.push({ name, method, compressed, local_offset: local });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/**
 * The members of a zip, name → bytes, within the budget (directories left out).
 * Stored and deflated members are read; another method is an error naming it.
 */
export function unzipBounded(data: Uint8Array, budget: DecompressionBudget, what = budget.file): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const e of zipEntries(data, what)) {
    if (e.name.endsWith('/')) continue;
    const h = e.local_offset;
    if (h + 30 > data.length || u32(data, h) !== 0x04034b50) throw new Error(`${what}/${e.name}: local header missing`);
    const start = h + 30 + u16(data, h + 26) + u16(data, h + 28);
    if (start + e.compressed > data.length) throw new Error(`${what}/${e.name}: member runs past the end of the archive`);
    const raw = data.subarray(start, start + e.compressed);
    if (e.method === 0) {
      budget.take(raw.length);
      files[e.name] = raw;
    } else if (e.method === 8) {
      files[e.name] = inflateBounded(raw, budget, `${what}/${e.name}`);
    } else {
      throw new Error(`${what}/${e.name}: compression method ${e.method} is not read (stored and deflate are)`);
    }
  }
  return files;
}
