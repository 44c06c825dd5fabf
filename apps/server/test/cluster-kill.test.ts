/**
 * Instances that can die (issue 16): two real server processes on one PostgreSQL,
 * Redis and NATS (streams and lease keys in a namespace of the test's own). The one
 * leading the simulated feed and running two backtests is killed with SIGKILL. The
 * survivor takes the feed over within the lease and reports the silent stretch
 * (`feed_gap`) to a WebSocket client connected to it, whose ticks otherwise come
 * one period apart; the backtests' leases expire and the survivor finishes both.
 * (The clearing of a market day under the same conditions: clearing-job.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { connect } from './realtime-client.js';
import { api, newOrganisationWithNycBattery, built, CLI, killClusterEnv, createClusterDatabase, killAll, runCli, startInstance, type Instance } from './cluster-helpers.js';

const adminUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const natsUrl = process.env.TEST_NATS_URL;
const missing = [!built && `the server is not built (${CLI})`, !adminUrl && 'TEST_DATABASE_URL', !redisUrl && 'TEST_REDIS_URL', !natsUrl && 'TEST_NATS_URL'].filter(Boolean);
if (missing.length && process.env.REQUIRE_INTEGRATION === '1') throw new Error(`REQUIRE_INTEGRATION=1 but the kill -9 cluster test would be skipped: missing ${missing.join(', ')}`);
if (missing.length) console.warn(`cluster kill -9 test skipped: missing ${missing.join(', ')}`);

const LEASE_MS = 3_000;
const FIXTURE = new URL('./fixtures/nyiso_damlbmp_zone_nyc_2020-03-02_04-30.csv.gz', import.meta.url).pathname;
type Msg = Record<string, unknown>;

describe.skipIf(missing.length > 0)('kill -9 of the instance leading the feed and running backtests', () => {
  let db: Awaited<ReturnType<typeof createClusterDatabase>>;
  const instances: Instance[] = [];

  beforeAll(async () => {
    db = await createClusterDatabase(adminUrl!);
    const env = killClusterEnv({ databaseUrl: db.url, redisUrl: redisUrl!, natsUrl: natsUrl!, namespace: 'kill', leaseMs: LEASE_MS, jobConcurrency: 2 });
    const imported = runCli(['import', FIXTURE], env);
    expect(imported.status, imported.stderr).toBe(0);
    const a = await startInstance('a', env);
    await a.waitLog((l) => l.msg === 'price feed: this instance leads', 20_000);
    // The survivor polls every 2 s, so the backtests posted to a go to a (whose loop a backtest's forecasts keep busy).
    instances.push(a, await startInstance('b', { ...env, JOB_POLL_MS: '2000' }));
  }, 300_000);

  afterAll(async () => {
    await killAll(instances);
    await db?.drop();
  });

  it('the survivor takes the feed over and reports the gap, and finishes both backtests', async () => {
    const [a, b] = instances as [Instance, Instance];
    const sock = connect(`${b.ws}/api/ws/ws/market/nyiso`);
    await sock.next((m) => m.type === 'connection_established', 10_000);
    await sock.next((m) => m.type === 'price_update', 10_000);

    const { token, assetId } = await newOrganisationWithNycBattery(a, 'Kill');
    // Both at once, so a claims both before the first one's forecasts occupy its event loop.
    const posted = await Promise.all(
      ['forecast:lear:28', 'forecast:lear:56'].map((strategy) => api<{ id: string }>(a, 'POST', '/api/backtests', { token, body: { asset_id: assetId, market: 'nyiso', location: 'N.Y.C.', start: '2020-04-01', end: '2020-04-30', strategy } })),
    );
    for (const r of posted) expect(r.status, JSON.stringify(r.body)).toBe(202);
    const ids = posted.map((r) => r.body.id);
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect();
    const holders = async () => (await client.query<{ locked_by: string | null; status: string; attempts: number }>(`SELECT locked_by, status, attempts FROM jobs WHERE queue = 'backtest' ORDER BY id`)).rows;
    for (let i = 0; i < 200; i++) {
      const rows = await holders();
      if (rows.length === 2 && rows.every((r) => r.status === 'running')) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect((await holders()).map((r) => [r.status, Number(r.locked_by?.split(':')[1])])).toEqual([['running', a.proc.pid], ['running', a.proc.pid]]);

    const killedAt = Date.now();
    a.proc.kill('SIGKILL');
    await a.exited;

    // The survivor leads within the lease (plus one renewal round), and says how long the feed was silent.
    await b.waitLog((l) => l.msg === 'price feed: this instance leads', LEASE_MS * 2 + 5_000);
    const gap = await sock.next((m) => m.type === 'feed_gap', LEASE_MS * 2 + 8_000);
    const resumed = await sock.next((m) => m.type === 'price_update' && Date.parse(String(m.timestamp)) > killedAt, 10_000);
    expect(Date.parse(String(resumed.timestamp)) - killedAt).toBeLessThan(LEASE_MS * 2 + 5_000);
    expect(gap.market_zone).toBe('nyiso');
    expect(gap.gap_s).toBeGreaterThan(1);

    // Every tick of one location before and after: one period apart, except the one reported gap.
    await new Promise((res) => setTimeout(res, 2_500));
    const location = String(resumed.location);
    const times = sock.messages.filter((m: Msg) => m.type === 'price_update' && m.location === location).map((m: Msg) => Date.parse(String(m.timestamp)));
    const holes = times.slice(1).map((t, i) => [times[i]!, t] as const).filter(([p, t]) => t - p > 2_000);
    expect(holes).toHaveLength(1);
    const [before, after] = holes[0]!;
    expect(Date.parse(String(gap.from))).toBeGreaterThanOrEqual(before - 50);
    expect(Date.parse(String(gap.to))).toBeLessThanOrEqual(after + 50);

    // Both backtests: their leases expire and the survivor runs them to the end.
    for (const id of ids) {
      let view: { status: string; error: string | null; result: { daily?: unknown[] } | null } = { status: 'running', error: null, result: null };
      for (let i = 0; i < 1200 && ['queued', 'running'].includes(view.status); i++) {
        await new Promise((res) => setTimeout(res, 250));
        view = (await api<typeof view>(b, 'GET', `/api/backtests/${id}`, { token })).body;
      }
      expect(view.status, view.error ?? '').toBe('succeeded');
      expect(view.result?.daily).toHaveLength(30);
    }
    const rows = await holders();
    await client.end();
    expect(rows.map((r) => [r.status, Number(r.locked_by?.split(':')[1]), r.attempts])).toEqual([['succeeded', b.proc.pid, 2], ['succeeded', b.proc.pid, 2]]);
  }, 400_000);
});
