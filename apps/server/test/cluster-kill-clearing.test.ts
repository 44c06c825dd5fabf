/**
 * Instances that can die while clearing (issue 16): two real server processes on one
 * PostgreSQL, Redis and NATS. Instance a leads the simulated feed, runs two backtests and
 * clears a NYISO day-ahead day of 2,000 submitted bids (the clearing job); it is killed
 * with SIGKILL right after the clearing transaction committed, before it could announce
 * the bids (the worst moment: a re-run finds them cleared and has nothing to announce).
 * A WebSocket client of the organisation on the survivor b receives one award and one
 * bid_status per bid all the same (the transactional outbox: b's sweeper publishes what a
 * left unpublished, and a row a published but did not mark is dropped by its event_id);
 * the day has one clearing record, one set of awards and one audit row per bid; the
 * backtests finish on b; the client misses no tick (b takes the feed over and reports the gap).
 *
 * The test holds the clearing at the end of its transaction (its own uncommitted row of the
 * day's unique clearing record makes the clearing's insert wait) until b and its client are up
 * and a runs the backtests, then lets it go and kills a the moment its commit is visible. So
 * that a cannot win that race on a fast machine (it once announced all 4,000 events before the
 * kill landed), a's marking of its first published batch is held until a is dead: a has sent
 * at most one batch, marked none, and b's sweeper sends every event, the ones a sent again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { AckPolicy, connect as natsConnect, DeliverPolicy, type NatsConnection } from 'nats';
import { dayAheadGateClosure, getMarket, localDateOf, addDaysYmd } from '@optibid/core';
import { buildApp } from '../src/app.js';
import { subjectOf } from '../src/bus/streams.js';
import { createServices } from '../src/services.js';
import { testConfig } from './helpers.js';
import { connect } from './realtime-client.js';
import { api, built, CLI, killClusterEnv, createClusterDatabase, killAll, runCli, startInstance, type Instance } from './cluster-helpers.js';

const adminUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const natsUrl = process.env.TEST_NATS_URL;
const missing = [!built && `the server is not built (${CLI})`, !adminUrl && 'TEST_DATABASE_URL', !redisUrl && 'TEST_REDIS_URL', !natsUrl && 'TEST_NATS_URL'].filter(Boolean);
if (missing.length && process.env.REQUIRE_INTEGRATION === '1') throw new Error(`REQUIRE_INTEGRATION=1 but the kill -9 clearing cluster test would be skipped: missing ${missing.join(', ')}`);
if (missing.length) console.warn(`cluster kill -9 clearing test skipped: missing ${missing.join(', ')}`);

const LEASE_MS = 3_000;
const BIDS = 2_000;
const BACKTEST = { start: '2019-12-01', end: '2020-04-30', days: 152 };
// The demo's year of N.Y.C. day-ahead prices: history for backtests that outlast b's start-up and the clearing.
const FIXTURE = new URL('../demo-data/nyiso_damlbmp_zone_nyc_2019-05-01_2020-04-30.csv.gz', import.meta.url).pathname;
const BATTERY = { charge_power_mw: 1, discharge_power_mw: 1, energy_mwh: 2, charge_efficiency: 0.92, discharge_efficiency: 0.92, soc_min_mwh: 0, soc_max_mwh: 2, soc_initial_mwh: 1, degradation_cost_usd_per_mwh: 1, max_cycles_per_day: 1 };
type Msg = Record<string, unknown>;

/**
 * The NYISO delivery day to clear: tomorrow once its gate (05:00 New York) has passed, else
 * today; either stays due (today or tomorrow in the market's clock, gate passed) for hours.
 */
function dueNyisoDay(now = new Date()): { date: string; gate: Date } {
  const m = getMarket('NYISO');
  const tomorrow = addDaysYmd(localDateOf(now, m.timezone), 1);
  const date = dayAheadGateClosure('NYISO', tomorrow, m).getTime() < now.getTime() ? tomorrow : localDateOf(now, m.timezone);
  return { date, gate: dayAheadGateClosure('NYISO', date, m) };
}

/**
 * An enterprise organisation with a trader token (issued on the wall clock) and BIDS batteries,
 * each with a submitted day-ahead bid for `date` made an hour before its gate (the services on
 * a clock standing there). The curve offers 1 MW at 900 $/MWh, above any simulated price, so
 * every bid clears at 0 MW and no state-of-charge re-clearing is needed.
 */
