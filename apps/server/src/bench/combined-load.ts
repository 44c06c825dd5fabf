/**
 * Combined-load bench (issue 16): how long the event loop of a serving instance is held while
 * a cold `hybrid-rw` forecast (POST /api/optimize with that model: the forecast runs in the
 * compute pool), a one-year battery backtest (POST /api/backtests: a durable job) and a
 * 300,000-row price import (POST /api/prices/import, a real gridstatus CSV) run at once.
 * Goal: event-loop delay p99 < 20 ms.
 *
 * The server runs in this process (PGlite in its DATA_DIR; PostgreSQL too when BENCH_DATABASE_URL or
 * DATABASE_URL is set). Every request comes from a child process (its own event loop, as an
 * outside client's), which also probes GET /health/live every 20 ms: the probe's latency is an
 * independent view of the same stalls. Delay is `perf_hooks.monitorEventLoopDelay` (1 ms
 * resolution) in the server, minus that resolution, over an idle baseline and over the load.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import pg from 'pg';
import { addDaysYmd, daysBetweenYmd, localDateOf } from '@optibid/core';
import { buildApp } from '../app.js';
import { loadConfig } from '../config/index.js';
import { openDatabase, type Database } from '../db/client.js';
import { DEMO_ACCOUNTS } from '../demo/accounts.js';
import { DEMO_DATA_DIR, seedDemoHistory, type DemoHistoryState } from '../demo/history.js';
import { seedDemo } from '../demo/seed.js';
import { createServices } from '../services.js';
import { CLIENT_SCRIPT } from './combined-load-client.js';
import { writeImportFile } from './import-file.js';

const COMED_FILE = 'epftoolbox_pjm_comed_2013-01-01_2016-12-26.csv.gz';
const COMED_LAST_DAY = '2016-12-26';
const NYC_FILE = 'nyiso_damlbmp_zone_nyc_2019-05-01_2020-04-30.csv.gz';
const IMPORT_ROWS = 300_000;
const BASELINE_MS = 5_000;
const RESOLUTION_MS = 1;
const DEADLINE_MS = 20 * 60_000;

interface ClientReport {
  baseline_probe: Probe;
  load_probe: Probe;
  tasks: Record<string, { ms: number; status: string; detail?: string }>;
}
interface Probe {
  count: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  errors: number;
}

export interface Delay {
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  mean_ms: number;
}

/** The histogram's figures in ms, less the sampling period (an idle loop reads ≈ the resolution). */
export function delayOf(h: IntervalHistogram, resolutionMs = RESOLUTION_MS): Delay {
  const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - resolutionMs) * 100) / 100);
  return { p50_ms: ms(h.percentile(50)), p99_ms: ms(h.percentile(99)), max_ms: ms(h.max), mean_ms: ms(h.mean) };
}

/**
 * The seed's "now": the day before the week-shifted COMED history ends, so the shift keeps every
 * one of its 1,456 days (a later "now" would cut the days past tomorrow, and hybrid-rw needs them all).
 */
function seedClock(): Date {
  const today = localDateOf(new Date(), 'America/New_York');
  const shift = Math.floor(daysBetweenYmd(COMED_LAST_DAY, addDaysYmd(today, 1)) / 7) * 7;
  return new Date(`${addDaysYmd(COMED_LAST_DAY, shift - 1)}T16:00:00Z`);
}

