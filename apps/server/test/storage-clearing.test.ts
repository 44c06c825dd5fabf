/**
 * Day-ahead clearing of a battery's bid under its state of charge (clearing/storage-clearing.ts):
 * awards the battery cannot deliver are cut (price-taker and auction), the next day starts where
 * the previous one ended, settlement pays the cut awards, and a bid that was deliverable clears
 * exactly as hour-by-hour price-taker clearing always did.
 */
import { clearPriceTaker, localDayBoundsUtc } from '@optibid/core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { platformAdminToken } from './helpers-accounts.js';
import { BATTERY, STORAGE_CURVE, createBattery, createDaBid, daLmp, movableClock, newOrg, openErcotDay, storeDaPrices } from './trading-fixtures.js';

const DAY = 86_400_000;
/** Discharge ≥ 50 $/MWh in hours 8–15 (80 $/MWh): 80 MWh asked of a battery holding 20 − 4 = 16 MWh. */
const peaky = (h: number) => (h >= 8 && h <= 15 ? 80 : 30);

interface Award {
  period: number;
  awarded_mw: number;
  price_usd_per_mwh: number;
}

/** The state of charge after each hour of awards, by the recursion settlement uses (independent of the clearing code). */
function socPath(awards: Award[], soc0: number): number[] {
  let s = soc0;
  return awards.map((a) => {
    const d = Math.max(0, a.awarded_mw);
    const c = Math.max(0, -a.awarded_mw);
    s += BATTERY.charge_efficiency * c - d / BATTERY.discharge_efficiency;
    return s;
  });
}

function expectDeliverable(awards: Award[], soc0: number) {
  for (const s of socPath(awards, soc0)) {
    expect(s).toBeGreaterThanOrEqual(BATTERY.soc_min_mwh - 1e-6);
    expect(s).toBeLessThanOrEqual(BATTERY.soc_max_mwh + 1e-6);
  }
  for (const a of awards) expect(Math.abs(a.awarded_mw)).toBeLessThanOrEqual(10 + 1e-9);
}

