/**
 * The fast read path (issue 16): ETag and 304, Cache-Control for closed and open days, the
 * in-process cache dropped when a write changes a value (on this instance at once, on another
 * through the bus), and an organisation's own series never answered from a shared entry.
 */
import { addDaysYmd, localDayBoundsUtc } from '@optibid/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { CLOSED_MAX_AGE_S } from '../src/modules/market-data/index.js';
import { createServices, type Services } from '../src/services.js';
import { backends, bearer, describeEachBackend, registerUser, startTestServer, testConfig, uniqueEmail, type TestServer } from './helpers.js';
import { multipart } from './multipart.js';
import { sleep } from './realtime-client.js';
import { PJM_TZ, pjmToday, westernHubCsv } from './pjm-fixtures.js';

type App = TestServer['app'];

async function platformAdmin(ctx: Services, app: App): Promise<string> {
  const email = uniqueEmail('platform');
  await ctx.auth.createAccount({ email, password: 'platform-password-1', name: 'Platform', organization_name: 'Operator', role: 'owner', is_platform_admin: true });
  return (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'platform-password-1' } })).json().access_token;
}

function importCsv(app: App, token: string, name: string, csv: string, fields: Record<string, string> = {}) {
  const body = multipart([{ name, data: csv }], { format: 'gridstatus_lmp', market: 'PJM', ...fields });
  return app.inject({ method: 'POST', url: '/api/prices/import', headers: { ...bearer(token), ...body.headers }, payload: body.payload });
}

const series = (date: string, extra = '') => `/api/prices?market=pjm&location=WESTERN%20HUB&start=${date}&end=${addDaysYmd(date, 1)}${extra}`;

