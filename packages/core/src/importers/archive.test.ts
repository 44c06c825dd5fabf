import { describe, expect, it } from 'vitest';
import { gunzipSync, gzipSync, unzipSync, zipSync } from 'fflate';
import { fixture } from '../../test-fixtures/market-data/load.js';
import { parseAncillaryPriceFile } from './ancillary-prices.js';
import { DecompressionBudget, DecompressionLimitError, gunzipBounded, MAX_ARCHIVE_DEPTH, MAX_ZIP_MEMBERS, RATIO_FLOOR_BYTES, unzipBounded } from './archive.js';
import { detectFormat, parsePriceFile } from './parse-file.js';

const MIB = 1024 * 1024;
const zeros = (n: number) => new Uint8Array(n);
const budget = (file: string, data: Uint8Array, max_decompressed_bytes = 512 * MIB, max_ratio = Number.POSITIVE_INFINITY) => new DecompressionBudget(file, data.length, { max_decompressed_bytes, max_ratio });

function limitError(fn: () => unknown): DecompressionLimitError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecompressionLimitError) return err;
    throw err;
  }
  throw new Error('expected a DecompressionLimitError');
}

/** Rewrites a one-member zip so its central directory lists that member `copies` times (overlapping entries). */
function overlappingZip(member: Uint8Array, copies: number): Uint8Array {
  const zip = zipSync({ m000: [member, { level: 9 }] });
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = zip.length - 22;
  const cdOffset = view.getUint32(eocd + 16, true);
  const entry = zip.subarray(cdOffset, eocd);
  const out = new Uint8Array(cdOffset + entry.length * copies + 22);
  out.set(zip.subarray(0, cdOffset));
  for (let i = 0; i < copies; i++) {
    const e = entry.slice();
    e.set(new TextEncoder().encode(`m${String(i).padStart(3, '0')}`), 46);
    out.set(e, cdOffset + i * entry.length);
  }
  const end = zip.slice(eocd);
  const ev = new DataView(end.buffer);
  ev.setUint16(8, copies, true);
  ev.setUint16(10, copies, true);
  ev.setUint32(12, entry.length * copies, true);
  out.set(end, cdOffset + entry.length * copies);
  return out;
}

