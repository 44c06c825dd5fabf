/**
 * The ISO clients against a real HTTP server answering at each ISO's paths with real (or
 * documented-layout derived) files: a scheduled run fills the day with exactly the rows the
 * importer reads from the same file, a second run stores nothing, and every known failure
 * ends in a retry or a recorded error, never a partial day counted complete.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getMarket, localDateOf, localDayBoundsUtc, parsePriceFile, type IsoId, type NormalizedPriceRow } from '@optibid/core';
import { createServices as createContext, type Services as ServerContext } from '../src/services.js';
import { buildApp } from '../src/app.js';
import type { App } from '../src/http/types.js';
import { publishStaleAlert, type MarketFeed } from '../src/modules/market-feed/index.js';
import { FetchScheduler } from '../src/modules/market-feed/fetch-scheduler.js';
import { ALERT_CHANNEL } from '../src/realtime/messages.js';
import { bearer, describeEachBackend, registerUser, testConfig } from './helpers.js';
import { fixtureBytes, IsoTestServer } from './iso-test-server.js';

interface DaCase {
  iso: IsoId;
  day: string;
  fixture: string;
  hours: number;
}

// One day per ISO, DST days where the fixtures have them (23 or 25 hours).
const DA_CASES: DaCase[] = [
  { iso: 'CAISO', day: '2025-08-01', fixture: 'market-data/caiso/PRC_LMP_DAM_TH_SP15_20250801_02_derived.zip', hours: 24 },
  { iso: 'ERCOT', day: '2015-03-08', fixture: 'market-data/ercot/DAMSPNP4190_20150308_derived.csv.gz', hours: 23 },
  { iso: 'PJM', day: '2025-05-01', fixture: 'market-data/pjm/da_hrl_lmps_2025-05-01_02.csv.gz', hours: 24 },
  { iso: 'NYISO', day: '2019-11-03', fixture: 'market-data/nyiso/20191103damlbmp_zone.csv.gz', hours: 25 },
  { iso: 'MISO', day: '2022-11-06', fixture: 'market-data/miso/20221106_da_expost_lmp_derived.csv.gz', hours: 24 },
  { iso: 'SPP', day: '2022-03-13', fixture: 'market-data/spp/DA-LMP-SL_hubs_2022-03-12_14.csv.gz', hours: 23 },
  { iso: 'ISONE', day: '2022-11-06', fixture: 'market-data/isone/WW_DALMP_ISO_20221106_derived.csv.gz', hours: 25 },
];

/** What the importer reads from the fixture for one market-local day. */
function expectedRows(c: DaCase): NormalizedPriceRow[] {
  const name = c.fixture.split('/').pop()!.replace(/\.gz$/, '');
  const tz = getMarket(c.iso).timezone;
  return parsePriceFile({ name, data: fixtureBytes(c.fixture) })
    .flatMap((r) => r.rows)
    .filter((r) => localDateOf(r.interval_start, tz) === c.day);
}

