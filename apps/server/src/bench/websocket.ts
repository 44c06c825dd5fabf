/**
 * WebSocket fan-out bench: a real server on loopback (PGlite in memory, memory
 * bus), 5,000 WebSocket clients (raw TCP, see CLIENT_SOURCE) on /api/ws/ws/market/pjm in
 * worker threads (2,500 per worker: their own event loops, as separate client processes would be), N ticks
 * published on the bus one every `gapMs`. Latency per delivery = receive time in
 * a worker − publish time in the server, both `performance.timeOrigin +
 * performance.now()` (the same wall clock in every thread, sub-millisecond).
 * 10,000 sockets in one process need `ulimit -n` above 10,000 (the default 1,024 is not).
 * Bounded: at most 10,000 clients and 500 ticks, and a 180 s overall deadline.
 * Goal: p99 < 50 ms with 5,000 clients.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildApp } from '../app.js';
import { loadConfig } from '../config/index.js';
import { createServices } from '../services.js';
import { openDatabase } from '../db/client.js';
import { priceChannel, priceUpdateMessage } from '../realtime/messages.js';

const DEADLINE_MS = 180_000;
const CLIENTS_PER_WORKER = 2_500;

interface ClientJob {
  host: string;
  port: number;
  path: string;
  clients: number;
  ticks: number;
}

type ToMain = { kind: 'ready'; connect_ms: number } | { kind: 'received'; count: number } | { kind: 'results'; recv: Float64Array };

export interface WebsocketBenchOptions {
  clients?: number;
  ticks?: number;
  gapMs?: number;
  /** Client worker threads (default: one per 2,500 clients). */
  workers?: number;
}

const wallNow = () => performance.timeOrigin + performance.now();

