/**
 * Imports of ISO price files (energy or ancillary-service), shared by the API
 * and `optibid import`. Each file is opened and parsed in the compute pool
 * within the configured decompression limits (import-task.ts), so the event
 * loop never decompresses or parses; then each file is stored all or nothing:
 * its rows, its `price_imports` record and its audit row in one transaction.
 */
import { ANCILLARY_PRICE_FORMATS, PRICE_FORMAT_IDS, type AncillaryPriceRow, type DecompressionLimitName, type NormalizedPriceRow, type PriceFormatId, type PriceParseOptions } from '@optibid/core';
import type { ImportReport } from '@optibid/contracts';
import type { TransferListItem } from 'node:worker_threads';
import type { ComputePool } from '../../compute/pool.js';
import { IMPORT_LIMIT_ENV, type ImportLimits } from '../../config/index.js';
import type { Database, Transaction } from '../../db/client.js';
import type { Repositories } from '../../db/repositories/index.js';
import { AppError, badRequest } from '../../http/errors.js';
import { decodeColumns } from './import-columns.js';
import { IMPORT_TASK_URL, type ImportTaskInput, type ImportTaskOutput, type ParsedResult } from './import-task.js';
import type { MarketService, PriceOwner } from './market-service.js';

const MAX_REJECTIONS = 1000;
/** Rows rebuilt and stored per statement: the main thread works in slices this size between awaits. */
/**
 * Rows rebuilt and stored per repository call: their rebuilding and COPY text run on the event
 * loop, so a slice is kept to tens of milliseconds on a loaded 2-core machine (the repository
 * splits PGlite's COPY further). Not much smaller: each slice also checks its keys against the
 * table, which grows during the file's transaction.
 */
const STORE_SLICE_ROWS = 5_000;
const MIB = 1024 * 1024;

export interface ImportActor {
  organization_id: string | null;
  user_id: string | null;
  origin: 'api' | 'cli' | 'seed';
  /** The caller's address (API imports), kept in the audit row. */
  ip?: string | null;
}

export interface ImportFile {
  name: string;
  /** The file's bytes; a buffer the array owns whole moves to the worker (unusable after). */
  data: Uint8Array;
}

/** A file read when its turn comes (the CLI: a folder of large files is never held whole). */
export interface ImportSource {
  name: string;
  /** Bytes on disk, checked against IMPORT_MAX_FILE_MB before reading. */
  size: number;
  read(): Uint8Array;
}

export type ImportOptions = Omit<PriceParseOptions, 'format' | 'market'> & { format?: string; market?: string };

interface ImportLog {
  info(obj: object, msg?: string): void;
}

type Parsed = Extract<ImportTaskOutput, { ok: true }>;
type FileReport = ImportReport['files'][number];

/** The HTTP answer for a file past a decompression limit, naming the file and the setting behind the limit. */
function limitError(file: string, limit: DecompressionLimitName, value: number, message: string, limits: ImportLimits): AppError {
  if (limit === 'max_decompressed_bytes') {
    const env = IMPORT_LIMIT_ENV.maxDecompressedBytes;
    return new AppError(413, 'decompressed_too_large', `${message} (${env}=${limits.maxDecompressedBytes / MIB})`, [{ file, limit: env, value: limits.maxDecompressedBytes / MIB }]);
  }
  if (limit === 'max_ratio') {
    const env = IMPORT_LIMIT_ENV.maxCompressionRatio;
    return new AppError(422, 'compression_ratio_exceeded', `${message} (${env}=${limits.maxCompressionRatio})`, [{ file, limit: env, value: limits.maxCompressionRatio }]);
  }
  return new AppError(422, 'archive_refused', message, [{ file, limit, value }]);
}

export class ImportService {
  constructor(
    private readonly d: { repos: Repositories; database: Database; compute: ComputePool; markets: MarketService; limits: ImportLimits; log: ImportLog },
  ) {}

  get limits(): ImportLimits {
    return this.d.limits;
  }

