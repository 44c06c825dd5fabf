/**
 * Imports are bounded and off the event loop (issue 13, finding 2: five 1 MB
 * gzip files expanding to 1 GB each blocked /health/live for 14.5 s and took
 * RSS to 1.6 GB). Bombs of 1 GiB of zeros, generated here as streams (never
 * held whole), go to a listening server (from another process) while
 * /health/live is polled: they are refused naming the limit and the file, the
 * probes keep answering (95 % within 100 ms and none for long, see
 * expectResponsive for what a shared machine allows), and the process's RSS
 * stays bounded. The upload caps (bytes per file, per upload, files per
 * upload) answer 413 naming their setting.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import zlib from 'node:zlib';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecompressionLimitError, parsePriceFile } from '@optibid/core';
import { backends, bearer, registerUser, startTestServer, type TestServer } from './helpers.js';
import { multipart } from './multipart.js';

const MIB = 1024 * 1024;
const ERCOT_FILE = 'ercot_dam_hb_houston_2015-11-02_12-31.csv.gz';
const ercotBytes = () => new Uint8Array(fs.readFileSync(new URL(`./fixtures/${ERCOT_FILE}`, import.meta.url)));

/** `mib` MiB of zeros through a zlib stream, 1 MiB at a time: the compressed bytes and the CRC-32 of the input. */
async function zeroStream(make: () => zlib.Gzip | zlib.DeflateRaw, mib: number): Promise<{ bytes: Buffer; crc: number }> {
  const zero = Buffer.alloc(MIB);
  const z = make();
  const out: Buffer[] = [];
  z.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((resolve) => z.on('end', resolve));
  let crc = 0;
  for (let i = 0; i < mib; i++) {
    crc = zlib.crc32(zero, crc);
    if (!z.write(zero)) await new Promise((resolve) => z.once('drain', resolve));
  }
  z.end();
  await ended;
  return { bytes: Buffer.concat(out), crc };
}

/** A one-member zip (deflate) whose member is `mib` MiB of zeros. */
async function zipBomb(mib: number, member = 'prices.csv'): Promise<Buffer> {
  const { bytes, crc } = await zeroStream(() => zlib.createDeflateRaw({ level: 9 }), mib);
  const name = Buffer.from(member);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(bytes.length, 18);
  local.writeUInt32LE(mib * MIB, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(bytes.length, 20);
  central.writeUInt32LE(mib * MIB, 24);
  central.writeUInt16LE(name.length, 28);
  const cdOffset = local.length + name.length + bytes.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, name, bytes, central, name, end]);
}

interface Probe {
  status: number;
  latencies_ms: number[];
  max_rss_mib: number;
  loop_delay_max_ms: number;
  /** Share of the time the event loop was busy (not waiting for I/O) while the upload ran. */
  loop_utilization: number;
}

/**
 * Posts files to the import route from a child process, so the upload's client work (reading and
 * encoding the body) does not run on the event loop under test, which serves the server and the probes.
 */
