/** POST /api/optimize with AS prices: a battery co-optimised over energy and AS, and the draft bid carrying its AS offers. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { createBattery, newOrg, openErcotDay, type Org } from './trading-fixtures.js';

describeEachBackend('optimisation with ancillary services', (backend) => {
  let server: TestServer;
  let org: Org;
  const day = openErcotDay();
  beforeAll(async () => {
    server = await startTestServer(backend);
    org = await newOrg(server);
  });
  afterAll(async () => server?.close());

  const optimize = (payload: unknown) => server.app.inject({ method: 'POST', url: '/api/optimize', headers: bearer(org.trader), payload });

  it('sells REGUP when it pays more than flat energy, and the draft bid carries the planned MW at $0/MW', async () => {
    const asset = await createBattery(server, org.trader, 'AS battery');
    const flat = Array.from({ length: day.hours }, () => 30);
    const regup = Array.from({ length: day.hours }, () => 10);
    const res = await optimize({ asset_id: asset.id, run: 'DA', delivery_date: day.date, price_source: { type: 'explicit', prices: flat }, as_prices: { REGUP: regup } });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    // 10 MW discharge rating: with a flat energy price nothing beats holding 10 MW of REGUP every
    // hour (10 $/MW·h × 10 MW × hours); its 0.5 h duration (5 MWh) and the 10 % expected
    // deployment (1 MWh/h, recharged at the same flat price) fit the 36 MWh usable.
    expect(r.ancillary.model).toBe('default');
    expect(r.ancillary.expected_as_revenue_usd).toBeCloseTo(100 * day.hours, 2);
    expect(r.ancillary.revenue_by_product.REGUP).toBeCloseTo(100 * day.hours, 2);
    expect(r.schedule.every((s: { as_mw: Record<string, number> }) => Math.abs(s.as_mw.REGUP! - 10) < 1e-6)).toBe(true);
    expect(r.ancillary.as_offers).toHaveLength(day.hours);
    expect(r.ancillary.as_offers[5]).toEqual([{ product: 'REGUP', mw: 10, price_usd_per_mw: 0 }]);
    expect(r.bid_issues).toEqual([]);

    const bid = await server.app.inject({ method: 'POST', url: `/api/optimize/${r.run_id}/bids`, headers: bearer(org.trader) });
    expect(bid.statusCode, bid.body).toBe(201);
    expect(bid.json().as_offers[5]).toEqual([{ product: 'REGUP', mw: 10, price_usd_per_mw: 0 }]);
    const submit = await server.app.inject({ method: 'POST', url: `/api/bids/${bid.json().id}/submit`, headers: bearer(org.trader) });
    expect(submit.json().status, JSON.stringify(submit.json().issues)).toBe('accepted');
  });

  it('refuses AS prices for an unknown product or the wrong number of intervals (422)', async () => {
    const asset = await createBattery(server, org.trader, 'AS battery 2');
    const flat = Array.from({ length: day.hours }, () => 30);
    const res = await optimize({ asset_id: asset.id, run: 'DA', delivery_date: day.date, price_source: { type: 'explicit', prices: flat }, as_prices: { SPIN: flat, REGDN: [1, 2] } });
    expect(res.statusCode).toBe(422);
    const msg = res.json().error.message as string;
    expect(msg).toMatch(/no AS product SPIN/);
    expect(msg).toMatch(/REGDN has 2 prices/);
  });
});
