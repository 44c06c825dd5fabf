/** Clearing through the API and the job: auction mode, simulated DA prices, who may clear, real-time bids. */
import { localDayBoundsUtc, utcToZonedParts } from '@optibid/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, describeEachBackend, startTestServer, uniqueEmail, type TestServer } from './helpers.js';
import { createBattery, createDaBid, movableClock, newOrg, openErcotDay, type Org } from './trading-fixtures.js';
import { simulateDayAheadPrices } from '../src/modules/trading/clearing/simulated-prices.js';

async function platformAdmin(server: TestServer): Promise<string> {
  const email = uniqueEmail('platform');
  await server.ctx.auth.createAccount({ email, password: 'platform-password-1', name: 'Platform', organization_name: 'Operator', role: 'owner', is_platform_admin: true });
  const res = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'platform-password-1' } });
  return res.json().access_token;
}

async function thermal(server: TestServer, token: string, name: string, pmax: number) {
  const res = await server.app.inject({
    method: 'POST', url: '/api/assets', headers: bearer(token),
    payload: { name, type: 'thermal', market: 'ercot', location: 'HB_NORTH', params: { pmin_mw: 0, pmax_mw: pmax, cost_segments: [{ mw: pmax, price_usd_per_mwh: 40 }], startup_cost_usd: 0, min_up_h: 1, min_down_h: 1 } },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json() as { id: string };
}

const day = openErcotDay();

describeEachBackend('clearing', (backend) => {
  const clock = movableClock();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, {}, { now: clock.now });
  });
  afterEach(() => clock.reset());
  afterAll(async () => server?.close());

  it("auction mode reproduces nempy's published case (A 40 MW, B 80 MW at 60 $/MWh) and only a platform admin may run it", async () => {
    const a = await newOrg(server);
    const b = await newOrg(server);
    const ua = await thermal(server, a.trader, 'A', 45);
    const ub = await thermal(server, b.trader, 'B', 90);
    const curveA = [{ mw: 20, price_usd_per_mwh: 50 }, { mw: 20, price_usd_per_mwh: 60 }, { mw: 5, price_usd_per_mwh: 100 }];
    const curveB = [{ mw: 50, price_usd_per_mwh: 50 }, { mw: 30, price_usd_per_mwh: 55 }, { mw: 10, price_usd_per_mwh: 80 }];
    const ba = (await createDaBid(server, a.trader, ua.id, day.date, day.hours, curveA)).json();
    const bb = (await createDaBid(server, b.trader, ub.id, day.date, day.hours, curveB)).json();
    for (const [org, id] of [[a, ba.id], [b, bb.id]] as const) {
      expect((await server.app.inject({ method: 'POST', url: `/api/bids/${id}/submit`, headers: bearer(org.trader) })).json().status).toBe('accepted');
    }
    const body = { run: 'DA', delivery_date: day.date, mode: 'auction', residual_demand: [[{ mw: -120, price_usd_per_mwh: 5000 }]], rest_of_market_supply: [[{ mw: 1000, price_usd_per_mwh: 4000 }]] };
    // The market clears the day once its gate has closed.
    clock.standAt(day.gate.getTime() + 60_000);
    expect((await server.app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(a.owner), payload: body })).statusCode).toBe(403);

    const admin = await platformAdmin(server);
    const res = await server.app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(admin), payload: body });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ mode: 'auction', status: 'complete', bids_cleared: 2, newly_cleared: 2 });
    expect(r.prices).toHaveLength(day.hours);
    expect(r.prices.every((p: any) => Math.abs(p.price_usd_per_mwh - 60) < 1e-9 && Math.abs(p.cleared_mw - 120) < 1e-9)).toBe(true);
    const awardsA = (await server.app.inject({ url: `/api/bids/${ba.id}`, headers: bearer(a.viewer) })).json().awards;
    const awardsB = (await server.app.inject({ url: `/api/bids/${bb.id}`, headers: bearer(b.viewer) })).json().awards;
    expect(awardsA.every((x: any) => Math.abs(x.awarded_mw - 40) < 1e-9 && x.price_usd_per_mwh === 60)).toBe(true);
    expect(awardsB.every((x: any) => Math.abs(x.awarded_mw - 80) < 1e-9)).toBe(true);
    const s = (await server.app.inject({ url: `/api/settlements?start=${day.date}&end=${day.date}`, headers: bearer(a.viewer) })).json();
    expect(Math.abs(s.total_usd - 40 * 60 * day.hours)).toBeLessThan(1e-6);
    // Org B does not see org A's lines.
    const sb = (await server.app.inject({ url: `/api/settlements?start=${day.date}&end=${day.date}`, headers: bearer(b.viewer) })).json();
    expect(sb.lines.every((l: any) => l.bid_id === bb.id)).toBe(true);
  });

  it('clears a real-time bid once its interval prices arrive', async () => {
    const org = await newOrg(server);
    const asset = await createBattery(server, org.trader, 'rt');
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 3 * 3_600_000;
    const curves = Array.from({ length: 12 }, () => [{ mw: 5, price_usd_per_mwh: 40 }]);
    const created = await server.app.inject({ method: 'POST', url: '/api/bids', headers: bearer(org.trader), payload: { asset_id: asset.id, run: 'RT', interval_start: new Date(hour).toISOString(), curves } });
    expect(created.statusCode, created.body).toBe(201);
    const bid = created.json();
    expect(bid.gate_closure).toBe(new Date(hour - 60 * 60_000).toISOString());
    expect((await server.app.inject({ method: 'POST', url: `/api/bids/${bid.id}/submit`, headers: bearer(org.trader) })).json().status).toBe('accepted');

    const later = server.ctx.at(() => new Date(hour + 2 * 3_600_000)).trading;
    expect((await later.clearing.tick()).rt_cleared).toBe(0);
    await server.ctx.repos.prices.upsert(
      Array.from({ length: 12 }, (_, k) => ({
        market: 'ERCOT', location: 'HB_HOUSTON', run: 'RT5' as const,
        interval_start: new Date(hour + k * 300_000), interval_end: new Date(hour + (k + 1) * 300_000),
        lmp_usd_per_mwh: k < 6 ? 30 : 50, energy_usd_per_mwh: null, congestion_usd_per_mwh: null, loss_usd_per_mwh: null, source: 'test',
      })),
    );
    expect((await later.clearing.tick()).rt_cleared).toBe(1);
    const read = (await server.app.inject({ url: `/api/bids/${bid.id}`, headers: bearer(org.viewer) })).json();
    // The same tick settles it when the injected clock is already past its delivery day.
    expect(['cleared', 'settled']).toContain(read.status);
    const audit = await server.ctx.database.query<{ action: string }>(`SELECT action FROM audit_log WHERE target_id = $1`, [bid.id]);
    expect(audit.map((a) => a.action)).toContain('bid.clear');
    expect(read.awards.map((a: any) => a.awarded_mw)).toEqual([0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 5]);
    expect(read.awards[0].duration_h).toBeCloseTo(5 / 60, 12);
  });
});

