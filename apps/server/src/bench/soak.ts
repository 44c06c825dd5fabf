/**
 * Soak bench (issue 16): ten minutes of mixed load on one serving instance with the simulated
 * feed running (ticks published, stored by the persistence consumer and fanned out). Goal:
 * zero errors and flat memory.
 *
 * The server runs in this process on the demo data (PGlite; PostgreSQL when BENCH_DATABASE_URL
 * or DATABASE_URL is set). A child process (its own event loop) runs the clients: HTTP loops
 * reading one day of prices, the latest prices and price statistics, and submitting bids with
 * Idempotency-Keys (a fifth of them replaying an earlier key), plus a few WebSocket clients.
 * Any answer other than 2xx/3xx, any socket error and any unexpected WebSocket close counts as
 * an error. The server samples RSS and heap every 10 s; memory is flat when the heap's slope
 * after warm-up (a least-squares line through the samples after the first fifth of the run) is
 * a few MB per minute at most (the line through each minute's lowest heap sample is printed too:
 * the heap saw-tooths between collections, and a leak raises its floor). Duration: `--soak-seconds=N` or SOAK_SECONDS (default 600).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { hoursInLocalDay, nextDayAheadGateClosure } from '@optibid/core';
import { buildApp } from '../app.js';
import { loadConfig } from '../config/index.js';
import { openDatabase, type Database } from '../db/client.js';
import { DEMO_ACCOUNTS } from '../demo/accounts.js';
import { seedDemoAssets } from '../demo/assets.js';
import { seedDemoHistory } from '../demo/history.js';
import { seedDemo } from '../demo/seed.js';
import { startJobs } from '../jobs/index.js';
import { createServices } from '../services.js';
import { delayOf, onPostgres } from './combined-load.js';
import { SOAK_CLIENT_SCRIPT } from './soak-client.js';

const SAMPLE_MS = 10_000;
const HTTP_LOOPS = 8;
const WS_CLIENTS = 5;

interface Sample {
  at_s: number;
  rss_mb: number;
  heap_mb: number;
}

interface SoakClientReport {
  requests: Record<string, { count: number; errors: number; p50_ms: number; p99_ms: number }>;
  total: number;
  errors: number;
  error_examples: string[];
  ws: { clients: number; messages: number; errors: number };
}

export function soakSeconds(argv = process.argv, env = process.env): number {
  const flag = argv.find((a) => a.startsWith('--soak-seconds='));
  const v = Number(flag ? flag.slice('--soak-seconds='.length) : (env.SOAK_SECONDS ?? 600));
  if (!Number.isFinite(v) || v < 20) throw new Error(`soak: duration must be at least 20 s (got ${flag ?? env.SOAK_SECONDS})`);
  return Math.round(v);
}

/** Least-squares slope of y over x (MB per second here). */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? NaN : num / den;
}