function uploadFromChild(url: string, token: string, paths: string[]): Promise<{ status: number; body: { error: { code: string; message: string; details?: unknown[] } } }> {
  const script = `
    const fs = require('node:fs');
    const [url, token, ...paths] = process.argv.slice(1);
    const form = new FormData();
    for (const p of paths) form.append('files', new Blob([fs.readFileSync(p)]), require('node:path').basename(p));
    fetch(url, { method: 'POST', headers: { authorization: 'Bearer ' + token }, body: form })
      .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.json() })))
      .catch((e) => { process.stderr.write(String(e)); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, url, token, ...paths], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (err += c));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`upload failed: ${err}`))));
  });
}

/** Uploads `paths` (from another process) while polling /health/live from this one; returns the answer and what the probes saw. */
async function uploadWhileProbing(base: string, token: string, paths: string[]): Promise<{ status: number; body: { error: { code: string; message: string; details?: unknown[] } }; probe: Probe }> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  let done = false;
  let maxRss = process.memoryUsage().rss;
  const latencies: number[] = [];
  loop.enable();
  const elu = performance.eventLoopUtilization();
  const upload = uploadFromChild(`${base}/api/prices/import`, token, paths);
  void upload.finally(() => (done = true)).catch(() => undefined);
  let status = 200;
  while (!done) {
    const t = performance.now();
    const r = await fetch(`${base}/health/live`);
    latencies.push(performance.now() - t);
    if (r.status !== 200) status = r.status;
    await r.arrayBuffer();
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  loop.disable();
  const utilization = performance.eventLoopUtilization(elu).utilization;
  const answer = await upload;
  return { ...answer, probe: { status, latencies_ms: latencies, max_rss_mib: maxRss / MIB, loop_delay_max_ms: loop.max / 1e6, loop_utilization: utilization } };
}

function describeProbe(label: string, p: Probe): string {
  const sorted = [...p.latencies_ms].sort((a, b) => a - b);
  const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * f))]!.toFixed(1);
  return `${label}: ${p.latencies_ms.length} /health/live probes, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms; event-loop delay max ${p.loop_delay_max_ms.toFixed(1)} ms, utilisation ${(p.loop_utilization * 100).toFixed(0)} %; RSS max ${p.max_rss_mib.toFixed(0)} MiB`;
}

/** Probes after the first three (connection set-up, the pool's first thread starting). */
const WARM_UP = 3;

/**
 * What "answers within 100 ms throughout" can mean on the shared 2-core test machine: an idle server
 * here (load average 12–18 from other work, or the rest of the suite on the same cores) sees single
 * probes of 80–760 ms from the OS scheduler alone. So the test holds the server to 95 % of probes
 * within 100 ms, and to no probe waiting even half as long as the same bomb takes when opened on the
 * event loop (measured in the same run, after the probes: seconds here). Decompressing on the loop
 * fails the second: the probe sent as the block starts waits for all of it.
 */
function expectResponsive(p: Probe, onLoopMs: number): void {
  expect(p.status).toBe(200);
  const after = [...p.latencies_ms.slice(WARM_UP)].sort((a, b) => a - b);
  expect(after.length).toBeGreaterThan(10);
  expect(after[Math.floor(after.length * 0.95)]!).toBeLessThan(100);
  expect(after[after.length - 1]!).toBeLessThan(onLoopMs / 2);
}

/** How long opening `data` on this thread (the event loop) takes, up to the default ratio limit. */
function onLoopMs(name: string, data: Uint8Array): number {
  const t = performance.now();
  expect(() => parsePriceFile({ name, data }, {}, { max_decompressed_bytes: 256 * MIB, max_ratio: 100 })).toThrow(DecompressionLimitError);
  return performance.now() - t;
}

describe('import limits: bombs refused off the event loop', () => {
  let server: TestServer;
  let base: string;
  let token: string;
  let gzBombs: string[];
  let zip: string;
  let gzBytes: Buffer;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-bombs-'));
  beforeAll(async () => {
    server = await startTestServer(backends()[0]!);
    base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    token = (await registerUser(server.app)).access_token;
    const [gz, zb] = await Promise.all([zeroStream(() => zlib.createGzip({ level: 9 }), 1024), zipBomb(1024)]);
    gzBytes = gz.bytes;
    gzBombs = Array.from({ length: 5 }, (_, i) => path.join(dir, `bomb${i}.csv.gz`));
    for (const p of gzBombs) fs.writeFileSync(p, gz.bytes);
    zip = path.join(dir, 'bomb.zip');
    fs.writeFileSync(zip, zb);
  }, 240_000);
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('five 1 MB gzip files of 1 GiB each: 422 naming IMPORT_MAX_COMPRESSION_RATIO and the file; /health/live keeps answering; RSS bounded', { timeout: 180_000 }, async () => {
    expect(gzBytes.length).toBeLessThan(1.1 * MIB);
    const rssBefore = process.memoryUsage().rss / MIB;
    const r = await uploadWhileProbing(base, token, gzBombs);
    console.log(describeProbe('five gzip bombs', r.probe), `(RSS before ${rssBefore.toFixed(0)} MiB)`);
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('compression_ratio_exceeded');
    expect(r.body.error.message).toMatch(/^bomb0\.csv\.gz decompresses to more than 100 times its size .*\(IMPORT_MAX_COMPRESSION_RATIO=100\)$/);
    expect(r.body.error.details).toEqual([{ file: 'bomb0.csv.gz', limit: 'IMPORT_MAX_COMPRESSION_RATIO', value: 100 }]);
    // Each bomb stops at about 100 × 1 MB in the worker: nothing near the 1.6 GB the main thread reached before.
    expect(r.probe.max_rss_mib - rssBefore).toBeLessThan(400);
    // Nothing was stored, nor recorded.
    expect((await server.ctx.database.query<{ n: number }>('SELECT count(*)::int AS n FROM price_imports'))[0]!.n).toBe(0);

    // What the server did before: one of these opened on the event loop blocks it this long (and here only up to the ratio limit).
    const blocked = onLoopMs('x.csv.gz', new Uint8Array(gzBytes));
    console.log(`one gzip bomb opened on the main thread (up to the ratio limit): the event loop blocked ${blocked.toFixed(0)} ms`);
    expectResponsive(r.probe, blocked);
  });

  it('a 1 MB zip whose member is 1 GiB of zeros: 422 naming the limit and the file; /health/live keeps answering', { timeout: 180_000 }, async () => {
    const rssBefore = process.memoryUsage().rss / MIB;
    const r = await uploadWhileProbing(base, token, [zip]);
    console.log(describeProbe('zip bomb', r.probe), `(RSS before ${rssBefore.toFixed(0)} MiB)`);
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(/^bomb\.zip decompresses to more than 100 times its size .*\(IMPORT_MAX_COMPRESSION_RATIO=100\)$/);
    expect(r.body.error.details).toEqual([{ file: 'bomb.zip', limit: 'IMPORT_MAX_COMPRESSION_RATIO', value: 100 }]);
    expect(r.probe.max_rss_mib - rssBefore).toBeLessThan(400);
    const blocked = onLoopMs('x.zip', new Uint8Array(fs.readFileSync(zip)));
    console.log(`the zip bomb opened on the main thread (up to the ratio limit): the event loop blocked ${blocked.toFixed(0)} ms`);
    expectResponsive(r.probe, blocked);
  });
});

describe('import limits: decompressed size and the upload caps', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer(backends()[0]!, {
      IMPORT_MAX_DECOMPRESSED_MB: '64',
      IMPORT_MAX_COMPRESSION_RATIO: '100000',
      IMPORT_MAX_FILE_MB: '2',
      IMPORT_MAX_REQUEST_MB: '3',
      IMPORT_MAX_FILES: '3',
    });
    token = (await registerUser(server.app)).access_token;
  });
  afterAll(async () => server?.close());

  const upload = (files: { name: string; data: Uint8Array | string }[]) => {
    const body = multipart(files);
    return server.app.inject({ method: 'POST', url: '/api/prices/import', headers: { ...bearer(token), ...body.headers }, payload: body.payload });
  };

  it('a zip bomb within the ratio allowed here is refused by IMPORT_MAX_DECOMPRESSED_MB: 413 naming it and the file', async () => {
    const res = await upload([{ name: 'big.zip', data: new Uint8Array(await zipBomb(256)) }]);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({
      code: 'decompressed_too_large',
      message: 'big.zip decompresses to more than 64 MiB, the most one file may (IMPORT_MAX_DECOMPRESSED_MB=64)',
      details: [{ file: 'big.zip', limit: 'IMPORT_MAX_DECOMPRESSED_MB', value: 64 }],
    });
  });

  it('a file over IMPORT_MAX_FILE_MB, an upload over IMPORT_MAX_REQUEST_MB and one file too many: 413 naming the setting and the file', async () => {
    const noise = (mib: number) => new Uint8Array(Math.round(mib * MIB)).map((_, i) => (i * 2654435761) >>> 24);
    const big = await upload([{ name: 'huge.csv', data: noise(2.5) }]);
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toMatchObject({ code: 'file_too_large', message: 'huge.csv is larger than 2 MiB, the most one imported file may be (IMPORT_MAX_FILE_MB=2)', details: [{ file: 'huge.csv', limit: 'IMPORT_MAX_FILE_MB', value: 2 }] });

    const many = await upload([1, 2, 3].map((i) => ({ name: `part${i}.csv`, data: noise(1.2) })));
    expect(many.statusCode).toBe(413);
    expect(many.json().error).toMatchObject({ code: 'request_too_large', details: [{ file: 'part3.csv', limit: 'IMPORT_MAX_REQUEST_MB', value: 3 }] });
    expect(many.json().error.message).toMatch(/^the upload is larger than 3 MiB, the most one import may carry \(IMPORT_MAX_REQUEST_MB=3\), at part3\.csv$/);

    const four = await upload([1, 2, 3, 4].map((i) => ({ name: `f${i}.csv`, data: 'a,b\n1,2\n' })));
    expect(four.statusCode).toBe(413);
    expect(four.json().error).toMatchObject({ code: 'too_many_files', message: 'at most 3 files per import (IMPORT_MAX_FILES=3); f4.csv is one more' });

    // Within every limit, a real ISO file still imports.
    const ok = await upload([{ name: ERCOT_FILE, data: ercotBytes() }]);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ inserted: 1440, scope: 'own' });
  });

  it('a bad limit in the environment stops the server naming it', async () => {
    const { loadConfig } = await import('../src/config/index.js');
    expect(() => loadConfig({ IMPORT_MAX_COMPRESSION_RATIO: '1', IMPORT_MAX_FILE_MB: '300', IMPORT_MAX_REQUEST_MB: '200' })).toThrow(
      /IMPORT_MAX_COMPRESSION_RATIO=1: expected an integer from 2 to 100000[\s\S]*IMPORT_MAX_FILE_MB \(300\) is larger than IMPORT_MAX_REQUEST_MB \(200\)/,
    );
  });
});
