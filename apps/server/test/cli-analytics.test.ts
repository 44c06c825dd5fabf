/**
 * `optibid analytics backfill` as an operator runs it: the built CLI in a child process, on an
 * embedded database filled by `optibid import`, into a database of its own in the test run's
 * ClickHouse (TEST_CLICKHOUSE_URL). (Run `npm run build` first when running this file alone.)
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const built = fs.existsSync(CLI);
if (!built && process.env.REQUIRE_INTEGRATION === '1') throw new Error(`the server is not built (${CLI}); run npm run build`);
const chUrl = inject('clickhouseUrl');
const FIXTURE = fileURLToPath(new URL('./fixtures/ercot_dam_hb_houston_2015-11-02_12-31.csv.gz', import.meta.url));

describe.skipIf(!built || !chUrl)('optibid analytics', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-analytics-'));
  const database = `optibid_cli_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', BUS_URL: '', LOG_LEVEL: 'silent', DEMO_MODE: 'false', ANALYTICS_URL: `${chUrl}/${database}` };
  const run = (args: string[], extra: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...env, ...extra }, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  afterAll(async () => {
    await fetch(chUrl!, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
  });

  it('copies the imported shared market into ClickHouse with a progress bar; a second run changes nothing', async () => {
    const imported = run(['import', FIXTURE]);
    expect(imported.code, imported.err).toBe(0);
    const first = run(['analytics', 'backfill']);
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/analytics backfill: 100% \(1,?440\/1,?440\)/);
    expect(JSON.parse(first.out)).toMatchObject({ kind: 'backfill', rows: 1440, intervals: 1440 });
    const again = run(['analytics', 'backfill']);
    expect(JSON.parse(again.out)).toMatchObject({ rows: 1440, intervals: 1440 });
    const status = JSON.parse(run(['analytics', 'status']).out);
    expect(status).toMatchObject({ intervals: 1440, version: expect.stringMatching(/^\d+\.\d+/), last_sync: { rows: 1440 } });
    // The rows themselves, read back over ClickHouse's HTTP interface.
    const res = await fetch(`${chUrl}/?database=${database}`, { method: 'POST', body: "SELECT count(), round(avg(lmp_usd_per_mwh), 6) FROM prices FINAL WHERE market = 'ERCOT' AND location = 'HB_HOUSTON' AND run = 'DA'" });
    const [count, avg] = (await res.text()).trim().split('\t').map(Number);
    expect(count).toBe(1440);
    expect(avg).toBeGreaterThan(0);
  }, 240_000);

  it('refuses without ANALYTICS_URL, an unknown subcommand, and an unreachable ClickHouse', () => {
    const none = run(['analytics', 'backfill'], { ANALYTICS_URL: '' });
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/ANALYTICS_URL is not set/);
    const bad = run(['analytics', 'refill']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown analytics subcommand "refill"/);
    const down = run(['analytics', 'backfill'], { ANALYTICS_URL: 'http://127.0.0.1:8999/nothing_here' });
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/unreachable: ECONNREFUSED/);
  }, 120_000);
});
