/**
 * A large price file in a real ISO format for the load benches: the CAISO SP15 real-time
 * demo month (gridstatus CSV, as published) repeated, each copy 30 days earlier than the next
 * (the oldest first), so every row is a new interval of the real series with real prices.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DEMO_DATA_DIR } from '../demo/history.js';

const SOURCE = 'caiso_rt_th_sp15_2025-08_gridstatus.csv.gz';
const SHIFT_MS = 30 * 86_400_000;

/** `2025-08-01 00:05:00+00:00` moved by `ms`, in the same notation. */
function shifted(stamp: string, ms: number): string {
  const t = Date.parse(stamp.replace(' ', 'T')) - ms;
  return new Date(t).toISOString().replace('T', ' ').replace('.000Z', '+00:00');
}

/** Writes `rows` data rows (and the header) to `file`; returns what was written. */
export function writeImportFile(file: string, rows: number): { rows: number; bytes: number } {
  const text = gunzipSync(fs.readFileSync(path.join(DEMO_DATA_DIR, SOURCE))).toString('utf8');
  const lines = text.split('\n').filter((l) => l.length > 0);
  const header = lines.shift()!;
  const span = Date.parse(lines.at(-1)!.split(',')[1]!.replace(' ', 'T')) - Date.parse(lines[0]!.split(',')[0]!.replace(' ', 'T'));
  if (span > SHIFT_MS) throw new Error(`${SOURCE} spans more than 30 days`);
  const fd = fs.openSync(file, 'w');
  let bytes = fs.writeSync(fd, header + '\n');
  // Oldest copy first, so the file runs forward in time as an ISO's own files do; the oldest
  // copy keeps only its newest rows when `rows` is not a whole number of months.
  const copies = Math.ceil(rows / lines.length);
  let written = 0;
  for (let copy = copies; copy >= 1; copy--) {
    const from = copy === copies ? copies * lines.length - rows : 0;
    const out: string[] = [];
    for (const line of lines.slice(from)) {
      const a = line.indexOf(',');
      const b = line.indexOf(',', a + 1);
      out.push(`${shifted(line.slice(0, a), copy * SHIFT_MS)},${shifted(line.slice(a + 1, b), copy * SHIFT_MS)}${line.slice(b)}`);
      written++;
    }
    bytes += fs.writeSync(fd, out.join('\n') + '\n');
  }
  fs.closeSync(fd);
  return { rows: written, bytes };
}
