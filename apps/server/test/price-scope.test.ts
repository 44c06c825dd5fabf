/**
 * An organisation's own price series is usable by its own work (issue 13,
 * finding 1): with `price_scope: own` its optimisations, backtests and
 * forecasts read its imported series; by default they read the shared market;
 * another organisation asking for `own` gets a 422 and never A's prices.
 *
 * The shared market holds the real NYISO N.Y.C. DA prices of 2020-03-02 …
 * 04-30; organisation A imports its own N.Y.C. series over the same days with
 * a fingerprint no real day has: 20 + the hour index, every day.
 */
import fs from 'node:fs';
import { addDaysYmd, localDayBoundsUtc } from '@optibid/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { multipart } from './multipart.js';
import { newOrg, type Org } from './trading-fixtures.js';

const NY_TZ = 'America/New_York';
const NYC_FILE = new URL('./fixtures/nyiso_damlbmp_zone_nyc_2020-03-02_04-30.csv.gz', import.meta.url);
const own = (k: number) => 20 + k;
const BATTERY = { charge_power_mw: 1, discharge_power_mw: 1, energy_mwh: 2, charge_efficiency: 0.92, discharge_efficiency: 0.92, soc_min_mwh: 0, soc_max_mwh: 2, soc_initial_mwh: 1, degradation_cost_usd_per_mwh: 1, max_cycles_per_day: 1 };

/** A gridstatus-style CSV of N.Y.C. DA prices `own(hour index)` for every local day of [from, to]. */
function ownCsv(from: string, to: string): string {
  const lines = ['interval_start_utc,interval_end_utc,location,lmp'];
  for (let d = from; d <= to; d = addDaysYmd(d, 1)) {
    const day = localDayBoundsUtc(d, NY_TZ);
    for (let k = 0, t = day.start.getTime(); t < day.end.getTime(); k++, t += 3_600_000) lines.push(`${new Date(t).toISOString()},${new Date(t + 3_600_000).toISOString()},N.Y.C.,${own(k)}`);
  }
  return lines.join('\n') + '\n';
}

