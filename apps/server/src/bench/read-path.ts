/**
 * Read-path bench (issue 16): `GET /api/prices` for one day of one hub against a Fastify
 * hello-world on the same machine, both measured by autocannon (in a child process, as an
 * outside client), in one run. The server holds the demo
 * history (a year of every ISO) on PGlite, and on PostgreSQL when BENCH_DATABASE_URL or
 * DATABASE_URL is set. Figures: requests/s, p50 and p99 latency, and the ratio to hello-world
 * (measured in slices taken in turn with each cached figure, so that both see the same load),
 * for the polled request as served (cached, with its ETag), for the same request with the read
 * cache off (the database path), for `/api/prices/latest` and for `/health/live`; and the
 * server's CPU time per request, which a loaded machine disturbs far less than requests/s.
 * The cached read is also compared with its floor: the same bytes written by a bare `node:http`
 * server (read-path-floor.ts). Servers run on core 0 and autocannon on the other cores where
 * `taskset` allows (cpu-pinning.ts), as an outside client would. The machine's core count and
 * load average are printed with them: on a shared machine the figures say so.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { addDaysYmd, localDateOf } from '@optibid/core';
import { buildApp } from '../app.js';
import { loadConfig } from '../config/index.js';
import { openDatabase, type Database } from '../db/client.js';
import { seedDemoHistory } from '../demo/history.js';
import { createServices } from '../services.js';
import { onPostgres } from './combined-load.js';
import { canPin, clientCores, pinMainThread, pinnedCommand } from './cpu-pinning.js';
import { fetchAnswer, startChildServer, startFloor, type ChildServer } from './read-path-floor.js';

const CONNECTIONS = 32;
/** Each target runs ROUNDS slices of SLICE_S seconds, interleaved with the targets it is compared with. */
const ROUNDS = 5;
const SLICE_S = 2;
const WARMUP_S = 2;

interface Cannon {
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  non2xx: number;
  errors: number;
  /** CPU time the measured server's process spent per answered request. */
  server_cpu_us_per_req?: number;
  /** The same for autocannon's process. */
  client_cpu_us_per_req?: number;
}

interface Run {
  requests: number;
  seconds: number;
  p50_ms: number;
  p99_ms: number;
  non2xx: number;
  errors: number;
  /** CPU time autocannon's process spent during its run, in µs: whether the client, on the same cores, is what limits. */
  client_cpu_us: number;
}

