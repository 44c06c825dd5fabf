/**
 * The done-when flow through the API: a trader creates a battery at ERCOT
 * HB_HOUSTON, submits a valid DA bid for the next open day, the market clears
 * (the owner's trigger once the gate has closed, and the job at gate closure, both with
 * an injected clock), the
 * award arrives on the organisation's bus channel, and settlement and P&L read
 * back with the numbers worked out by hand below.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { createBattery, createDaBid, daLmp, movableClock, newOrg, openErcotDay, storeDaPrices, type Org } from './trading-fixtures.js';
import { startClearingJob } from '../src/jobs/clearing.js';

const close = (a: number, b: number, tol = 1e-6) => expect(Math.abs(a - b)).toBeLessThan(tol);

describeEachBackend('trading loop: battery at ERCOT HB_HOUSTON', (backend) => {
  const clock = movableClock();
  let server: TestServer;
  let org: Org;
  const day = openErcotDay();

  beforeAll(async () => {
    server = await startTestServer(backend, {}, { now: clock.now });
    org = await newOrg(server);
    await storeDaPrices(server, day.date);
  });
  afterEach(() => clock.reset());
  afterAll(async () => server?.close());

  it('creates, submits, clears by admin trigger after the gate, publishes the award, settles and reports P&L', async () => {
    const { app, ctx } = server;
    const asset = await createBattery(server, org.trader);
    const created = await createDaBid(server, org.trader, asset.id, day.date, day.hours);
    expect(created.statusCode).toBe(201);
    const bid = created.json();
    expect(bid).toMatchObject({ status: 'draft', market: 'ERCOT', location: 'HB_HOUSTON', side: 'storage', version: 1 });
    expect(bid.gate_closure).toBe(day.gate.toISOString());
    expect(bid.gate_closure_local).toMatch(/^10:00 C[SD]T on /);

    const messages: unknown[] = [];
    const unsubscribe = ctx.bus.subscribe(`org:${org.id}`, (m) => messages.push(m));

    const submitted = await app.inject({ method: 'POST', url: `/api/bids/${bid.id}/submit`, headers: bearer(org.trader) });
    expect(submitted.statusCode).toBe(200);
    expect(submitted.json()).toMatchObject({ status: 'accepted', issues: [] });

    // The owner clears its organisation's bids once the day's gate has closed (before, 409: clearing-gate.test.ts).
    clock.standAt(day.gate.getTime() + 60_000);
    const cleared = await app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(org.owner), payload: { run: 'DA', delivery_date: day.date } });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toMatchObject({ market: 'ERCOT', mode: 'price_taker', status: 'complete', bids_cleared: 1, newly_cleared: 1 });
    unsubscribe();

    const statuses = messages.filter((m: any) => m.type === 'bid_status').map((m: any) => `${m.previous_status}->${m.status}`);
    expect(statuses).toEqual(['draft->submitted', 'submitted->accepted', 'accepted->cleared']);
    const award = messages.find((m: any) => m.type === 'award') as any;
    expect(award).toMatchObject({ bid_id: bid.id, asset_id: asset.id, market: 'ERCOT', run: 'DA', delivery_date: day.date, mode: 'price_taker' });
    expect(award.awards).toHaveLength(day.hours);
    expect(award.awards[2]).toMatchObject({ awarded_mw: -10, price_usd_per_mwh: 15 });
    expect(award.awards[18]).toMatchObject({ awarded_mw: 10, price_usd_per_mwh: 80 });
    expect(award.awards[10]).toMatchObject({ awarded_mw: 0, price_usd_per_mwh: 30 });
    close(award.total_mwh, 0);

    const read = (await app.inject({ url: `/api/bids/${bid.id}`, headers: bearer(org.viewer) })).json();
    expect(read.status).toBe('cleared');
    expect(read.awards.filter((a: any) => a.awarded_mw !== 0).map((a: any) => a.period)).toEqual([2, 3, 18, 19]);

    // DA: 2 h × −10 MW × 15 + 2 h × 10 MW × 80 = −300 + 1600 = 1300.
    const s = await app.inject({ url: `/api/settlements?start=${day.date}&end=${day.date}`, headers: bearer(org.viewer) });
    expect(s.statusCode).toBe(200);
    const settlement = s.json();
    close(settlement.total_usd, 1300);
    const da = settlement.lines.filter((l: any) => l.kind === 'da_energy');
    expect(da).toHaveLength(day.hours);
    expect(da.every((l: any) => l.bid_id === bid.id && l.market_date === day.date)).toBe(true);
    close(da[2].amount_usd, -150);
    close(da[18].amount_usd, 800);
    const battery = settlement.assets[0].battery;
    expect(battery.violations).toEqual([]);
    // SoC: 20 + 0.95 × 20 = 39 after charging, 39 − 20 / 0.95 after discharging.
    close(Math.max(...battery.soc_mwh), 39);
    close(battery.soc_mwh[day.hours - 1], 39 - 20 / 0.95);

    // P&L: revenue 1600; cost 300 + degradation 20 MWh × 2 = 340; net 1260; 20/40 = 0.5 cycles.
    const p = (await app.inject({ url: `/api/pnl?group_by=asset&start=${day.date}&end=${day.date}`, headers: bearer(org.viewer) })).json();
    expect(p.rows).toHaveLength(1);
    expect(p.rows[0].key).toBe(asset.id);
    close(p.rows[0].revenue_usd, 1600);
    close(p.rows[0].cost_usd, 340);
    close(p.rows[0].net_usd, 1260);
    close(p.rows[0].mwh_sold, 20);
    close(p.rows[0].mwh_bought, 20);
    close(p.rows[0].cycles, 0.5);
    const byDay = (await app.inject({ url: `/api/pnl?group_by=day&start=${day.date}&end=${day.date}`, headers: bearer(org.viewer) })).json();
    expect(byDay.rows.map((r: any) => r.key)).toEqual([day.date]);
    const byMarket = (await app.inject({ url: `/api/pnl?group_by=market&start=${day.date}&end=${day.date}`, headers: bearer(org.viewer) })).json();
    expect(byMarket.rows.map((r: any) => r.key)).toEqual(['ERCOT']);
    close(byMarket.totals.net_usd, 1260);

    // Re-running the clearing is idempotent: same awards, no duplicates, no new events.
    const again: unknown[] = [];
    const un2 = ctx.bus.subscribe(`org:${org.id}`, (m) => again.push(m));
    const rerun = await app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(org.owner), payload: { run: 'DA', delivery_date: day.date } });
    un2();
    expect(rerun.json()).toMatchObject({ bids_cleared: 1, newly_cleared: 0 });
    expect(again).toEqual([]);
    const [{ n }] = await ctx.database.query<{ n: number }>('SELECT count(*)::int AS n FROM bid_awards WHERE bid_id = $1', [bid.id]);
    expect(Number(n)).toBe(day.hours);
    close((await app.inject({ url: `/api/settlements?start=${day.date}&end=${day.date}`, headers: bearer(org.viewer) })).json().total_usd, 1300);

    // RT deviation: metered 8 MW in hour 18 against a 10 MW award, RT 15-min prices of 100 → 4 × (−2 × 100 × 0.25) = −200.
    const h18 = new Date(award.awards[18].interval_start).getTime();
    const rt = [0, 1, 2, 3].map((q) => ({
      market: 'ERCOT', location: 'HB_HOUSTON', run: 'RT15' as const,
      interval_start: new Date(h18 + q * 900_000), interval_end: new Date(h18 + (q + 1) * 900_000),
      lmp_usd_per_mwh: 100, energy_usd_per_mwh: null, congestion_usd_per_mwh: null, loss_usd_per_mwh: null, source: 'test',
    }));
    await ctx.repos.prices.upsert(rt);
    const tel = await app.inject({
      method: 'POST', url: `/api/assets/${asset.id}/telemetry`, headers: bearer(org.trader),
      payload: { points: rt.map((r) => ({ interval_start: r.interval_start.toISOString(), delivered_mw: 8 })) },
    });
    expect(tel.statusCode).toBe(200);
    const s2 = (await app.inject({ url: `/api/settlements?start=${day.date}&end=${day.date}&asset_id=${asset.id}`, headers: bearer(org.viewer) })).json();
    const dev = s2.lines.filter((l: any) => l.kind === 'rt_deviation');
    expect(dev).toHaveLength(4);
    close(dev[0].mw, -2);
    close(s2.assets[0].rt_usd, -200);
    close(s2.total_usd, 1100);
  });

  it('the job clears at gate closure, tells the owner of a bid left in draft, and does not clear twice', async () => {
    const { ctx } = server;
    const other = await newOrg(server);
    const a1 = await createBattery(server, other.trader, 'job battery');
    const a2 = await createBattery(server, other.trader, 'forgotten battery');
    const bid = (await createDaBid(server, other.trader, a1.id, day.date, day.hours)).json();
    const draft = (await createDaBid(server, other.trader, a2.id, day.date, day.hours)).json();
    expect((await server.app.inject({ method: 'POST', url: `/api/bids/${bid.id}/submit`, headers: bearer(other.trader) })).json().status).toBe('accepted');

    const messages: any[] = [];
    const unsubscribe = ctx.bus.subscribe(`org:${other.id}`, (m) => messages.push(m));
    const before = ctx.at(() => new Date(day.gate.getTime() - 60_000)).trading;
    expect((await before.clearing.tick()).cleared.filter((c) => c.startsWith(`ERCOT DA ${day.date}`))).toEqual([]);
    expect(messages).toEqual([]);

    const after = ctx.at(() => new Date(day.gate.getTime() + 60_000)).trading;
    const r = await after.clearing.tick();
    expect(r.cleared.some((c) => c.startsWith(`ERCOT DA ${day.date}`))).toBe(true);
    expect(r.drafts_notified).toBeGreaterThanOrEqual(1);
    const award = messages.find((m) => m.type === 'award');
    expect(award.bid_id).toBe(bid.id);
    expect(award.awards[19]).toMatchObject({ awarded_mw: 10, price_usd_per_mwh: daLmp(19) });
    expect(messages.find((m) => m.type === 'bid_status' && m.bid_id === draft.id)).toMatchObject({ status: 'draft', message: 'gate closed with the bid still in draft' });
    const stillDraft = (await server.app.inject({ url: `/api/bids/${draft.id}`, headers: bearer(other.viewer) })).json();
    expect(stillDraft.status).toBe('draft');

    // A second tick finds the day cleared since its gate closed and the draft already told.
    messages.length = 0;
    const r2 = await after.clearing.tick();
    expect(r2.cleared.some((c) => c.startsWith(`ERCOT DA ${day.date}`))).toBe(false);
    expect(messages).toEqual([]);
    unsubscribe();

    // The day after delivery, the job settles the cleared bids.
    const dayAfter = ctx.at(() => new Date(day.gate.getTime() + 3 * 86_400_000)).trading;
    expect((await dayAfter.clearing.tick()).settled).toBeGreaterThanOrEqual(1);
    expect((await server.app.inject({ url: `/api/bids/${bid.id}`, headers: bearer(other.viewer) })).json().status).toBe('settled');
  });

  it('two instances ticking past the gate tell the owner of a late draft once, with one audit row', async () => {
    const { ctx } = server;
    const other = await newOrg(server);
    const asset = await createBattery(server, other.trader, 'late battery');
    const draft = (await createDaBid(server, other.trader, asset.id, day.date, day.hours)).json();
    const messages: any[] = [];
    const unsubscribe = ctx.bus.subscribe(`org:${other.id}`, (m) => messages.push(m));
    const at = () => new Date(day.gate.getTime() + 90_000);
    // Each bundle is what one instance's clearing job runs; both read the draft as not yet told.
    const [r1, r2] = await Promise.all([ctx.at(at).trading.clearing.tick(), ctx.at(at).trading.clearing.tick()]);
    await new Promise((r) => setTimeout(r, 20));
    unsubscribe();
    expect(r1.drafts_notified + r2.drafts_notified).toBeGreaterThanOrEqual(1);
    expect(messages.filter((m) => m.type === 'bid_status' && m.bid_id === draft.id)).toHaveLength(1);
    const audit = (await server.app.inject({ url: '/api/org/audit?limit=100', headers: bearer(other.owner) })).json();
    expect(audit.items.filter((e: any) => e.action === 'bid.missed_gate' && e.target_id === draft.id)).toHaveLength(1);
  });

  it('startClearingJob runs a first tick at once and stops cleanly', async () => {
    const logs: unknown[] = [];
    const log = { info: (o: unknown) => logs.push(o), error: (o: unknown) => logs.push(o) } as never;
    const stop = await startClearingJob(server.ctx, log, { now: () => new Date(day.gate.getTime() + 120_000), intervalMs: 60_000 });
    await new Promise((r) => setTimeout(r, 300));
    await stop();
    expect(logs.every((l: any) => !('err' in l))).toBe(true);
  });
});
