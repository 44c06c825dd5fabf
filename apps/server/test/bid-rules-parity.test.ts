/**
 * One set of bid rules: the web editor's check (`apps/web/lib/bid-rules.ts`, run on the market
 * view the server serves) and the server's validation on submit reject the same curves with the
 * same codes, periods, segments and messages, also when MARKET_OVERRIDES change the rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCurves } from '../../web/lib/bid-rules.js';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { createBattery, newOrg, openErcotDay, STORAGE_CURVE, type Org } from './trading-fixtures.js';

/** ERCOT with tighter figures than the catalogue's, so only a check that reads the served rules agrees. */
const OVERRIDES = { ERCOT: { offer_limits: { floor_usd_per_mwh: -100, soft_cap_usd_per_mwh: 900, hard_cap_usd_per_mwh: 1000 }, max_segments: 3 } };

/** Issues of the curves themselves; the timing ones (gate, period count) are the server's alone. */
const TIMING = new Set(['invalid_delivery', 'wrong_period_count', 'delivery_not_future', 'gate_closed']);

/** One broken curve per hour (the battery ranges from −10 MW to +10 MW); the other hours are valid. */
function brokenCurves(hours: number) {
  const curves = Array.from({ length: hours }, () => STORAGE_CURVE.map((s) => ({ ...s })));
  curves[1] = [{ mw: 10, price_usd_per_mwh: 1500 }]; // above the overridden hard cap
  curves[2] = [{ mw: 10, price_usd_per_mwh: 950 }]; // above the overridden offer cap, not cost-verified
  curves[3] = [{ mw: -10, price_usd_per_mwh: 40 }, { mw: 10, price_usd_per_mwh: 30 }]; // prices fall
  curves[4] = [{ mw: 6, price_usd_per_mwh: 50 }, { mw: 6, price_usd_per_mwh: 60 }, { mw: 2, price_usd_per_mwh: 70 }]; // beyond +10 MW
  curves[5] = [{ mw: 10, price_usd_per_mwh: -150 }]; // below the overridden floor
  curves[6] = [{ mw: -5, price_usd_per_mwh: 10 }, { mw: -5, price_usd_per_mwh: 20 }, { mw: 5, price_usd_per_mwh: 30 }, { mw: 5, price_usd_per_mwh: 40 }]; // 4 > 3 segments
  curves[7] = [{ mw: 0, price_usd_per_mwh: 30 }]; // zero width
  curves[8] = [{ mw: 10, price_usd_per_mwh: 40 }, { mw: -10, price_usd_per_mwh: 50 }]; // discharge before charge
  return curves;
}

describeEachBackend('bid rules: web editor and server agree', (backend) => {
  let server: TestServer;
  let org: Org;
  const day = openErcotDay();

  beforeAll(async () => {
    server = await startTestServer(backend, { MARKET_OVERRIDES: JSON.stringify(OVERRIDES) });
    org = await newOrg(server);
  });
  afterAll(async () => server?.close());

  it('the same broken curves get the same issues and messages from both', async () => {
    const asset = await createBattery(server, org.trader, 'parity');
    const curves = brokenCurves(day.hours);

    const created = await server.app.inject({
      method: 'POST', url: '/api/bids', headers: bearer(org.trader),
      payload: { asset_id: asset.id, run: 'DA', delivery_date: day.date, curves },
    });
    expect(created.statusCode).toBe(201);
    const submitted = await server.app.inject({ method: 'POST', url: `/api/bids/${created.json().id}/submit`, headers: bearer(org.trader) });
    expect(submitted.statusCode).toBe(200);
    expect(submitted.json().status).toBe('rejected');
    const serverIssues = (submitted.json().issues as { code: string }[]).filter((i) => !TIMING.has(i.code));

    // What the browser has: the served market view and the asset's bid limits.
    const market = (await server.app.inject({ url: '/api/markets/ERCOT', headers: bearer(org.trader) })).json();
    expect(market.offer_limits.hard_cap_usd_per_mwh).toBe(1000);
    const view = (await server.app.inject({ url: `/api/assets/${asset.id}`, headers: bearer(org.trader) })).json();
    const webIssues = checkCurves(curves, { market, side: 'storage', min_mw: view.bid_limits.min_mw, max_mw: view.bid_limits.max_mw });

    expect(webIssues).toEqual(serverIssues);
    expect(webIssues.map((i) => `${i.code}@${i.period}:${i.segment ?? '-'}`)).toEqual([
      'price_above_hard_cap@1:0',
      'price_above_soft_cap@2:0',
      'non_monotone_price@3:1',
      'mw_outside_limits@4:1',
      'price_below_floor@5:0',
      'too_many_segments@6:-',
      'zero_mw@7:0',
      'storage_order@8:1',
    ]);
    expect(webIssues[0]!.message).toBe('hour 1 (HE02), segment 0: price 1500 $/MWh is above the ERCOT hard cap of 1000 $/MWh');
  });

  it('curves the server accepts raise nothing in the editor', async () => {
    const asset = await createBattery(server, org.trader, 'parity-valid');
    const curves = Array.from({ length: day.hours }, () => STORAGE_CURVE);
    const created = await server.app.inject({
      method: 'POST', url: '/api/bids', headers: bearer(org.trader),
      payload: { asset_id: asset.id, run: 'DA', delivery_date: day.date, curves },
    });
    const submitted = await server.app.inject({ method: 'POST', url: `/api/bids/${created.json().id}/submit`, headers: bearer(org.trader) });
    expect(submitted.json().status).toBe('accepted');
    const market = (await server.app.inject({ url: '/api/markets/ERCOT', headers: bearer(org.trader) })).json();
    expect(checkCurves(curves, { market, side: 'storage', min_mw: -10, max_mw: 10 })).toEqual([]);
  });
});

describe('bid rules: the web check reads the served figures, not the catalogue', () => {
  it('an offer at 950 $/MWh is fine under ERCOT’s catalogue cap and broken under the override', () => {
    const curves = [[{ mw: 10, price_usd_per_mwh: 950 }]];
    const catalogue = { iso: 'ERCOT', offer_limits: { floor_usd_per_mwh: -250, soft_cap_usd_per_mwh: 5000, hard_cap_usd_per_mwh: 5000 }, max_segments: 10 };
    const overridden = { ...catalogue, offer_limits: { ...catalogue.offer_limits, ...OVERRIDES.ERCOT.offer_limits } };
    expect(checkCurves(curves, { market: catalogue, side: 'supply', min_mw: 0, max_mw: 10 })).toEqual([]);
    expect(checkCurves(curves, { market: overridden, side: 'supply', min_mw: 0, max_mw: 10 }).map((i) => i.code)).toEqual(['price_above_soft_cap']);
  });
});
