/**
 * Test harness: a real database per suite (PGlite in memory, and PostgreSQL in
 * its own schema, or its own database, when the run has one), a real context and the real app,
 * exercised through app.inject().
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject, describe } from 'vitest';
import { loadConfig, type Config } from '../src/config/index.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { createServices, type Services, type ServicesOptions } from '../src/services.js';
import { buildApp } from '../src/app.js';
import type { App } from '../src/http/types.js';

export type BackendName = 'pglite' | 'postgres';

export interface Backend {
  name: BackendName;
  open(): Promise<Database>;
}

/** The backends this run can test against: PGlite always, PostgreSQL when the run has one. */
export function backends(opts: BackendOptions = {}): Backend[] {
  const list: Backend[] = [{ name: 'pglite', open: () => openDatabase({}) }];
  const url = inject('pgUrl');
  if (url) list.push({ name: 'postgres', open: () => (opts.ownDatabase ? openPostgresDatabase(url) : openPostgresSchema(url)) });
  return list;
}

export interface BackendOptions {
  /**
   * PostgreSQL in a database of its own rather than a schema of the run's: for suites whose
   * analytics watermark stops at the oldest transaction open in the database, which another
   * suite's long transaction (a held row lock) would otherwise hold back.
   */
  ownDatabase?: boolean;
}

/** A fresh database on the run's server, dropped on close. */
async function openPostgresDatabase(url: string): Promise<Database> {
  const name = `optibid_t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await adminQuery(url, `CREATE DATABASE ${name}`);
  const own = new URL(url);
  own.pathname = `/${name}`;
  return dropOnClose(await openDatabase({ url: own.toString(), poolSize: 4 }), url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** A fresh schema in the run's database, so suites running in parallel never see each other's rows. */
async function openPostgresSchema(url: string): Promise<Database> {
  const schema = `s_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await adminQuery(url, `CREATE SCHEMA ${schema}`);
  return dropOnClose(await openDatabase({ url, pgOptions: `-c search_path=${schema},public`, poolSize: 4 }), url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}

/** One statement on a connection of its own (creating or dropping what a suite's pool lives in). */
async function adminQuery(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** `db`, whose close also runs `drop` (best effort: a suite's leftovers never fail the run). */
function dropOnClose(db: Database, url: string, drop: string): Database {
  const close = db.close.bind(db);
  return {
    ...db,
    async close() {
      await close();
      await adminQuery(url, drop).catch(() => undefined);
    },
  };
}

export function testConfig(env: Record<string, string> = {}): Config {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-test-'));
  return loadConfig({ OPTIBID_ENV: 'test', DATA_DIR: dataDir, DEMO_MODE: 'false', SIMULATION_MODE: 'false', LOG_LEVEL: 'silent', ...env });
}

export interface TestServer {
  ctx: Services;
  app: App;
  close(): Promise<void>;
}

/** `now`: the services' clock (a test that must stand past a gate closure moves it); default the wall clock. */
export async function startTestServer(backend: Backend, env: Record<string, string> = {}, opts: Pick<ServicesOptions, 'now' | 'analytics'> = {}): Promise<TestServer> {
  const database = await backend.open();
  const ctx = await createServices(testConfig(env), { database, ...opts });
  const app = await buildApp(ctx, { logger: false });
  await app.ready();
  return {
    ctx,
    app,
    async close() {
      await app.close();
      await ctx.close();
      await database.close();
    },
  };
}

/** Runs a suite once per backend available to this run. */
export function describeEachBackend(name: string, fn: (backend: Backend) => void, opts: BackendOptions = {}): void {
  for (const backend of backends(opts)) describe(`${name} [${backend.name}]`, () => fn(backend));
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}.${Date.now()}.${++counter}.${Math.floor(Math.random() * 1e6)}@example.com`;
}

export async function registerUser(app: App, opts: { email?: string; password?: string; organization_name?: string; name?: string } = {}) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/register',
    payload: {
      email: opts.email ?? uniqueEmail(),
      password: opts.password ?? 'correct-horse-battery',
      name: opts.name ?? 'Test User',
      organization_name: opts.organization_name ?? `Org ${randomUUID().slice(0, 8)}`,
    },
  });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  return res.json() as { access_token: string; refresh_token: string; user: { id: string; email: string; organization: { id: string; name: string }; role: string } };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A local TCP port nothing listens on once this resolves (for a server to start on, or for a service that is down). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
