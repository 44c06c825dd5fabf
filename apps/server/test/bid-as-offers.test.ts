/** Bids with ancillary-service offers: stored, validated against the ISO catalogue and the battery, versioned, returned. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { createBattery, newOrg, openErcotDay, type Org } from './trading-fixtures.js';

/** Half the battery's 10 MW each way on energy, so 5 MW each way is left for AS. */
const HALF_CURVE = [
  { mw: -5, price_usd_per_mwh: 20 },
  { mw: 5, price_usd_per_mwh: 50 },
];

describeEachBackend('bid AS offers', (backend) => {
  let server: TestServer;
  let org: Org;
  const day = openErcotDay();
  const curves = Array.from({ length: day.hours }, () => HALF_CURVE);

  beforeAll(async () => {
    server = await startTestServer(backend);
    org = await newOrg(server);
  });
  afterAll(async () => server?.close());

  const create = (assetId: string, as_offers: unknown) =>
    server.app.inject({ method: 'POST', url: '/api/bids', headers: bearer(org.trader), payload: { asset_id: assetId, run: 'DA', delivery_date: day.date, curves, as_offers } });

  it('stores AS offers with the bid, returns them, versions them and accepts them at submission', async () => {
    const asset = await createBattery(server, org.trader, 'as offers');
    const offers = curves.map((_, h) => (h === 17 ? [{ product: 'REGUP', mw: 3, price_usd_per_mw: 0 }, { product: 'RRS', mw: 2, price_usd_per_mw: 1.5 }] : []));
    const created = await create(asset.id, offers);
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const got = (await server.app.inject({ url: `/api/bids/${id}`, headers: bearer(org.viewer) })).json();
    expect(got.as_offers).toHaveLength(day.hours);
    expect(got.as_offers[17]).toEqual([{ product: 'REGUP', mw: 3, price_usd_per_mw: 0 }, { product: 'RRS', mw: 2, price_usd_per_mw: 1.5 }]);
    expect(got.as_offers[0]).toEqual([]);

    const next = offers.map((l, h) => (h === 2 ? [{ product: 'REGDN', mw: 5, price_usd_per_mw: 0 }] : l));
    const patched = await server.app.inject({ method: 'PATCH', url: `/api/bids/${id}`, headers: bearer(org.trader), payload: { as_offers: next } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().version).toBe(2);
    expect(patched.json().as_offers[2]).toEqual([{ product: 'REGDN', mw: 5, price_usd_per_mw: 0 }]);
    // A change of the curves alone keeps the AS offers.
    const curvesOnly = await server.app.inject({ method: 'PATCH', url: `/api/bids/${id}`, headers: bearer(org.trader), payload: { curves } });
    expect(curvesOnly.json().as_offers[2]).toEqual([{ product: 'REGDN', mw: 5, price_usd_per_mw: 0 }]);
    const versions = (await server.app.inject({ url: `/api/bids/${id}/versions`, headers: bearer(org.viewer) })).json();
    expect(versions.items.map((v: any) => v.as_offers[2])).toEqual([[], [{ product: 'REGDN', mw: 5, price_usd_per_mw: 0 }], [{ product: 'REGDN', mw: 5, price_usd_per_mw: 0 }]]);

    const submitted = await server.app.inject({ method: 'POST', url: `/api/bids/${id}/submit`, headers: bearer(org.trader) });
    expect(submitted.json().status, submitted.body).toBe('accepted');
    expect(submitted.json().as_offers[17][1].product).toBe('RRS');
  });

  it('refuses AS offers that break the catalogue rules or the battery limits, by period and product (422)', async () => {
    const asset = await createBattery(server, org.trader, 'bad as offers');
    const offers = curves.map(() => [] as unknown[]);
    offers[3] = [{ product: 'REGUP', mw: 6, price_usd_per_mw: 0 }]; // 5 MW discharge + 6 MW up > 10 MW
    offers[5] = [{ product: 'SPIN', mw: 1, price_usd_per_mw: 0 }]; // not an ERCOT product
    offers[7] = [{ product: 'RRS', mw: 1, price_usd_per_mw: 6000 }]; // above the 5000 $/MW cap
    const res = await create(asset.id, offers);
    expect(res.statusCode).toBe(422);
    const issues = res.json().error.details as { code: string; period?: number; product?: string; message: string }[];
    expect(issues.map((i) => `${i.code}@${i.period}:${i.product ?? '-'}`)).toEqual(
      expect.arrayContaining(['as_up_exceeds_power@3:-', 'as_unknown_product@5:SPIN', 'as_price_above_cap@7:RRS']),
    );
    expect(issues.find((i) => i.code === 'as_unknown_product')!.message).toMatch(/REGUP/);
    // Offers for fewer periods than curves are named too.
    const short = await create(asset.id, offers.slice(0, 2).map(() => [{ product: 'REGUP', mw: 1, price_usd_per_mw: 0 }]));
    expect(short.statusCode).toBe(422);
    expect(short.json().error.details[0].code).toBe('as_wrong_period_count');
    // Nothing was stored.
    const list = (await server.app.inject({ url: `/api/bids?asset_id=${asset.id}`, headers: bearer(org.viewer) })).json();
    expect(list.total).toBe(0);
  });

  it('refuses a change that would break the AS rules and keeps the version in force', async () => {
    const asset = await createBattery(server, org.trader, 'patch as offers');
    const created = await create(asset.id, undefined);
    expect(created.json().as_offers).toBeNull();
    const id = created.json().id;
    const bad = curves.map((_, h) => (h === 0 ? [{ product: 'REGDN', mw: 7, price_usd_per_mw: 0 }] : []));
    const res = await server.app.inject({ method: 'PATCH', url: `/api/bids/${id}`, headers: bearer(org.trader), payload: { as_offers: bad } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details[0]).toMatchObject({ code: 'as_down_exceeds_power', period: 0 });
    const got = (await server.app.inject({ url: `/api/bids/${id}`, headers: bearer(org.viewer) })).json();
    expect(got.version).toBe(1);
    expect(got.as_offers).toBeNull();
  });
});
