/**
 * Issue 13, finding 3: an organisation cleared its own accepted bid 58 hours before gate
 * closure, publishing simulated DA prices for the whole market and making the bid
 * uncancellable. On-demand clearing now waits for the day's gate closure (409
 * `gate_not_closed` before it), except for a platform admin in simulation mode; the
 * services' clock is moved past the gate to clear as the market would.
 */
import { formatMarketClock, localDayBoundsUtc, rtBidClosure } from '@optibid/core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { memberWithRole, platformAdminToken } from './helpers-accounts.js';
import { createBattery, createDaBid, movableClock, newOrg, openErcotDay, storeDaPrices, type Org } from './trading-fixtures.js';

const day = openErcotDay();
const TZ = 'America/Chicago';

async function acceptedBid(server: TestServer, org: Org, name: string): Promise<string> {
  const asset = await createBattery(server, org.trader, name);
  const bid = (await createDaBid(server, org.trader, asset.id, day.date, day.hours)).json();
  const submitted = await server.app.inject({ method: 'POST', url: `/api/bids/${bid.id}/submit`, headers: bearer(org.trader) });
  expect(submitted.json().status).toBe('accepted');
  return bid.id;
}

const clear = (server: TestServer, token: string, body: Record<string, unknown> = { run: 'DA', delivery_date: day.date }) =>
  server.app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(token), payload: body });

const statusOf = async (server: TestServer, org: Org, id: string) => (await server.app.inject({ url: `/api/bids/${id}`, headers: bearer(org.viewer) })).json().status;

function expectGateNotClosed(res: { statusCode: number; json(): any }, gate: Date) {
  expect(res.statusCode).toBe(409);
  const { error } = res.json();
  expect(error.code).toBe('gate_not_closed');
  expect(typeof error.request_id).toBe('string');
  expect(error.message).toContain(gate.toISOString());
  expect(error.message).toContain(`(market time ${formatMarketClock(gate, TZ)})`);
  expect(error.details[0]).toMatchObject({ gate_closure: gate.toISOString() });
}

