/**
 * Real server processes for the cluster tests: `node dist/cli/main.js serve` on a
 * database of their own (created from TEST_DATABASE_URL, dropped after), sharing
 * Redis and NATS when the run has them; their JSON log lines are kept so a test
 * can wait for one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './helpers.js';

export const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
export const built = fs.existsSync(CLI);

export type LogLine = Record<string, unknown> & { msg?: string };

export interface Instance {
  name: string;
  port: number;
  http: string;
  ws: string;
  proc: ChildProcess;
  logs: LogLine[];
  /** Every non-JSON output line (stack traces, the CLI's own errors). */
  text: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resolves with the first log line (past or future) that matches. */
  waitLog(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

/** A fresh database on the run's PostgreSQL server; `drop` removes it (closing its connections). */
export async function createClusterDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `optibid_cluster_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}

/** The environment every instance of one cluster shares. */
export function clusterEnv(extra: Record<string, string>): Record<string, string> {
  return {
    OPTIBID_ENV: 'test',
    DEMO_MODE: 'false',
    SIMULATION_MODE: 'false',
    LOG_LEVEL: 'info',
    JWT_SECRET: 'cluster-test-secret-0123456789abcdef',
    ...extra,
  };
}

/**
 * The kill tests' cluster on PostgreSQL + Redis + NATS: the simulated feed every second, leases
 * of `leaseMs` (so a killed holder's roles and jobs move within the test), and NATS streams and
 * the lease key under a namespace of its own.
 */
export function killClusterEnv(o: { databaseUrl: string; redisUrl: string; natsUrl: string; namespace: string; leaseMs: number; jobConcurrency: number }): Record<string, string> {
  return clusterEnv({
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redisUrl,
    BUS_URL: o.natsUrl,
    BUS_NAMESPACE: `${o.namespace}${Date.now().toString(36)}`,
    SIMULATION_MODE: 'true',
    MARKET_DATA_SOURCE: 'simulated',
    PUBLIC_MARKET_DATA: 'true',
    FEED_INTERVAL_S: '1',
    LEADER_LEASE_MS: String(o.leaseMs),
    JOB_LEASE_MS: String(o.leaseMs),
    JOB_CONCURRENCY: String(o.jobConcurrency),
  });
}

/** Runs the CLI to completion (import, migrate) with the cluster's environment. */
export function runCli(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export async function startInstance(name: string, env: Record<string, string>, opts: { readyTimeoutMs?: number } = {}): Promise<Instance> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `optibid-${name}-`));
  const proc = spawn(process.execPath, [CLI, 'serve'], { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  const text: string[] = [];
  let waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  for (const stream of [proc.stdout!, proc.stderr!]) {
    let buf = '';
    stream.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        let parsed: LogLine | null = null;
        try {
          parsed = JSON.parse(line) as LogLine;
        } catch {
          if (line.trim()) text.push(line);
        }
        if (!parsed) continue;
        logs.push(parsed);
        waiters = waiters.filter((w) => (w.pred(parsed) ? (w.resolve(parsed), false) : true));
      }
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const inst: Instance = {
    name,
    port,
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    proc,
    logs,
    text,
    exited,
    waitLog(pred, timeoutMs = 30_000) {
      const found = logs.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no matching log line within ${timeoutMs} ms; last: ${JSON.stringify(logs.slice(-5)).slice(0, 800)} ${text.slice(-5).join(' | ')}`)), timeoutMs);
        waiters.push({
          pred,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
  };
  const until = Date.now() + (opts.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode} before it was ready: ${text.slice(-10).join('\n')} ${JSON.stringify(logs.slice(-5))}`);
    const r = await fetch(`${inst.http}/health/ready`).catch(() => null);
    if (r?.status === 200) return inst;
    if (Date.now() > until) {
      proc.kill('SIGKILL');
      throw new Error(`${name} not ready within ${opts.readyTimeoutMs ?? 120_000} ms: ${text.slice(-10).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Kills what is still running (test clean-up). */
export async function killAll(instances: (Instance | undefined)[]): Promise<void> {
  for (const i of instances) if (i && i.proc.exitCode === null && i.proc.signalCode === null) i.proc.kill('SIGKILL');
  await Promise.all(instances.map((i) => i?.exited));
}

export async function api<T = Record<string, unknown>>(inst: Instance, method: string, url: string, opts: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const r = await fetch(`${inst.http}${url}`, {
    method,
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Registers a new organisation on `inst` and gives it a 1 MW / 2 MWh N.Y.C. battery: its token and the asset's id. */
export async function newOrganisationWithNycBattery(inst: Instance, prefix: string): Promise<{ token: string; assetId: string }> {
  const reg = await api<{ access_token: string }>(inst, 'POST', '/api/auth/register', {
    body: { email: `${prefix.toLowerCase()}-${Date.now()}@example.com`, password: 'correct-horse-battery', name: prefix, organization_name: `${prefix} ${Date.now()}` },
  });
  if (reg.status !== 201) throw new Error(`register answered ${reg.status}: ${JSON.stringify(reg.body)}`);
  const token = reg.body.access_token;
  const asset = await api<{ id: string }>(inst, 'POST', '/api/assets', {
    token,
    body: { name: 'NYC battery', type: 'battery', market: 'nyiso', location: 'N.Y.C.', params: { charge_power_mw: 1, discharge_power_mw: 1, energy_mwh: 2, charge_efficiency: 0.92, discharge_efficiency: 0.92, soc_min_mwh: 0, soc_max_mwh: 2, soc_initial_mwh: 1, degradation_cost_usd_per_mwh: 1, max_cycles_per_day: 1 } },
  });
  if (asset.status !== 201) throw new Error(`asset answered ${asset.status}: ${JSON.stringify(asset.body)}`);
  return { token, assetId: asset.body.id };
}
