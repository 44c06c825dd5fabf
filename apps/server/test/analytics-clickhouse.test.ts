/**
 * The analytics store against a real ClickHouse (TEST_CLICKHOUSE_URL; Debian's
 * 18.16 in CI), once per database backend: the same statistics and hourly and
 * daily series from ClickHouse and from PostgreSQL, the sync's backfill and
 * incremental copy, the event-log consumer, organisations' own series kept out
 * of it, and PostgreSQL answering when ClickHouse is down.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { startAnalyticsFeed } from '../src/jobs/analytics-feed.js';
import { storedTickMessage } from '../src/jobs/tick-persistence.js';
import { createServices, type Services } from '../src/services.js';
import type { App } from '../src/http/types.js';
import { bearer, describeEachBackend, freePort, registerUser, startTestServer, testConfig, type TestServer } from './helpers.js';

const chUrl = inject('clickhouseUrl');
const fixture = (name: string) => new Uint8Array(fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const ERCOT = 'ercot_dam_hb_houston_2015-11-02_12-31.csv.gz';
const NYISO = 'nyiso_damlbmp_zone_nyc_2020-03-02_04-30.csv.gz';
const platform = { organization_id: null, user_id: null, origin: 'cli' as const };
const silent = { info: () => undefined, warn: () => undefined };

/** Every figure equal, floating-point ones to a relative 1e-9 (the two databases sum in different orders). */
function expectSameFigures(a: Record<string, unknown>, b: Record<string, unknown>): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(a)) {
    const x = a[k];
    const y = b[k];
    if (typeof x === 'number' && typeof y === 'number') expect(Math.abs(x - y), `${k}: ${x} vs ${y}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(x)));
    else expect(x, k).toEqual(y);
  }
}

const until = async (what: string, fn: () => Promise<boolean>, ms = 15_000) => {
  const t0 = Date.now();
  while (!(await fn())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.skipIf(!chUrl)('analytics store (ClickHouse)', () => {
  describeEachBackend('served from ClickHouse', (backend) => {
    const database = `optibid_t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    let server: TestServer;
    let plain: { ctx: Services; app: App };
    let token: string;
    let orgId: string;
    let orgToken: string;

    beforeAll(async () => {
      server = await startTestServer(backend, { ANALYTICS_URL: `${chUrl}/${database}` });
      // The same database without ANALYTICS_URL: PostgreSQL answers everything. No read cache: this
      // instance shares no bus with `server`, so `server`'s writes would reach its cache only on expiry.
      const ctx = await createServices(testConfig(), { database: server.ctx.database, migrate: false, readCache: { maxBytes: 0 } });
      plain = { ctx, app: await buildApp(ctx, { logger: false }) };
      await plain.app.ready();
      token = (await registerUser(server.app)).access_token;
      const other = await registerUser(server.app);
      orgId = other.user.organization.id;
      orgToken = other.access_token;
      for (const name of [ERCOT, NYISO]) await server.ctx.imports.importFiles([{ name, data: fixture(name) }], {}, platform, null);
      // A synthetic RT5 day with negative prices and missing components, to exercise every figure.
      const t0 = Date.UTC(2020, 2, 10, 4);
      await server.ctx.repos.prices.upsert(
        Array.from({ length: 288 }, (_, i) => ({
          market: 'NYISO',
          location: 'N.Y.C.',
          run: 'RT5' as const,
          interval_start: new Date(t0 + i * 300_000),
          interval_end: new Date(t0 + (i + 1) * 300_000),
          lmp_usd_per_mwh: Math.round((20 * Math.sin(i / 20) + (i % 7) - 3) * 100) / 100,
          energy_usd_per_mwh: i % 5 === 0 ? null : 15 + (i % 11),
          congestion_usd_per_mwh: i % 3 === 0 ? null : -(i % 4),
          loss_usd_per_mwh: 0.25,
          source: 'test',
        })),
        { keepRevisions: false },
      );
    });
    afterAll(async () => {
      await server?.ctx.analytics?.prices.store.dropDatabase().catch(() => undefined);
      await plain?.app.close();
      await plain?.ctx.close();
      await server?.close();
    });

    const get = (app: App, url: string, t = token) => app.inject({ method: 'GET', url, headers: bearer(t) });
    const QUERIES = [
      'market=ercot&location=HB_HOUSTON&start=2015-11-02&end=2016-01-01',
      'market=ercot&location=HB_HOUSTON&start=2015-11-20T17:00:00Z&end=2015-11-27',
      'market=nyiso&location=N.Y.C.&start=2020-03-02&end=2020-05-01',
      'market=nyiso&location=N.Y.C.&start=2020-03-07&end=2020-03-10',
      'market=nyiso&location=N.Y.C.&run=RT5&start=2020-03-09&end=2020-03-12',
      'market=nyiso&location=N.Y.C.&start=2021-01-01&end=2021-01-02',
    ];

    it('backfills the shared market, then answers stats and hourly/daily series as PostgreSQL does', async () => {
      const analytics = server.ctx.analytics!;
      const report = await analytics.sync.run();
      expect(report).toMatchObject({ kind: 'backfill', rows: 1440 + 1439 + 288 });
      expect(await analytics.prices.store.count()).toBe(1440 + 1439 + 288);
      const before = analytics.prices.served.clickhouse;
      for (const q of QUERIES) {
        const ch = await get(server.app, `/api/prices/stats?${q}`);
        const pg = await get(plain.app, `/api/prices/stats?${q}`);
        expect(ch.statusCode, ch.body).toBe(200);
        expectSameFigures(ch.json(), pg.json());
        for (const resolution of ['hourly', 'daily']) {
          const a = (await get(server.app, `/api/prices?${q}&resolution=${resolution}&limit=500`)).json();
          const b = (await get(plain.app, `/api/prices?${q}&resolution=${resolution}&limit=500`)).json();
          expect(a.items.length).toBe(b.items.length);
          expect(a.next_cursor).toBe(b.next_cursor);
          a.items.forEach((x: Record<string, unknown>, i: number) => expectSameFigures(x, b.items[i]));
        }
      }
      expect(analytics.prices.served.clickhouse - before).toBe(QUERIES.length * 3);
      // A DST day: the daily bucket of NYISO's 23-hour 2020-03-08.
      const dst = (await get(server.app, '/api/prices?market=nyiso&location=N.Y.C.&start=2020-03-08&end=2020-03-09&resolution=daily')).json();
      expect(dst.items).toEqual([expect.objectContaining({ interval_start: '2020-03-08T05:00:00.000Z', interval_end: '2020-03-09T04:00:00.000Z' })]);
      // Paging hourly buckets by cursor gives the same pages.
      const p1 = (await get(server.app, `/api/prices?${QUERIES[0]}&resolution=hourly&limit=100`)).json();
      const p2 = (await get(server.app, `/api/prices?${QUERIES[0]}&resolution=hourly&limit=100&cursor=${p1.next_cursor}`)).json();
      const q2 = (await get(plain.app, `/api/prices?${QUERIES[0]}&resolution=hourly&limit=100&cursor=${p1.next_cursor}`)).json();
      expect(p2.items.map((x: { interval_start: string }) => x.interval_start)).toEqual(q2.items.map((x: { interval_start: string }) => x.interval_start));
    });

    it('copies later writes (a corrected file) with the incremental sync', async () => {
      const text = gunzipSync(fixture(ERCOT)).toString('utf8').replace('11/02/2015,01:00,N,HB_HOUSTON,12.48', '11/02/2015,01:00,N,HB_HOUSTON,-42.5');
      await server.ctx.imports.importFiles([{ name: 'corrected.csv.gz', data: gzipSync(text) }], {}, platform, null);
      const report = await server.ctx.analytics!.sync.run();
      expect(report.kind).toBe('incremental');
      expect(report.rows).toBeGreaterThanOrEqual(1);
      const q = `/api/prices/stats?${QUERIES[0]}`;
      const ch = (await get(server.app, q)).json();
      expect(ch.min_usd_per_mwh).toBe(-42.5);
      expect(ch.negative_price_hours).toBe(1);
      expectSameFigures(ch, (await get(plain.app, q)).json());
      expect(await server.ctx.analytics!.prices.store.count()).toBe(1440 + 1439 + 288);
    });

    it("keeps an organisation's own series out of ClickHouse: scope=own is answered by PostgreSQL, the shared stats do not move", async () => {
      const shared = (await get(server.app, `/api/prices/stats?${QUERIES[2]}`)).json();
      const text = gunzipSync(fixture(NYISO)).toString('utf8').replace(/,N\.Y\.C\.,61761,([\d.]+)/, ',N.Y.C.,61761,1999');
      expect(text).toContain('1999');
      await server.ctx.imports.importFiles([{ name: 'own.csv.gz', data: gzipSync(text) }], {}, { organization_id: orgId, user_id: null, origin: 'api' }, orgId);
      await server.ctx.analytics!.sync.run();
      const rows = await server.ctx.analytics!.prices.store.rows({ market: 'NYISO', location: 'N.Y.C.', run: 'DA', start: new Date('2020-03-01'), end: new Date('2020-05-02') });
      expect(rows).toHaveLength(1439);
      expect(rows.some((r) => r.lmp_usd_per_mwh === 1999)).toBe(false);
      const after = (await get(server.app, `/api/prices/stats?${QUERIES[2]}`, orgToken)).json();
      expectSameFigures(after, shared);
      const own = (await get(server.app, `/api/prices/stats?${QUERIES[2]}&scope=own`, orgToken)).json();
      expect(own.max_usd_per_mwh).toBe(1999);
      const ownDaily = (await get(server.app, `/api/prices?${QUERIES[2]}&scope=own&resolution=daily&limit=100`, orgToken)).json();
      expect(ownDaily.scope).toBe('own');
      expect(Math.max(...ownDaily.items.map((i: { lmp_usd_per_mwh: number }) => i.lmp_usd_per_mwh))).toBeGreaterThan(shared.max_usd_per_mwh);
    });

    it('stores ticks and day-ahead publications from the event log, idempotently, the latest refinement winning', async () => {
      const stop = await startAnalyticsFeed(server.ctx, silent, { syncEveryS: 3600, consumer: `analytics-${randomUUID().slice(0, 8)}`, leaseName: `analytics-${randomUUID()}` });
      try {
        const start = new Date(Date.UTC(2026, 0, 5, 15, 0));
        const tick = (lmp: number, at: Date) =>
          storedTickMessage({ market: 'PJM', location: 'WESTERN HUB', run: 'RT5', interval_start: start, interval_end: new Date(start.getTime() + 300_000), lmp_usd_per_mwh: lmp, energy_usd_per_mwh: lmp - 1, congestion_usd_per_mwh: 0.5, loss_usd_per_mwh: 0.5, source: 'simulation' }, at);
        await server.ctx.bus.publish('prices:PJM', tick(31.25, new Date(Date.now() - 2000)));
        await server.ctx.bus.publish('prices:PJM', tick(31.25, new Date(Date.now() - 2000)));
        await server.ctx.bus.publish('prices:PJM', tick(33.5, new Date()));
        await server.ctx.bus.publish('prices:PJM', {
          type: 'da_prices',
          market: 'PJM',
          location: 'WESTERN HUB',
          delivery_date: '2026-01-06',
          source: 'simulated-da',
          items: [0, 1, 2].map((h) => ({ interval_start: new Date(Date.UTC(2026, 0, 6, 5 + h)).toISOString(), lmp_usd_per_mwh: 40 + h })),
          timestamp: new Date().toISOString(),
        });
        // A live-only update (no run) is not stored.
        await server.ctx.bus.publish('prices:PJM', { type: 'price_update', market_zone: 'pjm', location: 'WESTERN HUB', interval_start: start.toISOString(), lmp: 999, energy: null, congestion: null, loss: null, timestamp: new Date().toISOString() });
        const store = server.ctx.analytics!.prices.store;
        const rt = () => store.rows({ market: 'PJM', location: 'WESTERN HUB', run: 'RT5', start, end: new Date(start.getTime() + 300_000) });
        await until('the ticks in ClickHouse', async () => (await rt()).some((r) => r.lmp_usd_per_mwh === 33.5));
        expect((await rt()).map((r) => r.lmp_usd_per_mwh)).toEqual([33.5]);
        const da = () => store.rows({ market: 'PJM', location: 'WESTERN HUB', run: 'DA', start: new Date('2026-01-06'), end: new Date('2026-01-07') });
        await until('the DA hours in ClickHouse', async () => (await da()).length === 3);
        expect((await da()).map((r) => r.lmp_usd_per_mwh)).toEqual([40, 41, 42]);
      } finally {
        await stop();
      }
    });

    it('stops serving a copy whose sync stopped: PostgreSQL answers and /health says the copy is behind', async () => {
      const analytics = server.ctx.analytics!.prices;
      // The last sync finished ten minutes ago (as if the syncing instance had died then).
      await fetch(`${chUrl}/?database=${database}`, { method: 'POST', body: `INSERT INTO sync_state (name, watermark_ms, synced_at, rows, updated_ms) SELECT 'prices', ${Date.now() - 600_000}, now() - 600, 0, ${Date.now()}` });
      await analytics.syncState(true);
      const before = { ...analytics.served };
      const q = `/api/prices/stats?${QUERIES[0]}`;
      expectSameFigures((await get(server.app, q)).json(), (await get(plain.app, q)).json());
      expect(analytics.served).toEqual({ clickhouse: before.clickhouse, postgresql: before.postgresql + 1 });
      const health = (await server.app.inject({ method: 'GET', url: '/health' })).json();
      expect(health.services.analytics).toMatchObject({ status: 'degraded', message: expect.stringMatching(/^copy behind: last sync 6\d\d s ago/) });
      // The next sync catches up and ClickHouse serves again (analytics is ok once the P&L ledger, empty here, is synced too).
      await server.ctx.analytics!.sync.run();
      await server.ctx.analytics!.pnlSync.run();
      await get(server.app, q);
      expect(analytics.served.clickhouse).toBe(before.clickhouse + 1);
      expect((await server.app.inject({ method: 'GET', url: '/health' })).json().services.analytics.status).toBe('ok');
    });
  }, { ownDatabase: true });

  describeEachBackend('ClickHouse down', (backend) => {
    let server: TestServer;
    let token: string;
    beforeAll(async () => {
      // A port nothing listens on: every ClickHouse request fails at once.
      const port = await freePort();
      server = await startTestServer(backend, { ANALYTICS_URL: `http://127.0.0.1:${port}/optibid_down` });
      token = (await registerUser(server.app)).access_token;
      await server.ctx.imports.importFiles([{ name: ERCOT, data: fixture(ERCOT) }], {}, platform, null);
    });
    afterAll(async () => server?.close());

    it('serves stats and series from PostgreSQL; /health says degraded and /health/ready stays ready, naming it', async () => {
      const stats = await server.app.inject({ method: 'GET', url: '/api/prices/stats?market=ercot&location=HB_HOUSTON&start=2015-11-02&end=2016-01-01', headers: bearer(token) });
      expect(stats.statusCode).toBe(200);
      expect(stats.json().intervals).toBe(1440);
      const daily = await server.app.inject({ method: 'GET', url: '/api/prices?market=ercot&location=HB_HOUSTON&start=2015-11-02&end=2016-01-01&resolution=daily', headers: bearer(token) });
      expect(daily.json().items).toHaveLength(60);
      expect(server.ctx.analytics!.prices.served).toEqual({ clickhouse: 0, postgresql: 2 });
      const health = (await server.app.inject({ method: 'GET', url: '/health' })).json();
      expect(health.status).toBe('degraded');
      expect(health.services.analytics).toMatchObject({ status: 'degraded', message: expect.stringMatching(/unreachable: ECONNREFUSED.*served from PostgreSQL/) });
      const ready = await server.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({ status: 'ready', degraded: [expect.stringMatching(/^analytics: /)] });
      await expect(server.ctx.analytics!.sync.run()).rejects.toThrow(/ClickHouse unavailable/);
    });
  });
});
