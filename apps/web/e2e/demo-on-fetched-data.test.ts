/**
 * The demo on fetched data (issue 15): the built server in demo mode with
 * MARKET_DATA_SOURCE=iso and every ISO base URL pointed at the ISO test server, started here
 * in "replay as today" mode (apps/server/test/iso-replay-today.ts: a request for a day no
 * recording holds is answered with a recorded file of a day of the same length, re-dated, its
 * values unchanged). The server's own fetch job asks for today's files on its real clock; the
 * dashboard then shows the fetched prices, checked against the replayed files, the status page
 * shows the datasets fresh, and the fetched EIA-930 load forecast is stored and served; the ERCOT
 * forecast of the newest fetched day runs on it (a forecast stored earlier on the demo's load
 * forecast, its gate still open, is made again on the fetched one).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dayAheadGateClosure, localDateOf, localDayBoundsUtc, parseLoadForecastFile, parsePriceFile, type NormalizedPriceRow } from '@optibid/core';
import { DEMO_ADMIN, missingBuild, startHarness, type Harness } from './harness.js';
import { fixtureBytes, isoBaseUrlEnv, IsoTestServer } from '../../server/test/iso-test-server.js';
import { replayedEia930, replayedFile, type ReplayedDataset } from '../../server/test/iso-replay-today.js';

const missing = missingBuild();
const required = process.env.REQUIRE_INTEGRATION === '1';

interface Latest {
  location: string;
  run: string;
  interval_start: string;
  lmp_usd_per_mwh: number;
}
interface FetchRecord {
  market: string;
  dataset: string;
  url: string;
  days: string[];
  ok: boolean;
  rows_inserted: number;
  rows_updated: number;
}
interface ForecastView {
  origin: string;
  delivery_date: string;
  gate_closure: string;
  created_at: string;
  model_version_id: string;
  exogenous: { series: string; market: string; area: string; known_at: string; sources: string[] }[];
  exogenous_note: string | null;
}
interface Freshness {
  market: string;
  dataset: string;
  stale: boolean;
  newest_complete_day: string | null;
}

/** What the importer reads from the replayed file of `day`. */
function replayedRows(dataset: ReplayedDataset, day: string, name: string): NormalizedPriceRow[] {
  return parsePriceFile({ name, data: replayedFile(dataset, day, fixtureBytes) }).flatMap((r) => r.rows);
}
const dollars = (v: number) => `${new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v)} $/MWh`;

