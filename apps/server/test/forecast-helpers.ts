/** Shared by the forecasting tests: a test server with the forecasting routes, and the NYISO N.Y.C. demo prices. */
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { createServices } from '../src/services.js';
import { buildApp } from '../src/app.js';
import { testConfig, type Backend, type TestServer } from './helpers.js';

const NYC_FILE = fileURLToPath(new URL('./fixtures/nyiso_damlbmp_zone_nyc_2020-03-02_04-30.csv.gz', import.meta.url));

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

export async function importNyc(server: TestServer): Promise<void> {
  const data = gunzipSync(fs.readFileSync(NYC_FILE));
  const r = await server.ctx.imports.importFiles([{ name: 'nyiso_damlbmp_zone_nyc.csv', data }], {}, { organization_id: null, user_id: null, origin: 'seed' }, null);
  if (r.inserted < 1400) throw new Error(`import stored ${r.inserted} rows: ${JSON.stringify(r.refused)}`);
}

