/** Shared by the forecasting tests: a test server with the forecasting routes, and the NYISO N.Y.C. demo prices. */
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { createServices } from '../src/services.js';
import { buildApp } from '../src/app.js';
import type { Database } from '../src/db/client.js';
import { testConfig, type Backend, type TestServer } from './helpers.js';

const NYC_FILE = fileURLToPath(new URL('./fixtures/nyiso_damlbmp_zone_nyc_2020-03-02_04-30.csv.gz', import.meta.url));

/** A battery of the organisation at the location: what makes the daily forecast job work on it. */
export async function addBattery(database: Pick<Database, 'query'>, organizationId: string, market: string, location: string, name = 'NYC battery'): Promise<void> {
  await database.query(`INSERT INTO assets (organization_id, name, type, market, location, params) VALUES ($1, $2, 'battery', $3, $4, '{}'::jsonb)`, [organizationId, name, market, location]);
}

/** startTestServer on a fresh database. */
export async function startForecastServer(backend: Backend): Promise<TestServer> {
  const database = await backend.open();
  const ctx = await createServices(testConfig(), { database });
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

/** The file's N.Y.C. prices; with `before` (YYYY-MM-DD) only its rows of earlier days, a shorter history. */
export async function importNyc(server: TestServer, opts: { before?: string } = {}): Promise<void> {
  let data = gunzipSync(fs.readFileSync(NYC_FILE));
  if (opts.before) {
    const [header, ...rows] = data.toString('utf8').trimEnd().split('\n');
    // The file's time stamps are MM/DD/YYYY HH:mm, market time.
    const ymd = (line: string) => `${line.slice(6, 10)}-${line.slice(0, 2)}-${line.slice(3, 5)}`;
    data = Buffer.from([header, ...rows.filter((line) => ymd(line) < opts.before!)].join('\n') + '\n');
  }
  const r = await server.ctx.imports.importFiles([{ name: 'nyiso_damlbmp_zone_nyc.csv', data }], {}, { organization_id: null, user_id: null, origin: 'seed' }, null);
  // Stored now or before (a second import of the same rows changes nothing).
  if (r.inserted + r.unchanged < (opts.before ? 24 : 1400)) throw new Error(`import stored ${r.inserted} rows: ${JSON.stringify(r.refused)}`);
}