describeEachBackend('price scope: shared market or the organisation’s own series', (backend) => {
  let server: TestServer;
  let a: Org;
  let b: Org;
  const asset: Record<string, string> = {};
  let ownRows = 0;

  beforeAll(async () => {
    server = await startTestServer(backend);
    const shared = await server.ctx.imports.importFiles([{ name: 'nyc.csv.gz', data: new Uint8Array(fs.readFileSync(NYC_FILE)) }], {}, { organization_id: null, user_id: null, origin: 'seed' }, null);
    expect(shared.inserted).toBeGreaterThan(1400);
    a = await newOrg(server);
    b = await newOrg(server);
    const csv = ownCsv('2020-03-02', '2020-04-30');
    ownRows = csv.trim().split('\n').length - 1;
    expect(ownRows).toBe(60 * 24 - 1); // 2020-03-08 has 23 hours
    const body = multipart([{ name: 'own.csv', data: csv }], { format: 'gridstatus_lmp', market: 'NYISO' });
    const imported = await server.app.inject({ method: 'POST', url: '/api/prices/import', headers: { ...bearer(a.owner), ...body.headers }, payload: body.payload });
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toMatchObject({ scope: 'own', inserted: ownRows });
    for (const [k, org] of [['a', a], ['b', b]] as const) {
      const res = await server.app.inject({ method: 'POST', url: '/api/assets', headers: bearer(org.trader), payload: { name: 'NYC battery', type: 'battery', market: 'nyiso', location: 'N.Y.C.', params: BATTERY } });
      expect(res.statusCode, res.body).toBe(201);
      asset[k] = res.json().id;
    }
  }, 60_000);
  afterAll(async () => server?.close());

  const inject = (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    server.app.inject({ method, url, headers: bearer(token), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const pricesOf = (r: { json(): { schedule: { price_usd_per_mwh: number }[] } }) => r.json().schedule.map((s) => s.price_usd_per_mwh);
  const sharedDay = async (date: string) => (await inject(a.viewer, 'GET', `/api/prices?market=nyiso&location=N.Y.C.&start=${date}&end=${addDaysYmd(date, 1)}`)).json().items.map((p: { lmp_usd_per_mwh: number }) => Math.round(p.lmp_usd_per_mwh * 100) / 100);
  const fingerprint = Array.from({ length: 24 }, (_, k) => own(k));

  it('lists the series a scope holds: A its own, B none, shared by market; own needs a sign-in', async () => {
    const mine = (await inject(a.viewer, 'GET', '/api/prices/series?scope=own')).json();
    expect(mine).toEqual({ scope: 'own', items: [expect.objectContaining({ market: 'NYISO', location: 'N.Y.C.', run: 'DA', intervals: ownRows })] });
    expect((await inject(b.viewer, 'GET', '/api/prices/series?scope=own')).json()).toEqual({ scope: 'own', items: [] });
    const shared = (await inject(b.viewer, 'GET', '/api/prices/series?market=nyiso')).json();
    expect(shared.scope).toBe('shared');
    expect(shared.items).toEqual([expect.objectContaining({ location: 'N.Y.C.', run: 'DA' })]);
    expect(shared.items[0].intervals).toBeLessThan(60 * 24);
    expect((await inject(b.viewer, 'GET', '/api/prices/series')).statusCode).toBe(400);
    expect((await server.app.inject({ method: 'GET', url: '/api/prices/series?scope=own' })).statusCode).toBe(401);
  });

  it('optimises on A’s own prices when A asks, on the shared market by default; B asking for its own is a 422', async () => {
    const date = '2020-04-20';
    const body = { asset_id: asset.a, run: 'DA', delivery_date: date, price_source: { type: 'historical' } };
    const mine = await inject(a.trader, 'POST', '/api/optimize', { ...body, price_scope: 'own' });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().price_scope).toBe('own');
    expect(pricesOf(mine)).toEqual(fingerprint);
    const byDefault = await inject(a.trader, 'POST', '/api/optimize', body);
    expect(byDefault.json().price_scope).toBe('shared');
    expect(pricesOf(byDefault)).toEqual(await sharedDay(date));

    // A forecast source reads the same series: the weekly naive repeats a week before of the scope asked.
    const fc = { ...body, price_source: { type: 'forecast', model: 'weekly-naive' } };
    expect(pricesOf(await inject(a.trader, 'POST', '/api/optimize', { ...fc, price_scope: 'own' }))).toEqual(fingerprint);
    expect(pricesOf(await inject(a.trader, 'POST', '/api/optimize', fc))).toEqual(await sharedDay(addDaysYmd(date, -7)));

    for (const payload of [{ ...body, asset_id: asset.b, price_scope: 'own' }, { ...fc, asset_id: asset.b, price_scope: 'own' }]) {
      const theirs = await inject(b.trader, 'POST', '/api/optimize', payload);
      expect(theirs.statusCode, theirs.body).toBe(422);
      expect(theirs.json().error.message).toMatch(/your organisation has no own (DA|DA or RTH) prices for NYISO N\.Y\.C\./);
      expect(theirs.body).not.toMatch(/"price_usd_per_mwh":2\d/);
    }
    // A's own series has no day outside what it imported.
    const outside = await inject(a.trader, 'POST', '/api/optimize', { ...body, delivery_date: '2020-05-20', price_scope: 'own' });
    expect(outside.statusCode).toBe(422);
  }, 60_000);

  async function backtest(org: Org, assetId: string, extra: Record<string, unknown>) {
    const start = await inject(org.trader, 'POST', '/api/backtests', { asset_id: assetId, market: 'nyiso', location: 'N.Y.C.', start: '2020-04-01', end: '2020-04-10', strategy: 'perfect', ...extra });
    if (start.statusCode !== 202) return start;
    await server.ctx.optimization.backtests.idle();
    return inject(org.viewer, 'GET', `/api/backtests/${start.json().id}`);
  }

  it('backtests on A’s own series when asked (every day the same prices, so the same P&L), the shared market by default; B own is a 422', async () => {
    const mine = (await backtest(a, asset.a, { price_scope: 'own' })).json();
    expect(mine.status, mine.error).toBe('succeeded');
    expect(mine.config.price_scope).toBe('own');
    const net = mine.result.daily.slice(1, -1).map((d: { net_usd: number }) => d.net_usd.toFixed(6));
    expect(new Set(net).size).toBe(1);
    const shared = (await backtest(a, asset.a, {})).json();
    expect(shared.status, shared.error).toBe('succeeded');
    expect(shared.config.price_scope).toBe('shared');
    expect(new Set(shared.result.daily.slice(1, -1).map((d: { net_usd: number }) => d.net_usd.toFixed(6))).size).toBeGreaterThan(1);
    expect(shared.result.net_usd).not.toBeCloseTo(mine.result.net_usd, 2);

    const theirs = await backtest(b, asset.b, { price_scope: 'own' });
    expect(theirs.statusCode).toBe(422);
    expect(theirs.json().error.message).toMatch(/no own DA prices for NYISO N\.Y\.C\./);
  }, 120_000);

  it('forecasts on A’s own series when asked, stored apart from the shared forecast; B sees none of it', async () => {
    const reg = await inject(a.owner, 'POST', '/api/models', { name: 'NYC weekly', market: 'nyiso', location: 'N.Y.C.', model_type: 'weekly-naive' });
    expect(reg.statusCode, reg.body).toBe(201);
    const t = await inject(a.owner, 'POST', `/api/models/${reg.json().id}/versions`, { eval_days: 8, warmup_days: 0 });
    expect(t.statusCode, t.body).toBe(202);
    await server.ctx.forecasting.registry.awaitRun(t.json().run.id);
    const version = t.json().version.id;
    const req = { market: 'NYISO', location: 'N.Y.C.', delivery_date: '2020-04-20', model_version_id: version };

    const mine = await inject(a.trader, 'POST', '/api/forecasts', { ...req, price_scope: 'own' });
    expect(mine.statusCode, mine.body).toBe(201);
    expect(mine.json().price_scope).toBe('own');
    expect(mine.json().hours.map((h: { point: number }) => h.point)).toEqual(fingerprint);
    const shared = await inject(a.trader, 'POST', '/api/forecasts', req);
    expect(shared.statusCode, shared.body).toBe(201);
    expect(shared.json().price_scope).toBe('shared');
    expect(shared.json().hours.map((h: { point: number }) => Math.round(h.point * 100) / 100)).toEqual(await sharedDay('2020-04-13'));
    expect(shared.json().id).not.toBe(mine.json().id);
    const listed = (await inject(a.viewer, 'GET', '/api/forecasts?market=nyiso&location=N.Y.C.&delivery_date=2020-04-20&price_scope=own')).json().items;
    expect(listed.map((f: { id: string }) => f.id)).toEqual([mine.json().id]);

    // The optimiser's registry lookup takes the scope too.
    const opt = await inject(a.trader, 'POST', '/api/optimize', { asset_id: asset.a, run: 'DA', delivery_date: '2020-04-20', price_source: { type: 'forecast', model_version_id: version }, price_scope: 'own' });
    expect(opt.statusCode, opt.body).toBe(200);
    expect(opt.json().price_source.model_version_id).toBe(version);
    expect(pricesOf(opt)).toEqual(mine.json().hours.map((h: { p50: number }) => Math.round(h.p50 * 100) / 100));

    // A training on A's own series evaluates on it.
    const ownTrain = await inject(a.owner, 'POST', `/api/models/${reg.json().id}/versions`, { eval_days: 8, warmup_days: 0, price_scope: 'own' });
    expect(ownTrain.statusCode, ownTrain.body).toBe(202);
    await server.ctx.forecasting.registry.awaitRun(ownTrain.json().run.id);
    const ownRun = (await inject(a.viewer, 'GET', `/api/runs/${ownTrain.json().run.id}`)).json();
    expect(ownRun).toMatchObject({ status: 'finished', price_scope: 'own' });
    // The weekly naive is exact on a series that repeats every day.
    expect(ownRun.metrics.mae).toBeCloseTo(0, 9);

    // B: its own model on the shared market works; asking for its own series is a 422 and shows nothing of A's.
    const regB = await inject(b.owner, 'POST', '/api/models', { name: 'NYC weekly', market: 'nyiso', location: 'N.Y.C.', model_type: 'weekly-naive' });
    const tB = await inject(b.owner, 'POST', `/api/models/${regB.json().id}/versions`, { eval_days: 8, warmup_days: 0 });
    await server.ctx.forecasting.registry.awaitRun(tB.json().run.id);
    const theirs = await inject(b.trader, 'POST', '/api/forecasts', { ...req, model_version_id: tB.json().version.id, price_scope: 'own' });
    expect(theirs.statusCode, theirs.body).toBe(422);
    expect(theirs.json().error.message).toMatch(/your organisation has no own DA or RTH prices for NYISO N\.Y\.C\./);
    expect((await inject(b.owner, 'POST', `/api/models/${regB.json().id}/versions`, { eval_days: 8, price_scope: 'own' })).statusCode).toBe(422);
    expect((await inject(b.viewer, 'GET', '/api/forecasts?price_scope=own')).json().items).toEqual([]);
    expect((await inject(b.trader, 'POST', '/api/forecasts', { ...req, price_scope: 'own' })).statusCode).toBe(404);
  }, 120_000);
});
