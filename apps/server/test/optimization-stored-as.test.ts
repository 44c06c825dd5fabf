/**
 * POST /api/optimize for a battery without `as_prices` reads the market's stored AS clearing
 * prices like its energy prices: stored energy → the delivery day's, a forecast → the previous
 * day's (persistence); `ancillary: 'none'` opts out; the answer says where they came from. Each
 * run is compared with the same request given those stored prices explicitly.
 */
import { addDaysYmd, localDayBoundsUtc } from '@optibid/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { BATTERY, createBattery, newOrg, openErcotDay, storeDaPrices, type Org } from './trading-fixtures.js';

const TZ = 'America/Chicago';
const H = 3_600_000;

/** Stores one day's ERCOT AS prices (zone ERCOT): per product, a price by hour of the day. */
async function storeAsPrices(server: TestServer, date: string, products: Record<string, (h: number) => number>) {
  const day = localDayBoundsUtc(date, TZ);
  const rows = [];
  for (let k = 0, t = day.start.getTime(); t < day.end.getTime(); k++, t += H) {
    for (const [product, price] of Object.entries(products)) {
      rows.push({ market: 'ERCOT' as const, zone: 'ERCOT', product, run: 'DA' as const, interval_start: new Date(t), interval_end: new Date(t + H), price_usd_per_mw: price(k) });
    }
  }
  await server.ctx.repos.ancillaryPrices.upsert(rows, { source: 'test' });
}

function hourly(date: string, f: (h: number) => number): number[] {
  const day = localDayBoundsUtc(date, TZ);
  return Array.from({ length: Math.round((day.end.getTime() - day.start.getTime()) / H) }, (_, k) => f(k));
}

describeEachBackend('optimisation on stored AS prices', (backend) => {
  let server: TestServer;
  let org: Org;
  let asset: { id: string };
  // A delivery day a week and more ahead, with eight days of energy history before it.
  const day = openErcotDay(new Date(Date.now() + 10 * 86_400_000));
  const prev = addDaysYmd(day.date, -1);
  const yesterday = { REGUP: (h: number) => 9 + (h % 3), RRS: () => 4 };
  const today = { REGUP: () => 2, RRS: (h: number) => 12 + (h % 5), NSPIN: () => 1 };

  beforeAll(async () => {
    server = await startTestServer(backend);
    org = await newOrg(server);
    asset = await createBattery(server, org.trader, 'stored AS battery');
    for (let k = -8; k <= 0; k++) await storeDaPrices(server, addDaysYmd(day.date, k));
    await storeAsPrices(server, prev, yesterday);
    await storeAsPrices(server, day.date, today);
  });
  afterAll(async () => server?.close());

  const optimize = (payload: Record<string, unknown>) => server.app.inject({ method: 'POST', url: '/api/optimize', headers: bearer(org.trader), payload: { asset_id: asset.id, run: 'DA', delivery_date: day.date, ...payload } });

  it("stored energy prices: the delivery day's stored AS prices, as if given in the request", async () => {
    const res = await optimize({ price_source: { type: 'historical' } });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.ancillary).toMatchObject({ model: 'default', price_source: 'stored', as_price_zone: 'ERCOT', as_price_date: day.date });
    expect(Object.keys(r.ancillary.revenue_by_product).sort()).toEqual(['NSPIN', 'REGUP', 'RRS']);
    expect(r.ancillary.expected_as_revenue_usd).toBeGreaterThan(0);
    expect(r.soc_initial).toEqual({ mwh: BATTERY.soc_initial_mwh, source: 'asset' });

    const explicit = (await optimize({ price_source: { type: 'historical' }, as_prices: Object.fromEntries(Object.entries(today).map(([p, f]) => [p, hourly(day.date, f)])) })).json();
    expect(explicit.ancillary.price_source).toBe('explicit');
    expect(r.expected_net_usd).toBeCloseTo(explicit.expected_net_usd, 6);
    expect(r.ancillary.revenue_by_product).toEqual(explicit.ancillary.revenue_by_product);
    expect(r.ancillary.as_offers).toEqual(explicit.ancillary.as_offers);
  });

  it("a forecast: the previous day's stored AS prices at the same clock time (persistence)", async () => {
    const res = await optimize({ price_source: { type: 'forecast', model: 'naive' } });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.ancillary).toMatchObject({ price_source: 'stored_previous_day', as_price_zone: 'ERCOT', as_price_date: prev });
    expect(Object.keys(r.ancillary.revenue_by_product).sort()).toEqual(['REGUP', 'RRS']);
    const given = Object.fromEntries(Object.entries(yesterday).map(([p, f]) => [p, hourly(day.date, f)]));
    const explicit = (await optimize({ price_source: { type: 'forecast', model: 'naive' }, as_prices: given })).json();
    expect(r.expected_net_usd).toBeCloseTo(explicit.expected_net_usd, 6);
    expect(r.ancillary.revenue_by_product).toEqual(explicit.ancillary.revenue_by_product);
  });

  it("opts out with ancillary: 'none', says why a day without stored AS prices runs on energy only, and refuses as_prices with 'none'", async () => {
    const none = (await optimize({ price_source: { type: 'historical' }, ancillary: 'none' })).json();
    expect(none.ancillary).toBeUndefined();
    expect(none.ancillary_note).toBeUndefined();
    expect(none.schedule.every((s: { as_mw?: unknown }) => s.as_mw === undefined)).toBe(true);

    const later = addDaysYmd(day.date, 1);
    await storeDaPrices(server, later);
    const bare = await server.app.inject({ method: 'POST', url: '/api/optimize', headers: bearer(org.trader), payload: { asset_id: asset.id, run: 'DA', delivery_date: later, price_source: { type: 'historical' } } });
    expect(bare.statusCode, bare.body).toBe(200);
    expect(bare.json().ancillary).toBeUndefined();
    expect(bare.json().ancillary_note).toMatch(/no complete stored ERCOT AS prices \(zone ERCOT\) for/);
    // The same energy-only answer as opting out.
    const bareNone = (await server.app.inject({ method: 'POST', url: '/api/optimize', headers: bearer(org.trader), payload: { asset_id: asset.id, run: 'DA', delivery_date: later, price_source: { type: 'historical' }, ancillary: 'none' } })).json();
    expect(bare.json().expected_net_usd).toBe(bareNone.expected_net_usd);

    const both = await optimize({ price_source: { type: 'historical' }, ancillary: 'none', as_prices: { REGUP: hourly(day.date, () => 1) } });
    expect(both.statusCode).toBe(422);
    expect(both.json().error.message).toMatch(/ancillary: none/);
  });

  it('explicit energy prices read no stored AS prices', async () => {
    const r = (await optimize({ price_source: { type: 'explicit', prices: hourly(day.date, () => 30) } })).json();
    expect(r.ancillary).toBeUndefined();
    expect(r.ancillary_note).toMatch(/explicit energy prices/);
  });
});