describe.skipIf(missing !== null && !required)('the demo on fetched ISO data, in Chromium', () => {
  const iso = new IsoTestServer({ replayToday: true });
  let h: Harness;
  let token = '';

  beforeAll(async () => {
    if (missing) throw new Error(`REQUIRE_INTEGRATION=1 but ${missing}`);
    await iso.start();
    h = await startHarness({
      readyTimeoutMs: 300_000,
      env: { ...isoBaseUrlEnv(iso.url), MARKET_DATA_SOURCE: 'iso', ERCOT_API_SUBSCRIPTION_KEY: 'e2e-key', ERCOT_API_ID_TOKEN: 'e2e-token', ISO_FETCH_BACKOFF_MS: '50' },
    });
    const r = await fetch(h.url('/api/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DEMO_ADMIN) });
    token = ((await r.json()) as { access_token: string }).access_token;
  }, 320_000);
  afterAll(async () => {
    await h?.close();
    await iso.stop();
  });

  const get = async <T,>(path: string): Promise<T> => {
    const r = await fetch(h.url(path), { headers: { authorization: `Bearer ${token}` } });
    expect(r.status, path).toBe(200);
    return (await r.json()) as T;
  };

  test("the fetch job fills today's NYISO and ERCOT data from the ISO test server; the status page shows them fresh", async () => {
    const wanted = [
      ['NYISO', 'da-lmp'],
      ['NYISO', 'rt-lmp'],
      ['NYISO', 'load-forecast'],
      ['ERCOT', 'da-lmp'],
      ['ERCOT', 'load-forecast'],
    ];
    const deadline = Date.now() + 300_000;
    for (;;) {
      const status = await get<{ source: string; datasets: Freshness[] }>('/api/system-status/market-data');
      expect(status.source).toBe('iso');
      const views = wanted.map(([m, d]) => status.datasets.find((x) => x.market === m && x.dataset === d));
      if (views.every((v) => v && !v.stale)) break;
      if (Date.now() > deadline) throw new Error(`datasets still stale: ${JSON.stringify(views)}\n${h.server.logs().slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    // The server asked the ISO test server for today's files at the ISOs' own paths.
    const today = localDateOf(Date.now(), 'America/New_York').replace(/-/g, '');
    expect(iso.requests.some((q) => q.path === `/public/csv/rtlbmp/${today}rtlbmp_zone.csv` && q.status === 200)).toBe(true);
    expect(iso.requests.some((q) => q.path.startsWith('/api/public-reports/archive/np4-190-cd?download=replay-') && q.status === 200)).toBe(true);

    const page = await h.newPage();
    await page.goto(h.url('/system-status'));
    for (const [m, d] of wanted) await page.getByTestId(`freshness-${m}-${d}`).getByText('fresh', { exact: true }).waitFor();
    await expect(page.getByTestId('market-data-source').innerText()).resolves.toBe('iso');
  }, 320_000);

  test('the dashboard shows the fetched prices: NYISO N.Y.C. real-time and ERCOT HB_HOUSTON day-ahead, as the replayed files say', async () => {
    const page = await h.newPage();
    await h.login(page, DEMO_ADMIN.email, DEMO_ADMIN.password);
    const cases = [
      { market: 'NYISO', location: 'N.Y.C.', run: 'RTH', tz: 'America/New_York', dataset: 'rtlbmp' as const, feed: 'rt-lmp', name: (d: string) => `${d.replace(/-/g, '')}rtlbmp_zone.csv` },
      { market: 'ERCOT', location: 'HB_HOUSTON', run: 'DA', tz: 'America/Chicago', dataset: 'np4190' as const, feed: 'da-lmp', name: () => 'DAMSPNP4190.csv' },
    ];
    const fetches = (await get<{ fetches: FetchRecord[] }>('/api/market-feed/fetches?limit=1000')).fetches;
    for (const c of cases) {
      const tile = page.getByTestId(`live-price-${c.market.toLowerCase()}`);
      await tile.waitFor();
      // An hour may turn between reading the API and the tile: try again on the next hour's value.
      for (let attempt = 0; ; attempt++) {
        const latest = (await get<{ items: Latest[] }>(`/api/prices/latest?market=${c.market}`)).items.find((l) => l.location === c.location && l.run === c.run)!;
        expect(latest, `${c.market} ${c.location} ${c.run}`).toBeTruthy();
        const day = localDateOf(new Date(latest.interval_start), c.tz);
        // The fetch job downloaded that day's file and stored its rows over the demo's (the demo's values are another day's).
        const rec = fetches.find((f) => f.market === c.market && f.dataset === c.feed && f.ok && f.days.includes(day) && !f.url.includes('postDatetimeFrom'));
        expect(rec, `${c.market} ${c.feed} ${day}: ${JSON.stringify(fetches.filter((f) => f.market === c.market).slice(0, 5))}`).toBeTruthy();
        expect(rec!.rows_inserted + rec!.rows_updated).toBeGreaterThan(0);
        const row = replayedRows(c.dataset, day, c.name(day)).find((r) => r.location === c.location && r.interval_start.toISOString() === latest.interval_start);
        expect(row?.lmp_usd_per_mwh).toBe(latest.lmp_usd_per_mwh);
        const shown = await tile.innerText();
        if (shown === dollars(latest.lmp_usd_per_mwh)) break;
        if (attempt >= 2) expect(shown).toBe(dollars(latest.lmp_usd_per_mwh));
        await page.reload();
        await tile.waitFor();
      }
    }
    await h.screenshot(page, 'dashboard-fetched-data');
  }, 180_000);

  test("NYISO's fetched day-ahead prices are the NYISO file's, and its fetched load forecast is stored and served", async () => {
    const day = localDateOf(Date.now(), 'America/New_York');
    const expected = replayedRows('damlbmp', day, `${day.replace(/-/g, '')}damlbmp_zone.csv`).filter((r) => r.location === 'N.Y.C.');
    expect(expected.length).toBeGreaterThanOrEqual(23);
    const first = expected[0]!.interval_start;
    const end = new Date(expected[expected.length - 1]!.interval_start.getTime() + 3_600_000);
    const prices = await get<{ items: { interval_start: string; lmp_usd_per_mwh: number }[] }>(
      `/api/prices?market=NYISO&location=N.Y.C.&run=DA&start=${first.toISOString()}&end=${end.toISOString()}`,
    );
    expect(prices.items.map((p) => [p.interval_start, p.lmp_usd_per_mwh])).toEqual(expected.map((r) => [r.interval_start.toISOString(), r.lmp_usd_per_mwh]));

    // Today's NYISO demand forecast (the day the schedule always fetches), from the replayed EIA-930 file.
    const lf = parseLoadForecastFile({ name: 'NYIS.csv', data: replayedEia930('NYIS', new Date(), fixtureBytes) }, { market: 'NYISO' }).rows;
    const todays = lf.filter((r) => r.interval_start >= first && r.interval_start < end);
    expect(todays.length).toBe(expected.length);
    const served = await get<{ items: { interval_start: string; load_forecast_mw: number; source: string }[] }>(`/api/load-forecasts?market=NYISO&start=${first.toISOString()}&end=${end.toISOString()}`);
    expect(served.items.map((x) => [x.interval_start, x.load_forecast_mw])).toEqual(todays.map((r) => [r.interval_start.toISOString(), r.load_forecast_mw]));
    expect(new Set(served.items.map((x) => x.source))).toEqual(new Set(['eia930_demand:NYIS.csv']));
    expect(h.pageErrors).toEqual([]);
  }, 120_000);

  test("the ERCOT HB_HOUSTON forecast of the newest fetched day runs on the fetched load forecast, not the demo's", async () => {
    // The daily job registers, trains and promotes the ERCOT Houston default at start, with ERCOT's load forecast.
    let production: { id: string; exogenous: { area: string }[] } | null = null;
    for (const deadline = Date.now() + 240_000; !production; await new Promise((r) => setTimeout(r, 2000))) {
      const models = (await get<{ items: { location: string; managed_by_job: boolean; production_version: { id: string; exogenous: { area: string }[] } | null }[] }>('/api/models?market=ERCOT')).items;
      production = models.find((m) => m.location === 'HB_HOUSTON' && m.managed_by_job && m.production_version)?.production_version ?? null;
      if (!production && Date.now() > deadline) throw new Error(`no ERCOT HB_HOUSTON production model\n${h.server.logs().slice(-4000)}`);
    }
    expect(production.exogenous.map((x) => x.area)).toEqual(['ERCO']);

    const status = await get<{ datasets: Freshness[] }>('/api/system-status/market-data');
    const day = status.datasets.find((x) => x.market === 'ERCOT' && x.dataset === 'load-forecast')!.newest_complete_day!;
    const fetches = (await get<{ fetches: (FetchRecord & { started_at: string })[] }>('/api/market-feed/fetches?limit=1000')).fetches;
    const rec = fetches.find((f) => f.market === 'ERCOT' && f.dataset === 'load-forecast' && f.ok && f.days.includes(day));
    expect(rec, `ERCOT load-forecast ${day}`).toBeTruthy();

    // The day's hours known at its gate are all the fetched file's: the demo's were replaced.
    const { start, end } = localDayBoundsUtc(day, 'America/Chicago');
    const gate = dayAheadGateClosure('ERCOT', day).toISOString();
    const known = await get<{ items: { load_forecast_mw: number; source: string }[] }>(`/api/load-forecasts?market=ERCOT&start=${start.toISOString()}&end=${end.toISOString()}&known_at=${gate}`);
    expect(known.items.length).toBeGreaterThanOrEqual(23);
    expect(new Set(known.items.map((x) => x.source))).toEqual(new Set(['eia930_demand:ERCO.csv']));

    // The production forecast of that day, as the dashboard's user asks for it (the job may have stored it first).
    const r = await fetch(h.url('/api/forecasts'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ market: 'ERCOT', location: 'HB_HOUSTON', delivery_date: day }),
    });
    const f = (await r.json()) as ForecastView;
    expect([200, 201], JSON.stringify(f)).toContain(r.status);
    expect(f.model_version_id).toBe(production.id);
    expect(f.exogenous_note).toBeNull();
    expect(f.exogenous).toEqual([expect.objectContaining({ series: 'load_forecast', market: 'ERCOT', area: 'ERCO', known_at: gate })]);
    expect(f.exogenous[0]!.sources).toContain('eia930_demand:ERCO.csv');
    // Made on the fetched hours: after the fetch stored them.
    expect(Date.parse(f.created_at)).toBeGreaterThanOrEqual(Date.parse(rec!.started_at));
    // Whatever the daily job stored for that day is this same forecast (one per version and day).
    const listed = await get<{ items: ForecastView[] }>(`/api/forecasts?market=ERCOT&location=HB_HOUSTON&delivery_date=${day}&model_version_id=${production.id}`);
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]!.exogenous[0]!.sources).toContain('eia930_demand:ERCO.csv');
  }, 300_000);
});
