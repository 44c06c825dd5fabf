/**
 * `optibid fetch` as a user runs it: the built CLI in a child process, pointed at the
 * in-process ISO test server through ISO_BASE_URL_*. (Run `npm run build` first when running
 * this file alone.)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsoTestServer } from './iso-test-server.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const built = fs.existsSync(CLI);
if (!built && process.env.REQUIRE_INTEGRATION === '1') throw new Error(`the server is not built (${CLI}); run npm run build`);

describe.skipIf(!built)('optibid fetch', () => {
  const iso = new IsoTestServer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-fetch-'));
  beforeAll(() => iso.start());
  afterAll(() => iso.stop());

  // Asynchronous on purpose: the ISO server lives in this process and must keep answering.
  function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    const base = Object.fromEntries(['CAISO', 'ERCOT', 'PJM', 'NYISO', 'MISO', 'SPP', 'ISONE', 'EIA930'].map((k) => [`ISO_BASE_URL_${k}`, iso.url]));
    const env = { ...process.env, ...base, DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'silent', DEMO_MODE: 'false', ERCOT_API_SUBSCRIPTION_KEY: 'k', ERCOT_API_ID_TOKEN: 't', ISO_FETCH_BACKOFF_MS: '20' };
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, 'fetch', ...args], { env });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => resolve({ code, out, err }));
    });
  }

  it('fetches ERCOT DA days from the yearly archive with a progress bar; a rerun skips them', async () => {
    const first = await run(['ercot', 'da-lmp', '--from', '2015-03-07', '--to', '2015-03-09']);
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/fetch ERCOT da-lmp: 100% \(1\/1\)/);
    // 14 settlement points × (24 + 23 + 24) hours; 03-08 is the spring-forward day.
    expect(first.out).toMatch(/stored price intervals: 994 inserted, 0 updated, 0 unchanged/);
    expect(first.out).toMatch(/complete: 3 days \(2015-03-07 … 2015-03-09\)/);
    const again = await run(['ercot', 'da-lmp', '--from', '2015-03-07', '--to', '2015-03-09']);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/3 days, 3 already complete \(skipped\), 0 downloads/);
    expect(again.out).toMatch(/0 inserted, 0 updated, 0 unchanged/);
  }, 180_000);

  it('fetches ERCOT AS prices of a past year from the yearly NP4-181-ER zip', async () => {
    const r = await run(['ERCOT', 'as-prices', '--from', '2015-11-01', '--to', '2015-11-02']);
    expect(r.code, r.err).toBe(0);
    // REGDN, REGUP, RRS, NSPIN × (25 + 24) hours.
    expect(r.out).toMatch(/stored AS price intervals \(zone × product × hour\): 196 inserted, 0 updated, 0 unchanged, 0 rejected/);
    expect(r.out).toMatch(/complete: 2 days \(2015-11-01 … 2015-11-02\)/);
    expect(iso.requests.some((q) => q.path === '/api/public-reports/archive/np4-181-er?download=13091')).toBe(true);
  }, 180_000);

  it('fetches an old NYISO day from the month zip and reports a day the ISO has no file for', async () => {
    const r = await run(['NYISO', 'da-lmp', '--from', '2019-11-03', '--to', '2019-11-04']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/375 inserted/);
    expect(r.out).toMatch(/complete: 1 days \(2019-11-03 … 2019-11-03\)/);
    expect(r.out).toMatch(/incomplete 2019-11-04: no rows for this day/);
    expect(iso.requests.some((q) => q.path === '/public/csv/damlbmp/20191101damlbmp_zone_csv.zip')).toBe(true);
  }, 180_000);

  it('refuses bad arguments and a client without credentials', async () => {
    const stray = await run(['PJM', 'da-lmp', 'extra', '--from', '2025-05-01', '--to', '2025-05-01']);
    expect(stray.code).toBe(2);
    expect(stray.err).toMatch(/unexpected argument "extra"/);
    const ds = await run(['PJM', 'prices', '--from', '2025-05-01', '--to', '2025-05-01']);
    expect(ds.err).toMatch(/unknown dataset "prices"; datasets: da-lmp, rt-lmp, as-prices, load-forecast/);
    const order = await run(['PJM', 'da-lmp', '--from', '2025-05-02', '--to', '2025-05-01']);
    expect(order.err).toMatch(/--to is before --from/);
    const key = await run(['PJM', 'da-lmp', '--from', '2025-05-01', '--to', '2025-05-01']);
    expect(key.code).toBe(1);
    expect(key.err).toMatch(/set PJM_API_KEY/);
  }, 180_000);
});