/** One autocannon run in a child process (its own event loop and V8, as an outside client would be), on the clients' cores when `pin`. */
function cannon(url: string, durationS: number, pin: boolean): Promise<Run> {
  const autocannonPath = createRequire(import.meta.url).resolve('autocannon');
  const script = `const autocannon = require(${JSON.stringify(autocannonPath)});
    const cpu = process.cpuUsage();
    autocannon({ url: ${JSON.stringify(url)}, connections: ${CONNECTIONS}, duration: ${durationS} }).then(
      (r) => {
        const used = process.cpuUsage(cpu);
        process.stdout.write(JSON.stringify({ requests: r.requests.total, seconds: r.duration, p50_ms: r.latency.p50, p99_ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors, client_cpu_us: used.user + used.system }));
      },
      (err) => { process.stderr.write(String((err && err.message) || err)); process.exit(1); },
    );`;
  return new Promise((resolve, reject) => {
    const { command, args } = pinnedCommand(pin, clientCores() ?? '0', [process.execPath, '-e', script]);
    execFile(command, args, { timeout: (durationS + 30) * 1000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`autocannon: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as Run);
    });
  });
}

const middle = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A server to measure: its URL and its process's CPU time so far, in µs. */
interface Target {
  url: string;
  cpuUs: () => Promise<number>;
}

/** A server in this process (OptiBid): its CPU time is this process's. */
const inProcess = (url: string): Target => ({
  url,
  cpuUs: async () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  },
});

/**
 * Measures `targets` in interleaved slices after a warm-up of each: ROUNDS rounds of SLICE_S
 * seconds per target, the order rotating each round. This VM's speed drifts two-fold within a
 * minute; in slices taken in turn every target sees the same drift, where back-to-back runs of
 * ten seconds did not. Requests/s is each target's requests over its own slices' time; p50 is
 * the median of its slices' p50s and p99 the worst slice's.
 */
async function interleaved(targets: Target[], pin: boolean): Promise<Cannon[]> {
  for (const t of targets) await cannon(t.url, WARMUP_S, pin);
  const runs: { run: Run; cpu_us: number }[][] = targets.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < targets.length; k++) {
      const i = (k + round) % targets.length;
      const before = await targets[i]!.cpuUs();
      const run = await cannon(targets[i]!.url, SLICE_S, pin);
      runs[i]!.push({ run, cpu_us: (await targets[i]!.cpuUs()) - before });
    }
  }
  return runs.map((slices) => {
    const sum = (f: (x: { run: Run; cpu_us: number }) => number) => slices.reduce((a, x) => a + f(x), 0);
    const requests = sum((x) => x.run.requests);
    return {
      req_per_s: requests / sum((x) => x.run.seconds),
      p50_ms: middle(slices.map((x) => x.run.p50_ms)),
      p99_ms: Math.max(...slices.map((x) => x.run.p99_ms)),
      non2xx: sum((x) => x.run.non2xx),
      errors: sum((x) => x.run.errors),
      server_cpu_us_per_req: requests > 0 ? sum((x) => x.cpu_us) / requests : undefined,
      client_cpu_us_per_req: requests > 0 ? sum((x) => x.run.client_cpu_us) / requests : undefined,
    };
  });
}

/**
 * A Fastify hello-world in its own process, so that it runs as it would alone: in this process,
 * next to a server holding a year of demo history, it ran slower than `/health/live` in one run
 * (34–68 µs per request), a baseline that flattered the ratio.
 */
function helloWorld(pin: boolean): Promise<ChildServer> {
  const fastifyPath = createRequire(import.meta.url).resolve('fastify');
  const script = `const app = require(${JSON.stringify(fastifyPath)})({ logger: false });
    app.get('/', async () => ({ hello: 'world' }));
    app.listen({ port: 0, host: '127.0.0.1' }).then(() => process.send({ port: app.server.address().port }));`;
  return startChildServer(script, pin);
}

/** An OptiBid server on `database` with the demo history; `cache` false turns the read cache off. */
async function optibid(database: Database, cache: boolean, seed: boolean): Promise<{ base: string; pricesPath: string; close: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-read-bench-'));
  const config = loadConfig({ OPTIBID_ENV: 'test', DATA_DIR: dataDir, DEMO_MODE: 'false', SIMULATION_MODE: 'false', PUBLIC_MARKET_DATA: 'true', LOG_LEVEL: 'silent' });
  const s = await createServices(config, { database, readCache: cache ? undefined : { maxBytes: 0 } });
  if (seed) await seedDemoHistory(s);
  // Logging as an operator runs it (LOG_LEVEL=info), written nowhere.
  const discard = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const app = await buildApp(s, { logger: { level: 'info', stream: discard } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('server has no TCP address');
  // One day of one hub: the market's default hub, yesterday (a closed day of the demo's DA prices).
  const m = s.markets.market('PJM');
  const day = addDaysYmd(localDateOf(new Date(), m.timezone), -1);
  const pricesPath = `/api/prices?market=pjm&location=${encodeURIComponent(m.default_location)}&run=DA&start=${day}&end=${addDaysYmd(day, 1)}`;
  const probe = await app.inject({ method: 'GET', url: pricesPath });
  if (probe.statusCode !== 200 || probe.json().items.length < 23) throw new Error(`the bench's request is not a full day: ${probe.statusCode} ${probe.body.slice(0, 200)}`);
  return {
    base: `http://127.0.0.1:${addr.port}`,
    pricesPath,
    close: async () => {
      await app.close();
      await s.close();
    },
  };
}

async function benchBackend(name: string, database: Database, hw: ChildServer, pin: boolean, out: Record<string, number | string>): Promise<void> {
  const record = (label: string, r: Cannon, hello?: Cannon) => {
    out[`${name} ${label} req/s`] = Math.round(r.req_per_s);
    out[`${name} ${label} p50 / p99 ms`] = `${r.p50_ms} / ${r.p99_ms}`;
    if (hello) out[`${name} ${label} vs hello-world`] = `${pct(r, hello)} (hello-world in the same slices: ${Math.round(hello.req_per_s)} req/s, ${hello.server_cpu_us_per_req?.toFixed(1)} µs/request)`;
    if (r.server_cpu_us_per_req !== undefined) out[`${name} ${label} server CPU µs/request`] = r.server_cpu_us_per_req.toFixed(1);
    if (r.client_cpu_us_per_req !== undefined) out[`${name} ${label} client (autocannon) CPU µs/request`] = r.client_cpu_us_per_req.toFixed(1);
    if (r.non2xx || r.errors) out[`${name} ${label} non-2xx / errors`] = `${r.non2xx} / ${r.errors}`;
  };
  // The server in this process shares core 0 with nothing but the child servers measured in turn.
  const pinned = pin ? pinMainThread() : null;
  try {
    const cached = await optibid(database, true, true);
    try {
      out[`${name} request`] = cached.pricesPath;
      // The same bytes from a bare node:http server, in the same slices: what the answer itself costs.
      const floor = await startFloor(await fetchAnswer(cached.base + cached.pricesPath), pin);
      try {
        const [hello, prices, bare] = await interleaved([hw, inProcess(cached.base + cached.pricesPath), floor], pin);
        record('GET /api/prices (1 day, 1 hub)', prices!, hello!);
        out[`${name} GET /api/prices, its bytes from bare node:http`] = `${Math.round(bare!.req_per_s)} req/s (${bare!.server_cpu_us_per_req?.toFixed(1)} µs/request; client ${bare!.client_cpu_us_per_req?.toFixed(1)} µs/request) = ${pct(bare!, hello!)} of hello-world: the answer's own cost, whatever serves it`;
        out[`${name} GET /api/prices vs bare node:http`] = pct(prices!, bare!);
      } finally {
        floor.close();
      }
      for (const [label, path] of [['GET /api/prices/latest?market=PJM', '/api/prices/latest?market=PJM'], ['GET /health/live', '/health/live']] as const) {
        const [hello, r] = await interleaved([hw, inProcess(cached.base + path)], pin);
        record(label, r!, hello!);
      }
    } finally {
      await cached.close();
    }
    const uncached = await optibid(database, false, false);
    try {
      const [prices, latest] = await interleaved([inProcess(uncached.base + uncached.pricesPath), inProcess(`${uncached.base}/api/prices/latest?market=PJM`)], pin);
      record('GET /api/prices, read cache off', prices!);
      record('GET /api/prices/latest, read cache off', latest!);
    } finally {
      await uncached.close();
    }
  } finally {
    pinned?.restore();
  }
}

const pct = (a: Cannon, b: Cannon) => `${((100 * a.req_per_s) / b.req_per_s).toFixed(1)} %`;

export async function benchReadPath(): Promise<Record<string, number | string>> {
  const pin = canPin();
  const out: Record<string, number | string> = {
    machine: `${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min) at start`,
    method: `autocannon, ${CONNECTIONS} connections, from a child process; after a ${WARMUP_S} s warm-up each, the servers compared are measured in ${ROUNDS} rounds of ${SLICE_S} s slices taken in turn`,
    pinning: pin ? `servers on core 0, autocannon on core${clientCores()!.includes('-') ? 's' : ''} ${clientCores()} (taskset)` : 'none (one core or no taskset): the scheduler shares the cores',
  };
  // Kept up for the whole run, idle between its measurements.
  const hw = await helloWorld(pin);
  try {
    await benchBackends(hw, pin, out);
  } finally {
    hw.close();
  }
  out['load average at end'] = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  return out;
}

async function benchBackends(hw: ChildServer, pin: boolean, out: Record<string, number | string>): Promise<void> {
  const lite = await openDatabase({});
  try {
    await benchBackend('pglite', lite, hw, pin, out);
  } finally {
    await lite.close();
  }

  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!pgUrl) {
    out.postgres = 'skipped: set BENCH_DATABASE_URL (or DATABASE_URL)';
  } else {
    await onPostgres(pgUrl, (db) => benchBackend('postgres', db, hw, pin, out), out);
  }
}
