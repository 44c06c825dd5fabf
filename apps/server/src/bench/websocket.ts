/**
 * WebSocket fan-out bench: 5,000 WebSocket clients (raw TCP, see websocket-client.ts) on
 * /api/ws/ws/market/pjm in worker threads (2,500 per worker: their own event loops, as separate
 * client processes would be), N ticks published on the bus one every `gapMs`. Latency per
 * delivery = receive time in a worker − publish time, both `performance.timeOrigin +
 * performance.now()` in the bench's own process (the same clock in every thread, sub-millisecond).
 *
 * Two figures:
 * - one instance: a real server in the bench's process (PGlite in memory, memory bus), every
 *   client on it; the server's fan-out loop is timed too (the memory bus delivers in a microtask).
 * - `instances` ≥ 2: that many server processes (websocket-instance.ts) on one NATS JetStream (or
 *   Redis) bus, the clients split evenly between them, the ticks published on that bus by the bench:
 *   what scaling out behind a load balancer does to the same 5,000 clients. The latency then
 *   includes the bus hop (publish → the stream → each instance's durable hub consumer).
 * 10,000 sockets in one process need `ulimit -n` above 10,000 (the default 1,024 is not).
 * Bounded: at most 10,000 clients and 500 ticks, and a 180 s overall deadline.
 * Goal: p99 < 50 ms with 5,000 clients.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildApp } from '../app.js';
import { createBus, type Bus } from '../bus/index.js';
import { loadConfig } from '../config/index.js';
import { createServices } from '../services.js';
import { openDatabase } from '../db/client.js';
import type { PriceUpdateMessage } from '@optibid/contracts';
import { priceChannel, priceUpdateMessage } from '../realtime/messages.js';
import { pinMainThread } from './cpu-pinning.js';
import { bareFanOutServer } from './websocket-baseline.js';
import { WS_CLIENT_SOURCE } from './websocket-client.js';
import type { InstanceJob } from './websocket-instance.js';

const DEADLINE_MS = 180_000;
const CLIENTS_PER_WORKER = 2_500;
/** The scale-out figure's streams and consumer groups, apart from any deployment's on the same NATS or Redis. */
const BENCH_NAMESPACE = 'optibid_wsbench';

interface ClientJob {
  host: string;
  port: number;
  path: string;
  clients: number;
  ticks: number;
}

type ToMain = { kind: 'ready'; connect_ms: number; tid: number | null } | { kind: 'received'; count: number } | { kind: 'results'; recv: Float64Array };

export interface WebsocketBenchOptions {
  clients?: number;
  ticks?: number;
  gapMs?: number;
  /** Client worker threads (default: one per 2,500 clients, at least one per instance). */
  workers?: number;
  /** Server processes (default 1: in the bench's own process, memory bus). */
  instances?: number;
  /**
   * In-process figures: the server's thread on the first core and the client threads on the others
   * (Linux `taskset`), as the clients of a real deployment run on other machines; default true
   * where there are ≥ 2 cores and `taskset` works. Otherwise the scheduler moves client threads onto
   * the server's core in the middle of its fan-out loop.
   */
  pinCores?: boolean;
  /** For instances ≥ 2: the NATS bus (default BENCH_BUS_URL, else nats://127.0.0.1:4222 unless BENCH_REDIS_URL is set). */
  busUrl?: string | null;
  /** For instances ≥ 2 without NATS: the Redis bus (default BENCH_REDIS_URL). */
  redisUrl?: string | null;
}

/** Where the clients connect, how a tick is published, and how the servers end. */
export interface Servers {
  ports: number[];
  label: string;
  connections(): Promise<number>;
  publish(message: PriceUpdateMessage): Promise<void>;
  /** Only in-process: the fan-out loop has run by the next macrotask. */
  timesFanOut: boolean;
  close(): Promise<void>;
}

const wallNow = () => performance.timeOrigin + performance.now();

