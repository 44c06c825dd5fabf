/**
 * P&L from the settlement ledger in the analytics store against a real ClickHouse
 * (TEST_CLICKHOUSE_URL; Debian's 18.16), once per database backend: two
 * organisations' batteries cleared over two ERCOT days (energy and AS), with RT
 * prices and meter readings; GET /api/pnl from ClickHouse gives the figures the
 * per-request settlement on PostgreSQL gives, for every grouping and filter;
 * later meter readings, late RT prices and a re-clearing reach the ledger through
 * the sync, and an award through the event-log consumer; organisation B never sees
 * A's P&L; a stale or unreachable ledger sends P&L to PostgreSQL, counted in /health.
 */
import { randomUUID } from 'node:crypto';
import { localDayBoundsUtc } from '@optibid/core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { startAnalyticsFeed } from '../src/jobs/analytics-feed.js';
import { createServices, type Services } from '../src/services.js';
import { createTradingRepositories } from '../src/db/repositories/trading/index.js';
import type { App } from '../src/http/types.js';
import { bearer, describeEachBackend, freePort, startTestServer, testConfig, type TestServer } from './helpers.js';
import { createBattery, movableClock, newOrg, openErcotDay, storeDaPrices, STORAGE_CURVE, type Org } from './trading-fixtures.js';

const chUrl = inject('clickhouseUrl');
const silent = { info: () => undefined, warn: () => undefined };
const FIELDS = ['revenue_usd', 'cost_usd', 'degradation_cost_usd', 'net_usd', 'mwh_sold', 'mwh_bought', 'net_mwh', 'energy_revenue_usd', 'as_revenue_usd'] as const;
type Row = Record<(typeof FIELDS)[number], number> & { key: string; cycles?: number; revenue_by_product: Record<string, number> };

