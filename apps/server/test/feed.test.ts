/**
 * The simulated feed against a real database: it learns from stored history,
 * publishes ticks on `prices:<ISO>` and stores them as RT5 within the ISO's
 * floor and hard cap; the leader lease admits one holder at a time.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getMarket } from '@optibid/core';
import type { PricePoint } from '../src/db/repositories/prices.js';
import { loadMarketSeries, startPriceFeed } from '../src/jobs/feed.js';
import { createLeaderLease } from '../src/jobs/leader.js';
import { startTickPersistence } from '../src/jobs/tick-persistence.js';
import { describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { sleep } from './realtime-client.js';

const HOUR = 3_600_000;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Four days of hourly DA history with a daily shape, ending now. */
function history(location: string, base: number): PricePoint[] {
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  return Array.from({ length: 96 }, (_, i) => {
    const t = end - (96 - i) * HOUR;
    const lmp = base + 15 * Math.sin((2 * Math.PI * (i % 24)) / 24) + ((i * 7919) % 13) / 4;
    return {
      market: 'PJM',
      location,
      run: 'DA' as const,
      interval_start: new Date(t),
      interval_end: new Date(t + HOUR),
      lmp_usd_per_mwh: lmp,
      energy_usd_per_mwh: lmp - 2,
      congestion_usd_per_mwh: 1.5,
      loss_usd_per_mwh: 0.5,
      source: 'test',
    };
  });
}

describeEachBackend('simulated price feed', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
    await server.ctx.repos.prices.upsert([...history('WESTERN HUB', 40), ...history('AEP-DAYTON HUB', 35)]);
  });
  afterAll(async () => server.close());

  it('learns from the locations with history and falls back to the main hub with a built-in shape', async () => {
    const pjm = await loadMarketSeries(server.ctx, getMarket('PJM'), 1);
    expect(pjm.map((s) => s.location)).toEqual(['WESTERN HUB', 'AEP-DAYTON HUB']);
    expect(pjm.map((s) => s.simulator.profile.source)).toEqual(['history', 'history']);
    expect(pjm[0]!.simulator.profile.level_usd_per_mwh).toBeGreaterThan(30);
    expect(pjm[0]!.simulator.profile.level_usd_per_mwh).toBeLessThan(50);
    const ercot = await loadMarketSeries(server.ctx, getMarket('ERCOT'), 1);
    expect(ercot.map((s) => [s.location, s.simulator.profile.source])).toEqual([['HB_HOUSTON', 'default']]);
  });

  it('publishes one tick per series per interval and stores it as RT5 within the caps', async () => {
    const seen: Record<string, unknown>[] = [];
    const off = server.ctx.bus.subscribe('prices:*', (m) => seen.push(m as Record<string, unknown>));
    const stopPersistence = await startTickPersistence(server.ctx, quiet);
    const stop = await startPriceFeed(server.ctx, quiet, { intervalMs: 150, seed: 7, markets: ['PJM', 'ERCOT'] });
    await sleep(900);
    await stop();
    const countAtStop = seen.length;
    await sleep(400);
    off();
    expect(seen.length).toBe(countAtStop);
    // Storing goes through the durable persistence consumer: give it until the last tick is in.
    const lastStored = async (iso: 'PJM' | 'ERCOT', location: string) =>
      (await server.ctx.repos.prices.recent(iso, location, ['RT5'], new Date(Date.now() - HOUR), new Date(Date.now() + HOUR))).at(-1)?.lmp_usd_per_mwh;
    const lastSeen = (location: string) => seen.filter((m) => m.location === location).at(-1)!.lmp;
    for (let t0 = Date.now(); Date.now() - t0 < 15_000; await sleep(50)) {
      if ((await lastStored('PJM', 'WESTERN HUB')) === lastSeen('WESTERN HUB') && (await lastStored('ERCOT', 'HB_HOUSTON')) === lastSeen('HB_HOUSTON')) break;
    }
    await stopPersistence();

    const byLocation = new Map<string, Record<string, unknown>[]>();
    for (const m of seen) byLocation.set(m.location as string, [...(byLocation.get(m.location as string) ?? []), m]);
    expect([...byLocation.keys()].sort()).toEqual(['AEP-DAYTON HUB', 'HB_HOUSTON', 'WESTERN HUB']);
    const counts = [...byLocation.values()].map((l) => l.length);
    // Every series ticks on every tick: equal counts, about 900/150 + the first one.
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBeGreaterThanOrEqual(4);
    expect(counts[0]).toBeLessThanOrEqual(8);
    const houston = byLocation.get('HB_HOUSTON')!;
    expect(houston[0]).toMatchObject({ type: 'price_update', market_zone: 'ercot', energy: null, congestion: null, loss: null });
    const western = byLocation.get('WESTERN HUB')!.at(-1)!;
    expect(western.market_zone).toBe('pjm');
    expect((western.energy as number) + (western.congestion as number) + (western.loss as number)).toBeCloseTo(western.lmp as number, 6);

    for (const [iso, location] of [['PJM', 'WESTERN HUB'], ['ERCOT', 'HB_HOUSTON']] as const) {
      const limits = getMarket(iso).offer_limits;
      const rows = await server.ctx.repos.prices.recent(iso, location, ['RT5'], new Date(Date.now() - HOUR), new Date(Date.now() + HOUR));
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows.length).toBeLessThanOrEqual(2);
      const last = rows.at(-1)!;
      expect(last.interval_start.getTime() % 300_000).toBe(0);
      expect(last.interval_end.getTime() - last.interval_start.getTime()).toBe(300_000);
      expect(last.lmp_usd_per_mwh).toBeGreaterThanOrEqual(limits.floor_usd_per_mwh);
      expect(last.lmp_usd_per_mwh).toBeLessThanOrEqual(limits.hard_cap_usd_per_mwh);
      // The row holds the newest tick of its interval, and refining it kept no revisions.
      const lastTick = seen.filter((m) => m.location === location).at(-1)!;
      expect(last.lmp_usd_per_mwh).toBeCloseTo(lastTick.lmp as number, 6);
      expect(await server.ctx.repos.prices.revisions(iso, location, 'RT5', last.interval_start)).toEqual([]);
    }
  });
});

const redisUrl = inject('redisUrl');

describe.skipIf(!redisUrl)('leader lease on Redis', () => {
  it('admits one holder at a time and hands over when it is released', async () => {
    const name = `test-lease-${Date.now()}-${Math.random()}`;
    const a = createLeaderLease(redisUrl!, name, { ttlMs: 600, renewMs: 100 });
    const b = createLeaderLease(redisUrl!, name, { ttlMs: 600, renewMs: 100 });
    try {
      await a.start();
      await b.start();
      expect(a.isLeader()).toBe(true);
      expect(b.isLeader()).toBe(false);
      await sleep(800);
      // Renewed past its TTL: still a's.
      expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
      await a.close();
      await sleep(300);
      expect([a.isLeader(), b.isLeader()]).toEqual([false, true]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('leader lease without Redis', () => {
  it('is always the leader', async () => {
    const lease = createLeaderLease(null, 'x');
    await lease.start();
    expect(lease.isLeader()).toBe(true);
    await lease.close();
    expect(lease.isLeader()).toBe(false);
  });
});

