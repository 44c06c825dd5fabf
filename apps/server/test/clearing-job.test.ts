/**
 * The scheduled clearing of a market day is a durable job: every instance's round
 * asks for it and one job results (unique key `<ISO>:DA:<date>`); a worker that
 * claimed it and died (no heartbeat) loses it when the lease expires, and another
 * instance clears the day: one clearing record, one set of awards, one audit row
 * and one bid_status per bid. On both backends.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { JobRepository } from '../src/db/repositories/jobs.js';
import { CLEARING_QUEUE, startClearingJob } from '../src/jobs/clearing.js';
import { createServices, type Services } from '../src/services.js';
import { bearer, describeEachBackend, startTestServer, testConfig, type TestServer } from './helpers.js';
import { createBattery, createDaBid, newOrg, openErcotDay, storeDaPrices } from './trading-fixtures.js';

const day = openErcotDay();
const afterGate = () => new Date(day.gate.getTime() + 60_000);
const log = { info: () => undefined, error: () => undefined } as never;

describeEachBackend('clearing as a job', (backend) => {
  let server: TestServer;
  let database: Database;
  const instances: Services[] = [];
  beforeAll(async () => {
    server = await startTestServer({ name: backend.name, open: async () => (database = await backend.open()) });
    for (let i = 0; i < 2; i++) instances.push(await createServices(testConfig(), { database, now: afterGate, jobs: { lease_ms: 400, poll_ms: 50, backoff_ms: 50 } }));
  });
  afterAll(async () => {
    for (const s of instances) await s.close();
    await server?.close();
  });

  it('one job per market day across instances; a dead worker’s job is cleared once by another after its lease', async () => {
    await storeDaPrices(server, day.date);
    const org = await newOrg(server);
    const bids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const asset = await createBattery(server, org.trader, `battery ${i}`);
      const bid = (await createDaBid(server, org.trader, asset.id, day.date, day.hours)).json();
      expect((await server.app.inject({ method: 'POST', url: `/api/bids/${bid.id}/submit`, headers: bearer(org.trader) })).json().status).toBe('accepted');
      bids.push(bid.id);
    }
    const [a, b] = instances as [Services, Services];
    // The server's own queue must not take the job: only a and b stand past the gate.
    await server.ctx.jobs.stop();
    const stoppers = [await startClearingJob(a, log, { now: afterGate, intervalMs: 60_000 }), await startClearingJob(b, log, { now: afterGate, intervalMs: 60_000 })];
    await Promise.all(stoppers.map((stop) => stop()));
    const key = `ERCOT:DA:${day.date}`;
    const jobs = await database.query<{ id: string; status: string }>(`SELECT id, status FROM jobs WHERE queue = $1 AND unique_key = $2`, [CLEARING_QUEUE, key]);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.status).toBe('queued');

    // A worker claims it (and the other markets' days due at that moment) and dies: no heartbeat, no result.
    const repo = new JobRepository(database);
    let claimed = await repo.claim([CLEARING_QUEUE], 'dead-instance', 300);
    while (claimed && claimed.id !== jobs[0]!.id) claimed = await repo.claim([CLEARING_QUEUE], 'dead-instance', 300);
    expect(claimed?.payload).toEqual({ iso: 'ERCOT', delivery_date: day.date });

    const statusEvents: string[] = [];
    const off = b.bus.subscribe(`org:${org.id}`, (m) => {
      const e = m as { type: string; bid_id?: string; status?: string };
      if (e.type === 'bid_status' && e.bid_id && e.status === 'cleared') statusEvents.push(e.bid_id);
    });
    b.jobs.start();
    await b.jobs.drain(20_000);
    await new Promise((r) => setTimeout(r, 50));
    off();

    const [job] = await database.query<{ status: string; attempts: number; locked_by: string }>(`SELECT status, attempts, locked_by FROM jobs WHERE id = $1`, [jobs[0]!.id]);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2, locked_by: b.jobs.options.worker });
    const [records] = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM market_clearings WHERE market = 'ERCOT' AND run = 'DA' AND delivery_date = $1`, [day.date]);
    expect(records!.n).toBe(1);
    const awards = await database.query<{ bid_id: string; n: number }>(`SELECT bid_id, count(*)::int AS n FROM bid_awards WHERE bid_id = ANY($1::uuid[]) GROUP BY bid_id`, [bids]);
    expect(awards.map((r) => [r.bid_id, r.n]).sort()).toEqual(bids.map((id) => [id, day.hours]).sort());
    const audits = await database.query<{ target_id: string; n: number }>(`SELECT target_id, count(*)::int AS n FROM audit_log WHERE action = 'bid.clear' AND target_id = ANY($1::text[]) GROUP BY target_id`, [bids]);
    expect(audits.map((r) => [r.target_id, r.n]).sort()).toEqual(bids.map((id) => [id, 1]).sort());
    expect([...statusEvents].sort()).toEqual([...bids].sort());

    // The day is cleared: later rounds ask for nothing, the key stays taken.
    expect(await a.trading.clearing.dueDayAhead()).not.toContainEqual({ iso: 'ERCOT', delivery_date: day.date });
    expect(await a.jobs.enqueueUnique(CLEARING_QUEUE, key, { iso: 'ERCOT', delivery_date: day.date })).toBeNull();
  });
});
