/** Plans and flags change what the trading, optimisation and forecasting modules allow. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, registerUser, startTestServer, type TestServer } from './helpers.js';
import { BATTERY, createBattery, newOrg, openErcotDay, type Org } from './trading-fixtures.js';

describeEachBackend('quotas and feature flags in the trading loop', (backend) => {
  let server: TestServer;
  let org: Org;
  let admin: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    org = await newOrg(server, { plan: 'free' });
    const a = await registerUser(server.app);
    await server.ctx.repos.accounts.updateUser(a.user.id, { is_platform_admin: true });
    admin = a.access_token;
  });
  afterAll(async () => server?.close());

  it('refuses the sixth asset on the free plan with 403 naming the limit, and lifts it on pro', async () => {
    for (let i = 0; i < 5; i++) await createBattery(server, org.trader, `B${i}`);
    const sixth = await server.app.inject({ method: 'POST', url: '/api/assets', headers: bearer(org.trader), payload: { name: 'B5', type: 'battery', market: 'ercot', location: 'HB_HOUSTON', params: BATTERY } });
    expect(sixth.statusCode).toBe(403);
    expect(sixth.json().error.message).toMatch(/assets/);
    expect(JSON.stringify(sixth.json().error.details)).toMatch(/"limit":5/);
    const up = await server.app.inject({ method: 'PUT', url: `/api/admin/subscriptions/${org.id}`, headers: bearer(admin), payload: { plan_id: 'pro' } });
    expect(up.statusCode).toBe(200);
    expect((await createBattery(server, org.trader, 'B5')).id).toBeTruthy();
  });

  it('counts bids per day: a replayed create is free, a new one counts', async () => {
    const asset = await createBattery(server, org.trader, 'Counting battery');
    const day = openErcotDay();
    const before = (await server.app.inject({ method: 'GET', url: '/api/usage', headers: bearer(org.owner) })).json();
    const payload = { asset_id: asset.id, run: 'DA', delivery_date: day.date, curves: Array.from({ length: day.hours }, () => [{ mw: 5, price_usd_per_mwh: 40 }]) };
    const first = await server.app.inject({ method: 'POST', url: '/api/bids', headers: { ...bearer(org.trader), 'idempotency-key': 'count-1' }, payload });
    expect(first.statusCode).toBe(201);
    const replay = await server.app.inject({ method: 'POST', url: '/api/bids', headers: { ...bearer(org.trader), 'idempotency-key': 'count-1' }, payload });
    expect(replay.statusCode).toBe(201);
    const after = (await server.app.inject({ method: 'GET', url: '/api/usage', headers: bearer(org.owner) })).json();
    const used = (u: { quotas: { metric: string; used: number }[] }) => u.quotas.find((q) => q.metric === 'bids_per_day')!.used;
    expect(used(after)).toBe(used(before) + 1);
  });

  it('gates auction-mode clearing behind the auction_clearing flag', async () => {
    const day = openErcotDay();
    const off = await server.app.inject({ method: 'PUT', url: `/api/admin/features/auction_clearing/overrides/${(await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(admin) })).json().organization.id}`, headers: bearer(admin), payload: { enabled: false } });
    expect(off.statusCode).toBe(200);
    const refused = await server.app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(admin), payload: { run: 'DA', delivery_date: day.date, mode: 'auction' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/auction_clearing/);
    const features = (await server.app.inject({ method: 'GET', url: '/api/features', headers: bearer(admin) })).json();
    expect(JSON.stringify(features)).toMatch(/auction_clearing/);
  });

  it('gates our own forecast models behind the own_forecast_model flag', async () => {
    for (const model_type of ['lear-rw', 'hybrid-rw', 'gbm:364', 'ridge:84']) {
      const res = await server.app.inject({ method: 'POST', url: '/api/models', headers: bearer(org.owner), payload: { name: 'ours', market: 'ercot', location: 'HB_HOUSTON', model_type } });
      expect(res.statusCode, model_type).toBe(403);
      expect(res.json().error.message).toMatch(/own_forecast_model/);
    }
    // Named anywhere else an organisation can run a model: the optimiser's ad-hoc forecast and a backtest's strategy.
    const battery = await createBattery(server, org.trader, 'flagged battery');
    const day = openErcotDay();
    const optimize = () =>
      server.app.inject({ method: 'POST', url: '/api/optimize', headers: bearer(org.trader), payload: { asset_id: battery.id, run: 'DA', delivery_date: day.date, price_source: { type: 'forecast', model: 'ridge:84' } } });
    const backtest = () =>
      server.app.inject({ method: 'POST', url: '/api/backtests', headers: bearer(org.trader), payload: { market: 'ERCOT', location: 'HB_HOUSTON', battery: BATTERY, start: '2015-06-01', end: '2015-06-03', strategy: 'forecast:gbm:364' } });
    for (const res of [await optimize(), await backtest()]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error.message).toMatch(/own_forecast_model/);
    }
    await server.app.inject({ method: 'PUT', url: `/api/admin/features/own_forecast_model/overrides/${org.id}`, headers: bearer(admin), payload: { enabled: true } });
    // With the flag they pass the gate (this test database has no prices to run them on: 422, not 403).
    for (const res of [await optimize(), await backtest()]) expect(res.statusCode, res.body).not.toBe(403);
    const ok = await server.app.inject({ method: 'POST', url: '/api/models', headers: bearer(org.owner), payload: { name: 'ours', market: 'ercot', location: 'HB_HOUSTON', model_type: 'lear-rw' } });
    expect(ok.statusCode).toBe(201);
  });
});