async function soakOn(name: string, database: Database, seconds: number, out: Record<string, number | string>): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-soak-bench-'));
  const config = loadConfig({ OPTIBID_ENV: 'test', DATA_DIR: dataDir, DEMO_MODE: 'false', SIMULATION_MODE: 'true', FEED_INTERVAL_S: '1', PUBLIC_MARKET_DATA: 'true', LOG_LEVEL: 'silent' });
  const ctx = await createServices(config, { database });
  const app = await buildApp(ctx, { logger: false });
  let stopJobs: (() => Promise<void>) | null = null;
  try {
    const seeded = await seedDemo(ctx, { history: (c) => seedDemoHistory(c), assets: (c, org) => seedDemoAssets(c, org) });
    const asset = (await ctx.trading.assets.list({ organization_id: seeded.organization_id, user_id: null }, { limit: 50 })).items.find((a) => a.market === 'ERCOT' && a.type === 'battery');
    if (!asset) throw new Error('soak: the demo battery in ERCOT was not seeded');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('server has no TCP address');
    // The background roles of a serving instance: the simulated feed (a tick a second) and its persistence, clearing, …
    stopJobs = await startJobs(ctx, app.log);
    // A delivery day whose gate stays open for the whole run (plus a minute): a gate closing mid-run
    // would turn every later bid into a correct 422, counted as an error.
    const gate = nextDayAheadGateClosure('ERCOT', new Date(Date.now() + (seconds + 60) * 1000));
    const m = ctx.markets.market('PJM');
    const admin = DEMO_ACCOUNTS.find((a) => a.role === 'owner')!;
    const job = {
      base: `http://127.0.0.1:${addr.port}`,
      email: admin.email,
      password: admin.password,
      wsPath: createRequire(import.meta.url).resolve('ws'),
      seconds,
      loops: HTTP_LOOPS,
      wsClients: WS_CLIENTS,
      pjmHub: m.default_location,
      assetId: asset.id,
      bidDay: gate.delivery_date,
      bidHours: hoursInLocalDay(gate.delivery_date, 'America/Chicago'),
    };

    const h = monitorEventLoopDelay({ resolution: 1 });
    const samples: Sample[] = [];
    let t0 = 0;
    const sample = () => {
      const mem = process.memoryUsage();
      samples.push({ at_s: Math.round((performance.now() - t0) / 1000), rss_mb: mem.rss / 2 ** 20, heap_mb: mem.heapUsed / 2 ** 20 });
    };
    let timer: NodeJS.Timeout | null = null;
    const report = await new Promise<SoakClientReport>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', SOAK_CLIENT_SCRIPT], { env: { ...process.env, BENCH_JOB: JSON.stringify(job) }, stdio: ['ignore', 'pipe', 'pipe'] });
      const kill = setTimeout(() => child.kill('SIGKILL'), (seconds + 120) * 1000);
      let buf = '';
      let err = '';
      let result: SoakClientReport | null = null;
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.stdout.on('data', (c: Buffer) => {
        buf += c.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const msg = JSON.parse(buf.slice(0, i)) as { phase?: string; report?: SoakClientReport };
          buf = buf.slice(i + 1);
          if (msg.phase === 'start') {
            t0 = performance.now();
            h.enable();
            sample();
            timer = setInterval(sample, SAMPLE_MS);
          } else if (msg.report) result = msg.report;
        }
      });
      child.on('exit', (code) => {
        clearTimeout(kill);
        if (timer) clearInterval(timer);
        sample();
        h.disable();
        if (result) resolve(result);
        else reject(new Error(`soak client exited ${code}: ${err.slice(-2000)}`));
      });
    });

    const d = delayOf(h);
    out[`${name} duration`] = `${seconds} s`;
    out[`${name} requests`] = report.total;
    out[`${name} requests/s`] = Math.round(report.total / seconds);
    out[`${name} errors`] = report.errors;
    if (report.errors > 0) {
      out[`${name} first errors`] = report.error_examples.join(' | ');
      process.exitCode = 1;
    }
    for (const [kind, r] of Object.entries(report.requests)) out[`${name} ${kind}`] = `${r.count} requests, ${r.errors} errors, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms`;
    out[`${name} WebSocket clients`] = `${report.ws.clients}: ${report.ws.messages} messages received, ${report.ws.errors} errors or unexpected closes`;
    out[`${name} event-loop delay p50 / p99 / max ms`] = `${d.p50_ms} / ${d.p99_ms} / ${d.max_ms}`;
    const at = (f: number) => samples[Math.min(samples.length - 1, Math.floor(f * (samples.length - 1)))]!;
    const fmt = (s: Sample) => `${s.rss_mb.toFixed(0)} / ${s.heap_mb.toFixed(1)} MB at ${s.at_s} s`;
    out[`${name} RSS / heap at start`] = fmt(at(0));
    out[`${name} RSS / heap at middle`] = fmt(at(0.5));
    out[`${name} RSS / heap at end`] = fmt(at(1));
    const warm = samples.filter((s) => s.at_s >= seconds / 5);
    const perMin = (k: 'rss_mb' | 'heap_mb') => (slope(warm.map((s) => ({ x: s.at_s, y: s[k] }))) * 60).toFixed(2);
    out[`${name} slope after warm-up (RSS / heap, MB per minute)`] = `${perMin('rss_mb')} / ${perMin('heap_mb')} over ${warm.length} samples`;
    // The heap saw-tooths between collections; its floor (the least of each whole minute) is what a leak raises.
    const floors: { x: number; y: number }[] = [];
    for (const s of warm.filter((x) => x.at_s < Math.floor(seconds / 60) * 60)) {
      const minute = Math.floor(s.at_s / 60);
      const f = floors.find((p) => Math.floor(p.x / 60) === minute);
      if (!f) floors.push({ x: s.at_s, y: s.heap_mb });
      else if (s.heap_mb < f.y) Object.assign(f, { x: s.at_s, y: s.heap_mb });
    }
    out[`${name} heap floor per minute after warm-up (MB)`] = `${floors.map((f) => f.y.toFixed(0)).join(' ')}${floors.length >= 3 ? `; slope ${(slope(floors) * 60).toFixed(2)} MB per minute` : ''}`;
    out[`${name} heap samples (MB, every 10 s)`] = samples.map((s) => s.heap_mb.toFixed(0)).join(' ');
  } finally {
    await stopJobs?.();
    await app.close();
    await ctx.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchSoak(): Promise<Record<string, number | string>> {
  const seconds = soakSeconds();
  const out: Record<string, number | string> = {
    machine: `${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min) at start`,
    clients: `${HTTP_LOOPS} HTTP loops (GET /api/prices one day of one hub, /api/prices/latest, /api/prices/stats; POST /api/bids, /submit and /cancel with Idempotency-Keys), ${WS_CLIENTS} WebSocket clients, from a child process; simulated feed on`,
  };
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  if (pgUrl) await onPostgres(pgUrl, (db) => soakOn('postgres', db, seconds, out), out);
  else {
    const lite = await openDatabase({});
    try {
      await soakOn('pglite', lite, seconds, out);
    } finally {
      await lite.close();
    }
  }
  out['load average at end'] = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  return out;
}
