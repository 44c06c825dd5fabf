#!/usr/bin/env node
// `npm run cluster`: two OptiBid instances (ports 8001 and 8002, CLUSTER_PORTS to
// change them) on one PostgreSQL, one Redis and one NATS, as a deployment behind a
// load balancer would run them. Builds what is not built, creates the database if
// it does not exist, starts the first instance (it migrates and, in demo mode,
// seeds), then the second once the first is ready; every output line is prefixed
// with its instance. Ctrl-C (or SIGTERM) sends SIGTERM to both, which drain
// (SHUTDOWN_GRACE_MS) and exit; if one instance dies the other is stopped too.
//
//   DATABASE_URL  default postgres://postgres@127.0.0.1:5432/optibid_cluster
//   REDIS_URL     default redis://127.0.0.1:6379
//   BUS_URL       default nats://127.0.0.1:4222
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = {
  DATABASE_URL: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/optibid_cluster',
  REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
  BUS_URL: process.env.BUS_URL || 'nats://127.0.0.1:4222',
};
const ports = (process.env.CLUSTER_PORTS || '8001,8002').split(',').map((p) => Number(p.trim()));
if (ports.length < 2 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
  console.error(`cluster: CLUSTER_PORTS=${process.env.CLUSTER_PORTS}: expected two or more ports, e.g. 8001,8002`);
  process.exit(2);
}

const children = [];
let stopping = false;

function log(line) {
  process.stdout.write(`[cluster] ${line}\n`);
}

function redactUrl(url) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** Creates the database named in DATABASE_URL when the server answers but the database does not exist. */
async function ensureDatabase(url) {
  const { default: pg } = await import('pg');
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) return;
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    await probe.end();
    return;
  } catch (err) {
    await probe.end().catch(() => undefined);
    if (err.code !== '3D000') throw new Error(`PostgreSQL at ${redactUrl(url)}: ${err.message}`, { cause: err });
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    log(`created database ${name}`);
  } finally {
    await c.end();
  }
}

function start(name, port) {
  const child = spawn(process.execPath, [path.join(root, 'apps/server/dist/cli/main.js'), 'serve'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, PORT: String(port), DATA_DIR: process.env.DATA_DIR ? path.join(process.env.DATA_DIR, name) : path.join(root, 'data', 'cluster', name) },
  });
  const prefix = `[${name}:${port}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) process.stdout.write(prefix + l + '\n');
    });
  }
  child.on('exit', (code, signal) => {
    log(`${name} exited (${signal ?? `code ${code}`})`);
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(stopping ? 0 : 1);
    stop(`${name} stopped`);
  });
  children.push(child);
  return child;
}

function stop(why) {
  if (stopping) return;
  stopping = true;
  log(`${why}: stopping every instance (SIGTERM)`);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  // The instances drain within SHUTDOWN_GRACE_MS; do not wait for ever.
  setTimeout(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    process.exit(1);
  }, Number(process.env.SHUTDOWN_GRACE_MS || 10_000) + 10_000).unref();
}

async function waitReady(port, child) {
  for (;;) {
    if (stopping || child.exitCode !== null) return false;
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (r.status === 200) return true;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

const built = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
try {
  await ensureDatabase(env.DATABASE_URL);
} catch (err) {
  console.error(`cluster: ${err.message}`);
  process.exit(1);
}
log(`database ${redactUrl(env.DATABASE_URL)}, Redis ${redactUrl(env.REDIS_URL)}, bus ${redactUrl(env.BUS_URL)}`);
// The first instance migrates and seeds alone; the others start once it is ready.
const first = start('a', ports[0]);
if (await waitReady(ports[0], first)) {
  ports.slice(1).forEach((port, i) => start(String.fromCharCode(98 + i), port));
  log(`instances on ${ports.map((p) => `http://localhost:${p}`).join(', ')}`);
}