describeEachBackend('storage bids clear under their state of charge', (backend) => {
  // Bids go in before the gate (wall clock); each day is cleared once its gate has closed.
  const clock = movableClock();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, {}, { now: clock.now });
  });
  afterEach(() => clock.reset());
  afterAll(async () => server?.close());

  const submit = async (token: string, assetId: string, date: string, hours: number, curve = STORAGE_CURVE) => {
    const created = await createDaBid(server, token, assetId, date, hours, curve);
    expect(created.statusCode, created.body).toBe(201);
    const bid = created.json();
    expect((await server.app.inject({ method: 'POST', url: `/api/bids/${bid.id}/submit`, headers: bearer(token) })).json().status).toBe('accepted');
    return bid.id as string;
  };
  const awardsOf = async (token: string, bidId: string): Promise<Award[]> => (await server.app.inject({ url: `/api/bids/${bidId}`, headers: bearer(token) })).json().awards;

  it('price-taker: cuts discharge the battery does not hold, settles what it can deliver, and starts the next day where this one ended', async () => {
    const org = await newOrg(server);
    const battery = await createBattery(server, org.trader, 'peaky');
    const day = openErcotDay(new Date(Date.now() + 3 * DAY));
    await storeDaPrices(server, day.date, 'HB_HOUSTON', peaky);
    const bidId = await submit(org.trader, battery.id, day.date, day.hours);
    // Hour by hour this would award 10 MW in each of the 8 peak hours.
    const hourly = clearPriceTaker(Array.from({ length: day.hours }, () => STORAGE_CURVE), Array.from({ length: day.hours }, (_, k) => peaky(k)));
    expect(socPath(hourly.map((c, period) => ({ period, awarded_mw: c.awarded_mw, price_usd_per_mwh: 0 })), BATTERY.soc_initial_mwh).some((s) => s < BATTERY.soc_min_mwh)).toBe(true);

    clock.standAt(day.gate.getTime() + 60_000);
    const res = await server.app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(org.owner), payload: { run: 'DA', delivery_date: day.date } });
    expect(res.statusCode, res.body).toBe(200);
    const storage = res.json().storage.find((s: { bid_id: string }) => s.bid_id === bidId);
    expect(storage).toMatchObject({ asset_id: battery.id, soc_initial_mwh: BATTERY.soc_initial_mwh, soc_initial_source: 'asset', enforced: true });
    const awards = await awardsOf(org.viewer, bidId);
    expectDeliverable(awards, BATTERY.soc_initial_mwh);
    // All the energy above soc_min is sold at 80: (20 − 4) × 0.95 = 15.2 MWh; never more than the curve offered.
    const sold = awards.reduce((s, a) => s + a.awarded_mw, 0);
    expect(sold).toBeCloseTo((BATTERY.soc_initial_mwh - BATTERY.soc_min_mwh) * BATTERY.discharge_efficiency, 6);
    for (const a of awards) expect(a.awarded_mw).toBeLessThanOrEqual(hourly[a.period]!.awarded_mw + 1e-9);
    expect(storage.cut_mwh).toBeCloseTo(80 - sold, 6);
    expect(storage.soc_end_mwh).toBeCloseTo(BATTERY.soc_min_mwh, 6);

    const s = (await server.app.inject({ url: `/api/settlements?start=${day.date}&end=${day.date}`, headers: bearer(org.viewer) })).json();
    const energy = s.lines.filter((l: { kind: string }) => l.kind === 'da_energy');
    expect(energy.reduce((t: number, l: { mw: number }) => t + l.mw, 0)).toBeCloseTo(sold, 6);
    expect(s.total_usd).toBeCloseTo(sold * 80, 4);
    expect(s.assets[0].battery.violations).toEqual([]);

    // The next day starts at the 4 MWh this one ended at: a 10 MW discharge at hour 0 (deliverable from 20 MWh) is not.
    const next = openErcotDay(new Date(day.gate.getTime() + 1));
    expect(next.date > day.date).toBe(true);
    await storeDaPrices(server, next.date, 'HB_HOUSTON', (h) => (h === 0 ? 80 : 30));
    const nextBid = await submit(org.trader, battery.id, next.date, next.hours);
    clock.standAt(next.gate.getTime() + 60_000);
    const r2 = (await server.app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(org.owner), payload: { run: 'DA', delivery_date: next.date } })).json();
    expect(r2.storage.find((x: { bid_id: string }) => x.bid_id === nextBid)).toMatchObject({ soc_initial_source: 'previous_day', soc_initial_date: day.date, enforced: true });
    expect(r2.storage.find((x: { bid_id: string }) => x.bid_id === nextBid).soc_initial_mwh).toBeCloseTo(BATTERY.soc_min_mwh, 6);
    const a2 = await awardsOf(org.viewer, nextBid);
    expect(a2[0]!.awarded_mw).toBeCloseTo(0, 9);
    expectDeliverable(a2, BATTERY.soc_min_mwh);
    // Settlement over both days tracks the state of charge from the first day's start: no violation.
    const both = (await server.app.inject({ url: `/api/settlements?start=${day.date}&end=${next.date}`, headers: bearer(org.viewer) })).json();
    expect(both.assets[0].battery.violations).toEqual([]);
  });

  it('price-taker: a bid that was deliverable clears exactly as hour by hour', async () => {
    const org = await newOrg(server);
    const battery = await createBattery(server, org.trader, 'deliverable');
    const day = openErcotDay(new Date(Date.now() + 6 * DAY));
    await storeDaPrices(server, day.date);
    const bidId = await submit(org.trader, battery.id, day.date, day.hours);
    clock.standAt(day.gate.getTime() + 60_000);
    const res = (await server.app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(org.owner), payload: { run: 'DA', delivery_date: day.date } })).json();
    expect(res.storage.find((s: { bid_id: string }) => s.bid_id === bidId)).toMatchObject({ enforced: false, cut_mwh: 0, soc_initial_source: 'asset' });
    const prices = Array.from({ length: day.hours }, (_, k) => daLmp(k));
    const expected = clearPriceTaker(Array.from({ length: day.hours }, () => STORAGE_CURVE), prices);
    const awards = await awardsOf(org.viewer, bidId);
    expect(awards.map((a) => a.awarded_mw)).toEqual(expected.map((c) => c.awarded_mw));
    expect(awards.map((a) => a.price_usd_per_mwh)).toEqual(prices);
  });

  it('auction: the uniform-price awards of a battery are cut to what it can deliver, at the auction price', async () => {
    const org = await newOrg(server);
    const battery = await createBattery(server, org.trader, 'auction');
    const day = openErcotDay(new Date(Date.now() + 9 * DAY));
    const discharge = [{ mw: 10, price_usd_per_mwh: 50 }];
    const bidId = await submit(org.trader, battery.id, day.date, day.hours, discharge);
    const admin = await platformAdminToken(server);
    clock.standAt(day.gate.getTime() + 60_000);
    // 15 MW of demand every hour; the rest of the market offers at 80, so the battery's 10 MW at 50 clears every hour at 80.
    const body = { run: 'DA', delivery_date: day.date, mode: 'auction', residual_demand: [[{ mw: -15, price_usd_per_mwh: 5000 }]], rest_of_market_supply: [[{ mw: 1000, price_usd_per_mwh: 80 }]] };
    const res = await server.app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(admin), payload: body });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.prices.every((p: { price_usd_per_mwh: number }) => Math.abs(p.price_usd_per_mwh - 80) < 1e-9)).toBe(true);
    const storage = r.storage.find((s: { bid_id: string }) => s.bid_id === bidId);
    expect(storage).toMatchObject({ enforced: true });
    const awards = await awardsOf(org.viewer, bidId);
    expectDeliverable(awards, BATTERY.soc_initial_mwh);
    const sold = awards.reduce((s, a) => s + a.awarded_mw, 0);
    expect(sold).toBeCloseTo(15.2, 6);
    expect(storage.cut_mwh).toBeCloseTo(10 * day.hours - 15.2, 6);
    // The day's cycle cap (2 × 40 MWh) is not what binds here; the stored energy is.
    const bounds = localDayBoundsUtc(day.date, 'America/Chicago');
    expect(awards).toHaveLength(Math.round((bounds.end.getTime() - bounds.start.getTime()) / 3_600_000));
    const s = (await server.app.inject({ url: `/api/settlements?start=${day.date}&end=${day.date}`, headers: bearer(org.viewer) })).json();
    expect(s.total_usd).toBeCloseTo(15.2 * 80, 4);
  });
});