/** One OptiBid instance, after the bare-Node baseline on the same clients (measured just before it, as the machine drifts). */
export async function benchWebsocket(opts: WebsocketBenchOptions = {}): Promise<Record<string, number | string>> {
  const base = await runBench(opts, await bareFanOutServer());
  const figures = await runBench(opts, await inProcessServer());
  const p99 = Number(figures.latency_p99_ms);
  const baseP99 = Number(base.latency_p99_ms);
  return {
    ...figures,
    baseline: String(base.servers),
    baseline_latency_p50_ms: base.latency_p50_ms!,
    baseline_latency_p99_ms: baseP99,
    baseline_fan_out_loop_median_ms: base.server_fan_out_loop_median_ms!,
    baseline_deliveries_received: base.deliveries_received!,
    p99_over_baseline: Math.round((p99 / baseP99) * 100) / 100,
  };
}

/** The scale-out figure: the same clients and ticks over `instances` server processes on one bus. */
export async function benchWebsocketInstances(opts: WebsocketBenchOptions = {}): Promise<Record<string, number | string>> {
  const instances = Math.min(Math.max(2, opts.instances ?? 2), 8);
  const redisUrl = opts.redisUrl !== undefined ? opts.redisUrl : (process.env.BENCH_REDIS_URL ?? null);
  const busUrl = opts.busUrl !== undefined ? opts.busUrl : (process.env.BENCH_BUS_URL ?? (redisUrl ? null : 'nats://127.0.0.1:4222'));
  if (!busUrl && !redisUrl) return { skipped: 'needs a shared bus: BENCH_BUS_URL (NATS JetStream) or BENCH_REDIS_URL' };
  const bus = createBus(redisUrl, busUrl, BENCH_NAMESPACE);
  try {
    await bus.start();
  } catch (err) {
    await bus.close().catch(() => undefined);
    return { skipped: `no bus at ${busUrl ?? redisUrl} (${(err as Error).message}); set BENCH_BUS_URL or BENCH_REDIS_URL` };
  }
  let servers: Servers;
  try {
    servers = await childServers(instances, { busUrl, redisUrl, busNamespace: BENCH_NAMESPACE }, bus);
  } catch (err) {
    await bus.close().catch(() => undefined);
    throw err;
  }
  return runBench({ ...opts, workers: Math.max(opts.workers ?? 0, instances) }, servers);
}