describeEachBackend('ISO market-data clients', (backend) => {
  const iso = new IsoTestServer();
  let ctx: ServerContext;
  let app: App;
  let feed: MarketFeed;
  let clock = new Date();
  let database: Awaited<ReturnType<typeof backend.open>>;

  beforeAll(async () => {
    await iso.start();
    database = await backend.open();
    const base = Object.fromEntries(['CAISO', 'ERCOT', 'PJM', 'NYISO', 'MISO', 'SPP', 'ISONE', 'EIA930'].map((k) => [`ISO_BASE_URL_${k}`, iso.url]));
    ctx = await createContext(
      testConfig({
        ...base,
        MARKET_DATA_SOURCE: 'iso',
        PJM_API_KEY: 'test-pjm-key',
        ERCOT_API_SUBSCRIPTION_KEY: 'test-ercot-key',
        ERCOT_API_ID_TOKEN: 'test-ercot-token',
        ISO_FETCH_TIMEOUT_MS: '400',
        ISO_FETCH_BACKOFF_MS: '20',
        ISO_FETCH_MAX_ATTEMPTS: '3',
        ISO_FETCH_MAX_RETRY_AFTER_S: '5',
      }),
      { database, now: () => clock },
    );
    feed = ctx.marketFeed;
    app = await buildApp(ctx, { logger: false });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    await database?.close();
    await iso.stop();
  });

  const scheduler = (m: IsoId) => new FetchScheduler({ service: feed.service, records: feed.records, markets: [m], datasets: ['da-lmp'], backfillDays: 0, now: () => clock, onStale: (v) => publishStaleAlert(ctx.bus, v) });

  async function stored(m: IsoId, day: string): Promise<Map<string, number>> {
    const { start, end } = localDayBoundsUtc(day, getMarket(m).timezone);
    const rows = await ctx.database.query<{ location: string; interval_start: string; lmp_usd_per_mwh: number }>(
      `SELECT location, interval_start, lmp_usd_per_mwh FROM prices WHERE market = $1 AND run = 'DA' AND interval_start >= $2 AND interval_start < $3`,
      [m, start.toISOString(), end.toISOString()],
    );
    return new Map(rows.map((r) => [`${r.location}|${new Date(r.interval_start).toISOString()}`, Number(r.lmp_usd_per_mwh)]));
  }

  /** Import tasks the compute pool has finished (its metrics' count). */
  async function pooledParses(): Promise<number> {
    const m = await ctx.metrics.computeTaskDuration.get();
    return m.values.filter((v) => v.metricName?.endsWith('_count') && v.labels.task === 'parseImport' && v.labels.outcome === 'ok').reduce((s, v) => s + v.value, 0);
  }

  for (const c of DA_CASES) {
    it(`${c.iso}: a scheduled run fills ${c.day} with exactly the importer's rows; a second run stores nothing`, async () => {
      clock = new Date(`${c.day}T12:00:00Z`);
      const expected = expectedRows(c);
      expect(expected.length).toBeGreaterThan(0);
      const locations = new Set(expected.map((r) => r.location));
      expect(expected.length).toBe(locations.size * c.hours);

      const parsedBefore = await pooledParses();
      await scheduler(c.iso).tick();
      // The download was opened and parsed in the compute pool (the import task), not on the event loop.
      expect(await pooledParses()).toBeGreaterThan(parsedBefore);
      const got = await stored(c.iso, c.day);
      expect(got.size).toBe(expected.length);
      for (const r of expected) expect(got.get(`${r.location}|${r.interval_start.toISOString()}`)).toBeCloseTo(r.lmp_usd_per_mwh, 9);
      const days = await feed.records.days(c.iso, 'da-lmp', c.day, c.day);
      expect(days).toEqual([{ day: c.day, complete: true, rows: expected.length, detail: null }]);
      const [rec] = await feed.records.list({ market: c.iso, dataset: 'da-lmp', limit: 1 });
      expect(rec).toMatchObject({ ok: true, http_status: 200, rows_inserted: expected.length, rows_updated: 0, error: null });
      expect(rec!.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(rec!.bytes).toBeGreaterThan(100);
      expect(rec!.url).not.toMatch(/key|token/i);

      const before = iso.requests.length;
      await scheduler(c.iso).tick();
      expect(iso.requests.length).toBe(before);
      const again = await feed.service.fetchDays(c.iso, 'da-lmp', c.day, c.day, { trigger: 'api', force: true });
      expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: expected.length, days_complete: [c.day] });
    });
  }

  const RT_CASES = [
    { iso: 'CAISO' as const, day: '2025-08-01', fixture: 'market-data/caiso/PRC_INTVL_LMP_RTM_TH_SP15_20250801_derived.csv.gz', run: 'RT5', intervals: 288 },
    { iso: 'PJM' as const, day: '2025-05-01', fixture: 'market-data/pjm/rt_hrl_lmps_2025-05-01_02.csv.gz', run: 'RTH', intervals: 24 },
    { iso: 'ERCOT' as const, day: '2023-11-05', fixture: 'market-data/ercot/NP6-905-CD_20231105_derived.csv.gz', run: 'RT15', intervals: 100 },
  ];
  for (const c of RT_CASES) {
    it(`${c.iso}: a scheduled RT run stores the importer's ${c.run} rows of ${c.day} and completes the day; a second run stores nothing`, async () => {
      clock = new Date(`${c.day}T12:00:00Z`);
      const expected = expectedRows({ iso: c.iso, day: c.day, fixture: c.fixture, hours: 0 });
      const locations = new Set(expected.map((r) => r.location));
      expect(expected.length).toBe(locations.size * c.intervals);
      const sched = new FetchScheduler({ service: feed.service, records: feed.records, markets: [c.iso], datasets: ['rt-lmp'], backfillDays: 0, now: () => clock, onStale: () => undefined });
      await sched.tick();
      const { start, end } = localDayBoundsUtc(c.day, getMarket(c.iso).timezone);
      const rows = await ctx.database.query<{ location: string; interval_start: string; lmp_usd_per_mwh: number }>(
        `SELECT location, interval_start, lmp_usd_per_mwh FROM prices WHERE market = $1 AND run = $2 AND interval_start >= $3 AND interval_start < $4`,
        [c.iso, c.run, start.toISOString(), end.toISOString()],
      );
      const got = new Map(rows.map((r) => [`${r.location}|${new Date(r.interval_start).toISOString()}`, Number(r.lmp_usd_per_mwh)]));
      expect(got.size).toBe(expected.length);
      for (const r of expected) expect(got.get(`${r.location}|${r.interval_start.toISOString()}`)).toBeCloseTo(r.lmp_usd_per_mwh, 9);
      expect((await feed.records.days(c.iso, 'rt-lmp', c.day, c.day))[0]).toMatchObject({ complete: true, rows: expected.length });
      // A second run asks nothing; a forced re-fetch stores nothing new.
      const before = iso.requests.length;
      await new FetchScheduler({ service: feed.service, records: feed.records, markets: [c.iso], datasets: ['rt-lmp'], backfillDays: 0, now: () => clock, onStale: () => undefined }).tick();
      expect(iso.requests.length).toBe(before);
      const again = await feed.service.fetchDays(c.iso, 'rt-lmp', c.day, c.day, { trigger: 'api', force: true });
      expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: expected.length, days_complete: [c.day] });
    });
  }

  it('the schedule backfills a day a failed pass left incomplete, and leaves complete days alone', async () => {
    clock = new Date('2022-03-14T12:00:00Z');
    const sched = new FetchScheduler({ service: feed.service, records: feed.records, markets: ['SPP'], datasets: ['da-lmp'], backfillDays: 2, now: () => clock, onStale: () => undefined });
    const days = (from: number) => iso.requests.slice(from).map((q) => /DA-LMP-SL-(\d{8})/.exec(decodeURIComponent(q.path))?.[1]).filter(Boolean);
    // The window is 03-12 … 03-14; the first download (03-12) fails on every attempt.
    iso.fail('/file-browser-api', { kind: 'status', status: 503 }, { kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    await sched.tick();
    expect(await feed.records.completeDays('SPP', 'da-lmp', '2022-03-12', '2022-03-14')).toEqual(new Set(['2022-03-13', '2022-03-14']));
    const before = iso.requests.length;
    clock = new Date('2022-03-14T13:30:00Z');
    await sched.tick();
    expect(days(before)).toEqual(['20220312']);
    expect(await feed.records.completeDays('SPP', 'da-lmp', '2022-03-12', '2022-03-14')).toEqual(new Set(['2022-03-12', '2022-03-13', '2022-03-14']));
  });

  it('CAISO: a 429 with Retry-After is waited out and retried', async () => {
    iso.fail('/oasisapi', { kind: 'status', status: 429, retryAfterS: 1 });
    const t0 = Date.now();
    const r = await feed.service.fetchDays('CAISO', 'da-lmp', '2025-08-02', '2025-08-02', { trigger: 'api' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(r.days_complete).toEqual(['2025-08-02']);
    const [rec] = await feed.records.list({ market: 'CAISO', limit: 1 });
    expect(rec).toMatchObject({ ok: true, attempts: 2 });
  });

  it('a 500 on every attempt ends in a recorded error and an incomplete day; the next run completes it', async () => {
    clock = new Date('2022-03-14T12:00:00Z');
    iso.fail('/marketreports', { kind: 'status', status: 500 }, { kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const r = await feed.service.fetchDays('MISO', 'da-lmp', '2022-03-13', '2022-03-13', { trigger: 'schedule' });
    expect(r.days_complete).toEqual([]);
    expect(r.errors[0]).toMatch(/gave up after 3 attempts \(HTTP 500\)/);
    const [rec] = await feed.records.list({ market: 'MISO', limit: 1 });
    expect(rec).toMatchObject({ ok: false, http_status: 500, attempts: 3, rows_inserted: 0 });
    expect((await feed.records.days('MISO', 'da-lmp', '2022-03-13', '2022-03-13'))[0]!.complete).toBe(false);
    const retry = await feed.service.fetchDays('MISO', 'da-lmp', '2022-03-13', '2022-03-13', { trigger: 'schedule' });
    expect(retry.days_complete).toEqual(['2022-03-13']);
    expect(retry.inserted).toBe(8 * 24);
  });

  it('a stalled connection times out and is retried', async () => {
    iso.fail('/public/csv/damlbmp', { kind: 'stall' });
    const r = await feed.service.fetchDays('NYISO', 'da-lmp', '2019-05-01', '2019-05-01', { trigger: 'schedule' });
    expect(r.days_complete).toEqual(['2019-05-01']);
    expect(iso.requests.filter((q) => q.path.includes('20190501damlbmp')).map((q) => q.status)).toEqual(['stalled', 200]);
  });

  it('a truncated zip and CAISO\'s "no data" zip are recorded errors, the day stays incomplete', async () => {
    clock = new Date('2025-08-03T12:00:00Z');
    iso.fail('/oasisapi', { kind: 'truncate' });
    const cut = await feed.service.fetchDays('CAISO', 'da-lmp', '2025-08-01', '2025-08-01', { trigger: 'schedule', force: true });
    expect(cut.errors[0]).toMatch(/truncated or corrupt zip/);
    const none = await feed.service.fetchDays('CAISO', 'da-lmp', '2025-08-03', '2025-08-03', { trigger: 'schedule' });
    expect(none.errors[0]).toMatch(/CAISO answered "no data"/);
    expect(await feed.records.days('CAISO', 'da-lmp', '2025-08-03', '2025-08-03')).toEqual([{ day: '2025-08-03', complete: false, rows: 0, detail: 'CAISO answered "no data" for the query' }]);
    // The truncated re-fetch did not undo the day completed earlier.
    expect((await feed.records.days('CAISO', 'da-lmp', '2025-08-01', '2025-08-01'))[0]!.complete).toBe(true);
  });

  it('a day missing its last hours is stored but not counted complete', async () => {
    iso.fail('/api/v1/da_hrl_lmps', { kind: 'drop-last-lines', lines: 12 });
    const r = await feed.service.fetchDays('PJM', 'da-lmp', '2025-05-02', '2025-05-02', { trigger: 'schedule' });
    expect(r.inserted).toBe(12 * 24 - 12);
    expect(r.days_incomplete[0]!.reason).toMatch(/12 of 12 series incomplete \(e\.g\. .*: 23 of 24 intervals\)/);
    const fill = await feed.service.fetchDays('PJM', 'da-lmp', '2025-05-02', '2025-05-02', { trigger: 'schedule' });
    expect(fill).toMatchObject({ inserted: 12, days_complete: ['2025-05-02'] });
  });

  it('ERCOT: past years come from the yearly NP4-180-ER zip found in the archive', async () => {
    clock = new Date('2016-02-01T12:00:00Z');
    const r = await feed.service.fetchDays('ERCOT', 'da-lmp', '2015-11-01', '2015-11-02', { trigger: 'api' });
    expect(r.days_complete).toEqual(['2015-11-01', '2015-11-02']);
    expect(r.inserted).toBe(14 * 25 + 14 * 24);
    expect(iso.requests.some((q) => q.path === '/api/public-reports/archive/np4-180-er?download=13060')).toBe(true);
  });

  it('stores EIA-930 load forecasts for the requested days, none for hours reported 0', async () => {
    clock = new Date('2019-08-19T12:00:00Z');
    const r = await feed.service.fetchDays('NYISO', 'load-forecast', '2019-08-20', '2019-08-20', { trigger: 'api' });
    // 2019-08-20 Eastern = 04:00Z 08-20 .. 04:00Z 08-21; the cut holds hours ending 08-20 00:00Z..23:00Z, and from 06:00Z on they report 0: one hour is left.
    expect(r.inserted).toBe(1);
    expect(r.days_incomplete[0]!.reason).toMatch(/1 of 1 series incomplete/);
    const lf = await feed.loadForecasts.range('NYISO', new Date('2019-08-20T04:00:00Z'), new Date('2019-08-20T06:00:00Z'));
    expect(lf.map((x) => x.load_forecast_mw)).toEqual([19611]);
    const lf2 = await feed.service.fetchDays('NYISO', 'load-forecast', '2019-11-03', '2019-11-03', { trigger: 'api' });
    expect(lf2).toMatchObject({ inserted: 25, days_complete: ['2019-11-03'] });
    // The API serves the series, and with known_at only what was published by then (04:00 the day before for NYISO, assumed).
    const token = (await registerUser(app)).access_token as string;
    const q = (extra: string, auth = true) =>
      app.inject({ method: 'GET', url: `/api/load-forecasts?market=NYISO&start=2019-11-03T04:00:00Z&end=2019-11-04T05:00:00Z${extra}`, headers: auth ? bearer(token) : {} });
    expect((await q('', false)).statusCode).toBe(401);
    const all = (await q('')).json().items;
    expect(all).toHaveLength(25);
    expect(all[0]).toMatchObject({ area: 'NYIS', interval_start: '2019-11-03T04:00:00.000Z', published_at: '2019-11-02T08:00:00.000Z' });
    expect((await q('&known_at=2019-11-02T07:59:00Z')).json().items).toHaveLength(0);
    const bad = await app.inject({ method: 'GET', url: '/api/load-forecasts?market=NYISO&start=2019-11-03T04:00:00Z&end=2019-11-01T00:00:00Z', headers: bearer(token) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('end must be after start');
  });

  it('a client without credentials says so in /health and refuses to fetch', async () => {
    const ctx2 = await createContext(testConfig({ MARKET_DATA_SOURCE: 'iso' }), { database });
    const app2 = await buildApp(ctx2, { logger: false });
    try {
      const health = (await app2.inject({ method: 'GET', url: '/health' })).json();
      expect(health.services.market_feed.status).toBe('degraded');
      expect(health.services.market_feed.message).toMatch(/PJM: PJM Data Miner needs a subscription key: set PJM_API_KEY/);
      expect(health.services.market_feed.message).toMatch(/ERCOT_API_SUBSCRIPTION_KEY and ERCOT_API_ID_TOKEN/);
      await expect(ctx2.marketFeed.service.fetchDays('PJM', 'da-lmp', '2025-05-01', '2025-05-01', { trigger: 'api' })).rejects.toThrow(/PJM_API_KEY/);
    } finally {
      await app2.close();
      await ctx2.close();
    }
  });

  it('stopping the ISO server makes the dataset stale: an alert and /api/system-status/market-data say so', async () => {
    const alerts: { title: string }[] = [];
    ctx.bus.subscribe(ALERT_CHANNEL, (m) => void alerts.push(m as { title: string }));
    clock = new Date('2019-11-03T12:00:00Z');
    const sched = scheduler('NYISO');
    const fresh = (await sched.tick()).find((v) => v.market === 'NYISO' && v.dataset === 'da-lmp')!;
    expect(fresh).toMatchObject({ stale: false, newest_complete_day: '2019-11-03', expected_day: '2019-11-03' });
    await iso.stop();
    try {
      // 2019-11-04 19:00Z: NYISO's 11:00 EST publication of 11-05 plus the 2 h grace has passed.
      clock = new Date('2019-11-04T19:00:00Z');
      const views = await sched.tick();
      expect(views.find((v) => v.dataset === 'da-lmp')).toMatchObject({ stale: true, expected_day: '2019-11-05', newest_complete_day: '2019-11-03' });
      await new Promise((r) => setTimeout(r, 50));
      expect(alerts.map((a) => a.title)).toContain('NYISO da-lmp data is stale');
      const status = (await app.inject({ method: 'GET', url: '/api/system-status/market-data' })).json();
      expect(status.source).toBe('iso');
      const nyiso = status.datasets.find((d: { market: string; dataset: string }) => d.market === 'NYISO' && d.dataset === 'da-lmp');
      expect(nyiso.stale).toBe(true);
      expect(nyiso.last_good_fetch_at).toMatch(/Z$/);
      expect(nyiso.last_error).toMatch(/fetch failed|ECONNREFUSED|gave up/);
    } finally {
      await iso.start(Number(new URL(iso.url).port));
    }
  });
});