  /**
   * An upload through the API. Every file is parsed first: one past a decompression limit refuses the
   * whole upload (413/422 naming the file and the limit) before anything is stored. Then each file is
   * stored in its own transaction with its import record and audit row.
   */
  async importUpload(files: ImportFile[], opts: ImportOptions, actor: ImportActor & { origin: 'api' }, owner: PriceOwner): Promise<ImportReport> {
    const parseOpts = this.parseOptions(opts);
    // The first file past a limit refuses the upload: files still waiting for a worker are not opened.
    const refuse = new AbortController();
    const parsed = await Promise.all(
      files.map(async (f) => {
        const p = await this.parse(f, parseOpts, opts.format, refuse.signal);
        if (!p.ok && p.reason === 'limit') refuse.abort();
        return p;
      }),
    );
    parsed.forEach((p, i) => {
      if (!p.ok && p.reason === 'limit') throw limitError(files[i]!.name, p.limit, p.value, p.message, this.d.limits);
    });
    const report = emptyReport(owner);
    for (let i = 0; i < files.length; i++) await this.storeOne(report, files[i]!.name, parsed[i]!, actor, owner);
    return report;
  }

  /**
   * Files one after the other, each read (an ImportSource), parsed and stored in turn (the CLI and seeding:
   * a folder may hold many large files, so only one is held at a time). A file past a limit or unreadable
   * is refused with the reason; the others go on. Bad lines are reported and never abort the good ones.
   */
  async importFiles(files: readonly (ImportFile | ImportSource)[], opts: ImportOptions, actor: ImportActor, owner: PriceOwner, onProgress?: (done: number, total: number, file: string) => void): Promise<ImportReport> {
    const parseOpts = this.parseOptions(opts);
    const report = emptyReport(owner);
    let done = 0;
    for (const file of files) {
      const size = 'data' in file ? file.data.length : file.size;
      if (size > this.d.limits.maxFileBytes) {
        const mb = this.d.limits.maxFileBytes / MIB;
        report.refused.push({ file: file.name, reason: `${file.name} is larger than ${mb} MiB, the most one imported file may be (${IMPORT_LIMIT_ENV.maxFileBytes}=${mb})` });
      } else {
        const parsed = await this.parse('data' in file ? file : { name: file.name, data: file.read() }, parseOpts, opts.format);
        await this.storeOne(report, file.name, parsed, actor, owner);
      }
      onProgress?.(++done, files.length, file.name);
    }
    return report;
  }

  private async parse(file: ImportFile, parse: PriceParseOptions, format: string | undefined, signal?: AbortSignal): Promise<ImportTaskOutput> {
    const input: ImportTaskInput = {
      name: file.name,
      data: file.data,
      ancillary_format: format && isAncillaryFormat(format) ? format : undefined,
      parse,
      limits: { max_decompressed_bytes: this.d.limits.maxDecompressedBytes, max_ratio: this.d.limits.maxCompressionRatio },
    };
    const owned = file.data.byteOffset === 0 && file.data.byteLength === file.data.buffer.byteLength;
    try {
      return await this.d.compute.run<ImportTaskOutput>(IMPORT_TASK_URL, 'parseImport', input, { transferList: owned ? [file.data.buffer as TransferListItem] : [], signal });
    } catch (err) {
      if (signal?.aborted) return { ok: false, reason: 'unreadable', message: `${file.name}: not opened (another file of the upload was refused)` };
      // The worker itself failed (out of memory on a huge file, for one): the file is refused, the server goes on.
      return { ok: false, reason: 'unreadable', message: `${file.name}: could not be read: ${(err as Error).message}` };
    }
  }

  /** One received file into the report: refused with its reason, or stored whole with its record and audit row. */
  private async storeOne(report: ImportReport, name: string, parsed: ImportTaskOutput, actor: ImportActor, owner: PriceOwner): Promise<void> {
    if (!parsed.ok) {
      const reason = parsed.reason === 'limit' ? limitError(name, parsed.limit, parsed.value, parsed.message, this.d.limits).message : parsed.message;
      report.refused.push({ file: name, reason });
      return;
    }
    // AS clearing prices are market-wide and have no per-organisation series: only the platform writes them.
    if (parsed.kind === 'ancillary' && owner !== null) {
      report.refused.push({ file: name, reason: "ancillary-service price files are market-wide: only a platform admin (or the operator's optibid import) stores them" });
      return;
    }
    const rows = parsed.results.reduce((n, r) => n + r.columns.count, 0);
    let entries: FileReport[];
    try {
      entries = await this.storeFile(name, parsed, actor, owner, rows);
    } catch (err) {
      // The database refusing the file's own rows (a constraint) refuses this file; anything else is a server failure.
      if (!isIntegrityViolation(err)) throw err;
      report.refused.push({ file: name, reason: `not stored (nothing of it was kept): the database refused a row: ${(err as Error).message}` });
      return;
    }
    report.import_id ??= entries[0]?.import_id ?? null;
    for (const [f, r] of entries.map((e, i) => [e, parsed.results[i]!] as const)) {
      report.files.push(f);
      report.inserted += f.inserted;
      report.updated += f.updated;
      report.unchanged += f.unchanged;
      report.rejected += f.rejected;
      for (const rej of r.rejections) {
        if (report.rejections.length >= MAX_REJECTIONS) break;
        report.rejections.push({ file: r.file, ...rej });
      }
    }
  }

