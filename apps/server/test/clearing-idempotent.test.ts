/**
 * Clearing a market day is idempotent across instances: two services on the
 * same database clear the same ERCOT day at once (on PostgreSQL, two
 * connection pools: truly concurrent); there is one clearing record, one set
 * of awards, one `bid.clear` audit row and one `bid_status` event per bid.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { Database } from '../src/db/client.js';
import { createServices, type Services } from '../src/services.js';
import { bearer, describeEachBackend, testConfig, type TestServer } from './helpers.js';
import { createBattery, createDaBid, newOrg, openErcotDay, storeDaPrices } from './trading-fixtures.js';

const day = openErcotDay();

describeEachBackend('idempotent clearing', (backend) => {
  let database: Database;
  let server: TestServer;
  let other: Services;
  beforeAll(async () => {
    database = await backend.open();
    const ctx = await createServices(testConfig(), { database });
    const app = await buildApp(ctx, { logger: false });
    await app.ready();
    server = { ctx, app, close: async () => { await app.close(); await ctx.close(); } };
    other = await createServices(testConfig(), { database });
  });
  afterAll(async () => {
    await other?.close();
    await server?.close();
    await database?.close();
  });

  it('two concurrent clears of a day: one record, one set of awards, one audit row and one bid_status per bid', async () => {
    await storeDaPrices(server, day.date);
    const org = await newOrg(server);
    const bids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const asset = await createBattery(server, org.trader, `battery ${i}`);
      const bid = (await createDaBid(server, org.trader, asset.id, day.date, day.hours)).json();
      expect((await server.app.inject({ method: 'POST', url: `/api/bids/${bid.id}/submit`, headers: bearer(org.trader) })).json().status).toBe('accepted');
      bids.push(bid.id);
    }
    const statusEvents: string[] = [];
    const offs = [server.ctx, other].map((s) => s.bus.subscribe(`org:${org.id}`, (m) => {
      const e = m as { type: string; bid_id?: string };
      if (e.type === 'bid_status' && e.bid_id) statusEvents.push(e.bid_id);
    }));
    const req = { iso: 'ERCOT' as const, run: 'DA' as const, delivery_date: day.date, mode: 'price_taker' as const, triggered_by: null };
    const results = await Promise.all([server.ctx.trading.clearing.clear(req), other.trading.clearing.clear(req)]);
    await new Promise((r) => setTimeout(r, 50));
    offs.forEach((off) => off());

    expect(results.map((r) => r.newly_cleared).reduce((a, b) => a + b, 0)).toBe(3);
    const [records] = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM market_clearings WHERE market = 'ERCOT' AND run = 'DA' AND delivery_date = $1`, [day.date]);
    expect(records!.n).toBe(1);
    const awards = await database.query<{ bid_id: string; n: number }>(`SELECT bid_id, count(*)::int AS n FROM bid_awards WHERE bid_id = ANY($1::uuid[]) GROUP BY bid_id`, [bids]);
    expect(awards.map((a) => [a.bid_id, a.n]).sort()).toEqual(bids.map((id) => [id, day.hours]).sort());
    const audits = await database.query<{ target_id: string; n: number }>(`SELECT target_id, count(*)::int AS n FROM audit_log WHERE action = 'bid.clear' AND target_id = ANY($1::text[]) GROUP BY target_id`, [bids]);
    expect(audits.map((a) => [a.target_id, a.n]).sort()).toEqual(bids.map((id) => [id, 1]).sort());
    expect([...statusEvents].sort()).toEqual([...bids].sort());

    // A later attempt changes nothing: no transition, no audit, no event.
    const again = await other.trading.clearing.clear(req);
    expect(again.newly_cleared).toBe(0);
    const [auditsAfter] = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'bid.clear' AND target_id = ANY($1::text[])`, [bids]);
    expect(auditsAfter!.n).toBe(3);
  });
});
