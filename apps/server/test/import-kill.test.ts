/**
 * kill -9 in the middle of an import leaves all of the file or none of it
 * (issue 13, finding 13: 39,980 of 300k rows committed with no `price_imports`
 * record and no audit row). The real server process (`optibid serve`) gets a
 * generated 300,001-row file; once it logs that it is storing the file, it is
 * killed with SIGKILL, restarted on the same data, and the data are read back:
 * either every row with its import record and audit row, or none of the three.
 * On PGlite in a temporary DATA_DIR always, and on PostgreSQL (a database of
 * its own) when the run has one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const LOCATIONS = 300;
const HOURS = 1000;
const ROWS = LOCATIONS * HOURS + 1;
/** Starting a fresh PGlite folder (migrations) takes about a minute on the loaded test machine. */
const READY_TIMEOUT_MS = 240_000;

interface Served {
  child: ChildProcess;
  base: string;
  /** Resolves when a log line matches. */
  logged(re: RegExp): Promise<void>;
  exited: Promise<number | null>;
}

async function serve(env: Record<string, string>): Promise<Served> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { ...process.env, REDIS_URL: '', BUS_URL: '', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', DEMO_MODE: 'false', SIMULATION_MODE: 'false', OPTIBID_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const onData = (c: Buffer) => {
    log += c.toString();
    for (const w of [...waiters]) {
      if (!w.re.test(log)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let ready = false;
  while (!ready && Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 250));
    ready = await fetch(`${base}/health/ready`).then((r) => r.ok, () => false);
  }
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`the server did not become ready:\n${log.slice(-3000)}`);
  }
  return { child, base, exited, logged: (re) => (re.test(log) ? Promise.resolve() : new Promise((resolve) => waiters.push({ re, resolve }))) };
}

/** A tidy (gridstatus) PJM day-ahead file of LOCATIONS × HOURS rows and one more. */
function bigFile(file: string): void {
  const out = fs.openSync(file, 'w');
  fs.writeSync(out, 'interval_start_utc,interval_end_utc,market,location,location_type,lmp,energy,congestion,loss\n');
  const t0 = Date.UTC(2024, 0, 1);
  for (let l = 0; l < LOCATIONS; l++) {
    const lines: string[] = [];
    for (let h = 0; h < HOURS; h++) lines.push(`${new Date(t0 + h * 3_600_000).toISOString()},${new Date(t0 + (h + 1) * 3_600_000).toISOString()},DAY_AHEAD_HOURLY,NODE_${l},Node,${(20 + ((l * 31 + h * 7) % 50)).toFixed(2)},,,`);
    fs.writeSync(out, lines.join('\n') + '\n');
  }
  fs.writeSync(out, `${new Date(t0).toISOString()},${new Date(t0 + 3_600_000).toISOString()},DAY_AHEAD_HOURLY,NODE_LAST,Node,25.00,,,\n`);
  fs.closeSync(out);
}

interface Counts {
  rows: number;
  imports: number;
  audit: number;
}

const COUNT_SQL = `SELECT (SELECT count(*)::int FROM prices WHERE market = 'PJM' AND owner_organization_id = $1) AS rows,
                          (SELECT count(*)::int FROM price_imports WHERE organization_id = $1) AS imports,
                          (SELECT count(*)::int FROM audit_log WHERE organization_id = $1 AND action = 'prices.import') AS audit`;

const backends: { name: string; setUp(): Promise<{ env: Record<string, string>; counts(org: string): Promise<Counts>; tearDown(): Promise<void> }> }[] = [
  {
    name: 'pglite',
    async setUp() {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-kill-'));
      return {
        env: { DATABASE_URL: '', DATA_DIR: dataDir },
        async counts(org) {
          // The server is stopped: PGlite is one process's database.
          const db = await openDatabase({ dataDir: path.join(dataDir, 'pglite') });
          try {
            return (await db.query<Counts>(COUNT_SQL, [org]))[0]!;
          } finally {
            await db.close();
          }
        },
        async tearDown() {
          fs.rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
];
const pgUrl = inject('pgUrl');
if (pgUrl) {
  backends.push({
    name: 'postgres',
    async setUp() {
      const name = `optibid_kill_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(pgUrl);
      url.pathname = `/${name}`;
      return {
        env: { DATABASE_URL: url.toString(), DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-kill-')) },
        async counts(org) {
          const c = new pg.Client({ connectionString: url.toString() });
          await c.connect();
          try {
            return (await c.query<Counts>(COUNT_SQL, [org])).rows[0]!;
          } finally {
            await c.end();
          }
        },
        async tearDown() {
          const c = new pg.Client({ connectionString: pgUrl });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
          await c.end();
        },
      };
    },
  });
}

for (const backend of backends) {
  describe(`kill -9 during an import [${backend.name}]`, () => {
    it('leaves the whole file with its record and audit row, or none of them', { timeout: 900_000 }, async () => {
      const b = await backend.setUp();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-kill-file-'));
      let server: Served | null = null;
      try {
        const file = path.join(dir, 'pjm_nodes.csv');
        bigFile(file);
        server = await serve(b.env);
        const reg = await fetch(`${server.base}/api/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: `kill.${Date.now()}@example.com`, password: 'correct-horse-battery', name: 'Kill Test', organization_name: 'Kill Test Org' }),
        });
        expect(reg.status).toBe(201);
        const { access_token: token, user } = (await reg.json()) as { access_token: string; user: { organization: { id: string } } };
        const org = user.organization.id;

        const form = new FormData();
        form.append('files', new Blob([fs.readFileSync(file)]), 'pjm_nodes.csv');
        const answer = fetch(`${server.base}/api/prices/import`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form }).then(
          (r) => `answered ${r.status}`,
          () => 'no answer',
        );
        // The file is parsed and its transaction has begun; a second later (PGlite stores ~50k rows/s, PostgreSQL more) it is part-way.
        await Promise.race([server.logged(/import: storing a file in one transaction/), answer.then((a) => Promise.reject(new Error(`the import ${a} before it was storing`)))]);
        await new Promise((r) => setTimeout(r, 1000));
        server.child.kill('SIGKILL');
        expect(await server.exited).toBeNull();
        const outcome = await answer;
        console.log(`[${backend.name}] killed during the import: ${outcome}`);
        expect(outcome).toBe('no answer');

        // Restarted on the same data, it serves; what the API shows agrees with what is stored.
        server = await serve(b.env);
        const audit = (await (await fetch(`${server.base}/api/org/audit?action=prices.import`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: unknown[] };
        const stats = (await (await fetch(`${server.base}/api/prices/stats?market=PJM&location=NODE_0&start=2024-01-01&end=2024-03-01&scope=own`, { headers: { authorization: `Bearer ${token}` } })).json()) as { intervals?: number };
        server.child.kill('SIGTERM');
        expect(await server.exited).toBe(0);
        server = null;

        const counts = await b.counts(org);
        console.log(`[${backend.name}] after restart: ${JSON.stringify(counts)}`);
        const none = { rows: 0, imports: 0, audit: 0 };
        const all = { rows: ROWS, imports: 1, audit: 1 };
        expect([none, all]).toContainEqual(counts);
        expect(audit.items.length).toBe(counts.audit);
        expect(stats.intervals ?? 0).toBe(counts.rows === 0 ? 0 : HOURS);
      } finally {
        if (server) {
          server.child.kill('SIGKILL');
          await server.exited;
        }
        fs.rmSync(dir, { recursive: true, force: true });
        await b.tearDown();
      }
    });
  });
}