describe('bounded decompression', () => {
  it('reads real ISO archives exactly as fflate does', () => {
    for (const rel of ['ercot/NP4-180-ER_DAMLZHBSPP_2015_cut.zip', 'caiso/PRC_LMP_DAM_TH_SP15_20250801_02_derived.zip']) {
      const f = fixture(rel);
      const ours = unzipBounded(f.data, budget(f.name, f.data));
      const theirs = Object.fromEntries(Object.entries(unzipSync(f.data)).filter(([n]) => !n.endsWith('/')));
      expect(Object.keys(ours)).toEqual(Object.keys(theirs));
      for (const [name, bytes] of Object.entries(theirs)) expect(Buffer.from(ours[name]!).equals(Buffer.from(bytes)), name).toBe(true);
    }
    const gz = fixture('pjm/da_hrl_lmps_2025-05-01_02.csv.gz');
    expect(Buffer.from(gunzipBounded(gz.data, budget(gz.name, gz.data))).equals(Buffer.from(gunzipSync(gz.data)))).toBe(true);
    // Concatenated gzip members are one stream, as gzip(1) reads them.
    const two = new Uint8Array([...gzipSync(new TextEncoder().encode('a,b\n')), ...gzipSync(new TextEncoder().encode('1,2\n'))]);
    expect(new TextDecoder().decode(gunzipBounded(two, budget('two.gz', two)))).toBe('a,b\n1,2\n');
  });

  it('parses real files the same with tight, sufficient limits', () => {
    const f = fixture('ercot/NP4-180-ER_DAMLZHBSPP_2015_cut.zip');
    const loose = parsePriceFile(f);
    const tight = parsePriceFile(f, {}, { max_decompressed_bytes: 64 * MIB, max_ratio: 100 });
    expect(tight.map((r) => r.rows.length)).toEqual(loose.map((r) => r.rows.length));
    expect(detectFormat(f.data, f.name, { max_decompressed_bytes: 64 * MIB, max_ratio: 100 })).toBe('ercot_dam_spp_yearly');
  });

  it('refuses a gzip bomb by its ratio after producing little more than the limit allows', () => {
    const bomb = gzipSync(zeros(24 * MIB), { level: 9 });
    expect(bomb.length).toBeLessThan(128 * 1024);
    const b = budget('bomb.csv.gz', bomb, 512 * MIB, 100);
    const err = limitError(() => gunzipBounded(bomb, b));
    expect(err.limit).toBe('max_ratio');
    expect(err.value).toBe(100);
    expect(err.message).toMatch(/^bomb\.csv\.gz decompresses to more than 100 times its size/);
    // Past the floor (the ratio allows less here) by at most one slice's output.
    expect(b.used).toBeLessThan(RATIO_FLOOR_BYTES + 17 * MIB);
  });

  it('refuses a gzip bomb by its decompressed size, through parsePriceFile too', () => {
    const bomb = gzipSync(zeros(32 * MIB), { level: 9 });
    const err = limitError(() => parsePriceFile({ name: 'z.csv.gz', data: bomb }, {}, { max_decompressed_bytes: 4 * MIB, max_ratio: Number.POSITIVE_INFINITY }));
    expect(err).toMatchObject({ file: 'z.csv.gz', limit: 'max_decompressed_bytes', value: 4 * MIB });
    expect(err.message).toBe('z.csv.gz decompresses to more than 4 MiB, the most one file may');
  });

  it('counts nested archives against one budget (a zip of zips)', () => {
    const inner = zipSync(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`part${i}.csv`, [zeros(4 * MIB), { level: 9 }]])));
    const outer = zipSync(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`inner${i}.zip`, [inner, { level: 9 }]])));
    expect(outer.length).toBeLessThan(1 * MIB);
    // Each inner zip alone stays within 32 MiB; the outer one's members are opened in turn.
    const err = limitError(() => parsePriceFile({ name: 'nested.zip', data: outer }, {}, { max_decompressed_bytes: 24 * MIB, max_ratio: Number.POSITIVE_INFINITY }));
    expect(err).toMatchObject({ file: 'nested.zip', limit: 'max_decompressed_bytes' });
    const asAncillary = limitError(() => parseAncillaryPriceFile({ name: 'nested.zip', data: outer }, { max_decompressed_bytes: 24 * MIB, max_ratio: Number.POSITIVE_INFINITY }));
    expect(asAncillary.limit).toBe('max_decompressed_bytes');
  });

  it('counts every central-directory entry, so overlapping entries cannot multiply one block for free', () => {
    const zip = overlappingZip(zeros(1 * MIB), 60);
    expect(Object.keys(unzipBounded(zip, budget('ok.zip', zip)))).toHaveLength(60);
    const err = limitError(() => unzipBounded(zip, budget('overlap.zip', zip, 50 * MIB)));
    expect(err.limit).toBe('max_decompressed_bytes');
  });

  it('refuses archives listing too many members or nested too deep, and names damaged data', () => {
    const zip = zipSync({ 'a.csv': new Uint8Array([0x61]) });
    const lying = zip.slice();
    const view = new DataView(lying.buffer);
    view.setUint16(lying.length - 22 + 10, MAX_ZIP_MEMBERS + 1, true);
    expect(limitError(() => unzipBounded(lying, budget('many.zip', lying)))).toMatchObject({ limit: 'max_zip_members', value: MAX_ZIP_MEMBERS });

    let deep: Uint8Array = new TextEncoder().encode('interval_start_utc,location,lmp\n');
    for (let i = 0; i <= MAX_ARCHIVE_DEPTH; i++) deep = zipSync({ [`level${i}.zip`]: deep });
    expect(limitError(() => parsePriceFile({ name: 'deep.zip', data: deep }))).toMatchObject({ limit: 'max_archive_depth' });

    const text = Array.from({ length: 20_000 }, (_, i) => `${i},${(i * 7919) % 1000}`).join('\n');
    const truncated = gzipSync(new TextEncoder().encode(text)).subarray(0, 2000);
    expect(() => parsePriceFile({ name: 'cut.csv.gz', data: truncated })).toThrow(/cut\.csv\.gz: invalid gzip data/);
  });
});