describeEachBackend('price read path', (backend) => {
  let server: TestServer;
  let admin: string;
  let orgA: string;
  let orgB: string;
  const today = pjmToday();
  const yesterday = addDaysYmd(today, -1);
  const tomorrow = addDaysYmd(today, 1);

  beforeAll(async () => {
    server = await startTestServer(backend, { PUBLIC_MARKET_DATA: 'true' });
    admin = await platformAdmin(server.ctx, server.app);
    orgA = (await registerUser(server.app)).access_token;
    orgB = (await registerUser(server.app)).access_token;
    // The shared market: yesterday (a closed delivery day) and tomorrow (open).
    expect((await importCsv(server.app, admin, 'yesterday.csv', westernHubCsv(yesterday, (h) => 30 + h))).json()).toMatchObject({ scope: 'shared', inserted: 24 });
    expect((await importCsv(server.app, admin, 'tomorrow.csv', westernHubCsv(tomorrow, (h) => 40 + h))).json()).toMatchObject({ scope: 'shared', inserted: 24 });
  });
  afterAll(async () => server?.close());

  const get = (url: string, headers: Record<string, string> = {}) => server.app.inject({ method: 'GET', url, headers });

  it("a closed day's shared DA prices: long max-age and an ETag; the same ETag back is 304 with no body", async () => {
    const first = await get(series(yesterday));
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    expect(first.headers['cache-control']).toBe(`public, max-age=${CLOSED_MAX_AGE_S}`);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.json()).toMatchObject({ market: 'PJM', location: 'WESTERN HUB', run: 'DA', scope: 'shared' });
    expect(first.json().items).toHaveLength(24);

    const hitsBefore = server.ctx.priceReads.cache.counters.hits.prices;
    const again = await get(series(yesterday), { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect(again.headers['cache-control']).toBe(`public, max-age=${CLOSED_MAX_AGE_S}`);
    // Answered from the cache, not the database.
    expect(server.ctx.priceReads.cache.counters.hits.prices).toBe(hitsBefore + 1);
    // A weak or listed validator matches too; another one does not.
    expect((await get(series(yesterday), { 'if-none-match': `"other", W/${etag}` })).statusCode).toBe(304);
    expect((await get(series(yesterday), { 'if-none-match': '"other"' })).statusCode).toBe(200);
    // The same series through stats: the same closed-day policy.
    const stats = await get(`/api/prices/stats?market=pjm&location=WESTERN%20HUB&start=${yesterday}&end=${today}`);
    expect(stats.headers['cache-control']).toBe(`public, max-age=${CLOSED_MAX_AGE_S}`);
    expect(stats.json()).toMatchObject({ intervals: 24, min_usd_per_mwh: 30, max_usd_per_mwh: 53 });
  });

  it('open data (a day not yet over, the newest prices, the locations) must be revalidated, and revalidates to 304', async () => {
    for (const url of [series(tomorrow), `/api/prices?market=pjm&location=WESTERN%20HUB&start=${today}&end=${addDaysYmd(today, 2)}`, '/api/prices/latest?market=pjm', '/api/markets/pjm/locations']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('public, no-cache');
      const revalidated = await get(url, { 'if-none-match': res.headers.etag as string });
      expect(revalidated.statusCode, url).toBe(304);
    }
    const locations = (await get('/api/markets/pjm/locations')).json();
    expect(locations.items.find((l: { id: string }) => l.id === 'WESTERN HUB')).toMatchObject({ has_data: true, runs: ['DA'] });
  });

  it('an import that changes a value drops the cached answer: the new value, a new ETag, and the old ETag no longer 304', async () => {
    const before = await get(series(yesterday));
    const oldEtag = before.headers.etag as string;
    expect(before.json().items[5].lmp_usd_per_mwh).toBe(35);
    const statsBefore = (await get(`/api/prices/stats?market=pjm&location=WESTERN%20HUB&start=${yesterday}&end=${today}`)).json();
    // Cached: the second read is a hit.
    const hits = server.ctx.priceReads.cache.counters.hits.prices;
    await get(series(yesterday));
    expect(server.ctx.priceReads.cache.counters.hits.prices).toBe(hits + 1);

    const fix = await importCsv(server.app, admin, 'correction.csv', westernHubCsv(yesterday, (h) => (h === 5 ? 135 : 30 + h)));
    expect(fix.json()).toMatchObject({ scope: 'shared', updated: 1, unchanged: 23 });

    const after = await get(series(yesterday), { 'if-none-match': oldEtag });
    expect(after.statusCode).toBe(200);
    expect(after.json().items[5].lmp_usd_per_mwh).toBe(135);
    expect(after.headers.etag).not.toBe(oldEtag);
    const statsAfter = (await get(`/api/prices/stats?market=pjm&location=WESTERN%20HUB&start=${yesterday}&end=${today}`)).json();
    expect(statsAfter.max_usd_per_mwh).toBe(135);
    expect(statsAfter.mean_usd_per_mwh).toBeCloseTo(statsBefore.mean_usd_per_mwh + 100 / 24, 9);
    // Tomorrow's cached answer was not touched by a write to yesterday.
    const misses = server.ctx.priceReads.cache.counters.misses.prices;
    await get(series(tomorrow));
    expect(server.ctx.priceReads.cache.counters.misses.prices).toBe(misses);
  });

  it('the newest prices follow a write at once', async () => {
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const latest = async () => (await get('/api/prices/latest?market=pjm')).json().items.find((p: { location: string; run: string }) => p.location === 'WESTERN HUB' && p.run === 'RTH');
    await server.ctx.repos.prices.upsert([rth(hour - 3_600_000, 20)]);
    expect(await latest()).toMatchObject({ lmp_usd_per_mwh: 20, previous_lmp_usd_per_mwh: null });
    await server.ctx.repos.prices.upsert([rth(hour, 26.5)]);
    expect(await latest()).toMatchObject({ lmp_usd_per_mwh: 26.5, previous_lmp_usd_per_mwh: 20, change_usd_per_mwh: 6.5 });
    expect((await get('/api/markets/pjm/locations')).json().items.find((l: { id: string }) => l.id === 'WESTERN HUB').runs).toEqual(['DA', 'RTH']);
  });

  it("an organisation's own series is never served from a shared entry, nor from another organisation's", async () => {
    const own = series(yesterday, '&scope=own');
    expect((await importCsv(server.app, orgA, 'spike.csv', westernHubCsv(yesterday, () => 1999))).json()).toMatchObject({ scope: 'own', inserted: 24 });
    // The shared answer, cached before, still says 30 + h: A's import did not touch it.
    const shared = (await get(series(yesterday), bearer(orgA))).json();
    expect(shared.scope).toBe('shared');
    expect(shared.items[0].lmp_usd_per_mwh).toBe(30);

    const a = await get(own, bearer(orgA));
    expect(a.statusCode).toBe(200);
    expect(a.json().scope).toBe('own');
    expect(a.json().items.every((p: { lmp_usd_per_mwh: number }) => p.lmp_usd_per_mwh === 1999)).toBe(true);
    expect(a.headers['cache-control']).toBe('private, no-cache');
    expect(a.headers.vary).toMatch(/authorization/i);
    // A again: from the cache (a hit), still A's.
    const hits = server.ctx.priceReads.cache.counters.hits.prices;
    expect((await get(own, bearer(orgA))).json().items[0].lmp_usd_per_mwh).toBe(1999);
    expect(server.ctx.priceReads.cache.counters.hits.prices).toBe(hits + 1);

    // B asks the same URL, even with A's validator: B's own (empty) series, never A's.
    const b = await get(own, { ...bearer(orgB), 'if-none-match': a.headers.etag as string });
    expect(b.statusCode).toBe(200);
    expect(b.json()).toMatchObject({ scope: 'own', items: [] });
    const bStats = (await get(`/api/prices/stats?market=pjm&location=WESTERN%20HUB&start=${yesterday}&end=${today}&scope=own`, bearer(orgB))).json();
    expect(bStats.intervals).toBe(0);
    const aStats = (await get(`/api/prices/stats?market=pjm&location=WESTERN%20HUB&start=${yesterday}&end=${today}&scope=own`, bearer(orgA))).json();
    expect(aStats).toMatchObject({ intervals: 24, max_usd_per_mwh: 1999 });
    // Without a token, scope=own is refused, not answered from anyone's entry.
    expect((await get(own)).statusCode).toBe(401);

    // A rewrites its own series: A's entry is dropped, the shared one is kept.
    await importCsv(server.app, orgA, 'spike2.csv', westernHubCsv(yesterday, () => 2500));
    expect((await get(own, bearer(orgA))).json().items[0].lmp_usd_per_mwh).toBe(2500);
    const sharedHits = server.ctx.priceReads.cache.counters.hits.prices;
    expect((await get(series(yesterday))).json().items[0].lmp_usd_per_mwh).toBe(30);
    expect(server.ctx.priceReads.cache.counters.hits.prices).toBe(sharedHits + 1);
  });

  it('a write inside a transaction drops cached answers once it commits, and a rolled-back one never', async () => {
    const day = addDaysYmd(today, -5);
    expect((await importCsv(server.app, admin, 'day.csv', westernHubCsv(day, () => 40))).json()).toMatchObject({ inserted: 24 });
    const read = async () => (await get(series(day))).json().items[0].lmp_usd_per_mwh;
    expect(await read()).toBe(40);
    const cache = server.ctx.priceReads.cache;
    const first = localDayBoundsUtc(day, PJM_TZ).start.getTime();
    const row = { market: 'PJM', location: 'WESTERN HUB', run: 'DA' as const, interval_start: new Date(first), interval_end: new Date(first + 3_600_000), lmp_usd_per_mwh: 41, energy_usd_per_mwh: null, congestion_usd_per_mwh: null, loss_usd_per_mwh: null, source: 'test' };

    // Rolled back: nothing announced, the cached answer (still the truth) stays.
    const dropped = cache.counters.invalidated;
    await expect(
      server.ctx.database.transaction(async (tx) => {
        await server.ctx.repos.prices.upsert([{ ...row, lmp_usd_per_mwh: 99 }], {}, tx);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(cache.counters.invalidated).toBe(dropped);
    expect(await read()).toBe(40);

    // Committed: announced after the commit, not before it.
    let seenInside = -1;
    await server.ctx.database.transaction(async (tx) => {
      await server.ctx.repos.prices.upsert([row], {}, tx);
      seenInside = cache.counters.invalidated;
    });
    expect(seenInside).toBe(dropped);
    expect(cache.counters.invalidated).toBeGreaterThan(dropped);
    expect(await read()).toBe(41);
  });

  it('bad input is still a 4xx in the error shape, and is not cached', async () => {
    const bad = await get(`/api/prices?market=pjm&location=WESTERN%20HUB&start=${today}&end=${yesterday}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/must be before end/);
    expect((await get('/api/prices/latest?market=nem')).statusCode).toBe(404);
    expect((await get(series(yesterday).replace('WESTERN%20HUB', 'NOWHERE'))).statusCode).toBe(404);
  });
});

function rth(startMs: number, lmp: number) {
  return { market: 'PJM', location: 'WESTERN HUB', run: 'RTH' as const, interval_start: new Date(startMs), interval_end: new Date(startMs + 3_600_000), lmp_usd_per_mwh: lmp, energy_usd_per_mwh: null, congestion_usd_per_mwh: null, loss_usd_per_mwh: null, source: 'test' };
}

describe('price read caches across two instances sharing PostgreSQL and Redis', () => {
  const redisUrl = inject('redisUrl');
  const postgres = backends().find((b) => b.name === 'postgres');
  it.skipIf(!redisUrl || !postgres)("an import on one instance drops the other instance's cached answer (through the bus)", async () => {
    const database = await postgres!.open();
    const servers: { ctx: Services; app: App }[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const ctx = await createServices(testConfig({ REDIS_URL: redisUrl!, PUBLIC_MARKET_DATA: 'true' }), { database, migrate: i === 0 });
        const app = await buildApp(ctx, { logger: false });
        await app.ready();
        servers.push({ ctx, app });
      }
      const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
      const admin = await platformAdmin(a.ctx, a.app);
      const day = addDaysYmd(pjmToday(), -3);
      await importCsv(a.app, admin, 'day.csv', westernHubCsv(day, () => 25));
      const read = async () => (await b.app.inject({ method: 'GET', url: series(day) })).json().items[0]?.lmp_usd_per_mwh;
      // B caches the answer (once the first import's own announcement has reached it: a read computed across it is not kept).
      let cachedOnB = false;
      for (const until = Date.now() + 5000; !cachedOnB && Date.now() < until; ) {
        expect(await read()).toBe(25);
        const hits = b.ctx.priceReads.cache.counters.hits.prices;
        expect(await read()).toBe(25);
        cachedOnB = b.ctx.priceReads.cache.counters.hits.prices === hits + 1;
      }
      expect(cachedOnB).toBe(true);

      await importCsv(a.app, admin, 'fix.csv', westernHubCsv(day, () => 77));
      const until = Date.now() + 5000;
      let seen = await read();
      while (seen !== 77 && Date.now() < until) {
        await sleep(50);
        seen = await read();
      }
      expect(seen).toBe(77);
    } finally {
      for (const s of servers) {
        await s.app.close();
        await s.ctx.close();
      }
      await database.close();
    }
  });
});
