/**
 * The ISO clients' other datasets against the ISO test server: real-time prices of NYISO,
 * MISO, SPP and ISO-NE, DA ancillary-service prices of SPP (DA-MCP) and ERCOT (NP4-181-ER),
 * and every ISO's EIA-930 load forecast. Each scheduled run fills the expected days with
 * exactly the rows the importer reads from the same file, and a second run stores nothing new.
 * (DA prices and the failure cases: market-feed.test.ts.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  dayAheadGateClosure,
  getMarket,
  localDateOf,
  localDayBoundsUtc,
  parseAncillaryPriceFile,
  parseLoadForecastFile,
  parsePriceFile,
  type AncillaryPriceRow,
  type IsoId,
  type LoadForecastRow,
} from '@optibid/core';
import { createServices, type Services } from '../src/services.js';
import { buildApp } from '../src/app.js';
import type { App } from '../src/http/types.js';
import type { MarketFeed } from '../src/modules/market-feed/index.js';
import { FetchScheduler } from '../src/modules/market-feed/fetch-scheduler.js';
import type { FetchDataset } from '../src/modules/market-feed/iso-clients/index.js';
import { ERCOT_CURRENT_YEAR_AS } from '../src/modules/market-feed/iso-clients/ercot.js';
import { bearer, describeEachBackend, registerUser, testConfig } from './helpers.js';
import { fixtureBytes, isoBaseUrlEnv, IsoTestServer } from './iso-test-server.js';

const fileName = (fixture: string) => fixture.split('/').pop()!.replace(/_derived|_cut|\.gz$/g, '');
const onDays = <T extends { interval_start: Date }>(rows: T[], iso: IsoId, days: string[]) => rows.filter((r) => days.includes(localDateOf(r.interval_start, getMarket(iso).timezone)));

describeEachBackend('ISO clients: RT prices, AS prices and load forecasts', (backend) => {
  const iso = new IsoTestServer();
  let ctx: Services;
  let app: App;
  let feed: MarketFeed;
  let clock = new Date();
  let database: Awaited<ReturnType<typeof backend.open>>;

  beforeAll(async () => {
    await iso.start();
    database = await backend.open();
    const env = { ...isoBaseUrlEnv(iso.url), MARKET_DATA_SOURCE: 'iso', PJM_API_KEY: 'test-pjm-key', ERCOT_API_SUBSCRIPTION_KEY: 'k', ERCOT_API_ID_TOKEN: 't', ISO_FETCH_BACKOFF_MS: '20', ISO_FETCH_MAX_ATTEMPTS: '2' };
    ctx = await createServices(testConfig(env), { database, now: () => clock });
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

  const scheduler = (m: IsoId, dataset: FetchDataset, backfillDays: number) =>
    new FetchScheduler({ service: feed.service, records: feed.records, markets: [m], datasets: [dataset], backfillDays, now: () => clock, onStale: () => undefined });

  /** A second pass of a fresh schedule asks the ISO nothing; a forced re-fetch changes nothing. */
  async function secondRunStoresNothing(m: IsoId, dataset: FetchDataset, days: string[], rows: number) {
    const before = iso.requests.length;
    await scheduler(m, dataset, days.length - 1).tick();
    expect(iso.requests.length).toBe(before);
    const again = await feed.service.fetchDays(m, dataset, days[0]!, days[days.length - 1]!, { trigger: 'api', force: true });
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: rows, days_complete: days });
  }

  // Derived RT files (ISO layouts built from EIA's RT series), DST days where we have them.
  const RT_CASES = [
    { iso: 'NYISO' as const, day: '2022-11-06', fixture: 'market-data/nyiso/20221106rtlbmp_zone_derived.csv.gz', eia: 'nyiso_lmp_rt_hr_zones_2022_cut.csv.gz', run: 'RTH', intervals: 25, locations: 11 },
    { iso: 'MISO' as const, day: '2022-11-06', fixture: 'market-data/miso/20221106_rt_lmp_final_derived.csv.gz', eia: 'miso_lmp_rt_hr_hubs_2022_cut.csv.gz', run: 'RTH', intervals: 24, locations: 8 },
    { iso: 'SPP' as const, day: '2022-03-13', fixture: 'market-data/spp/RTBM-LMP-DAILY-SL-20220313_derived.csv.gz', eia: 'spp_lmp_rt_5min_hubs_2022Q1_cut.csv.gz', run: 'RT5', intervals: 276, locations: 2 },
    { iso: 'ISONE' as const, day: '2022-03-13', fixture: 'market-data/isone/lmp_rt_final_20220313_derived.csv.gz', eia: 'isone_lmp_rt_hr_hubs_2022_cut.csv.gz', run: 'RTH', intervals: 23, locations: 1 },
  ];
  for (const c of RT_CASES) {
    it(`${c.iso}: a scheduled RT run stores the importer's ${c.run} rows of ${c.day}; a second run stores nothing`, async () => {
      clock = new Date(`${c.day}T12:00:00Z`);
      const read = (fixture: string) => parsePriceFile({ name: fileName(fixture), data: fixtureBytes(fixture) }).flatMap((r) => r.rows);
      const expected = onDays(read(c.fixture), c.iso, [c.day]);
      expect(expected.length).toBe(c.locations * c.intervals);
      expect(new Set(expected.map((r) => r.run))).toEqual(new Set([c.run]));
      // The derived file says what EIA's own file says (another importer, another layout).
      const eia = new Map(onDays(read(`market-data/eia/${c.eia}`), c.iso, [c.day]).map((r) => [`${r.location}|${r.interval_start.toISOString()}`, r.lmp_usd_per_mwh]));
      for (const r of expected) expect(eia.get(`${r.location}|${r.interval_start.toISOString()}`)).toBe(r.lmp_usd_per_mwh);

      await scheduler(c.iso, 'rt-lmp', 0).tick();
      const { start, end } = localDayBoundsUtc(c.day, getMarket(c.iso).timezone);
      const rows = await ctx.database.query<{ location: string; interval_start: string; lmp_usd_per_mwh: number }>(
        `SELECT location, interval_start, lmp_usd_per_mwh FROM prices WHERE market = $1 AND run = $2 AND interval_start >= $3 AND interval_start < $4`,
        [c.iso, c.run, start.toISOString(), end.toISOString()],
      );
      const got = new Map(rows.map((r) => [`${r.location}|${new Date(r.interval_start).toISOString()}`, Number(r.lmp_usd_per_mwh)]));
      expect(got.size).toBe(expected.length);
      for (const r of expected) expect(got.get(`${r.location}|${r.interval_start.toISOString()}`)).toBeCloseTo(r.lmp_usd_per_mwh, 9);
      expect(await feed.records.days(c.iso, 'rt-lmp', c.day, c.day)).toEqual([{ day: c.day, complete: true, rows: expected.length, detail: null }]);
      await secondRunStoresNothing(c.iso, 'rt-lmp', [c.day], expected.length);
    });
  }

  async function storedAs(m: IsoId, from: string, to: string) {
    const start = localDayBoundsUtc(from, getMarket(m).timezone).start;
    const end = localDayBoundsUtc(to, getMarket(m).timezone).end;
    const rows = await ctx.database.query<{ zone: string; product: string; interval_start: string; price_usd_per_mw: number; source: string }>(
      `SELECT zone, product, interval_start, price_usd_per_mw, source FROM ancillary_prices WHERE market = $1 AND run = 'DA' AND interval_start >= $2 AND interval_start < $3`,
      [m, start.toISOString(), end.toISOString()],
    );
    return new Map(rows.map((r) => [`${r.zone}|${r.product}|${new Date(r.interval_start).toISOString()}`, { price: Number(r.price_usd_per_mw), source: r.source }]));
  }
  const asKey = (r: AncillaryPriceRow) => `${r.zone}|${r.product}|${r.interval_start.toISOString()}`;

  it("SPP: the schedule fetches each day's DA-MCP file; the stored AS prices are exactly the file's, served by the API", async () => {
    // 18:00 CDT on 2022-03-13: the results of 03-14 are out (14:00 CT + 2 h); the window is 03-12 … 03-14.
    clock = new Date('2022-03-13T23:00:00Z');
    const days = ['2022-03-12', '2022-03-13', '2022-03-14'];
    const expected = days.flatMap((d) => parseAncillaryPriceFile({ name: `DA-MCP-${d.replace(/-/g, '')}0100.csv`, data: fixtureBytes(`market-data/spp/DA-MCP-${d.replace(/-/g, '')}0100.csv`) })[0]!.rows);
    // 6 reserve zones × 6 products × (24 + 23 + 24) hours.
    expect(expected.length).toBe(36 * 71);
    await scheduler('SPP', 'as-prices', 2).tick();
    const got = await storedAs('SPP', days[0]!, days[2]!);
    expect(got.size).toBe(expected.length);
    for (const r of expected) expect(got.get(asKey(r))).toEqual({ price: r.price_usd_per_mw, source: `fetch:DA-MCP-${localDateOf(r.interval_start, 'America/Chicago').replace(/-/g, '')}0100.csv` });
    expect((await feed.records.days('SPP', 'as-prices', days[0]!, days[2]!)).map((d) => [d.day, d.complete, d.rows])).toEqual([
      ['2022-03-12', true, 864],
      ['2022-03-13', true, 828],
      ['2022-03-14', true, 864],
    ]);
    expect(iso.requests.filter((q) => q.path.startsWith('/file-browser-api/download/da-mcp?path=')).map((q) => decodeURIComponent(q.path.split('path=')[1]!))).toEqual(
      days.map((d) => `/2022/03/DA-MCP-${d.replace(/-/g, '')}0100.csv`),
    );
    await secondRunStoresNothing('SPP', 'as-prices', days, expected.length);
    const token = (await registerUser(app)).access_token as string;
    const served = await app.inject({ method: 'GET', url: '/api/ancillary-prices?market=SPP&zone=SPP&product=RegUP&start=2022-03-13T06:00:00Z&end=2022-03-14T05:00:00Z', headers: bearer(token) });
    expect(served.statusCode, served.body).toBe(200);
    const spp = expected.filter((r) => r.zone === 'SPP' && r.product === 'RegUP' && localDateOf(r.interval_start, 'America/Chicago') === '2022-03-13');
    expect(served.json().items.map((x: { interval_start: string; price_usd_per_mw: number }) => [x.interval_start, x.price_usd_per_mw])).toEqual(spp.map((x) => [x.interval_start.toISOString(), x.price_usd_per_mw]));
    const status = (await app.inject({ method: 'GET', url: '/api/system-status/market-data' })).json();
    expect(status.datasets.find((d: { market: string; dataset: string }) => d.market === 'SPP' && d.dataset === 'as-prices')).toMatchObject({ newest_complete_day: '2022-03-14', stale: false });
  });

  it("ERCOT: past years' AS prices come from the yearly NP4-181-ER zip; the current year's are refused with the reason, and the schedule leaves them alone", async () => {
    clock = new Date('2016-02-01T12:00:00Z');
    const days = ['2015-11-01', '2015-11-02'];
    const zip = 'ercot-2015/NP4-181-ER_DAMASMCPC_2015.zip';
    const expected = onDays(parseAncillaryPriceFile({ name: 'NP4-181-ER_DAMASMCPC_2015.zip', data: fixtureBytes(zip) }).flatMap((r) => r.rows), 'ERCOT', days);
    // REGDN, REGUP, RRS, NSPIN × (25 + 24) hours: the fall-back day has its repeated hour.
    expect(expected.length).toBe(4 * 49);
    const r = await feed.service.fetchDays('ERCOT', 'as-prices', days[0]!, days[1]!, { trigger: 'api' });
    expect(r).toMatchObject({ downloads: 1, inserted: expected.length, updated: 0, days_complete: days, days_incomplete: [] });
    expect(iso.requests.some((q) => q.path === '/api/public-reports/archive/np4-181-er?download=13091')).toBe(true);
    const got = await storedAs('ERCOT', days[0]!, days[1]!);
    expect(got.size).toBe(expected.length);
    for (const x of expected) expect(got.get(asKey(x))?.price).toBe(x.price_usd_per_mw);
    const again = await feed.service.fetchDays('ERCOT', 'as-prices', days[0]!, days[1]!, { trigger: 'api' });
    expect(again).toMatchObject({ days_skipped: days, downloads: 0, inserted: 0 });
    const forced = await feed.service.fetchDays('ERCOT', 'as-prices', days[0]!, days[1]!, { trigger: 'api', force: true });
    expect(forced).toMatchObject({ inserted: 0, updated: 0, unchanged: expected.length });

    const before = iso.requests.length;
    const current = await feed.service.fetchDays('ERCOT', 'as-prices', '2016-01-30', '2016-01-31', { trigger: 'api' });
    expect(current.days_incomplete).toEqual([
      { day: '2016-01-30', reason: ERCOT_CURRENT_YEAR_AS },
      { day: '2016-01-31', reason: ERCOT_CURRENT_YEAR_AS },
    ]);
    expect(iso.requests.length).toBe(before);
    expect(await scheduler('ERCOT', 'as-prices', 7).tick()).toEqual([]);
    expect(iso.requests.length).toBe(before);
  });

  it('SPP: a DA-MCP file missing its last hour is stored but the day is not complete; the next run completes it', async () => {
    clock = new Date('2022-02-02T12:00:00Z');
    iso.fail('/file-browser-api/download/da-mcp', { kind: 'drop-last-lines', lines: 6 });
    const r = await feed.service.fetchDays('SPP', 'as-prices', '2022-02-01', '2022-02-01', { trigger: 'schedule' });
    expect(r.inserted).toBe(6 * 4 * 23);
    expect(r.days_incomplete[0]!.reason).toMatch(/^24 of 24 series incomplete \(e\.g\. \S+ \S+: 23 of 24 intervals\)$/);
    const fill = await feed.service.fetchDays('SPP', 'as-prices', '2022-02-01', '2022-02-01', { trigger: 'schedule' });
    expect(fill).toMatchObject({ inserted: 6 * 4, unchanged: 6 * 4 * 23, days_complete: ['2022-02-01'] });
  });

  // Every ISO's EIA-930 day-ahead demand forecast (cut from the CC BY 4.0 release).
  const LF_CASES = [
    ...(['CAISO', 'PJM', 'MISO', 'SPP', 'ISONE'] as const).map((m) => ({ iso: m, clock: '2019-11-04T20:00:00Z', days: ['2019-11-04', '2019-11-05'], ba: { CAISO: 'CISO', PJM: 'PJM', MISO: 'MISO', SPP: 'SWPP', ISONE: 'ISNE' }[m], cut: '_2019-11-03_06_cut' })),
    // The ERCO cut ends with UTC 2015-11-02: the Central fall-back day 11-01 is whole (25 hours), 11-02 is not.
    { iso: 'ERCOT' as const, clock: '2015-10-31T20:00:00Z', days: ['2015-11-01'], ba: 'ERCO', cut: '_cut' },
  ];
  for (const c of LF_CASES) {
    it(`${c.iso}: a scheduled load-forecast run stores the importer's hours of ${c.days.join(' and ')}; a second run stores nothing`, async () => {
      clock = new Date(c.clock);
      const parsed = parseLoadForecastFile({ name: `${c.ba}.csv`, data: fixtureBytes(`eia930/${c.ba}${c.cut}.csv.gz`) }, { market: c.iso });
      const expected = onDays(parsed.rows as LoadForecastRow[], c.iso, c.days);
      const tz = getMarket(c.iso).timezone;
      const hours = c.days.map((d) => (localDayBoundsUtc(d, tz).end.getTime() - localDayBoundsUtc(d, tz).start.getTime()) / 3_600_000);
      expect(expected.length).toBe(hours.reduce((a, b) => a + b, 0));
      await scheduler(c.iso, 'load-forecast', c.days.length - 1).tick();
      const start = localDayBoundsUtc(c.days[0]!, tz).start;
      const end = localDayBoundsUtc(c.days[c.days.length - 1]!, tz).end;
      const stored = await feed.loadForecasts.range(c.iso, start, end);
      expect(stored.map((x) => [x.interval_start.toISOString(), x.load_forecast_mw])).toEqual(expected.map((x) => [x.interval_start.toISOString(), x.load_forecast_mw]));
      expect((await feed.records.days(c.iso, 'load-forecast', c.days[0]!, c.days[c.days.length - 1]!)).map((d) => [d.day, d.complete, d.rows])).toEqual(c.days.map((d, i) => [d, true, hours[i]]));
      await secondRunStoresNothing(c.iso, 'load-forecast', c.days, expected.length);
    });
  }

  it("NYISO: the schedule asks for tomorrow's load forecast from its assumed publication (04:00), before the 05:00 gate, not hours later", async () => {
    const { start, end } = localDayBoundsUtc('2019-11-03', 'America/New_York');
    // 03:50 EDT on 11-02: the 11-03 forecast is not published yet.
    clock = new Date('2019-11-02T07:50:00Z');
    await scheduler('NYISO', 'load-forecast', 0).tick();
    expect(await feed.loadForecasts.range('NYISO', start, end)).toEqual([]);
    // 04:30 EDT: published half an hour ago, the gate (09:00Z) still open.
    clock = new Date('2019-11-02T08:30:00Z');
    await scheduler('NYISO', 'load-forecast', 0).tick();
    const stored = await feed.loadForecasts.range('NYISO', start, end, dayAheadGateClosure('NYISO', '2019-11-03'));
    expect(stored).toHaveLength(25);
    expect(new Set(stored.map((r) => r.published_at.toISOString()))).toEqual(new Set(['2019-11-02T08:00:00.000Z']));
  });

  it("PJM: EIA-930 has no PJM forecast around the fall-back change; the day is incomplete, never a forecast of zero", async () => {
    clock = new Date('2019-11-04T20:00:00Z');
    const r = await feed.service.fetchDays('PJM', 'load-forecast', '2019-11-03', '2019-11-03', { trigger: 'api' });
    expect(r).toMatchObject({ inserted: 0, days_complete: [] });
    expect(r.days_incomplete[0]!.reason).toMatch(/no rows/);
    const { start, end } = localDayBoundsUtc('2019-11-03', 'America/New_York');
    expect(await feed.loadForecasts.range('PJM', start, end)).toEqual([]);
  });
});