async function inProcessServer(): Promise<Servers> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-ws-bench-'));
  const config = loadConfig({ OPTIBID_ENV: 'test', DATA_DIR: dataDir, DEMO_MODE: 'false', SIMULATION_MODE: 'false', PUBLIC_MARKET_DATA: 'true', LOG_LEVEL: 'silent' });
  const database = await openDatabase({});
  const ctx = await createServices(config, { database }).catch(async (err: Error) => {
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  const app = await buildApp(ctx, { logger: false });
  const close = async () => {
    await app.close();
    await ctx.close();
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  await app.listen({ port: 0, host: '127.0.0.1' }).catch(async (err: Error) => {
    await close();
    throw err;
  });
  const addr = app.server.address() as { port: number };
  return {
    ports: [addr.port],
    label: 'one instance in the bench process, memory bus',
    connections: async () => ctx.realtime.connectionCount,
    publish: (message) => ctx.bus.publish(priceChannel('PJM'), message),
    timesFanOut: true,
    close,
  };
}

async function childServers(count: number, job: InstanceJob, bus: Bus): Promise<Servers> {
  const here = fileURLToPath(import.meta.url);
  const entry = path.join(path.dirname(here), `websocket-instance${path.extname(here)}`);
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const kill = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            if (c.connected) c.send('stop');
            else c.kill('SIGKILL');
          }),
      ),
    );
    await bus.close().catch(() => undefined);
  };
  const ask = <T>(c: ChildProcess, kind: string, timeoutMs: number, request?: string) =>
    new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        c.off('message', onMessage);
        c.off('exit', onExit);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`websocket bench: instance ${c.pid} sent no "${kind}" in time`));
      }, timeoutMs);
      const onExit = (code: number | null) => {
        done();
        reject(new Error(`websocket bench: instance ${c.pid} exited (${code}) before "${kind}"`));
      };
      const onMessage = (m: { kind?: string }) => {
        if (m?.kind !== kind) return;
        done();
        resolve(m as T);
      };
      c.on('message', onMessage);
      c.once('exit', onExit);
      if (request) c.send(request);
    });
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const child = fork(entry, [], { env: { ...process.env, BENCH_JOB: JSON.stringify(job) }, execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      ports.push((await ask<{ port: number }>(child, 'listening', 60_000)).port);
    }
    return {
      ports,
      label: `${count} server processes on one ${job.busUrl ? 'NATS JetStream' : 'Redis'} bus, clients split evenly`,
      connections: async () => (await Promise.all(children.map((c) => ask<{ count: number }>(c, 'connections', 10_000, 'count')))).reduce((n, m) => n + m.count, 0),
      publish: (message) => bus.publish(priceChannel('PJM'), message),
      timesFanOut: false,
      close: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function runBench(opts: WebsocketBenchOptions, servers: Servers): Promise<Record<string, number | string>> {
  const clients = Math.min(Math.max(1, opts.clients ?? 5000), 10_000);
  const ticks = Math.min(Math.max(1, opts.ticks ?? 50), 500);
  const gapMs = Math.max(10, opts.gapMs ?? 100);
  const workerCount = Math.min(clients, Math.max(1, opts.workers ?? 0, Math.ceil(clients / CLIENTS_PER_WORKER)));
  const deadline = Date.now() + DEADLINE_MS;
  const loadAtStart = os.loadavg();
  const workers: Worker[] = [];
  let pinned: { label: string; restore: () => void } | null = null;
  try {
    const inbox: ToMain[][] = [];
    let wake: (() => void) | null = null;
    let failure: Error | null = null;
    const shares = Array.from({ length: workerCount }, (_, i) => Math.floor(clients / workerCount) + (i < clients % workerCount ? 1 : 0));
    shares.forEach((share, i) => {
      // Worker i's clients all go to one instance, round robin: an even split when workers = instances.
      const job: ClientJob = { host: '127.0.0.1', port: servers.ports[i % servers.ports.length]!, path: '/api/ws/ws/market/pjm', clients: share, ticks };
      const w = new Worker(WS_CLIENT_SOURCE, { eval: true, workerData: job });
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
    });
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
    const tids = ready.map((r) => r.tid);
    pinned = servers.timesFanOut && opts.pinCores !== false && tids.every((t): t is number => t !== null) ? pinMainThread(tids) : null;
    const connected = await servers.connections();
    if (connected !== clients) throw new Error(`only ${connected} of ${clients} clients connected`);

    const sentAt = new Float64Array(ticks);
    const fanOutMs: number[] = [];
    const start = new Date();
    for (let seq = 0; seq < ticks; seq++) {
      // lmp carries the sequence number so each client can match the tick it received.
      const msg = priceUpdateMessage('PJM', { location: 'BENCH', interval_start: start, lmp: seq });
      sentAt[seq] = wallNow();
      await servers.publish(msg);
      if (servers.timesFanOut) {
        // The memory bus delivers in a microtask: by the next macrotask the fan-out loop has run.
        await new Promise((r) => setImmediate(r));
        fanOutMs.push(wallNow() - sentAt[seq]!);
      }
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
      machine: `${os.cpus().length} cores, load average ${loadAtStart.map((l) => l.toFixed(2)).join(' / ')} at start, ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} at end`,
      servers: servers.label,
      cores: pinned?.label ?? 'not pinned (the scheduler shares every core between the server and the clients)',
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
      ...(servers.timesFanOut
        ? { server_fan_out_loop_median_ms: round(fanOutMs[fanOutMs.length >> 1] ?? NaN), server_fan_out_loop_max_ms: round(fanOutMs.at(-1) ?? NaN) }
        : {}),
      message_bytes: Buffer.byteLength(JSON.stringify(priceUpdateMessage('PJM', { location: 'BENCH', interval_start: start, lmp: ticks - 1 }))),
    };
  } finally {
    pinned?.restore();
    await Promise.all(workers.map((w) => w.terminate()));
    await servers.close();
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