async function seed(url: string, env: Record<string, string>, date: string, gate: Date) {
  let fixed: Date | null = null;
  const services = await createServices(testConfig({ DATABASE_URL: url, JWT_SECRET: env.JWT_SECRET! }), { now: () => fixed ?? new Date() });
  const app = await buildApp(services, { logger: false });
  try {
    await app.ready();
    const reg = await app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: `clear-${Date.now()}@example.com`, password: 'correct-horse-battery', name: 'Clearing', organization_name: `Clearing ${Date.now()}` } });
    expect(reg.statusCode, reg.body).toBe(201);
    const { access_token: token, user } = reg.json() as { access_token: string; user: { id: string; organization: { id: string } } };
    const actor = { organization_id: user.organization.id, user_id: user.id };
    await services.database.query(`INSERT INTO subscriptions (organization_id, plan_id) VALUES ($1, 'enterprise')`, [actor.organization_id]);
    const first = await services.trading.assets.create(actor, { name: 'NYC battery 0', type: 'battery', market: 'nyiso', location: 'N.Y.C.', params: BATTERY });
    fixed = new Date(gate.getTime() - 3_600_000);
    const hours = 24;
    const bids: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < BIDS) {
        const i = next++;
        const asset = i === 0 ? first : await services.trading.assets.create(actor, { name: `NYC battery ${i}`, type: 'battery', market: 'nyiso', location: 'N.Y.C.', params: BATTERY });
        const bid = await services.trading.bids.create(actor, { asset_id: asset.id, run: 'DA', delivery_date: date, curves: Array.from({ length: hours }, () => [{ mw: 1, price_usd_per_mwh: 900 }]) });
        const submitted = await services.trading.bids.submit(actor, bid.body.id);
        expect(submitted.body.status, JSON.stringify(submitted.body.issues)).toBe('accepted');
        bids.push(bid.body.id);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    return { token, organizationId: actor.organization_id, assetId: first.id, bids };
  } finally {
    await app.close();
    await services.close();
  }
}