export async function benchWebsocket(opts: WebsocketBenchOptions = {}): Promise<Record<string, number | string>> {
  const clients = Math.min(Math.max(1, opts.clients ?? 5000), 10_000);
  const ticks = Math.min(Math.max(1, opts.ticks ?? 50), 500);
  const gapMs = Math.max(10, opts.gapMs ?? 100);
  const workerCount = Math.min(clients, Math.max(1, opts.workers ?? Math.ceil(clients / CLIENTS_PER_WORKER)));
  const deadline = Date.now() + DEADLINE_MS;
  const loadAtStart = os.loadavg();

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-ws-bench-'));
  const config = loadConfig({ OPTIBID_ENV: 'test', DATA_DIR: dataDir, DEMO_MODE: 'false', SIMULATION_MODE: 'false', PUBLIC_MARKET_DATA: 'true', LOG_LEVEL: 'silent' });
  const database = await openDatabase({});
  const ctx = await createServices(config, { database });
  const app = await buildApp(ctx, { logger: false });
  const workers: Worker[] = [];
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('server has no TCP address');
    const inbox: ToMain[][] = [];
    let wake: (() => void) | null = null;
    let failure: Error | null = null;
    const shares = Array.from({ length: workerCount }, (_, i) => Math.floor(clients / workerCount) + (i < clients % workerCount ? 1 : 0));
    for (const share of shares) {
      const job: ClientJob = { host: '127.0.0.1', port: addr.port, path: '/api/ws/ws/market/pjm', clients: share, ticks };
      const w = new Worker(CLIENT_SOURCE, { eval: true, workerData: job });
      const box: ToMain[] = [];
      inbox.push(box);
      w.on('message', (m: ToMain) => {
        box.push(m);
        wake?.();
      });
      w.on('error', (err) => {
        failure = err;
        wake?.();
      });
      workers.push(w);
    }
    const waitFor = async <K extends ToMain['kind']>(i: number, kind: K, timeoutMs: number): Promise<Extract<ToMain, { kind: K }>> => {
      const until = Math.min(Date.now() + timeoutMs, deadline);
      const box = inbox[i]!;
      for (;;) {
        const j = box.findIndex((m) => m.kind === kind);
        if (j >= 0) return box.splice(j, 1)[0] as Extract<ToMain, { kind: K }>;
        if (failure) throw failure;
        if (Date.now() > until) throw new Error(`websocket bench: no "${kind}" from client worker ${i} in time`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
    };
    const all = <K extends ToMain['kind']>(kind: K, timeoutMs: number) => Promise.all(workers.map((_, i) => waitFor(i, kind, timeoutMs)));

    const ready = await all('ready', 120_000);
    const hub = ctx.realtime;
    if (hub.connectionCount !== clients) throw new Error(`only ${hub.connectionCount} of ${clients} clients connected`);

    const sentAt = new Float64Array(ticks);
    const fanOutMs: number[] = [];
    const start = new Date();
    for (let seq = 0; seq < ticks; seq++) {
      // lmp carries the sequence number so each client can match the tick it received.
      const msg = priceUpdateMessage('PJM', { location: 'BENCH', interval_start: start, lmp: seq });
      sentAt[seq] = wallNow();
      await ctx.bus.publish(priceChannel('PJM'), msg);
      // The memory bus delivers in a microtask: by the next macrotask the fan-out loop has run.
      await new Promise((r) => setImmediate(r));
      fanOutMs.push(wallNow() - sentAt[seq]!);
      await new Promise((r) => setTimeout(r, gapMs));
    }
    const expected = clients * ticks;
    for (;;) {
      for (const w of workers) w.postMessage('count');
      const count = (await all('received', 5000)).reduce((n, m) => n + m.count, 0);
      if (count >= expected || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const w of workers) w.postMessage('results');
    const results = await all('results', 10_000);

    const lat: number[] = [];
    for (let w = 0; w < workerCount; w++) {
      const recv = results[w]!.recv;
      for (let c = 0; c < shares[w]!; c++) {
        for (let s = 0; s < ticks; s++) {
          const t = recv[c * ticks + s]!;
          if (t > 0) lat.push(t - sentAt[s]!);
        }
      }
    }
    lat.sort((a, b) => a - b);
    const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! : NaN);
    fanOutMs.sort((a, b) => a - b);
    return {
      machine: `${os.availableParallelism()} cores, load average ${loadAtStart.map((l) => l.toFixed(2)).join(' / ')} at start, ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} at end`,
      clients,
      client_worker_threads: workerCount,
      ticks,
      deliveries_expected: expected,
      deliveries_received: lat.length,
      connect_all_ms: round(Math.max(...ready.map((r) => r.connect_ms))),
      latency_p50_ms: round(q(0.5)),
      latency_p90_ms: round(q(0.9)),
      latency_p99_ms: round(q(0.99)),
      latency_max_ms: round(lat.at(-1) ?? NaN),
      server_fan_out_loop_median_ms: round(fanOutMs[fanOutMs.length >> 1] ?? NaN),
      server_fan_out_loop_max_ms: round(fanOutMs.at(-1) ?? NaN),
      message_bytes: Buffer.byteLength(JSON.stringify(priceUpdateMessage('PJM', { location: 'BENCH', interval_start: start, lmp: ticks - 1 }))),
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    await app.close();
    await ctx.close();
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

/**
 * The client side, run in a worker thread: raw TCP sockets that do the WebSocket handshake and
 * then read only what the measurement needs (frame headers, and in a price update the `lmp`
 * carrying the tick's sequence number). Full `ws` clients (frame parser, UTF-8 decoding,
 * JSON.parse of every message) cost the two shared cores more than the server's fan-out did.
 * A delivery's time is when the data event that completes its frame arrives. Pings are answered
 * (masked pongs), so the server's heartbeat keeps the sockets. Plain JavaScript evaluated in the
 * worker, so it runs the same from the compiled dist and under tsx.
 */
const CLIENT_SOURCE = `
const net = require('node:net');
const { parentPort, workerData: job } = require('node:worker_threads');
const wallNow = () => performance.timeOrigin + performance.now();
const recv = new Float64Array(job.clients * job.ticks);
const PRICE = Buffer.from('{"type":"price_update"');
const LMP = Buffer.from('"lmp":');
const ESTABLISHED = Buffer.from('"type":"connection_established"');
const REQUEST = 'GET ' + job.path + ' HTTP/1.1\\r\\nHost: ' + job.host + ':' + job.port +
  '\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n';
let received = 0;
const sockets = [];

/** The non-negative integer written at buf[i..] (the sequence number), or -1. */
function intAt(buf, i, end) {
  let n = 0, digits = 0;
  for (; i < end; i++, digits++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return digits > 0 ? n : -1;
}

function connect(c) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(job.port, job.host);
    socket.setNoDelay(true);
    sockets.push(socket);
    let upgraded = false;
    let rest = null;
    const onFrame = (op, buf, from, to, now) => {
      if (op === 0x9) {
        // A pong echoes the ping's payload, masked (a client must mask) with a zero key.
        const n = to - from;
        const pong = Buffer.allocUnsafe(6 + n);
        pong[0] = 0x8a; pong[1] = 0x80 | n; pong.writeUInt32BE(0, 2);
        buf.copy(pong, 6, from, to);
        socket.write(pong);
        return;
      }
      if (op !== 0x1) return;
      if (buf.subarray(from, from + PRICE.length).equals(PRICE)) {
        const at = buf.indexOf(LMP, from);
        const seq = at >= 0 && at < to ? intAt(buf, at + LMP.length, to) : -1;
        if (seq >= 0 && seq < job.ticks) {
          const i = c * job.ticks + seq;
          if (recv[i] === 0) received++;
          recv[i] = now;
        }
      } else if (buf.indexOf(ESTABLISHED, from) >= 0) resolve();
    };
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      const now = wallNow();
      let buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      let off = 0;
      if (!upgraded) {
        const end = buf.indexOf('\\r\\n\\r\\n');
        if (end < 0) { rest = buf; return; }
        if (!buf.subarray(0, 12).toString().endsWith(' 101')) return reject(new Error('handshake refused: ' + buf.subarray(0, end).toString()));
        upgraded = true;
        off = end + 4;
      }
      for (;;) {
        const left = buf.length - off;
        if (left < 2) break;
        let len = buf[off + 1] & 0x7f;
        let head = 2;
        if (len === 126) { if (left < 4) break; len = buf.readUInt16BE(off + 2); head = 4; }
        else if (len === 127) { if (left < 10) break; len = buf.readUInt32BE(off + 6); head = 10; }
        if (left < head + len) break;
        onFrame(buf[off] & 0x0f, buf, off + head, off + head + len, now);
        off += head + len;
      }
      rest = off < buf.length ? buf.subarray(off) : null;
    });
    socket.write(REQUEST);
  });
}

const t0 = wallNow();
Promise.all(Array.from({ length: job.clients }, (_, c) => connect(c))).then(() => {
  parentPort.postMessage({ kind: 'ready', connect_ms: wallNow() - t0 });
  parentPort.on('message', (cmd) => {
    if (cmd === 'count') parentPort.postMessage({ kind: 'received', count: received });
    if (cmd === 'results') {
      parentPort.postMessage({ kind: 'results', recv });
      for (const s of sockets) s.destroy();
    }
  });
}, (err) => { throw err; });
`;
