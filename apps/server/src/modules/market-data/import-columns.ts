/**
 * Parsed rows crossing the worker boundary as columns: numbers and instants
 * in typed arrays (transferred, not copied), strings once per distinct value
 * with an index per row. Cloning 300,000 row objects back to the main thread
 * would block it for a good fraction of a second; these columns move in
 * microseconds, and the main thread rebuilds rows a slice at a time while it
 * stores them.
 */
import type { TransferListItem } from 'node:worker_threads';

export interface ColumnSpec<T> {
  /** Text fields, dictionary-encoded. */
  strings: readonly (keyof T & string)[];
  /** Date fields (as epoch milliseconds). */
  dates: readonly (keyof T & string)[];
  /** Number fields; null travels as NaN (parsers never emit NaN: they reject non-finite values). */
  numbers: readonly (keyof T & string)[];
}

export interface Columns {
  count: number;
  strings: Record<string, { values: string[]; index: Uint32Array }>;
  dates: Record<string, Float64Array>;
  numbers: Record<string, Float64Array>;
}

export function encodeColumns<T>(rows: readonly T[], spec: ColumnSpec<T>): Columns {
  const n = rows.length;
  const out: Columns = { count: n, strings: {}, dates: {}, numbers: {} };
  for (const f of spec.strings) {
    const values: string[] = [];
    const seen = new Map<string, number>();
    const index = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const v = String(rows[i]![f] ?? '');
      let k = seen.get(v);
      if (k === undefined) {
        k = values.push(v) - 1;
        seen.set(v, k);
      }
      index[i] = k;
    }
    out.strings[f] = { values, index };
  }
  for (const f of spec.dates) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = (rows[i]![f] as Date).getTime();
    out.dates[f] = col;
  }
  for (const f of spec.numbers) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = rows[i]![f] as number | null;
      col[i] = v === null || v === undefined ? Number.NaN : v;
    }
    out.numbers[f] = col;
  }
  return out;
}

/** Rows `from` (inclusive) to `to` (exclusive) rebuilt as objects. */
export function decodeColumns<T>(cols: Columns, from: number, to: number): T[] {
  const end = Math.min(to, cols.count);
  const strings = Object.entries(cols.strings);
  const dates = Object.entries(cols.dates);
  const numbers = Object.entries(cols.numbers);
  const out: T[] = [];
  for (let i = from; i < end; i++) {
    const row: Record<string, unknown> = {};
    for (const [f, c] of strings) row[f] = c.values[c.index[i]!];
    for (const [f, c] of dates) row[f] = new Date(c[i]!);
    for (const [f, c] of numbers) row[f] = Number.isNaN(c[i]!) ? null : c[i]!;
    out.push(row as T);
  }
  return out;
}

/** The buffers to transfer with a value holding these columns. */
export function columnBuffers(cols: Columns): TransferListItem[] {
  return [...Object.values(cols.strings).map((s) => s.index.buffer), ...Object.values(cols.dates).map((d) => d.buffer), ...Object.values(cols.numbers).map((x) => x.buffer)] as TransferListItem[];
}

/** The rows with one occurrence per key, the last winning in the first one's place (as a file read top to bottom), and how many were dropped. */
export function lastPerKey<T>(rows: readonly T[], key: (r: T) => string): { rows: T[]; duplicates: number } {
  const byKey = new Map<string, T>();
  for (const r of rows) byKey.set(key(r), r);
  return { rows: byKey.size === rows.length ? [...rows] : [...byKey.values()], duplicates: rows.length - byKey.size };
}