async function runOn(name: string, database: Database | null, importFile: string, out: Record<string, number | string>): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-combined-bench-'));
  const seedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-combined-seed-'));
  for (const f of [COMED_FILE, NYC_FILE]) fs.copyFileSync(path.join(DEMO_DATA_DIR, f), path.join(seedDir, f));
  const config = loadConfig({ OPTIBID_ENV: 'test', DATA_DIR: dataDir, DEMO_MODE: 'false', SIMULATION_MODE: 'false', PUBLIC_MARKET_DATA: 'true', LOG_LEVEL: 'silent' });
  // PGlite: the server opens its own, in DATA_DIR, as a serving instance does (an in-memory
  // one copies its whole growing files on every resize, which a real instance never does).
  const ctx = await createServices(config, database ? { database } : {});
  const app = await buildApp(ctx, { logger: false });
  try {
    const t0 = performance.now();
    const seeded = await seedDemo(ctx, { history: (c) => seedDemoHistory(c, seedClock(), seedDir) });
    const history = seeded.steps.history as DemoHistoryState;
    const shift = (file: string) => {
      const f = history.files.find((x) => x.file === file);
      if (!f) throw new Error(`combined bench: ${file} was not seeded`);
      return f.shift_days;
    };
    if (process.env.BENCH_VERBOSE) console.error(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    out[`${name} seeding (COMED 4 years, NYC 1 year)`] = `${((performance.now() - t0) / 1000).toFixed(1)} s`;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('server has no TCP address');
    const admin = DEMO_ACCOUNTS.find((a) => a.is_platform_admin)!;
    const nycShift = shift(NYC_FILE);
    const job = {
      base: `http://127.0.0.1:${addr.port}`,
      email: admin.email,
      password: admin.password,
      importFile,
      baselineMs: BASELINE_MS,
      // The day after COMED's last stored day: hybrid-rw's 1,456-day windows need all of it.
      forecastDay: addDaysYmd(COMED_LAST_DAY, shift(COMED_FILE) + 1),
      backtestStart: addDaysYmd('2019-05-02', nycShift),
      backtestEnd: addDaysYmd('2020-04-30', nycShift),
    };
    const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    let baseline: Delay | null = null;
    let load: Delay | null = null;
    const report = await new Promise<ClientReport>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', CLIENT_SCRIPT], { env: { ...process.env, BENCH_JOB: JSON.stringify(job) }, stdio: ['ignore', 'pipe', 'pipe'] });
      const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
      let buf = '';
      let err = '';
      let result: ClientReport | null = null;
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        if (process.env.BENCH_VERBOSE) process.stderr.write(c);
      });
      child.stdout.on('data', (c: Buffer) => {
        buf += c.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          const m = JSON.parse(line) as { phase?: string; report?: ClientReport };
          if (m.phase === 'baseline') {
            h.reset();
            h.enable();
          } else if (m.phase === 'load') {
            baseline = delayOf(h);
            h.reset();
          } else if (m.report) {
            load = delayOf(h);
            h.disable();
            result = m.report;
          }
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        h.disable();
        if (result) resolve(result);
        else reject(new Error(`combined bench client exited ${code}: ${err.slice(-2000)}`));
      });
    });
    const b = baseline as Delay | null;
    const l = load as Delay | null;
    if (!b || !l) throw new Error('combined bench: no delay measured');
    out[`${name} event-loop delay idle p50 / p99 / max ms`] = `${b.p50_ms} / ${b.p99_ms} / ${b.max_ms}`;
    out[`${name} event-loop delay under load p50 / p99 / max ms`] = `${l.p50_ms} / ${l.p99_ms} / ${l.max_ms}`;
    out[`${name} event-loop delay under load p99 ms`] = l.p99_ms;
    const p = (x: Probe) => `${x.p50_ms} / ${x.p99_ms} / ${x.max_ms} (${x.count} probes${x.errors ? `, ${x.errors} errors` : ''})`;
    out[`${name} /health/live idle p50 / p99 / max ms`] = p(report.baseline_probe);
    out[`${name} /health/live under load p50 / p99 / max ms`] = p(report.load_probe);
    for (const [task, r] of Object.entries(report.tasks)) {
      out[`${name} ${task}`] = `${(r.ms / 1000).toFixed(1)} s, ${r.status}${r.detail ? ` (${r.detail})` : ''}`;
      if (r.status !== 'ok') process.exitCode = 1;
    }
  } finally {
    await app.close();
    await ctx.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(seedDir, { recursive: true, force: true });
  }
}

export async function benchCombinedLoad(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {
    machine: `${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min) at start`,
  };
  const importFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-combined-import-')), 'caiso_rt_th_sp15_bench_gridstatus.csv');
  try {
    const written = writeImportFile(importFile, IMPORT_ROWS);
    out['import file'] = `${written.rows.toLocaleString('en-US')} rows, ${(written.bytes / 2 ** 20).toFixed(1)} MiB (the CAISO SP15 RT5 demo month, repeated 30 days earlier each time)`;
    await runOn('pglite', null, importFile, out);
    const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
    if (!pgUrl) out.postgres = 'skipped: set BENCH_DATABASE_URL (or DATABASE_URL)';
    else await onPostgres(pgUrl, (db) => runOn('postgres', db, importFile, out), out);
  } finally {
    fs.rmSync(path.dirname(importFile), { recursive: true, force: true });
  }
  out['load average at end'] = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  return out;
}

/** Runs `fn` on a fresh schema of the PostgreSQL at `url`, dropped afterwards. */
export async function onPostgres(url: string, fn: (db: Database) => Promise<void>, out: Record<string, number | string>): Promise<void> {
  const schema = `bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const db = await openDatabase({ url, pgOptions: `-c search_path=${schema},public` });
    try {
      await fn(db);
    } finally {
      await db.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    }
  } catch (err) {
    out.postgres = `failed at ${url.replace(/\/\/[^@/]*@/, '//***@')}: ${(err as Error).message}`;
  } finally {
    await admin.end().catch(() => undefined);
  }
}
