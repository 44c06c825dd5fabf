/**
 * Read-path bench (issue 16): `GET /api/prices` for one day of one hub against a Fastify
 * hello-world on the same machine, both measured by autocannon (in a child process, as an
 * outside client), in one run. The server holds the demo
 * history (a year of every ISO) on PGlite, and on PostgreSQL when BENCH_DATABASE_URL or
 * DATABASE_URL is set. Figures: requests/s, p50 and p99 latency, and the ratio to hello-world
 * (measured again just before each cached figure, so that both see the same load),
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
const DURATION_S = 10;
const WARMUP_S = 2;

interface Cannon {
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  non2xx: number;
  errors: number;
  /** CPU time this process (the server measured; not the client) spent per answered request. */
  server_cpu_us_per_req?: number;
  /** The same for autocannon's process. */
  client_cpu_us_per_req?: number;
  /** CPU time autocannon's process spent during its run, in µs: whether the client, on the same cores, is what limits. */
  client_cpu_us: number;
}

/** One autocannon run in a child process (its own event loop and V8, as an outside client would be), on the clients' cores when `pin`. */
function cannon(url: string, durationS: number, pin: boolean): Promise<Cannon> {
  const autocannonPath = createRequire(import.meta.url).resolve('autocannon');
  const script = `const autocannon = require(${JSON.stringify(autocannonPath)});
    const cpu = process.cpuUsage();
    autocannon({ url: ${JSON.stringify(url)}, connections: ${CONNECTIONS}, duration: ${durationS} }).then(
      (r) => {
        const used = process.cpuUsage(cpu);
        process.stdout.write(JSON.stringify({ req_per_s: r.requests.average, p50_ms: r.latency.p50, p99_ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors, client_cpu_us: used.user + used.system }));
      },
      (err) => { process.stderr.write(String((err && err.message) || err)); process.exit(1); },
    );`;
  return new Promise((resolve, reject) => {
    const { command, args } = pinnedCommand(pin, clientCores() ?? '0', [process.execPath, '-e', script]);
    execFile(command, args, { timeout: (durationS + 30) * 1000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`autocannon: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as Cannon);
    });
  });
}

/**
 * A warm-up, then the measured run. The server runs in this process, so its CPU time per request
 * is measured too: unlike requests/s, it hardly moves with what else the shared cores run.
 */
async function measure(url: string, pin: boolean): Promise<Cannon> {
  await cannon(url, WARMUP_S, pin);
  const before = process.cpuUsage();
  const r = await cannon(url, DURATION_S, pin);
  const used = process.cpuUsage(before);
  const requests = r.req_per_s * DURATION_S;
  return { ...r, server_cpu_us_per_req: requests > 0 ? (used.user + used.system) / requests : undefined, client_cpu_us_per_req: requests > 0 ? r.client_cpu_us / requests : undefined };
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
    app.listen({ port: 0, host: '127.0.0.1' }).then(() => process.send({ port: app.server.address().port }));
    process.on('message', () => { const u = process.cpuUsage(); process.send({ cpu_us: u.user + u.system }); });
    process.on('disconnect', () => process.exit(0));`;
  return startChildServer(script, pin);
}

/** A figure of a server in a child process (hello-world, the floor); its CPU time is its own process's. */
async function measureChild(server: ChildServer, pin: boolean): Promise<Cannon> {
  await cannon(server.url, WARMUP_S, pin);
  const before = await server.cpuUs();
  const r = await cannon(server.url, DURATION_S, pin);
  const used = (await server.cpuUs()) - before;
  const requests = r.req_per_s * DURATION_S;
  return { ...r, server_cpu_us_per_req: requests > 0 ? used / requests : undefined, client_cpu_us_per_req: requests > 0 ? r.client_cpu_us / requests : undefined };
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
  // Each figure is compared with a hello-world run measured just before it: the load of a shared
  // machine drifts over the minutes a bench takes, and a ratio across that drift says little.
  let hello: Cannon | undefined;
  const paired = async (url: string): Promise<Cannon> => {
    hello = await measureChild(hw, pin);
    return measure(url, pin);
  };
  const record = (label: string, r: Cannon) => {
    const h = hello!;
    out[`${name} ${label} req/s`] = Math.round(r.req_per_s);
    out[`${name} ${label} p50 / p99 ms`] = `${r.p50_ms} / ${r.p99_ms}`;
    out[`${name} ${label} vs hello-world`] = `${((100 * r.req_per_s) / h.req_per_s).toFixed(1)} % (hello-world just before: ${Math.round(h.req_per_s)} req/s, ${h.server_cpu_us_per_req?.toFixed(1)} µs/request)`;
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
      const prices = await paired(cached.base + cached.pricesPath);
      record('GET /api/prices (1 day, 1 hub)', prices);
      // The same bytes from a bare node:http server, measured right after: what the answer itself costs.
      const floor = await startFloor(await fetchAnswer(cached.base + cached.pricesPath), pin);
      try {
        const bare = await measureChild(floor, pin);
        out[`${name} GET /api/prices, its bytes from bare node:http req/s`] = `${Math.round(bare.req_per_s)} (${bare.server_cpu_us_per_req?.toFixed(1)} µs/request; client ${bare.client_cpu_us_per_req?.toFixed(1)} µs/request)`;
        out[`${name} GET /api/prices vs bare node:http`] = `${((100 * prices.req_per_s) / bare.req_per_s).toFixed(1)} %`;
        out[`${name} GET /api/prices bare node:http vs hello-world`] = `${((100 * bare.req_per_s) / hello!.req_per_s).toFixed(1)} %: the answer's own cost, whatever serves it`;
      } finally {
        floor.close();
      }
      record('GET /api/prices/latest?market=PJM', await paired(`${cached.base}/api/prices/latest?market=PJM`));
      record('GET /health/live', await paired(`${cached.base}/health/live`));
    } finally {
      await cached.close();
    }
    const uncached = await optibid(database, false, false);
    try {
      // The database path is a few per cent of hello-world: the last hello-world figure serves.
      record('GET /api/prices, read cache off', await measure(uncached.base + uncached.pricesPath, pin));
      record('GET /api/prices/latest, read cache off', await measure(`${uncached.base}/api/prices/latest?market=PJM`, pin));
    } finally {
      await uncached.close();
    }
  } finally {
    pinned?.restore();
  }
}

export async function benchReadPath(): Promise<Record<string, number | string>> {
  const pin = canPin();
  const out: Record<string, number | string> = {
    machine: `${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min) at start`,
    method: `autocannon, ${CONNECTIONS} connections, ${DURATION_S} s after ${WARMUP_S} s warm-up, from a child process`,
    pinning: pin ? `servers on core 0, autocannon on core${clientCores()!.includes('-') ? 's' : ''} ${clientCores()} (taskset)` : 'none (one core or no taskset): the scheduler shares the cores',
  };
  // Kept up for the whole run, idle between its measurements.
  const hw = await helloWorld(pin);
  try {
    const hello = await measureChild(hw, pin);
    out['hello-world req/s'] = Math.round(hello.req_per_s);
    out['hello-world p50 / p99 ms'] = `${hello.p50_ms} / ${hello.p99_ms}`;
    if (hello.server_cpu_us_per_req !== undefined) out['hello-world server CPU µs/request'] = hello.server_cpu_us_per_req.toFixed(1);
    if (hello.client_cpu_us_per_req !== undefined) out['hello-world client (autocannon) CPU µs/request'] = hello.client_cpu_us_per_req.toFixed(1);
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