describeEachBackend('clearing in simulation mode', (backend) => {
  const clock = movableClock();
  let server: TestServer;
  let org: Org;
  beforeAll(async () => {
    server = await startTestServer(backend, { SIMULATION_MODE: 'true' }, { now: clock.now });
    org = await newOrg(server);
    // Two weeks of history shaped 20 + hour-of-day $/MWh.
    const start = localDayBoundsUtc(day.date, 'America/Chicago').start.getTime() - 14 * 86_400_000;
    const rows = Array.from({ length: 14 * 24 }, (_, k) => ({
      market: 'ERCOT', location: 'HB_HOUSTON', run: 'DA' as const,
      interval_start: new Date(start + k * 3_600_000), interval_end: new Date(start + (k + 1) * 3_600_000),
      lmp_usd_per_mwh: 20 + utcToZonedParts(start + k * 3_600_000, 'America/Chicago').hour,
      energy_usd_per_mwh: null, congestion_usd_per_mwh: null, loss_usd_per_mwh: null, source: 'test',
    }));
    await server.ctx.repos.prices.upsert(rows);
  });
  afterEach(() => clock.reset());
  afterAll(async () => server?.close());

  it('the simulated market publishes the delivery day DA prices when it clears (after the gate), deterministically; an org admin clears only its own bids', async () => {
    const asset = await createBattery(server, org.trader, 'sim');
    const bid = (await createDaBid(server, org.trader, asset.id, day.date, day.hours)).json();
    await server.app.inject({ method: 'POST', url: `/api/bids/${bid.id}/submit`, headers: bearer(org.trader) });
    const other = await newOrg(server);
    const otherAsset = await createBattery(server, other.trader, 'other');
    const otherBid = (await createDaBid(server, other.trader, otherAsset.id, day.date, day.hours)).json();
    await server.app.inject({ method: 'POST', url: `/api/bids/${otherBid.id}/submit`, headers: bearer(other.trader) });

    const published: any[] = [];
    const un = server.ctx.bus.subscribe('prices:ERCOT', (m) => published.push(m));
    clock.standAt(day.gate.getTime() + 60_000);
    const res = await server.app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(org.owner), payload: { run: 'DA', delivery_date: day.date } });
    un();
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'complete', bids_cleared: 1, simulated_prices: [{ location: 'HB_HOUSTON', hours: day.hours }] });
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ type: 'da_prices', market: 'ERCOT', location: 'HB_HOUSTON', delivery_date: day.date, source: 'simulated-da' });
    const stored = await server.ctx.database.query<{ lmp_usd_per_mwh: number; source: string }>(
      `SELECT lmp_usd_per_mwh, source FROM prices WHERE market = 'ERCOT' AND location = 'HB_HOUSTON' AND run = 'DA' AND interval_start >= $1 ORDER BY interval_start`,
      [localDayBoundsUtc(day.date, 'America/Chicago').start],
    );
    expect(stored).toHaveLength(day.hours);
    expect(stored.every((p) => p.source === 'simulated-da')).toBe(true);
    // Within the noise band around the hour-of-day mean (20 + h): |λ − mean| ≤ 0.08·mean + 1.
    if (day.hours === 24) stored.forEach((p, h) => expect(Math.abs(p.lmp_usd_per_mwh - (20 + h))).toBeLessThanOrEqual(0.08 * (20 + h) + 1 + 0.01));
    const awards = (await server.app.inject({ url: `/api/bids/${bid.id}`, headers: bearer(org.viewer) })).json().awards;
    expect(awards.map((a: any) => a.price_usd_per_mwh)).toEqual(stored.map((p) => p.lmp_usd_per_mwh));

    // The other organisation's bid was not touched by this organisation's admin.
    expect((await server.app.inject({ url: `/api/bids/${otherBid.id}`, headers: bearer(other.viewer) })).json().status).toBe('accepted');
  });

  it('simulated prices are the same for the same (market, location, day) and differ by location', () => {
    const hours = Array.from({ length: 24 }, (_, k) => new Date(Date.UTC(2026, 0, 10, 6 + k)));
    const market = server.ctx.markets.market('ercot');
    const one = simulateDayAheadPrices({ market, location: 'HB_HOUSTON', delivery_date: '2026-01-10', hours, history: [] });
    const two = simulateDayAheadPrices({ market, location: 'HB_HOUSTON', delivery_date: '2026-01-10', hours, history: [] });
    const three = simulateDayAheadPrices({ market, location: 'HB_NORTH', delivery_date: '2026-01-10', hours, history: [] });
    expect(one).toEqual(two);
    expect(one.map((p) => p.lmp_usd_per_mwh)).not.toEqual(three.map((p) => p.lmp_usd_per_mwh));
  });
});

describe('simulated price band', () => {
  it('stays within the market floor and soft cap', () => {
    const hours = Array.from({ length: 24 }, (_, k) => new Date(Date.UTC(2026, 0, 10, 6 + k)));
    const market = { iso: 'ERCOT', timezone: 'America/Chicago', offer_limits: { floor_usd_per_mwh: -250, soft_cap_usd_per_mwh: 5000, hard_cap_usd_per_mwh: 5000 } } as never;
    const history = hours.map((h) => ({ interval_start: new Date(h.getTime() - 86_400_000), lmp_usd_per_mwh: 9000 }));
    const out = simulateDayAheadPrices({ market, location: 'X', delivery_date: '2026-01-10', hours, history });
    expect(out.every((p) => p.lmp_usd_per_mwh === 5000)).toBe(true);
  });
});
