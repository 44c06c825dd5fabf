import { findLocation } from '../markets/catalogue.js';
import type { IsoId, PriceRun } from '../markets/types.js';
import { resolveZonedLocal } from '../time/zoned.js';
import { parseNumberCell } from './csv.js';
import type { NormalizedPriceRow, PriceFormatId, PriceRejection } from './types.js';

/**
 * What a location identifier may look like: ISO names and node ids such as
 * HB_HOUSTON, N.Y.C., WEST HUB, TH_NP15_GEN-APND or .Z.MAINE. The first
 * character is a letter, digit or dot, so no identifier can start a
 * spreadsheet formula (= + - @), and control characters are refused.
 */
export const LOCATION_ID = /^[A-Za-z0-9.][A-Za-z0-9 _.,:'/()#&+-]{0,99}$/;

export function isValidLocationId(id: string): boolean {
  return LOCATION_ID.test(id);
}

export const RUN_MINUTES: Record<PriceRun, number> = { DA: 60, RTH: 60, RT15: 15, RT5: 5 };

/** The number in cell `idx` of a row; null when the file has no such column (`idx` < 0) or the cell is empty or unreadable. */
export function numberCellOrNull(f: readonly string[], idx: number): number | null {
  return idx < 0 ? null : (parseNumberCell(f[idx]) ?? null);
}

/** Column indexes of a row's price cells; −1 where the file has no such column. */
export interface PriceCellColumns {
  lmp: number;
  energy: number;
  congestion: number;
  loss: number;
}

/** Accumulates rows and per-line rejections for one file. */
export class RowSink {
  readonly rows: NormalizedPriceRow[] = [];
  readonly rejections: PriceRejection[] = [];
  private readonly locationCache = new Map<string, string>();

  constructor(
    readonly format: PriceFormatId,
    readonly file: string,
  ) {}

  get source(): string {
    return `${this.format}:${this.file}`;
  }

  reject(line: number, reason: string, sheet?: string): void {
    this.rejections.push(sheet ? { line, reason, sheet } : { line, reason });
  }

  /** Catalogue id for a name/alias/node id, else the name as published. */
  location(market: IsoId, name: string): string {
    const key = `${market}|${name}`;
    let id = this.locationCache.get(key);
    if (id === undefined) {
      id = findLocation(market, name)?.id ?? name.trim();
      this.locationCache.set(key, id);
    }
    return id;
  }

  push(
    market: IsoId,
    location: string,
    run: PriceRun,
    start: number,
    end: number,
    lmp: number,
    energy: number | null,
    congestion: number | null,
    loss: number | null,
    /** The file line the row came from, for a rejection. */
    line = 0,
    sheet?: string,
  ): boolean {
    if (!isValidLocationId(location)) {
      this.reject(line, `location ${JSON.stringify(location.slice(0, 120))} is not a valid identifier (letters, digits, space and . _ - / ( ) # & , : ' +, starting with a letter, digit or dot)`, sheet);
      return false;
    }
    this.rows.push({
      market,
      location,
      run,
      interval_start: new Date(start),
      interval_end: new Date(end),
      lmp_usd_per_mwh: lmp,
      energy_usd_per_mwh: energy,
      congestion_usd_per_mwh: congestion,
      loss_usd_per_mwh: loss,
      source: this.source,
    });
    return true;
  }

  /**
   * Pushes one row whose LMP and components are cells of `f` (a missing column or empty
   * component is null), or rejects `line` when its LMP is not a number. True when pushed.
   */
  pushCells(line: number, f: readonly string[], c: PriceCellColumns, market: IsoId, location: string, run: PriceRun, start: number, end: number): boolean {
    const lmp = parseNumberCell(f[c.lmp]);
    if (lmp === null || lmp === undefined) {
      this.reject(line, `bad LMP ${JSON.stringify(f[c.lmp] ?? '')}`);
      return false;
    }
    return this.push(market, location, run, start, end, lmp, numberCellOrNull(f, c.energy), numberCellOrNull(f, c.congestion), numberCellOrNull(f, c.loss), line);
  }

  result(): { format: PriceFormatId; rows: NormalizedPriceRow[]; rejections: PriceRejection[] } {
    return { format: this.format, rows: this.rows, rejections: this.rejections };
  }
}

/**
 * UTC ms of a market-local wall time, choosing the fold for a repeated fall-back time.
 * Returns a reason string when the wall time does not exist (spring-forward gap).
 */
export function localStartMs(date: string, minutes: number, timeZone: string, later: boolean): number | string {
  let found: number[];
  try {
    found = resolveZonedLocal(date, minutes, timeZone);
  } catch (e) {
    return e instanceof RangeError ? e.message : String(e);
  }
  if (found.length === 0) return `${date} ${hhmm(minutes)} does not exist in ${timeZone} (spring-forward gap)`;
  if (later && found.length < 2) return `${date} ${hhmm(minutes)} is flagged as the repeated hour but is not repeated in ${timeZone}`;
  return later ? found[1]! : found[0]!;
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * Hour-ending label → start minutes of the hour. Accepts `1`, `01`, `01:00`, `HE 1`, `24:00`;
 * a trailing `X` (ISO-NE `02X`) marks the repeated hour.
 */
export function parseHourEnding(s: string): { startMinutes: number; repeated: boolean } | undefined {
  const m = /^(?:HE\s*)?(\d{1,2})(?::00)?(X?)$/i.exec(s.trim());
  if (!m) return undefined;
  const he = Number(m[1]);
  if (he < 1 || he > 24) return undefined;
  return { startMinutes: (he - 1) * 60, repeated: m[2] !== '' };
}

/**
 * Tracks how often a (location, local wall time) has been seen, for files that repeat the
 * fall-back hour's label without a flag: the second occurrence is the later instant.
 */
export class FoldTracker {
  private readonly seen = new Map<string, number>();
  /** 0 for the first occurrence, 1 for the second, … */
  next(key: string): number {
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    return n;
  }
}

/** Energy as LMP − congestion − loss when both components are known (gridstatus's derivation). */
export function deriveEnergy(lmp: number, congestion: number | null, loss: number | null): number | null {
  if (congestion === null || loss === null) return null;
  return lmp - congestion - loss;
}