/** Same keys and fields; figures to a relative 1e-9 (ClickHouse sums entries, PostgreSQL lines, in other orders). */
function expectSamePnl(a: { rows: Row[]; totals: Row }, b: { rows: Row[]; totals: Row }, what: string): void {
  expect(a.rows.map((r) => r.key), what).toEqual(b.rows.map((r) => r.key));
  [...a.rows, a.totals].forEach((x, i) => {
    const y = i < b.rows.length ? b.rows[i]! : b.totals;
    const near = (p: number, q: number, f: string) => expect(Math.abs(p - q), `${what} ${x.key} ${f}: ${p} vs ${q}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(q)));
    for (const f of FIELDS) near(x[f], y[f], f);
    expect(x.cycles === undefined, `${what} ${x.key} cycles`).toBe(y.cycles === undefined);
    if (y.cycles !== undefined) near(x.cycles!, y.cycles, 'cycles');
    expect(Object.keys(x.revenue_by_product), `${what} ${x.key} products`).toEqual(Object.keys(y.revenue_by_product));
    for (const [k, v] of Object.entries(y.revenue_by_product)) near(x.revenue_by_product[k]!, v, k);
  });
}

const until = async (what: string, fn: () => Promise<boolean>, ms = 15_000) => {
  const t0 = Date.now();
  while (!(await fn())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const day1 = openErcotDay();
const day2 = openErcotDay(new Date(day1.gate.getTime() + 60_000));
const day3 = openErcotDay(new Date(day2.gate.getTime() + 60_000));
const MCPC = { REGUP: 9.5, REGDN: 8, RRS: 12, NSPIN: 3 } as const;
const AS_CURVE = [
  { mw: -5, price_usd_per_mwh: 20 },
  { mw: 5, price_usd_per_mwh: 50 },
];
const OFFERS = [
  { product: 'RRS', mw: 4, price_usd_per_mw: 2 },
  { product: 'REGDN', mw: 4, price_usd_per_mw: 1 },
];

describe.skipIf(!chUrl)('P&L from the analytics store (ClickHouse)', () => {
  describeEachBackend('settlement ledger', (backend) => {
    const database = `optibid_t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const clock = movableClock();
    let server: TestServer;
    let plain: { ctx: Services; app: App };
    let a: Org;
    let b: Org;
    const assets: Record<string, { id: string }> = {};

    const submit = async (org: Org, assetId: string, day: typeof day1, payload: Record<string, unknown> = {}) => {
      const created = await server.app.inject({ method: 'POST', url: '/api/bids', headers: bearer(org.trader), payload: { asset_id: assetId, run: 'DA', delivery_date: day.date, curves: Array.from({ length: day.hours }, () => STORAGE_CURVE), ...payload } });
      expect(created.statusCode, created.body).toBe(201);
      const sub = await server.app.inject({ method: 'POST', url: `/api/bids/${created.json().id}/submit`, headers: bearer(org.trader) });
      expect(sub.json().status).toBe('accepted');
    };
    /** The owner clears its organisation's bids once the gate has closed. */
    const clear = async (day: typeof day1, org: Org) => {
      clock.standAt(day.gate.getTime() + 60_000);
      const r = await server.app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(org.owner), payload: { run: 'DA', delivery_date: day.date } });
      expect(r.statusCode, r.body).toBe(200);
      clock.reset();
    };
    /** RT15 prices and, where given, meter readings over hours [from, to) of a day. */
    const rtHours = async (day: typeof day1, from: number, to: number, lmp: (q: number) => number, metered?: { assetId: string; token: string; mw: number }) => {
      const start = localDayBoundsUtc(day.date, 'America/Chicago').start.getTime();
      const rows = Array.from({ length: (to - from) * 4 }, (_, q) => {
        const t = start + from * 3_600_000 + q * 900_000;
        return { market: 'ERCOT', location: 'HB_HOUSTON', run: 'RT15' as const, interval_start: new Date(t), interval_end: new Date(t + 900_000), lmp_usd_per_mwh: lmp(q), energy_usd_per_mwh: null, congestion_usd_per_mwh: null, loss_usd_per_mwh: null, source: 'test' };
      });
      await server.ctx.repos.prices.upsert(rows);
      if (metered) {
        const tel = await server.app.inject({ method: 'POST', url: `/api/assets/${metered.assetId}/telemetry`, headers: bearer(metered.token), payload: { points: rows.map((r) => ({ interval_start: r.interval_start.toISOString(), delivered_mw: metered.mw })) } });
        expect(tel.statusCode, tel.body).toBe(200);
      }
    };

    beforeAll(async () => {
      // No overlap or read margin: a sync's answer is served at once (with the default 5 s margin, anything written in the 5 s before a sync goes to PostgreSQL).
      server = await startTestServer(backend, { ANALYTICS_URL: `${chUrl}/${database}` }, { now: clock.now, analytics: { pnl: { overlapMs: 0, readMarginMs: 0 } } });
      const ctx = await createServices(testConfig(), { database: server.ctx.database, migrate: false, readCache: { maxBytes: 0 } });
      plain = { ctx, app: await buildApp(ctx, { logger: false }) };
      await plain.app.ready();
      a = await newOrg(server);
      b = await newOrg(server);
      for (const d of [day1, day2, day3]) await storeDaPrices(server, d.date);
      const bounds = localDayBoundsUtc(day1.date, 'America/Chicago');
      const asRows = [];
      for (let t = bounds.start.getTime(); t < bounds.end.getTime(); t += 3_600_000) {
        for (const [product, price] of Object.entries(MCPC)) asRows.push({ market: 'ERCOT' as const, zone: 'ERCOT', product, run: 'DA' as const, interval_start: new Date(t), interval_end: new Date(t + 3_600_000), price_usd_per_mw: price });
      }
      await server.ctx.repos.ancillaryPrices.upsert(asRows, { source: 'test' });
      assets.a1 = await createBattery(server, a.trader, 'A battery 1');
      assets.a2 = await createBattery(server, a.trader, 'A battery 2');
      assets.b1 = await createBattery(server, b.trader, 'B battery');
      await submit(a, assets.a1.id, day1, { curves: Array.from({ length: day1.hours }, () => AS_CURVE), as_offers: Array.from({ length: day1.hours }, () => OFFERS) });
      await submit(a, assets.a2.id, day1);
      await submit(b, assets.b1.id, day1);
      await submit(a, assets.a1.id, day2);
      await clear(day1, a);
      await clear(day1, b);
      await clear(day2, a);
      // RT: hour 18 metered 8 MW of A's 10 MW award at 100 $/MWh; hours 2–3 priced, not metered (delivered as awarded).
      await rtHours(day1, 18, 19, () => 100, { assetId: assets.a1.id, token: a.trader, mw: 8 });
      await rtHours(day1, 2, 4, (q) => 10 + q);
    });
    afterEach(() => clock.reset());
    afterAll(async () => {
      await server?.ctx.analytics?.prices.store.dropDatabase().catch(() => undefined);
      await plain?.app.close();
      await plain?.ctx.close();
      await server?.close();
    });

    const pnl = async (app: App, token: string, q: string) => {
      const r = await app.inject({ method: 'GET', url: `/api/pnl?${q}`, headers: bearer(token) });
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    };
    const queries = (assetId = assets.a1.id) => [
      `group_by=asset&start=${day1.date}&end=${day2.date}`,
      `group_by=day&start=${day1.date}&end=${day2.date}`,
      `group_by=market&start=${day1.date}&end=${day2.date}`,
      `group_by=asset&start=${day1.date}&end=${day1.date}`,
      `group_by=day&start=${day2.date}&end=${day3.date}`,
      `group_by=day&start=${day1.date}&end=${day2.date}&asset_id=${assetId}`,
      `group_by=asset&start=${day1.date}&end=${day2.date}&market=ercot`,
      `group_by=asset&start=${day1.date}&end=${day2.date}&market=pjm`,
    ];
    /** Every query answered by ClickHouse, each equal to PostgreSQL's answer. */
    const expectLedgerMatches = async (org: Org, label: string) => {
      const pnlStore = server.ctx.analytics!.pnl;
      const before = pnlStore.served.clickhouse;
      const qs = queries(org === a ? assets.a1.id : assets.b1.id);
      for (const q of qs) expectSamePnl(await pnl(server.app, org.viewer, q), await pnl(plain.app, org.viewer, q), `${label} ${q}`);
      expect(pnlStore.served.clickhouse - before).toBe(qs.length);
    };

    it('backfills the ledger, then answers every grouping and filter with the per-request settlement figures', async () => {
      const pnlStore = server.ctx.analytics!.pnl;
      // No ledger yet: PostgreSQL answers and the read is counted as such.
      const pg0 = pnlStore.served.postgresql;
      await pnl(server.app, a.viewer, queries()[0]!);
      expect(pnlStore.served.postgresql).toBe(pg0 + 1);

      const report = await server.ctx.analytics!.pnlSync.run();
      expect(report).toMatchObject({ kind: 'backfill', days: 3 });
      await expectLedgerMatches(a, 'A');
      await expectLedgerMatches(b, 'B');
      const byAsset = await pnl(server.app, a.viewer, queries()[0]!);
      // The figures are not trivial: AS revenue by product, an RT deviation, battery cycles.
      expect(Object.keys(byAsset.totals.revenue_by_product)).toEqual(['REGDN', 'RRS']);
      expect(byAsset.totals.cycles).toBeGreaterThan(0);
      expect(byAsset.totals.degradation_cost_usd).toBeGreaterThan(0);
      const settle = (await server.app.inject({ url: `/api/settlements?start=${day1.date}&end=${day1.date}&asset_id=${assets.a1.id}`, headers: bearer(a.viewer) })).json();
      expect(settle.lines.some((l: { kind: string }) => l.kind === 'rt_deviation')).toBe(true);
      const health = (await server.app.inject({ method: 'GET', url: '/health' })).json();
      expect(health.services.analytics.message).toMatch(/P&L ledger synced \d+ s ago .*P&L served \d+ reads, \d+ fell back/);
    });

    it('organisation B never sees A\'s P&L through ClickHouse: its own figures only, A\'s asset 404', async () => {
      const pb = await pnl(server.app, b.viewer, `group_by=asset&start=${day1.date}&end=${day2.date}`);
      expect(pb.rows.map((r: Row) => r.key)).toEqual([assets.b1.id]);
      const pa = await pnl(server.app, a.viewer, `group_by=asset&start=${day1.date}&end=${day2.date}`);
      expect(pa.rows.map((r: Row) => r.key).sort()).toEqual([assets.a1.id, assets.a2.id].sort());
      expect(pb.totals.as_revenue_usd).toBe(0);
      expect(pa.totals.as_revenue_usd).toBeGreaterThan(0);
      const foreign = await server.app.inject({ url: `/api/pnl?group_by=day&start=${day1.date}&end=${day2.date}&asset_id=${assets.a1.id}`, headers: bearer(b.viewer) });
      expect(foreign.statusCode).toBe(404);
      // The store itself: B's query returns none of A's entries.
      const entries = await server.ctx.analytics!.pnl.ledger.entries({ organization_id: b.id, start: day1.date, end: day3.date, group_by: 'asset' });
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.every((e) => e.asset_id === assets.b1.id)).toBe(true);
    });

    it('settles days again when meter readings, late RT prices or a clearing arrive (sync), and tombstones what a day no longer has', async () => {
      const before = await pnl(server.app, a.viewer, `group_by=day&start=${day1.date}&end=${day2.date}`);
      // A meter reading for day 2 and a late RT price for day 1 hour 19.
      await rtHours(day2, 18, 19, () => 120, { assetId: assets.a1.id, token: a.trader, mw: 3 });
      await rtHours(day1, 19, 20, () => 95);
      // A third day cleared for B.
      await submit(b, assets.b1.id, day3);
      await clear(day3, b);
      const report = await server.ctx.analytics!.pnlSync.run();
      expect(report.kind).toBe('incremental');
      expect(report.days).toBeGreaterThanOrEqual(3);
      const after = await pnl(server.app, a.viewer, `group_by=day&start=${day1.date}&end=${day2.date}`);
      expect(after.totals.net_usd).not.toBeCloseTo(before.totals.net_usd, 3);
      await expectLedgerMatches(a, 'A after');
      await expectLedgerMatches(b, 'B after');

      // A's second battery loses its awards, as a re-clearing that awarded nothing leaves it (the clearing's own
      // repository call; this suite's clearings are each organisation's own, which record no market_clearings row,
      // so only the bid's awards_removed_at tells the sync): its entries become tombstones.
      const count = await server.ctx.analytics!.pnl.ledger.count(a.id);
      const trading = createTradingRepositories(server.ctx.database);
      const emptied = await server.ctx.database.query<{ bid_id: string }>(`SELECT DISTINCT bid_id FROM bid_awards WHERE asset_id = $1`, [assets.a2.id]);
      expect(emptied.length).toBeGreaterThan(0);
      await trading.sql.transaction(async (tx) => {
        for (const { bid_id } of emptied) await trading.clearing.replaceAwards(tx, bid_id, []);
      });
      await server.ctx.analytics!.pnlSync.run();
      expect(await server.ctx.analytics!.pnl.ledger.count(a.id)).toBeLessThan(count);
      await expectLedgerMatches(a, 'A after removal');
      expect((await pnl(server.app, a.viewer, `group_by=asset&start=${day1.date}&end=${day2.date}`)).rows.map((r: Row) => r.key)).toEqual([assets.a1.id]);
    });

    it('writes an announced award into the ledger through the event-log consumer, without waiting for the periodic sync', async () => {
      const stop = await startAnalyticsFeed(server.ctx, silent, { syncEveryS: 3600, consumer: `analytics-${randomUUID().slice(0, 8)}`, pnlConsumer: `analytics-pnl-${randomUUID().slice(0, 8)}`, leaseName: `analytics-${randomUUID()}` });
      try {
        // Let the feed's first sync pass, so only the consumer can bring the next award in.
        await new Promise((r) => setTimeout(r, 2_500));
        await submit(a, assets.a2.id, day3);
        await clear(day3, a);
        const q = `group_by=asset&start=${day3.date}&end=${day3.date}`;
        const pnlStore = server.ctx.analytics!.pnl;
        const served = pnlStore.served;
        // Watched in the store, not through GET /api/pnl: a read would find the award newer than the ledger and start a sync itself.
        const [{ at }] = await server.ctx.database.query<{ at: string }>(`SELECT (extract(epoch FROM max(cleared_at)) * 1000)::float8 AS at FROM bid_awards WHERE asset_id = $1 AND delivery_date = $2`, [assets.a2.id, day3.date]);
        await until('the award in the ledger', async () => (await pnlStore.ledger.entries({ organization_id: a.id, start: day3.date, end: day3.date, group_by: 'asset' })).length > 0 && (await pnlStore.syncState(true))!.watermark.getTime() > Number(at));
        const fromClickHouse = served.clickhouse;
        expectSamePnl(await pnl(server.app, a.viewer, q), await pnl(plain.app, a.viewer, q), 'A day 3');
        // Answered by the ledger, not by PostgreSQL standing in for it.
        expect(served.clickhouse).toBe(fromClickHouse + 1);
      } finally {
        await stop();
      }
    });

    it('answers a range whose inputs PostgreSQL wrote after the ledger\'s watermark from PostgreSQL, exactly, and starts a sync; untouched ranges stay on the ledger', async () => {
      const pnlStore = server.ctx.analytics!.pnl;
      await server.ctx.analytics!.pnlSync.run();
      const touched = [`group_by=day&start=${day1.date}&end=${day1.date}`, `group_by=asset&start=${day1.date}&end=${day2.date}`];
      const untouched: [Org, string][] = [
        [a, `group_by=asset&start=${day2.date}&end=${day2.date}`],
        [b, `group_by=day&start=${day1.date}&end=${day1.date}`],
      ];
      const before = await pnl(server.app, a.viewer, touched[0]!);
      const watermark = (await pnlStore.syncState(true))!.watermark.getTime();

      // A corrected meter reading of A's battery for a settled hour (5 MW, was 8), and no sync.
      await rtHours(day1, 18, 19, () => 100, { assetId: assets.a1.id, token: a.trader, mw: 5 });
      // Another day of A, and B on the same day, are not touched by A's reading: the ledger answers them.
      for (const [org, q] of untouched) {
        const ch = pnlStore.served.clickhouse;
        expectSamePnl(await pnl(server.app, org.viewer, q), await pnl(plain.app, org.viewer, q), `untouched ${q}`);
        expect(pnlStore.served.clickhouse, q).toBe(ch + 1);
      }
      // Both ranges holding the changed day are answered by PostgreSQL at once (two reads in flight before the sync the first starts can finish).
      const served = { ...pnlStore.served };
      const newer = pnlStore.newerInPostgresql;
      const got = await Promise.all(touched.map((q) => pnl(server.app, a.viewer, q)));
      expect(pnlStore.served).toEqual({ clickhouse: served.clickhouse, postgresql: served.postgresql + touched.length });
      expect(pnlStore.newerInPostgresql).toBe(newer + touched.length);
      for (const [i, q] of touched.entries()) expectSamePnl(got[i]!, await pnl(plain.app, a.viewer, q), `changed ${q}`);
      expect(got[0]!.totals.net_usd).not.toBeCloseTo(before.totals.net_usd, 3);

      // The read started a sync (no feed runs here): once it is in, the ledger answers the changed range again.
      await until('the sync a read started', async () => (await pnlStore.syncState(true))!.watermark.getTime() > watermark);
      const ch = pnlStore.served.clickhouse;
      expectSamePnl(await pnl(server.app, a.viewer, touched[0]!), await pnl(plain.app, a.viewer, touched[0]!), 'after the sync');
      expect(pnlStore.served.clickhouse).toBe(ch + 1);

      // A late RT price (a shared input) for a settled hour of day 1 goes to PostgreSQL the same way.
      await rtHours(day1, 20, 21, () => 140);
      const lateServed = { ...pnlStore.served };
      expectSamePnl(await pnl(server.app, a.viewer, touched[0]!), await pnl(plain.app, a.viewer, touched[0]!), 'late RT price');
      expect(pnlStore.served).toEqual({ clickhouse: lateServed.clickhouse, postgresql: lateServed.postgresql + 1 });
      await server.ctx.analytics!.pnlSync.run(); // the sync that read started (or one after it): none left running for the next test
      const health = (await server.app.inject({ method: 'GET', url: '/health' })).json();
      expect(health.services.analytics.message).toMatch(/P&L served \d+ reads, \d+ fell back \(\d+ for inputs newer than the ledger\)/);
    });

    it('two instances syncing at once, while meter readings and RT prices land, converge on the per-request settlement', async () => {
      const other = await createServices(testConfig({ ANALYTICS_URL: `${chUrl}/${database}` }), { database: server.ctx.database, migrate: false, now: clock.now, analytics: { pnl: { overlapMs: 0, readMarginMs: 0 } } });
      try {
        const syncs = [server.ctx.analytics!.pnlSync, other.analytics!.pnlSync];
        for (const [i, mw] of [4, 6, 7].entries()) {
          // Both instances sync while a corrected meter reading of a settled hour and a late RT price are written.
          const running = syncs.map((s) => s.run());
          await rtHours(day1, 18, 19, () => 100 + i, { assetId: assets.a1.id, token: a.trader, mw });
          await rtHours(day2, 5 + i, 6 + i, () => 30 + i);
          expect((await Promise.all(running)).map((r) => r.kind)).toEqual(['incremental', 'incremental']);
        }
        // Once more at once, nothing written meanwhile: ClickHouse answers every query, each with PostgreSQL's figures.
        await Promise.all(syncs.map((s) => s.run()));
        await expectLedgerMatches(a, 'A after concurrent syncs');
        await expectLedgerMatches(b, 'B after concurrent syncs');
      } finally {
        await other.close();
      }
    });

    it('stops serving a ledger whose sync stopped: PostgreSQL answers and /health says it is behind', async () => {
      const pnlStore = server.ctx.analytics!.pnl;
      await fetch(`${chUrl}/?database=${database}`, { method: 'POST', body: `INSERT INTO sync_state (name, watermark_ms, synced_at, rows, updated_ms) SELECT 'pnl', ${Date.now() - 600_000}, now() - 600, 0, ${Date.now() + 1}` });
      await pnlStore.syncState(true);
      const before = { ...pnlStore.served };
      const q = `group_by=asset&start=${day1.date}&end=${day3.date}`;
      expectSamePnl(await pnl(server.app, a.viewer, q), await pnl(plain.app, a.viewer, q), 'stale');
      expect(pnlStore.served).toEqual({ clickhouse: before.clickhouse, postgresql: before.postgresql + 1 });
      const health = (await server.app.inject({ method: 'GET', url: '/health' })).json();
      expect(health.services.analytics).toMatchObject({ status: 'degraded', message: expect.stringMatching(/P&L ledger behind: P&L ledger synced 6\d\d s ago/) });
      await server.ctx.analytics!.pnlSync.run();
      await pnl(server.app, a.viewer, q);
      expect(pnlStore.served.clickhouse).toBe(before.clickhouse + 1);
    });
  }, { ownDatabase: true });

  describeEachBackend('settlement ledger, ClickHouse down', (backend) => {
    let server: TestServer;
    beforeAll(async () => {
      const port = await freePort();
      server = await startTestServer(backend, { ANALYTICS_URL: `http://127.0.0.1:${port}/optibid_down` });
    });
    afterAll(async () => server?.close());

    it('answers P&L from PostgreSQL and counts it; the ledger sync fails', async () => {
      const org = await newOrg(server);
      const battery = await createBattery(server, org.trader);
      const r = await server.app.inject({ url: `/api/pnl?start=${day1.date}&end=${day1.date}`, headers: bearer(org.viewer) });
      expect(r.statusCode).toBe(200);
      expect(r.json().rows).toEqual([]);
      expect(server.ctx.analytics!.pnl.served).toEqual({ clickhouse: 0, postgresql: 1 });
      expect((await server.app.inject({ url: `/api/pnl?start=${day1.date}&end=${day1.date}&asset_id=${battery.id}`, headers: bearer(org.viewer) })).statusCode).toBe(200);
      await expect(server.ctx.analytics!.pnlSync.run()).rejects.toThrow(/ClickHouse unavailable/);
      const health = (await server.app.inject({ method: 'GET', url: '/health' })).json();
      expect(health.services.analytics.message).toMatch(/P&L ledger not ready/);
    });
  });
});
