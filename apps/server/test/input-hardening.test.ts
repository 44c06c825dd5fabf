/**
 * Issue 13, findings 10 and 12: input that used to reach a 5xx or an
 * off-shape error. Each case answers 4xx with `{error: {code, message, request_id}}`.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { createBattery, createDaBid, movableClock, newOrg, openErcotDay, storeDaPrices, type Org } from './trading-fixtures.js';

function expectShape(res: { statusCode: number; body: string }, status: number, code?: string) {
  expect(res.statusCode, res.body).toBe(status);
  const e = JSON.parse(res.body).error;
  expect(typeof e.message).toBe('string');
  expect(typeof e.request_id).toBe('string');
  if (code) expect(e.code).toBe(code);
}

describeEachBackend('input hardening', (backend) => {
  const clock = movableClock();
  let server: TestServer;
  let org: Org;
  let assetId: string;
  beforeAll(async () => {
    server = await startTestServer(backend, {}, { now: clock.now });
    org = await newOrg(server);
    assetId = (await createBattery(server, org.owner)).id;
  });
  afterEach(() => clock.reset());
  afterAll(async () => server?.close());
  const get = (url: string, token = org.owner) => server.app.inject({ method: 'GET', url, headers: bearer(token) });

  it('a NUL byte in any query, path or body string is a 400', async () => {
    for (const url of ['/api/bids?status=a%00b', '/api/assets?type=%00', '/api/assets?location=x%00', '/api/org/audit?action=%00', '/api/forecasts?location=%00']) {
      expectShape(await get(url), 400, 'invalid_character');
    }
    const patch = await server.app.inject({ method: 'PATCH', url: '/api/auth/me', headers: bearer(org.owner), payload: { name: 'a\u0000b' } });
    expectShape(patch, 400, 'invalid_character');
    expect(JSON.parse(patch.body).error.details[0].field).toBe('name');
    const asset = await server.app.inject({ method: 'PATCH', url: `/api/assets/${assetId}`, headers: bearer(org.owner), payload: { name: 'bad\u0000name' } });
    expectShape(asset, 400, 'invalid_character');
    const key = await server.app.inject({ method: 'POST', url: '/api/org/api-keys', headers: bearer(org.owner), payload: { name: '\u0000', scopes: ['read'] } });
    expectShape(key, 400, 'invalid_character');
  });

  it('non-finite and out-of-range numbers are 400', async () => {
    for (const offset of ['Infinity', '1e309', '99999999999999999999']) expectShape(await get(`/api/bids?offset=${offset}`), 400);
    const raw = `{"name":"n","type":"battery","market":"ercot","location":"HB_HOUSTON","params":{"charge_power_mw":1e309,"discharge_power_mw":10,"energy_mwh":40}}`;
    const res = await server.app.inject({ method: 'POST', url: '/api/assets', headers: { ...bearer(org.owner), 'content-type': 'application/json' }, payload: raw });
    expectShape(res, 400, 'invalid_number');
    // A version number past PostgreSQL's integer range (a fuzz draw once reached the database with it).
    const stage = await server.app.inject({
      method: 'POST',
      url: '/api/models/00000000-0000-4000-8000-000000000000/versions/99999999999999999999/stage',
      headers: bearer(org.owner),
      payload: { stage: 'production' },
    });
    expectShape(stage, 400);
  });

  it('calendar-invalid dates matching YYYY-MM-DD are 400 in bids, optimisation and prices', async () => {
    const day = openErcotDay();
    for (const date of ['2026-02-30', '2026-13-01', '0000-00-00', '2100-02-29']) {
      const bid = await server.app.inject({ method: 'POST', url: '/api/bids', headers: bearer(org.owner), payload: { asset_id: assetId, run: 'DA', delivery_date: date, curves: [[{ mw: 1, price_usd_per_mwh: 10 }]] } });
      expectShape(bid, 400, 'validation_failed');
      const opt = await server.app.inject({ method: 'POST', url: '/api/optimize', headers: bearer(org.owner), payload: { asset_id: assetId, run: 'DA', delivery_date: date, price_source: { type: 'historical' } } });
      expectShape(opt, 400, 'validation_failed');
      expect(JSON.parse(opt.body).error.details.map((d: { field: string }) => d.field)).toEqual(['delivery_date']);
    }
    // A real leap day still passes validation (it then fails on its own merits, not as a date).
    const leap = await server.app.inject({ method: 'POST', url: '/api/optimize', headers: bearer(org.owner), payload: { asset_id: assetId, run: 'DA', delivery_date: '2028-02-29', price_source: { type: 'historical' } } });
    expect(leap.statusCode, leap.body).not.toBe(400);
    expect(day.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('a cursor or instant outside the years PostgreSQL and Date agree on is a 400', async () => {
    const day = openErcotDay();
    await storeDaPrices(server, day.date);
    const cursor = Buffer.from('+275760-09-13T00:00:00.000Z').toString('base64url');
    expectShape(await get(`/api/prices?market=ercot&location=HB_HOUSTON&start=${day.date}&end=2099-01-01&cursor=${cursor}`), 400);
    expectShape(await get(`/api/prices?market=ercot&location=HB_HOUSTON&start=2026-01-01&end=${encodeURIComponent('+275760-09-13T00:00:00Z')}`), 400);
  });

  it('auction clearing with empty or extreme curves never serialises NaN or answers 5xx', async () => {
    const { user, organization_id } = await server.ctx.auth.createAccount({ email: `op.${Date.now()}@example.com`, password: 'platform-password-1', name: 'Op', organization_name: 'Operator', role: 'owner', is_platform_admin: true });
    const admin = (await server.ctx.auth.issueSession(user, organization_id, { ip: '127.0.0.1', user_agent: 't' })).access_token;
    const day = openErcotDay();
    const bid = await createDaBid(server, org.owner, assetId, day.date, day.hours, [{ mw: 0.0000001, price_usd_per_mwh: 1e-9 }]);
    await server.app.inject({ method: 'POST', url: `/api/bids/${bid.json().id}/submit`, headers: bearer(org.owner) });
    // Past the day's gate closure (ERCOT 10:00, SPP 09:30 Central), when the market may clear it.
    clock.standAt(day.gate.getTime() + 60_000);
    const cases = [
      { residual_demand: [[]], rest_of_market_supply: [[]] },
      { residual_demand: [[{ mw: -1e308, price_usd_per_mwh: 1e308 }]], rest_of_market_supply: [[{ mw: 1e308, price_usd_per_mwh: -1e308 }]] },
      { residual_demand: [[{ mw: 0, price_usd_per_mwh: 0 }]], rest_of_market_supply: [[{ mw: 0, price_usd_per_mwh: 0 }]] },
    ];
    // A market day with no bids at all and empty curves has no price in any hour: refused before anything commits.
    const empty = await server.app.inject({ method: 'POST', url: '/api/markets/spp/clear', headers: bearer(admin), payload: { run: 'DA', delivery_date: day.date, mode: 'auction', ...cases[0] } });
    expectShape(empty, 422, 'validation_failed');
    expect(JSON.parse(empty.body).error.message).toMatch(/neither supply nor demand/);
    expect(await server.ctx.database.query(`SELECT 1 FROM market_clearings WHERE market = 'SPP'`)).toHaveLength(0);
    for (const c of cases) {
      const res = await server.app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(admin), payload: { run: 'DA', delivery_date: day.date, mode: 'auction', ...c } });
      expect(res.statusCode, res.body).toBeLessThan(500);
      expect(res.body).not.toMatch(/NaN|Infinity|null,"cleared_mw"/);
      // Cleared, or refused for its curves: never for the clock.
      expect([200, 422], res.body).toContain(res.statusCode);
      if (res.statusCode >= 400) expectShape(res, res.statusCode);
    }
  });

  it('router errors use the standard error shape: 414 over-long parameter, 400 bad percent-encoding', async () => {
    expectShape(await get(`/api/bids/${'x'.repeat(5000)}`), 414, 'uri_too_long');
    expectShape(await get('/api/bids/%E0%A4%A'), 400, 'bad_url');
    expectShape(await get('/api/bids/%'), 400, 'bad_url');
  });

  it('bodies over the route limit are 413 in the standard shape: auth routes take a few KB, others far less than 50 MB', async () => {
    const big = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(20 * 1024), name: 'n', organization_name: 'o' });
    expectShape(await server.app.inject({ method: 'POST', url: '/api/auth/register', headers: { 'content-type': 'application/json' }, payload: big }), 413, 'payload_too_large');
    const huge = JSON.stringify({ name: 'x'.repeat(3 * 1024 * 1024) });
    expectShape(await server.app.inject({ method: 'PATCH', url: `/api/assets/${assetId}`, headers: { ...bearer(org.owner), 'content-type': 'application/json' }, payload: huge }), 413, 'payload_too_large');
    // A normal registration still fits.
    const ok = await server.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: `fits.${Date.now()}@example.com`, password: 'correct-horse-battery', name: 'n', organization_name: 'o' } });
    expect(ok.statusCode, ok.body).toBe(201);
  });
});