describeEachBackend('on-demand clearing waits for the gate', (backend) => {
  const clock = movableClock();
  let server: TestServer;
  let org: Org;
  let orgAdmin: string;
  let platform: string;

  beforeAll(async () => {
    server = await startTestServer(backend, {}, { now: clock.now });
    org = await newOrg(server);
    orgAdmin = (await memberWithRole(server, org.id, 'admin')).access_token;
    platform = await platformAdminToken(server);
    await storeDaPrices(server, day.date);
  });
  afterEach(() => clock.reset());
  afterAll(async () => server?.close());

  it('before the gate: owner, admin and a platform admin without simulation get 409 naming the gate; a trader 403; the bid stays accepted and cancellable', async () => {
    const id = await acceptedBid(server, org, 'early');
    for (const token of [org.owner, orgAdmin, platform]) expectGateNotClosed(await clear(server, token), day.gate);
    // A minute before the gate is still before it.
    clock.standAt(day.gate.getTime() - 60_000);
    expectGateNotClosed(await clear(server, org.owner), day.gate);
    clock.reset();
    // A trader may not clear at all: the role check comes first.
    expect((await clear(server, org.trader)).statusCode).toBe(403);

    expect(await statusOf(server, org, id)).toBe('accepted');
    const [awards] = await server.ctx.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM bid_awards WHERE bid_id = $1`, [id]);
    expect(Number(awards?.n)).toBe(0);
    const records = await server.ctx.database.query(`SELECT 1 FROM market_clearings WHERE market = 'ERCOT' AND delivery_date = $1`, [day.date]);
    expect(records).toHaveLength(0);
    const cancelled = await server.app.inject({ method: 'POST', url: `/api/bids/${id}/cancel`, headers: bearer(org.trader) });
    expect(cancelled.json().status).toBe('cancelled');
  });

  it('from the gate on: the owner clears its own bid, an organisation admin re-runs it, a platform admin clears the market', async () => {
    const id = await acceptedBid(server, org, 'on time');
    const other = await newOrg(server);
    const otherId = await acceptedBid(server, other, 'other on time');

    clock.standAt(day.gate);
    const byOwner = await clear(server, org.owner);
    expect(byOwner.statusCode, byOwner.body).toBe(200);
    expect(byOwner.json()).toMatchObject({ status: 'complete', bids_cleared: 1, newly_cleared: 1, simulated_prices: [] });
    expect(await statusOf(server, org, id)).toBe('cleared');
    expect(await statusOf(server, other, otherId)).toBe('accepted');

    clock.standAt(day.gate.getTime() + 3_600_000);
    expect((await clear(server, orgAdmin)).json()).toMatchObject({ bids_cleared: 1, newly_cleared: 0 });
    expect((await clear(server, org.trader)).statusCode).toBe(403);
    const byPlatform = await clear(server, platform);
    expect(byPlatform.statusCode, byPlatform.body).toBe(200);
    expect(byPlatform.json()).toMatchObject({ status: 'complete', bids_cleared: 2, newly_cleared: 1 });
    expect(await statusOf(server, other, otherId)).toBe('cleared');
  });

  it('real-time: refused until the RT bids of the day\'s last hour have closed; a day the ISO calendar does not cover is 422', async () => {
    const lastHour = new Date(localDayBoundsUtc(day.date, TZ).end.getTime() - 3_600_000);
    const rtGate = rtBidClosure('ERCOT', lastHour);
    clock.standAt(day.gate.getTime() + 60_000);
    const early = await clear(server, org.owner, { run: 'RT', delivery_date: day.date });
    expectGateNotClosed(early, rtGate);
    expect(early.json().error.message).toMatch(/real-time bids of its last hour/);
    clock.standAt(rtGate);
    const onTime = await clear(server, org.owner, { run: 'RT', delivery_date: day.date });
    expect(onTime.statusCode, onTime.body).toBe(200);
    expect(onTime.json()).toMatchObject({ run: 'RT', bids_cleared: 0 });

    const before = await clear(server, platform, { run: 'DA', delivery_date: '1999-12-31' });
    expect(before.statusCode).toBe(422);
    expect(before.json().error.message).toMatch(/no day-ahead gate closure rule/);
  });
});

describeEachBackend('on-demand clearing before the gate in simulation mode', (backend) => {
  let server: TestServer;
  let org: Org;
  let orgAdmin: string;

  beforeAll(async () => {
    server = await startTestServer(backend, { SIMULATION_MODE: 'true' });
    org = await newOrg(server);
    orgAdmin = (await memberWithRole(server, org.id, 'admin')).access_token;
  });
  afterAll(async () => server?.close());

  it('an organisation owner or admin is refused and nothing is simulated or published; a platform admin clears and the simulated market publishes the day', async () => {
    const id = await acceptedBid(server, org, 'sim');
    const published: unknown[] = [];
    const off = server.ctx.bus.subscribe('prices:ERCOT', (m) => published.push(m));
    try {
      for (const token of [org.owner, orgAdmin]) expectGateNotClosed(await clear(server, token), day.gate);
      const stored = await server.ctx.database.query(
        `SELECT 1 FROM prices WHERE market = 'ERCOT' AND run = 'DA' AND interval_start >= $1 AND interval_start < $2`,
        [localDayBoundsUtc(day.date, TZ).start, localDayBoundsUtc(day.date, TZ).end],
      );
      expect(stored).toHaveLength(0);
      expect(published).toEqual([]);
      expect(await statusOf(server, org, id)).toBe('accepted');

      const platform = await platformAdminToken(server);
      const res = await clear(server, platform);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ status: 'complete', bids_cleared: 1, newly_cleared: 1, simulated_prices: [{ location: 'HB_HOUSTON', hours: day.hours }] });
      expect(published).toEqual([expect.objectContaining({ type: 'da_prices', market: 'ERCOT', delivery_date: day.date, source: 'simulated-da' })]);
      expect(await statusOf(server, org, id)).toBe('cleared');
    } finally {
      off();
    }
  });
});