describe.skipIf(missing.length > 0)('kill -9 of the instance clearing a market day, leading the feed and running backtests', () => {
  let db: Awaited<ReturnType<typeof createClusterDatabase>>;
  let env: Record<string, string>;
  const instances: Instance[] = [];
  let client: pg.Client;
  let nc: NatsConnection;

  beforeAll(async () => {
    db = await createClusterDatabase(adminUrl!);
    env = killClusterEnv({ databaseUrl: db.url, redisUrl: redisUrl!, natsUrl: natsUrl!, namespace: 'killclear', leaseMs: LEASE_MS, jobConcurrency: 3 });
    const imported = runCli(['import', FIXTURE], env);
    expect(imported.status, imported.stderr).toBe(0);
    client = new pg.Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect();
    nc = await natsConnect({ servers: natsUrl! });
  }, 300_000);

  /** Every NYISO tick any instance published, as the event log's market stream holds them (read from its start). */
  async function publishedTicks(): Promise<Msg[]> {
    const stream = `${env.BUS_NAMESPACE}_market`.toUpperCase();
    const jsm = await nc.jetstreamManager();
    const info = await jsm.consumers.add(stream, { ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All, filter_subject: subjectOf(env.BUS_NAMESPACE!, 'prices:NYISO'), inactive_threshold: 60_000_000_000 });
    const consumer = await nc.jetstream().consumers.get(stream, info.name);
    const out: Msg[] = [];
    for (let pending = info.num_pending; pending > 0; ) {
      const batch = await consumer.fetch({ max_messages: 500, expires: 5_000 });
      for await (const m of batch) {
        const msg = m.json<Msg>();
        if (msg.type === 'price_update') out.push(msg);
        pending = m.info.pending;
      }
    }
    return out;
  }

  afterAll(async () => {
    await killAll(instances);
    await client?.end().catch(() => undefined);
    await nc?.close().catch(() => undefined);
    await db?.drop();
  });

  it('the day is cleared once and announced once per bid, the backtests finish on the survivor, no tick is missed', async () => {
    const day = dueNyisoDay();
    const { token, organizationId, assetId, bids } = await seed(db.url, env, day.date, day.gate);
    expect(bids).toHaveLength(BIDS);
    const key = `NYISO:DA:${day.date}`;
    // Told the moment a clearing record commits (a notification of an aborted transaction is never delivered), so the
    // kill follows the commit by milliseconds, not by a poll: a publishes thousands of announcements within a second or two.
    await client.query(`CREATE FUNCTION test_clearing_committed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('clearing_committed', NEW.delivery_date); RETURN NEW; END $$`);
    await client.query(`CREATE TRIGGER test_clearing_committed AFTER INSERT OR UPDATE ON market_clearings FOR EACH ROW EXECUTE FUNCTION test_clearing_committed()`);
    const listener = new pg.Client({ connectionString: db.url });
    listener.on('error', () => undefined);
    await listener.connect();
    await listener.query('LISTEN clearing_committed');
    // The day's clearing record, inserted and not committed: the clearing's own insert, last in its transaction, waits for it.
    const holder = new pg.Client({ connectionString: db.url });
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`INSERT INTO market_clearings (market, run, delivery_date, mode, status, bids_cleared) VALUES ('NYISO', 'DA', $1, 'price_taker', 'complete', 0)`, [day.date]);

    // a alone: it leads the feed, its first clearing round queues the day's job and claims it; the clearing clears every bid and waits.
    const a = await startInstance('a', env);
    instances.push(a);
    await a.waitLog((l) => l.msg === 'price feed: this instance leads', 20_000);
    const clearingJob = async () => (await client.query<{ status: string; locked_by: string | null; attempts: number }>(`SELECT status, locked_by, attempts FROM jobs WHERE queue = 'clearing' AND unique_key = $1`, [key])).rows[0];
    const waitFor = async (what: string, cond: () => Promise<boolean>, timeoutMs: number) => {
      for (const until = Date.now() + timeoutMs; !(await cond()); ) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((res) => setTimeout(res, 25));
      }
    };
    const heldAtRecord = async () => (await client.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND position('INSERT INTO market_clearings' in query) > 0`)).rowCount! > 0;
    await waitFor('a to be clearing the day, held at its clearing record', async () => (await clearingJob())?.status === 'running' && (await heldAtRecord()), 180_000);
    expect(Number((await clearingJob())!.locked_by!.split(':')[1])).toBe(a.proc.pid);

    // b (polling for jobs every 5 s), and the organisation's client on it (ticks of NYISO and the organisation's events).
    const b = await startInstance('b', { ...env, JOB_POLL_MS: '5000' });
    instances.push(b);
    const sock = connect(`${b.ws}/api/ws/ws/market/nyiso?token=${token}`);
    await sock.next((m) => m.type === 'connection_established', 10_000);
    await sock.next((m) => m.type === 'price_update', 15_000);

    // Two five-month backtests, claimed by a at once (an enqueue wakes its own queue; b looks only every 5 s), one slot each beside the clearing.
    const posted = await Promise.all(
      ['forecast:lear:28', 'forecast:lear:56'].map((strategy) => api<{ id: string }>(a, 'POST', '/api/backtests', { token, body: { asset_id: assetId, market: 'nyiso', location: 'N.Y.C.', start: BACKTEST.start, end: BACKTEST.end, strategy } })),
    );
    for (const r of posted) expect(r.status, JSON.stringify(r.body)).toBe(202);
    const backtestJobs = async () => (await client.query<{ locked_by: string | null; status: string; attempts: number }>(`SELECT locked_by, status, attempts FROM jobs WHERE queue = 'backtest' ORDER BY id`)).rows;
    await waitFor('both backtests to run', async () => (await backtestJobs()).filter((r) => r.status === 'running').length === 2, 30_000);
    expect((await backtestJobs()).map((r) => Number(r.locked_by?.split(':')[1])), 'the backtests run on a').toEqual([a.proc.pid, a.proc.pid]);

    // While test_outbox_hold has a row, marking outbox rows published waits: a publishes its first batch and stops there.
    await client.query(`CREATE TABLE test_outbox_hold (held boolean)`);
    await client.query(`INSERT INTO test_outbox_hold VALUES (true)`);
    await client.query(
      `CREATE FUNCTION test_outbox_hold() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN WHILE EXISTS (SELECT 1 FROM test_outbox_hold) LOOP PERFORM pg_sleep(0.02); END LOOP; RETURN NULL; END $$`,
    );
    await client.query(`CREATE TRIGGER test_outbox_hold BEFORE UPDATE ON event_outbox FOR EACH STATEMENT EXECUTE FUNCTION test_outbox_hold()`);

    // The clearing goes on; a is killed the moment its commit is visible, before it could mark anything announced.
    await holder.query('ROLLBACK');
    await holder.end();
    const unlockedAt = Date.now();
    const killedAt = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the clearing did not commit within 180 s')), 180_000);
      listener.on('notification', (n) => {
        if (n.payload !== day.date) return;
        a.proc.kill('SIGKILL');
        clearTimeout(timer);
        resolve(Date.now());
      });
    });
    await a.exited;
    await client.query(`DELETE FROM test_outbox_hold`);
    await listener.end();
    expect((await clearingJob())!.status, 'killed while its clearing job was running').toBe('running');
    expect((await backtestJobs()).map((r) => r.status), 'killed while both backtests were running').toEqual(['running', 'running']);
    console.info(`[kill-clearing] committed ${killedAt - unlockedAt} ms after the hold was released`);

    // The feed: b leads within the lease and reports the silent stretch.
    await b.waitLog((l) => l.msg === 'price feed: this instance leads', LEASE_MS * 2 + 10_000);
    const diedAt = (await a.exited).at;
    const resumed = await sock.next((m) => m.type === 'price_update' && Date.parse(String(m.timestamp)) > diedAt, LEASE_MS * 2 + 15_000);
    expect(Date.parse(String(resumed.timestamp)) - killedAt, 'b ticks within the lease after the kill').toBeLessThan(LEASE_MS * 2 + 5_000);

    // The clearing: b's re-run finds the day cleared; b's sweeper announces what a left in the outbox.
    await waitFor('the clearing job to succeed on b', async () => (await clearingJob())?.status === 'succeeded', 120_000);
    const statusOf = (m: Msg) => m.type === 'bid_status' && m.status === 'cleared';
    const perBid = (pred: (m: Msg) => boolean) => {
      const n = new Map<string, number>();
      for (const m of sock.messages) if (pred(m)) n.set(String(m.bid_id), (n.get(String(m.bid_id)) ?? 0) + 1);
      return n;
    };
    await waitFor('a bid_status for every bid on the client', async () => perBid(statusOf).size === BIDS, 120_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${perBid(statusOf).size} of ${BIDS} bids announced`);
    });
    const unpublished = async () => (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM event_outbox WHERE published_at IS NULL`)).rows[0]!.n;
    await waitFor('the outbox to be published', async () => (await unpublished()) === 0, 60_000);
    // a died before marking any announcement published: b's sweeper sent them all, the batch a had sent too (dropped by event_id).
    const swept = b.logs.filter((l) => l.msg === 'outbox: published events another instance left unpublished').reduce((n, l) => n + Number(l.published), 0);
    expect(swept).toBe(BIDS * 2);
    console.info(`[kill-clearing] b's sweeper published ${swept} of ${BIDS * 2} announcements`);
    // Everything is published; two more ticks through b let any duplicate still in flight arrive.
    const lastTick = Date.parse(String(sock.messages.filter((m) => m.type === 'price_update').at(-1)!.timestamp));
    await sock.next((m) => m.type === 'price_update' && Date.parse(String(m.timestamp)) >= lastTick + 2_000, 15_000);

    const job = (await clearingJob())!;
    expect([job.status, Number(job.locked_by!.split(':')[1]), job.attempts]).toEqual(['succeeded', b.proc.pid, 2]);
    const statuses = perBid(statusOf);
    expect([...statuses.keys()].sort()).toEqual([...bids].sort());
    expect([...statuses.values()].filter((n) => n !== 1), 'bid_status messages per bid other than one').toEqual([]);
    const awardsSeen = perBid((m) => m.type === 'award');
    expect([...awardsSeen.keys()].sort()).toEqual([...bids].sort());
    expect([...awardsSeen.values()].filter((n) => n !== 1), 'award messages per bid other than one').toEqual([]);
    expect(sock.messages.filter((m) => m.type === 'bid_status' || m.type === 'award').every((m) => typeof m.event_id === 'string')).toBe(true);

    const one = async (sql: string, params: unknown[]) => (await client.query<{ n: number }>(sql, params)).rows[0]!.n;
    expect(await one(`SELECT count(*)::int AS n FROM market_clearings WHERE market = 'NYISO' AND run = 'DA' AND delivery_date = $1`, [day.date])).toBe(1);
    expect(await one(`SELECT count(*)::int AS n FROM bids WHERE organization_id = $1 AND status = 'cleared'`, [organizationId])).toBe(BIDS);
    const awards = await client.query<{ n: number; periods: number }>(`SELECT count(*)::int AS n, count(DISTINCT (bid_id, period))::int AS periods FROM bid_awards WHERE bid_id = ANY($1::uuid[])`, [bids]);
    expect(awards.rows[0]).toEqual({ n: BIDS * 24, periods: BIDS * 24 });
    const audits = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'bid.clear' AND target_id = ANY($1::text[]) GROUP BY target_id`, [bids]);
    expect(audits.rows.length).toBe(BIDS);
    expect(audits.rows.every((r) => r.n === 1)).toBe(true);
    // One announcement each of award and bid_status per bid was written, by a's committed clearing only.
    expect(await one(`SELECT count(*)::int AS n FROM event_outbox WHERE channel = $1`, [`org:${organizationId}`])).toBe(BIDS * 2);

    // Ticks: the client has every NYISO tick published from its first to its last (none lost at the kill or in
    // the load), and a stretch without ticks across the kill is reported by a feed_gap that covers it. On a loaded
    // machine a's lease may lapse before the kill (its event loop also runs the clearing and the backtests' day loops),
    // so b may lead already and there is no such stretch; and a leader's ticks may come late, seconds apart, which
    // is how they were published (the first check has them all).
    const tickKey = (m: Msg) => `${String(m.location)}|${String(m.timestamp)}`;
    const received = sock.messages.filter((m: Msg) => m.type === 'price_update');
    const got = new Set(received.map(tickKey));
    const receivedMs = received.map((m) => Date.parse(String(m.timestamp)));
    const [firstMs, lastMs] = [Math.min(...receivedMs), Math.max(...receivedMs)];
    const all = await publishedTicks();
    const due = all.filter((m) => Date.parse(String(m.timestamp)) >= firstMs && Date.parse(String(m.timestamp)) <= lastMs);
    expect(due.length, `published ${all.length} NYISO ticks, ${due.length} from ${new Date(firstMs).toISOString()} to ${new Date(lastMs).toISOString()}; received ${received.length}`).toBeGreaterThan(2);
    expect([due.some((m) => Date.parse(String(m.timestamp)) < killedAt), due.some((m) => Date.parse(String(m.timestamp)) > killedAt)], 'ticks before and after the kill').toEqual([true, true]);
    expect(due.filter((m) => !got.has(tickKey(m))).map(tickKey), 'ticks published but not received').toEqual([]);
    const location = String(resumed.location);
    const times = received.filter((m: Msg) => m.location === location).map((m: Msg) => Date.parse(String(m.timestamp)));
    const iso = (t: number) => new Date(t).toISOString();
    const holes = times.slice(1).map((t, i) => [times[i]!, t] as const).filter(([p, t]) => t - p > 2_000);
    const gaps = sock.messages.filter((m) => m.type === 'feed_gap').map((m) => ({ zone: m.market_zone, from: Date.parse(String(m.from)), to: Date.parse(String(m.to)) }));
    const diag = JSON.stringify({ killedAt: iso(killedAt), holes: holes.map(([p, t]) => [iso(p), iso(t)]), gaps: gaps.map((g) => [iso(g.from), iso(g.to)]) });
    const acrossKill = holes.filter(([p, t]) => p < killedAt && t > killedAt);
    expect(acrossKill.length, diag).toBeLessThanOrEqual(1);
    for (const [before, after] of acrossKill) {
      expect(gaps.filter((g) => g.zone === 'nyiso' && g.from <= before + 50 && Math.abs(g.to - after) <= 50), `a feed_gap covering the kill, ${diag}`).toHaveLength(1);
    }
    console.info(`[kill-clearing] feed: ${diag}`);

    // The backtests: their leases expire and b runs them to the end.
    for (const r of posted) {
      let view: { status: string; error: string | null; result: { daily?: unknown[] } | null } = { status: 'running', error: null, result: null };
      for (let i = 0; i < 2400 && ['queued', 'running'].includes(view.status); i++) {
        await new Promise((res) => setTimeout(res, 250));
        view = (await api<typeof view>(b, 'GET', `/api/backtests/${r.body.id}`, { token })).body;
      }
      expect(view.status, view.error ?? '').toBe('succeeded');
      expect(view.result?.daily).toHaveLength(BACKTEST.days);
    }
    expect((await backtestJobs()).map((r) => [r.status, Number(r.locked_by?.split(':')[1]), r.attempts])).toEqual([['succeeded', b.proc.pid, 2], ['succeeded', b.proc.pid, 2]]);
  }, 900_000);
});
