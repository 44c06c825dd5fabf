/** Assets through the API: CRUD, parameter validation (422 listing every field), unknown locations, roles, tenancy. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { BATTERY, createBattery, createDaBid, newOrg, openErcotDay, type Org } from './trading-fixtures.js';

describeEachBackend('assets', (backend) => {
  let server: TestServer;
  let org: Org;

  beforeAll(async () => {
    server = await startTestServer(backend);
    org = await newOrg(server);
  });
  afterAll(async () => server?.close());

  const post = (token: string, payload: unknown) => server.app.inject({ method: 'POST', url: '/api/assets', headers: bearer(token), payload: payload as never });

  it('creates a battery at ERCOT HB_HOUSTON with its bid limits, and a round-trip efficiency is split', async () => {
    const { round_trip_efficiency: _, charge_efficiency: __, discharge_efficiency: ___, ...rest } = { ...BATTERY, round_trip_efficiency: 0.81 };
    const res = await post(org.trader, { name: 'RT battery', type: 'battery', market: 'ERCOT', location: 'hb_houston', params: { ...rest, round_trip_efficiency: 0.81 } });
    expect(res.statusCode).toBe(201);
    const a = res.json();
    expect(a).toMatchObject({ type: 'battery', market: 'ERCOT', location: 'HB_HOUSTON', active: true, bid_limits: { min_mw: -10, max_mw: 10 } });
    expect(a.params.charge_efficiency).toBeCloseTo(0.9, 9);
    expect(a.params.discharge_efficiency).toBeCloseTo(0.9, 9);
  });

  it('422 lists every parameter problem; unknown market or location is 404 naming it', async () => {
    const res = await post(org.trader, {
      name: 'bad', type: 'battery', market: 'ercot', location: 'HB_HOUSTON',
      params: { ...BATTERY, charge_power_mw: -1, charge_efficiency: 1.5, soc_max_mwh: 80, energy_mwh: undefined },
    });
    expect(res.statusCode).toBe(422);
    const fields = res.json().error.details.map((d: any) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['charge_power_mw', 'charge_efficiency', 'energy_mwh']));
    expect(res.json().error.details.every((d: any) => typeof d.message === 'string' && d.message.length > 0)).toBe(true);

    const thermal = await post(org.trader, { name: 't', type: 'thermal', market: 'pjm', location: 'WESTERN HUB', params: { pmin_mw: 50, pmax_mw: 10 } });
    expect(thermal.statusCode).toBe(422);
    expect(thermal.json().error.details.length).toBeGreaterThan(1);

    const type = await post(org.trader, { name: 'x', type: 'nuclear', market: 'ercot', location: 'HB_HOUSTON', params: {} });
    expect(type.statusCode).toBe(422);
    expect(type.json().error.details[0].field).toBe('type');

    const loc = await post(org.trader, { name: 'x', type: 'battery', market: 'ercot', location: 'HB_NOWHERE', params: BATTERY });
    expect(loc.statusCode).toBe(404);
    expect(loc.json().error.message).toContain('HB_NOWHERE');
    const mkt = await post(org.trader, { name: 'x', type: 'battery', market: 'entsoe', location: 'HB_HOUSTON', params: BATTERY });
    expect(mkt.statusCode).toBe(404);
    expect(mkt.json().error.message).toContain('entsoe');
  });

  it('lists with filters, patches, deletes an unused asset and deactivates one with bids', async () => {
    const a = await createBattery(server, org.trader, 'to patch');
    const solar = await post(org.trader, { name: 'sun', type: 'solar', market: 'caiso', location: 'TH_SP15_GEN-APND', params: { capacity_mw: 50, profile_mw: Array(24).fill(10), curtailable: true, curtailment_loss_usd_per_mwh: 5 } });
    expect(solar.statusCode, solar.body).toBe(201);
    const list = (await server.app.inject({ url: '/api/assets?market=caiso', headers: bearer(org.viewer) })).json();
    expect(list.items.map((x: any) => x.id)).toEqual([solar.json().id]);
    expect((await server.app.inject({ url: '/api/assets?type=battery&market=ercot', headers: bearer(org.viewer) })).json().items.length).toBeGreaterThanOrEqual(1);

    const patched = await server.app.inject({ method: 'PATCH', url: `/api/assets/${a.id}`, headers: bearer(org.trader), payload: { name: 'renamed', params: { ...BATTERY, energy_mwh: 80, soc_max_mwh: 80 } } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'renamed', params: { energy_mwh: 80 } });
    const badPatch = await server.app.inject({ method: 'PATCH', url: `/api/assets/${a.id}`, headers: bearer(org.trader), payload: { params: { ...BATTERY, soc_initial_mwh: 100 } } });
    expect(badPatch.statusCode).toBe(422);

    expect((await server.app.inject({ method: 'DELETE', url: `/api/assets/${solar.json().id}`, headers: bearer(org.trader) })).statusCode).toBe(204);
    expect((await server.app.inject({ url: `/api/assets/${solar.json().id}`, headers: bearer(org.viewer) })).statusCode).toBe(404);

    const day = openErcotDay();
    expect((await createDaBid(server, org.trader, a.id, day.date, day.hours)).statusCode).toBe(201);
    const del = await server.app.inject({ method: 'DELETE', url: `/api/assets/${a.id}`, headers: bearer(org.trader) });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toMatchObject({ deleted: false, asset: { active: false } });
    // A deactivated asset cannot bid.
    expect((await createDaBid(server, org.trader, a.id, day.date, day.hours)).statusCode).toBe(409);
  });

  it('viewers read but cannot write (403); another organisation gets 404', async () => {
    const a = await createBattery(server, org.trader, 'guarded');
    expect((await post(org.viewer, { name: 'v', type: 'battery', market: 'ercot', location: 'HB_HOUSTON', params: BATTERY })).statusCode).toBe(403);
    expect((await server.app.inject({ method: 'PATCH', url: `/api/assets/${a.id}`, headers: bearer(org.viewer), payload: { name: 'v' } })).statusCode).toBe(403);
    expect((await server.app.inject({ method: 'DELETE', url: `/api/assets/${a.id}`, headers: bearer(org.viewer) })).statusCode).toBe(403);
    expect((await server.app.inject({ url: `/api/assets/${a.id}`, headers: bearer(org.viewer) })).statusCode).toBe(200);

    const other = await newOrg(server);
    const h = bearer(other.owner);
    expect((await server.app.inject({ url: `/api/assets/${a.id}`, headers: h })).statusCode).toBe(404);
    expect((await server.app.inject({ method: 'PATCH', url: `/api/assets/${a.id}`, headers: h, payload: { name: 'mine' } })).statusCode).toBe(404);
    expect((await server.app.inject({ method: 'DELETE', url: `/api/assets/${a.id}`, headers: h })).statusCode).toBe(404);
    expect((await server.app.inject({ method: 'POST', url: `/api/assets/${a.id}/telemetry`, headers: h, payload: { points: [{ interval_start: new Date().toISOString(), delivered_mw: 1 }] } })).statusCode).toBe(404);
    expect((await server.app.inject({ url: '/api/assets', headers: h })).json().total).toBe(0);
    expect((await server.app.inject({ url: `/api/assets/${a.id}`, headers: bearer(org.viewer) })).json().name).toBe('guarded');
  });
});
