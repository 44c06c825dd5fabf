/** Bids through the API: validation at submission, idempotent retries, late bids, roles, versions, cancellation, tenancy. */
import { addDaysYmd, localDateOf } from '@optibid/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { createBattery, createDaBid, newOrg, openErcotDay, STORAGE_CURVE, type Org } from './trading-fixtures.js';

describeEachBackend('bids', (backend) => {
  let server: TestServer;
  let org: Org;
  const day = openErcotDay();

  beforeAll(async () => {
    server = await startTestServer(backend);
    org = await newOrg(server);
  });
  afterAll(async () => server?.close());

  const submit = (token: string, id: string, key?: string) =>
    server.app.inject({ method: 'POST', url: `/api/bids/${id}/submit`, headers: { ...bearer(token), ...(key ? { 'idempotency-key': key } : {}) } });

  it('rejects an invalid bid at submission with every broken rule, by hour and segment', async () => {
    const asset = await createBattery(server, org.trader, 'invalid');
    const good = STORAGE_CURVE;
    const curves = Array.from({ length: day.hours }, () => good);
    curves[3] = [{ mw: 10, price_usd_per_mwh: 6000 }]; // above ERCOT's 5000 cap
    curves[5] = [{ mw: -10, price_usd_per_mwh: 40 }, { mw: 10, price_usd_per_mwh: 30 }]; // prices fall along a storage curve
    curves[7] = [{ mw: 25, price_usd_per_mwh: 40 }]; // beyond the 10 MW discharge limit
    const created = await server.app.inject({
      method: 'POST', url: '/api/bids', headers: bearer(org.trader),
      payload: { asset_id: asset.id, run: 'DA', delivery_date: day.date, curves: curves.slice(0, day.hours - 1) },
    });
    expect(created.statusCode).toBe(201);
    const res = await submit(org.trader, created.json().id);
    expect(res.statusCode).toBe(200);
    const bid = res.json();
    expect(bid.status).toBe('rejected');
    const codes = bid.issues.map((i: any) => `${i.code}@${i.period ?? '-'}`);
    expect(codes).toEqual(expect.arrayContaining(['wrong_period_count@-', 'price_above_hard_cap@3', 'non_monotone_price@5', 'mw_outside_limits@7']));
    expect(bid.issues.find((i: any) => i.code === 'price_above_hard_cap').segment).toBe(0);
    // A rejected bid is final.
    expect((await submit(org.trader, bid.id)).statusCode).toBe(409);
  });

  it('a submission retried with the same Idempotency-Key creates one bid and one audit entry', async () => {
    const asset = await createBattery(server, org.trader, 'idempotent');
    const c1 = await createDaBid(server, org.trader, asset.id, day.date, day.hours, STORAGE_CURVE, { 'idempotency-key': 'create-1' });
    const c2 = await createDaBid(server, org.trader, asset.id, day.date, day.hours, STORAGE_CURVE, { 'idempotency-key': 'create-1' });
    expect(c1.statusCode).toBe(201);
    expect(c2.statusCode).toBe(201);
    expect(c2.headers['idempotent-replayed']).toBe('true');
    expect(c2.json()).toEqual(c1.json());
    const id = c1.json().id;
    const list = (await server.app.inject({ url: `/api/bids?asset_id=${asset.id}`, headers: bearer(org.viewer) })).json();
    expect(list.total).toBe(1);

    const s1 = await submit(org.trader, id, 'submit-1');
    const s2 = await submit(org.trader, id, 'submit-1');
    expect(s1.json().status).toBe('accepted');
    expect(s2.statusCode).toBe(200);
    expect(s2.json()).toEqual(s1.json());
    const audit = await server.ctx.database.query<{ action: string }>(`SELECT action FROM audit_log WHERE target_id = $1 ORDER BY created_at`, [id]);
    expect(audit.map((a) => a.action).sort()).toEqual(['bid.accept', 'bid.create', 'bid.submit']);
    // The same key on another request is a conflict, not a replay.
    const other = await server.app.inject({ method: 'POST', url: `/api/bids/${id}/cancel`, headers: { ...bearer(org.trader), 'idempotency-key': 'submit-1' } });
    expect(other.statusCode).toBe(409);
  });

  it('refuses a late bid with the ISO gate closure time', async () => {
    const asset = await createBattery(server, org.trader, 'late');
    const today = localDateOf(new Date(), 'America/Chicago');
    const res = await createDaBid(server, org.trader, asset.id, today, 24);
    expect(res.statusCode).toBe(422);
    const msg = res.json().error.message as string;
    expect(msg).toContain(`ERCOT day-ahead gate closed at 10:00 C`);
    expect(msg).toContain(`on ${addDaysYmd(today, -1)}`);
    expect(res.json().error.details.some((d: any) => d.code === 'gate_closed')).toBe(true);
  });

  it('a viewer cannot create, submit or cancel (403); a viewer reads', async () => {
    const asset = await createBattery(server, org.trader, 'roles');
    expect((await createDaBid(server, org.viewer, asset.id, day.date, day.hours)).statusCode).toBe(403);
    const bid = (await createDaBid(server, org.trader, asset.id, day.date, day.hours)).json();
    expect((await submit(org.viewer, bid.id)).statusCode).toBe(403);
    expect((await server.app.inject({ method: 'POST', url: `/api/bids/${bid.id}/cancel`, headers: bearer(org.viewer) })).statusCode).toBe(403);
    expect((await server.app.inject({ method: 'PATCH', url: `/api/bids/${bid.id}`, headers: bearer(org.viewer), payload: { cost_verified: true } })).statusCode).toBe(403);
    expect((await server.app.inject({ url: `/api/bids/${bid.id}`, headers: bearer(org.viewer) })).statusCode).toBe(200);
    // A trader may not clear a market.
    expect((await server.app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(org.trader), payload: { run: 'DA', delivery_date: day.date } })).statusCode).toBe(403);
  });

  it('changes make new versions, keep the old ones, and an invalid change to an accepted bid is refused', async () => {
    const asset = await createBattery(server, org.trader, 'versions');
    const bid = (await createDaBid(server, org.trader, asset.id, day.date, day.hours)).json();
    const cheaper = [{ mw: -10, price_usd_per_mwh: 10 }, { mw: 10, price_usd_per_mwh: 60 }];
    const p1 = await server.app.inject({ method: 'PATCH', url: `/api/bids/${bid.id}`, headers: bearer(org.trader), payload: { curves: Array.from({ length: day.hours }, () => cheaper) } });
    expect(p1.statusCode).toBe(200);
    expect(p1.json()).toMatchObject({ version: 2, status: 'draft' });
    expect((await submit(org.trader, bid.id)).json().status).toBe('accepted');
    const bad = await server.app.inject({ method: 'PATCH', url: `/api/bids/${bid.id}`, headers: bearer(org.trader), payload: { curves: [[{ mw: 50, price_usd_per_mwh: 10 }]] } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details.map((d: any) => d.code)).toEqual(expect.arrayContaining(['wrong_period_count', 'mw_outside_limits']));
    const p3 = await server.app.inject({ method: 'PATCH', url: `/api/bids/${bid.id}`, headers: bearer(org.trader), payload: { curves: Array.from({ length: day.hours }, () => STORAGE_CURVE) } });
    expect(p3.json()).toMatchObject({ version: 3, status: 'accepted' });
    const versions = (await server.app.inject({ url: `/api/bids/${bid.id}/versions`, headers: bearer(org.viewer) })).json();
    expect(versions.items.map((v: any) => v.version)).toEqual([1, 2, 3]);
    expect(versions.items[1].curves[0]).toEqual(cheaper);
    expect(versions.items[2].status).toBe('accepted');

    const cancelled = await server.app.inject({ method: 'POST', url: `/api/bids/${bid.id}/cancel`, headers: bearer(org.trader) });
    expect(cancelled.json().status).toBe('cancelled');
    expect((await server.app.inject({ method: 'POST', url: `/api/bids/${bid.id}/cancel`, headers: bearer(org.trader) })).statusCode).toBe(409);
    // A second live DA bid for the same asset and day is refused; after cancelling, a new one is fine.
    expect((await createDaBid(server, org.trader, asset.id, day.date, day.hours)).statusCode).toBe(201);
    expect((await createDaBid(server, org.trader, asset.id, day.date, day.hours)).statusCode).toBe(409);
  });

  it('lists with filters', async () => {
    const asset = await createBattery(server, org.trader, 'filters');
    const bid = (await createDaBid(server, org.trader, asset.id, day.date, day.hours)).json();
    const q = async (qs: string) => (await server.app.inject({ url: `/api/bids?${qs}`, headers: bearer(org.viewer) })).json();
    expect((await q(`asset_id=${asset.id}&status=draft`)).items.map((b: any) => b.id)).toEqual([bid.id]);
    expect((await q(`asset_id=${asset.id}&status=accepted,cleared`)).total).toBe(0);
    expect((await q(`asset_id=${asset.id}&market=ercot&start=${day.date}&end=${day.date}`)).total).toBe(1);
    expect((await q(`asset_id=${asset.id}&start=${addDaysYmd(day.date, 1)}`)).total).toBe(0);
    expect((await q(`asset_id=${asset.id}&market=pjm`)).total).toBe(0);
  });

  describe('tenancy', () => {
    it("another organisation's bids, settlements and P&L are 404 or empty to you", async () => {
      const asset = await createBattery(server, org.trader, 'private');
      const bid = (await createDaBid(server, org.trader, asset.id, day.date, day.hours)).json();
      const intruder = await newOrg(server);
      const h = bearer(intruder.owner);
      for (const req of [
        { method: 'GET', url: `/api/bids/${bid.id}` },
        { method: 'GET', url: `/api/bids/${bid.id}/versions` },
        { method: 'PATCH', url: `/api/bids/${bid.id}`, payload: { cost_verified: true } },
        { method: 'POST', url: `/api/bids/${bid.id}/submit` },
        { method: 'POST', url: `/api/bids/${bid.id}/cancel` },
        { method: 'GET', url: `/api/settlements?start=${day.date}&end=${day.date}&asset_id=${asset.id}` },
        { method: 'GET', url: `/api/pnl?start=${day.date}&end=${day.date}&asset_id=${asset.id}` },
      ] as const) {
        const res = await server.app.inject({ ...req, headers: h } as never);
        expect(res.statusCode, `${req.method} ${req.url}`).toBe(404);
      }
      // Bidding on another organisation's asset: the asset is not found.
      expect((await createDaBid(server, intruder.owner, asset.id, day.date, day.hours)).statusCode).toBe(404);
      expect((await server.app.inject({ url: '/api/bids', headers: h })).json().total).toBe(0);
      expect((await server.app.inject({ url: `/api/pnl?start=${day.date}&end=${day.date}`, headers: h })).json().rows).toEqual([]);
      // Still there for its owner.
      expect((await server.app.inject({ url: `/api/bids/${bid.id}`, headers: bearer(org.viewer) })).statusCode).toBe(200);
    });
  });
});
