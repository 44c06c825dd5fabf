/**
 * Two server instances sharing one Redis: a client on each receives every tick,
 * whichever instance it was published on. Skipped only when the run has no Redis.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getMarket } from '@optibid/core';
import type { RedisBus } from '../src/bus/index.js';
import { startPriceFeed } from '../src/jobs/feed.js';
import { priceChannel, priceUpdateMessage } from '../src/realtime/messages.js';
import { backends, startTestServer, type TestServer } from './helpers.js';
import { connect, listen, ofType, sleep } from './realtime-client.js';

const redisUrl = inject('redisUrl');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe.skipIf(!redisUrl)('two server instances on one Redis', () => {
  let one: TestServer;
  let two: TestServer;

  beforeAll(async () => {
    const pglite = backends()[0]!;
    [one, two] = await Promise.all([startTestServer(pglite, { REDIS_URL: redisUrl!, PUBLIC_MARKET_DATA: 'true' }), startTestServer(pglite, { REDIS_URL: redisUrl!, PUBLIC_MARKET_DATA: 'true' })]);
    await Promise.all([(one.ctx.bus as RedisBus).ready(), (two.ctx.bus as RedisBus).ready()]);
  });
  afterAll(async () => {
    await Promise.all([one?.close(), two?.close()]);
  });

  it('delivers every tick to the clients of both instances', async () => {
    const a = connect((await listen(one)) + '/api/ws/ws/market/pjm');
    const b = connect((await listen(two)) + '/api/ws/ws/prices');
    expect(await a.next()).toMatchObject({ type: 'connection_established', storage_backend: 'redis' });
    expect(await b.next()).toMatchObject({ type: 'connection_established', storage_backend: 'redis' });
    const N = 20;
    for (let i = 0; i < N; i++) {
      const from = i % 2 ? two : one;
      await from.ctx.bus.publish(priceChannel('PJM'), priceUpdateMessage('PJM', { location: 'WESTERN HUB', interval_start: new Date(Date.UTC(2025, 0, 1, 0, 5 * i)), lmp: i }));
    }
    await a.next(() => a.messages.filter(ofType('price_update')).length === N, 5000);
    await b.next(() => b.messages.filter(ofType('price_update')).length === N, 5000);
    for (const c of [a, b]) expect(c.messages.filter(ofType('price_update')).map((m) => m.lmp).sort((x, y) => Number(x) - Number(y))).toEqual([...Array(N).keys()]);
    a.close();
    b.close();
  });

  it('runs the feed on one instance only, and hands over when the leader stops', async () => {
    const ticks: { location: string; at: number }[] = [];
    const off = one.ctx.bus.subscribe('prices:SPP', (m) => ticks.push({ location: (m as { location: string }).location, at: Date.now() }));
    await (one.ctx.bus as RedisBus).ready();
    const opts = { intervalMs: 150, seed: 4, markets: ['SPP' as const], leaseTtlMs: 600, leaseName: `test-feed-${Date.now()}-${Math.random()}` };
    const stopOne = await startPriceFeed(one.ctx, quiet, opts);
    const stopTwo = await startPriceFeed(two.ctx, quiet, opts);
    try {
      await sleep(1200);
      // One leader ticking every 150 ms gives about 8 ticks; two would give about 16.
      const firstWindow = ticks.length;
      expect(firstWindow).toBeGreaterThanOrEqual(4);
      expect(firstWindow).toBeLessThanOrEqual(11);
      expect(new Set(ticks.map((t) => t.location))).toEqual(new Set([getMarket('SPP').default_location]));
      await stopOne();
      const handedAt = Date.now();
      await sleep(1200);
      const after = ticks.filter((t) => t.at > handedAt + 50);
      expect(after.length).toBeGreaterThanOrEqual(3);
    } finally {
      await stopTwo();
      await stopOne();
      off();
    }
  });
});
