/**
 * WebSocket fan-out bench: a real server on loopback (PGlite in memory, memory
 * bus), 1,000 `ws` clients on /api/ws/ws/market/pjm in a worker thread (their
 * own event loop and core, as separate client processes would be), N ticks
 * published on the bus one every `gapMs`. Latency per delivery = receive time in
 * the worker − publish time in the server, both `performance.timeOrigin +
 * performance.now()` (the same wall clock in every thread, sub-millisecond).
 * Bounded: at most 5,000 clients and 500 ticks, and a 120 s overall deadline.
 * Goal: p99 < 50 ms with 1,000 clients.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildApp } from '../app.js';
import { loadConfig } from '../config/index.js';
import { createServices } from '../services.js';
import { openDatabase } from '../db/client.js';
import { priceChannel, priceUpdateMessage } from '../realtime/messages.js';

const DEADLINE_MS = 120_000;

interface ClientJob {
  wsPath: string;
  url: string;
  clients: number;
  ticks: number;
}

type ToMain = { kind: 'ready'; connect_ms: number } | { kind: 'received'; count: number } | { kind: 'results'; recv: Float64Array };

export interface WebsocketBenchOptions {
  clients?: number;
  ticks?: number;
  gapMs?: number;
}

const wallNow = () => performance.timeOrigin + performance.now();

export async function benchWebsocket(opts: WebsocketBenchOptions = {}): Promise<Record<string, number>> {
  const clients = Math.min(Math.max(1, opts.clients ?? 1000), 5000);
  const ticks = Math.min(Math.max(1, opts.ticks ?? 50), 500);
  const gapMs = Math.max(10, opts.gapMs ?? 100);
  const deadline = Date.now() + DEADLINE_MS;

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-ws-bench-'));
  const config = loadConfig({ OPTIBID_ENV: 'test', DATA_DIR: dataDir, DEMO_MODE: 'false', SIMULATION_MODE: 'false', PUBLIC_MARKET_DATA: 'true', LOG_LEVEL: 'silent' });
  const database = await openDatabase({});
  const ctx = await createServices(config, { database });
  const app = await buildApp(ctx, { logger: false });
  let worker: Worker | null = null;
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('server has no TCP address');
    const job: ClientJob = { wsPath: createRequire(import.meta.url).resolve('ws'), url: `ws://127.0.0.1:${addr.port}/api/ws/ws/market/pjm`, clients, ticks };
    worker = new Worker(CLIENT_SOURCE, { eval: true, workerData: job });
    const w = worker;
    const inbox: ToMain[] = [];
    let wake: (() => void) | null = null;
    w.on('message', (m: ToMain) => {
      inbox.push(m);
      wake?.();
    });
    let failure: Error | null = null;
    w.on('error', (err) => {
      failure = err;
      wake?.();
    });
    const waitFor = async <K extends ToMain['kind']>(kind: K, timeoutMs: number): Promise<Extract<ToMain, { kind: K }>> => {
      const until = Math.min(Date.now() + timeoutMs, deadline);
      for (;;) {
        const i = inbox.findIndex((m) => m.kind === kind);
        if (i >= 0) return inbox.splice(i, 1)[0] as Extract<ToMain, { kind: K }>;
        if (failure) throw failure;
        if (Date.now() > until) throw new Error(`websocket bench: no "${kind}" from the clients in time`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
    };

    const ready = await waitFor('ready', 60_000);
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
      w.postMessage('count');
      const { count } = await waitFor('received', 5000);
      if (count >= expected || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    w.postMessage('results');
    const { recv } = await waitFor('results', 10_000);

    const lat: number[] = [];
    for (let c = 0; c < clients; c++) {
      for (let s = 0; s < ticks; s++) {
        const t = recv[c * ticks + s]!;
        if (t > 0) lat.push(t - sentAt[s]!);
      }
    }
    lat.sort((a, b) => a - b);
    const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! : NaN);
    fanOutMs.sort((a, b) => a - b);
    return {
      clients,
      ticks,
      deliveries_expected: expected,
      deliveries_received: lat.length,
      connect_all_ms: round(ready.connect_ms),
      latency_p50_ms: round(q(0.5)),
      latency_p90_ms: round(q(0.9)),
      latency_p99_ms: round(q(0.99)),
      latency_max_ms: round(lat.at(-1) ?? NaN),
      server_fan_out_loop_median_ms: round(fanOutMs[fanOutMs.length >> 1] ?? NaN),
      message_bytes: Buffer.byteLength(JSON.stringify(priceUpdateMessage('PJM', { location: 'BENCH', interval_start: start, lmp: ticks - 1 }))),
    };
  } finally {
    await worker?.terminate();
    await app.close();
    await ctx.close();
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

/**
 * The client side, run in a worker thread. Plain JavaScript evaluated in the
 * worker, so it runs the same from the compiled dist and under tsx (whose
 * loader a worker does not inherit); it needs only `ws`, resolved by the main thread.
 */
const CLIENT_SOURCE = `
const { parentPort, workerData: job } = require('node:worker_threads');
const WebSocket = require(job.wsPath);
const wallNow = () => performance.timeOrigin + performance.now();
const recv = new Float64Array(job.clients * job.ticks);
let received = 0;
const sockets = [];
const t0 = wallNow();
Promise.all(Array.from({ length: job.clients }, (_, c) => new Promise((resolve, reject) => {
  const ws = new WebSocket(job.url, { perMessageDeflate: false });
  sockets.push(ws);
  ws.on('error', reject);
  ws.on('message', (data) => {
    const now = wallNow();
    const m = JSON.parse(data.toString());
    if (m.type === 'connection_established') return resolve();
    if (m.type === 'price_update' && typeof m.lmp === 'number' && m.lmp >= 0 && m.lmp < job.ticks) {
      const i = c * job.ticks + m.lmp;
      if (recv[i] === 0) received++;
      recv[i] = now;
    }
  });
}))).then(() => {
  parentPort.postMessage({ kind: 'ready', connect_ms: wallNow() - t0 });
  parentPort.on('message', (cmd) => {
    if (cmd === 'count') parentPort.postMessage({ kind: 'received', count: received });
    if (cmd === 'results') {
      parentPort.postMessage({ kind: 'results', recv });
      for (const ws of sockets) ws.terminate();
    }
  });
}, (err) => { throw err; });
`;