  /** One received file's rows, its import record and its audit row, in one transaction: all of them or none. */
  private storeFile(name: string, parsed: Parsed, actor: ImportActor, owner: PriceOwner, rows: number): Promise<FileReport[]> {
    return this.d.database.transaction(async (tx) => {
      this.d.log.info({ file: name, rows, origin: actor.origin }, 'import: storing a file in one transaction');
      const out: FileReport[] = [];
      for (const r of parsed.results) out.push(await this.storeResult(tx, parsed.kind, r, owner));
      const totals = sum(out);
      const importId = await this.d.repos.prices.recordImport(
        { organization_id: actor.organization_id, user_id: actor.user_id, origin: actor.origin, report: { file: name, files: out, refused: [] }, ...totals },
        tx,
      );
      await this.d.repos.audit.record(
        {
          organization_id: actor.organization_id,
          actor_user_id: actor.user_id,
          action: 'prices.import',
          target_type: 'price_import',
          target_id: importId,
          ip: actor.ip ?? null,
          details: { file: name, origin: actor.origin, kind: parsed.kind, scope: owner === null ? 'shared' : 'own', ...totals },
        },
        tx,
      );
      return out.map((f) => ({ ...f, import_id: importId }));
    });
  }

  private async storeResult(tx: Transaction, kind: Parsed['kind'], r: ParsedResult, owner: PriceOwner): Promise<FileReport> {
    const stored = { inserted: 0, updated: 0, unchanged: r.duplicates };
    const slice = STORE_SLICE_ROWS;
    for (let from = 0; from < r.columns.count; from += slice) {
      const s =
        kind === 'energy'
          ? await this.d.repos.prices.upsert(decodeColumns<NormalizedPriceRow>(r.columns, from, from + slice), { owner }, tx)
          : await this.d.repos.ancillaryPrices.upsert(decodeColumns<AncillaryPriceRow>(r.columns, from, from + slice), { source: `import:${r.file}` }, tx);
      stored.inserted += s.inserted;
      stored.updated += s.updated;
      stored.unchanged += s.unchanged;
    }
    return {
      file: r.file,
      format: r.format,
      rows: r.rows,
      ...stored,
      rejected: r.rejected,
      markets: r.markets,
      locations: r.locations,
      ...(r.products ? { products: r.products } : {}),
      first_interval: r.first_interval,
      last_interval: r.last_interval,
    };
  }

  private parseOptions(opts: ImportOptions): PriceParseOptions {
    const out: PriceParseOptions = {};
    if (opts.format && !isAncillaryFormat(opts.format)) {
      if (!(PRICE_FORMAT_IDS as readonly string[]).includes(opts.format)) {
        const known = [...PRICE_FORMAT_IDS, ...ANCILLARY_PRICE_FORMATS];
        throw badRequest(`unknown format "${opts.format}"; formats we read: ${known.join(', ')}`, [{ field: 'format', message: 'unknown format' }]);
      }
      out.format = opts.format as PriceFormatId;
    }
    if (opts.market) out.market = this.d.markets.market(opts.market).iso;
    if (opts.location) out.location = opts.location;
    if (opts.run) out.run = opts.run;
    return out;
  }
}

function isAncillaryFormat(f: string): boolean {
  return (ANCILLARY_PRICE_FORMATS as readonly string[]).includes(f);
}

function emptyReport(owner: PriceOwner): ImportReport {
  return { import_id: null, scope: owner === null ? 'shared' : 'own', files: [], inserted: 0, updated: 0, unchanged: 0, rejected: 0, rejections: [], refused: [] };
}

/** A PostgreSQL integrity-constraint violation (SQLSTATE class 23: check, unique, foreign key, not null), on either driver. */
function isIntegrityViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^23[0-9A-Z]{3}$/.test(code);
}

function sum(files: FileReport[]): { inserted: number; updated: number; unchanged: number; rejected: number } {
  return files.reduce((t, f) => ({ inserted: t.inserted + f.inserted, updated: t.updated + f.updated, unchanged: t.unchanged + f.unchanged, rejected: t.rejected + f.rejected }), { inserted: 0, updated: 0, unchanged: 0, rejected: 0 });
}
