import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { createBattery, newOrg, openErcotDay, storeDaPrices, type Org } from './trading-fixtures.js';

/** Cheap hours 1–2 at 10 $/MWh, dear hours 18–19 at 100 $/MWh, 30 otherwise. */
const spread = (h: number) => (h === 1 || h === 2 ? 10 : h === 18 || h === 19 ? 100 : 30);

describeEachBackend('optimisation and backtests API', (backend) => {
  let server: TestServer;
  let org: Org;
  let other: Org;
  beforeAll(async () => {
    server = await startTestServer(backend);
    org = await newOrg(server);
    other = await newOrg(server);
  });
  afterAll(async () => server?.close());

  const optimize = (token: string, payload: unknown) => server.app.inject({ method: 'POST', url: '/api/optimize', headers: bearer(token), payload });

  it('finds the hand-checkable optimal battery schedule, returns ISO-valid curves, and turns them into a bid', async () => {
    const asset = await createBattery(server, org.trader, 'Arbitrage battery');
    const day = openErcotDay();
    const prices = Array.from({ length: day.hours }, (_, h) => spread(h));
    const res = await optimize(org.trader, { asset_id: asset.id, run: 'DA', delivery_date: day.date, price_source: { type: 'explicit', prices } });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    // 10 MW / 40 MWh, η = 0.95 each way, SoC 20 → ≥ 20 at the end, wear 2 $/MWh discharged.
    // By hand: sell 10 MW in both 100 $ hours (20 MWh, taking 20/0.95 MWh from storage); put it back by
    // buying 20/0.95² = 22.16 MWh: 20 MWh in the two 10 $ hours (the power limit) and the 2.16 MWh rest
    // at 30 $. Net = 2000 − 200 − 30·(20/0.9025 − 20) − 2·20 = 1695.18 $.
    expect(r.solver.status).toBe('optimal');
    expect(r.schedule).toHaveLength(day.hours);
    const charged = r.schedule.reduce((a: number, s: { charge_mw: number }) => a + s.charge_mw, 0);
    const discharged = r.schedule.reduce((a: number, s: { discharge_mw: number }) => a + s.discharge_mw, 0);
    const revenue = r.schedule.reduce((a: number, s: { discharge_mw: number; price_usd_per_mwh: number }) => a + s.discharge_mw * s.price_usd_per_mwh, 0);
    const cost = r.schedule.reduce((a: number, s: { charge_mw: number; price_usd_per_mwh: number }) => a + s.charge_mw * s.price_usd_per_mwh, 0);
    expect(r.expected_net_usd).toBeCloseTo(revenue - cost - 2 * discharged, 2);
    expect(discharged).toBeCloseTo(20, 6);
    expect(r.schedule[18].discharge_mw + r.schedule[19].discharge_mw).toBeCloseTo(20, 6);
    expect(r.schedule[1].charge_mw + r.schedule[2].charge_mw).toBeCloseTo(20, 6);
    expect(charged).toBeCloseTo(20 / 0.9025, 4);
    expect(r.expected_net_usd).toBeCloseTo(2000 - 200 - 30 * (20 / 0.9025 - 20) - 40, 2);
    expect(r.bid_issues).toEqual([]);
    expect(r.bid_curves).toHaveLength(day.hours);
    expect(r.bid_curves[18].segments.some((s: { mw: number }) => s.mw > 0)).toBe(true);

    const bid = await server.app.inject({ method: 'POST', url: `/api/optimize/${r.run_id}/bids`, headers: { ...bearer(org.trader), 'idempotency-key': 'opt-1' } });
    expect(bid.statusCode).toBe(201);
    expect(bid.json()).toMatchObject({ asset_id: asset.id, status: 'draft', delivery_date: day.date });
    const again = await server.app.inject({ method: 'POST', url: `/api/optimize/${r.run_id}/bids`, headers: { ...bearer(org.trader), 'idempotency-key': 'opt-1' } });
    expect(again.json().id).toBe(bid.json().id);
    const submit = await server.app.inject({ method: 'POST', url: `/api/bids/${bid.json().id}/submit`, headers: bearer(org.trader) });
    expect(submit.json().status).toBe('accepted');

    // Another organisation cannot see or use the run.
    const foreign = await server.app.inject({ method: 'POST', url: `/api/optimize/${r.run_id}/bids`, headers: bearer(other.trader) });
    expect(foreign.statusCode).toBe(404);
  });

  it('answers an unreachable state-of-charge target with a clear 422', async () => {
    const asset = await createBattery(server, org.trader, 'Infeasible battery');
    const day = openErcotDay();
    const res = await optimize(org.trader, {
      asset_id: asset.id,
      run: 'DA',
      delivery_date: day.date,
      price_source: { type: 'explicit', prices: Array.from({ length: day.hours }, () => 30) },
      options: { soc_initial_mwh: 4, soc_terminal_min_mwh: 40.5 },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toMatch(/infeasible/);
  });

  it('needs stored prices for a historical source, uses them when present, and checks the hour count', async () => {
    const asset = await createBattery(server, org.trader, 'Historical battery');
    const day = openErcotDay();
    const missing = await optimize(org.trader, { asset_id: asset.id, run: 'DA', delivery_date: day.date, price_source: { type: 'historical' } });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().error.message).toMatch(/cover 0 of/);
    await storeDaPrices(server, day.date);
    const ok = await optimize(org.trader, { asset_id: asset.id, run: 'DA', delivery_date: day.date, price_source: { type: 'historical' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().schedule[2].price_usd_per_mwh).toBe(15);
    const short = await optimize(org.trader, { asset_id: asset.id, run: 'DA', delivery_date: day.date, price_source: { type: 'explicit', prices: Array.from({ length: 23 }, () => 1) } });
    expect(short.statusCode).toBe(day.hours === 23 ? 200 : 422);
  });

  it('refuses a viewer (403) and an unknown asset (404)', async () => {
    const day = openErcotDay();
    const body = { asset_id: '00000000-0000-4000-8000-000000000000', run: 'DA', delivery_date: day.date, price_source: { type: 'historical' } };
    expect((await optimize(org.viewer, body)).statusCode).toBe(403);
    expect((await optimize(org.trader, body)).statusCode).toBe(404);
  });

  it('forecasts from stored history when asked, and runs a backtest with progress to a stored result', async () => {
    const file = 'nyiso_damlbmp_zone_nyc_2020-03-02_04-30.csv.gz';
    await server.ctx.imports.importFiles([{ name: file, data: new Uint8Array(fs.readFileSync(new URL(`./fixtures/${file}`, import.meta.url))) }], {}, { organization_id: null, user_id: null, origin: 'seed' }, null);
    const asset = await server.app.inject({
      method: 'POST',
      url: '/api/assets',
      headers: bearer(org.trader),
      payload: { name: 'NYC battery', type: 'battery', market: 'nyiso', location: 'N.Y.C.', params: { charge_power_mw: 1, discharge_power_mw: 1, energy_mwh: 2, charge_efficiency: 0.92, discharge_efficiency: 0.92, soc_min_mwh: 0, soc_max_mwh: 2, soc_initial_mwh: 1, degradation_cost_usd_per_mwh: 1, max_cycles_per_day: 1 } },
    });
    expect(asset.statusCode).toBe(201);
    const f = await optimize(org.trader, { asset_id: asset.json().id, run: 'DA', delivery_date: '2020-04-20', price_source: { type: 'forecast', model: 'weekly-naive' } });
    expect(f.statusCode).toBe(200);
    // No NYISO load forecast is stored here: the model runs on prices alone and says so.
    expect(f.json().price_source).toEqual({ type: 'forecast', model: 'weekly-naive', exogenous: [], exogenous_note: expect.stringMatching(/no NYISO load forecast \(NYIS\) is stored/) });
    expect(f.json().price_scope).toBe('shared');
    // Weekly naive: the forecast for 2020-04-20 hour h is the stored price of 2020-04-13 hour h.
    const week = await server.app.inject({ method: 'GET', url: '/api/prices?market=nyiso&location=N.Y.C.&start=2020-04-13&end=2020-04-14', headers: bearer(org.viewer) });
    expect(f.json().schedule.map((s: { price_usd_per_mwh: number }) => s.price_usd_per_mwh)).toEqual(week.json().items.map((p: { lmp_usd_per_mwh: number }) => Math.round(p.lmp_usd_per_mwh * 100) / 100));

    const events: { type: string; status: string }[] = [];
    const off = server.ctx.bus.subscribe(`org:${org.id}`, (m) => events.push(m as { type: string; status: string }));
    const start = await server.app.inject({
      method: 'POST',
      url: '/api/backtests',
      headers: bearer(org.trader),
      payload: { asset_id: asset.json().id, market: 'nyiso', location: 'N.Y.C.', start: '2020-04-01', end: '2020-04-10', strategy: 'persistence' },
    });
    expect(start.statusCode).toBe(202);
    const id = start.json().id;
    let view = start.json();
    for (let i = 0; i < 300 && ['queued', 'running'].includes(view.status); i++) {
      await new Promise((r) => setTimeout(r, 200));
      view = (await server.app.inject({ method: 'GET', url: `/api/backtests/${id}`, headers: bearer(org.viewer) })).json();
    }
    off();
    expect(view.status, view.error).toBe('succeeded');
    expect(view.progress.fraction).toBe(1);
    expect(view.result.daily).toHaveLength(10);
    expect(view.result.perfect_foresight_net_usd).toBeGreaterThan(0);
    expect(view.result.capture_rate).toBeGreaterThan(0);
    expect(view.result.capture_rate).toBeLessThanOrEqual(1 + 1e-9);
    expect(events.some((e) => e.type === 'backtest_progress' && e.status === 'succeeded')).toBe(true);
    const list = (await server.app.inject({ method: 'GET', url: '/api/backtests', headers: bearer(org.viewer) })).json();
    expect(list.items.map((b: { id: string }) => b.id)).toContain(id);
    expect((await server.app.inject({ method: 'GET', url: `/api/backtests/${id}`, headers: bearer(other.owner) })).statusCode).toBe(404);
    const bad = await server.app.inject({ method: 'POST', url: '/api/backtests', headers: bearer(org.trader), payload: { asset_id: asset.json().id, market: 'nyiso', location: 'N.Y.C.', start: '2020-04-01', end: '2020-04-10', strategy: 'forecast:crystal-ball' } });
    expect(bad.statusCode).toBe(422);
  });
});
