/**
 * Ticks stored through the event log: a burst of 10,000 simulated ticks, part of
 * it published while the durable persistence consumer is stopped, ends up as
 * exactly one row per tick with the tick's values. PGlite with the memory bus;
 * PostgreSQL with NATS when TEST_NATS_URL is set (a new bus for the restarted
 * consumer, as after a process restart), else with the memory bus.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { connect } from 'nats';
import { createPriceSimulator, defaultMarketPriceProfile, getMarket, simulationSeedOf, type IsoId } from '@optibid/core';
import { MemoryBus, NatsBus, STREAMS, type Bus } from '../src/bus/index.js';
import { feedTick, type FeedSeries } from '../src/jobs/feed.js';
import { loadConfig } from '../src/config/index.js';
import { createBus } from '../src/bus/index.js';
import { startTickPersistence, storedTickRow } from '../src/jobs/tick-persistence.js';
import { describeEachBackend, startTestServer, type TestServer } from './helpers.js';

const TICKS = 10_000;
const SERIES = 4;
const STEP_MS = 300_000;
const natsUrl = inject('natsUrl');
const namespace = `p${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const quiet = { warn: () => undefined };

afterAll(async () => {
  if (!natsUrl) return;
  const nc = await connect({ servers: natsUrl });
  const jsm = await nc.jetstreamManager();
  for (const s of STREAMS) await jsm.streams.delete(`${namespace}_${s.key}`.toUpperCase()).catch(() => undefined);
  await nc.close();
});

/** The feed's series for burst locations, from the built-in PJM shape and a fixed seed: the same ticks every time. */
function burstSeries(tag: string): FeedSeries[] {
  const market = getMarket('PJM');
  return Array.from({ length: SERIES }, (_, i) => {
    const location = `BURST ${tag} ${i}`;
    return { iso: 'PJM' as IsoId, location, simulator: createPriceSimulator(defaultMarketPriceProfile(market), { seed: simulationSeedOf(location) }) };
  });
}

describeEachBackend('tick persistence through the event log', (backend) => {
  let server: TestServer;
  const withNats = backend.name === 'postgres' && natsUrl !== null;
  const makeBus = (): Bus => (withNats ? new NatsBus(natsUrl!, { namespace, ackWaitMs: 1500 }) : new MemoryBus());
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => server.close());

  it(`stores each of ${TICKS} ticks exactly once while the persistence consumer restarts [${withNats ? 'nats' : 'memory'} bus]`, async () => {
    const publisher = makeBus();
    await publisher.start();
    const consumerBuses = [withNats ? makeBus() : publisher];
    await consumerBuses[0]!.start();
    const tag = Math.random().toString(36).slice(2, 8);
    const group = `persistence-${tag}`;
    const t0Ms = Math.floor(Date.UTC(2026, 0, 1) / STEP_MS) * STEP_MS;
    const steps = TICKS / SERIES;
    const series = burstSeries(tag);
    const started = performance.now();
    try {
      let stop = await startTickPersistence({ bus: consumerBuses[0]!, repos: server.ctx.repos }, quiet, group);
      // A third of the burst with the consumer running, a third while it is stopped, the rest after it restarts.
      for (let k = 0; k < steps; k++) {
        if (k === Math.floor(steps / 3)) await stop();
        if (k === Math.floor((2 * steps) / 3)) {
          const next = withNats ? makeBus() : publisher;
          if (next !== publisher) {
            await next.start();
            consumerBuses.push(next);
          }
          stop = await startTickPersistence({ bus: next, repos: server.ctx.repos }, quiet, group);
        }
        await feedTick({ bus: publisher }, series, t0Ms + k * STEP_MS);
      }
      const from = new Date(t0Ms);
      const to = new Date(t0Ms + steps * STEP_MS);
      // Counting (one grouped query) rather than reading the rows keeps the polling off the consumer's way.
      const storedCount = async () =>
        (await server.ctx.repos.prices.locationsWithData('PJM')).filter((r) => r.run === 'RT5' && r.location.startsWith(`BURST ${tag} `)).reduce((a, r) => a + r.intervals, 0);
      for (let waited = 0; (await storedCount()) < TICKS && waited < 120_000; waited += 500) await new Promise((r) => setTimeout(r, 500));
      const rows = await Promise.all(series.map((s) => server.ctx.repos.prices.recent('PJM', s.location, ['RT5'], from, to)));
      await stop();
      const ms = Math.round(performance.now() - started);

      // The same simulators replayed give the values each tick carried.
      const expected = burstSeries(tag);
      expect(rows.flat()).toHaveLength(TICKS);
      for (let i = 0; i < SERIES; i++) {
        const byStart = new Map(rows[i]!.map((r) => [r.interval_start.getTime(), r]));
        expect(byStart.size).toBe(steps);
        for (let k = 0; k < steps; k++) {
          const p = expected[i]!.simulator.next(t0Ms + k * STEP_MS);
          const row = byStart.get(t0Ms + k * STEP_MS);
          expect(row, `tick ${k} of ${series[i]!.location}`).toBeDefined();
          expect(row!.lmp_usd_per_mwh).toBeCloseTo(p.lmp_usd_per_mwh, 6);
          expect(row!.interval_end.getTime() - row!.interval_start.getTime()).toBe(STEP_MS);
        }
      }
      // Redelivered ticks changed nothing: no revision was kept for any interval of the burst.
      expect(await server.ctx.repos.prices.revisions('PJM', series[0]!.location, 'RT5', from)).toEqual([]);
      console.log(`[${backend.name} + ${withNats ? 'nats' : 'memory'}] ${TICKS} ticks stored across a consumer restart in ${ms} ms`);
    } finally {
      for (const b of new Set([publisher, ...consumerBuses])) await b.close();
    }
    // 6–26 s measured on the shared 2-core machine; PGlite under a loaded full run needs the margin.
  }, 180_000);
});

it('reads back only stored ticks: live-only and malformed updates are not rows', () => {
  const base = { type: 'price_update', market_zone: 'pjm', location: 'WESTERN HUB', interval_start: '2026-01-01T00:00:00.000Z', lmp: 30, energy: null, congestion: null, loss: null, timestamp: '2026-01-01T00:00:01.000Z' };
  expect(storedTickRow(base, 'prices:PJM')).toBeNull();
  const stored = { ...base, run: 'RT5', interval_end: '2026-01-01T00:05:00.000Z', source: 'simulation' };
  expect(storedTickRow(stored, 'prices:PJM')).toMatchObject({ market: 'PJM', run: 'RT5', lmp_usd_per_mwh: 30, source: 'simulation' });
  expect(storedTickRow({ ...stored, run: 'RT7' }, 'prices:PJM')).toBeNull();
  expect(storedTickRow({ ...stored, interval_end: base.interval_start }, 'prices:PJM')).toBeNull();
  expect(storedTickRow(stored, 'prices:NOWHERE')).toBeNull();
});

it('selects the bus from BUS_URL, then REDIS_URL, then memory; BUS_URL must be nats://', () => {
  const cfg = (env: Record<string, string>) => loadConfig({ ...env }, '/tmp');
  expect(createBus(cfg({}).redisUrl, cfg({}).busUrl).backend).toBe('memory');
  const both = cfg({ REDIS_URL: 'redis://127.0.0.1:6379', BUS_URL: 'nats://127.0.0.1:4222' });
  expect(both.busUrl).toBe('nats://127.0.0.1:4222');
  expect(createBus(both.redisUrl, both.busUrl).backend).toBe('nats');
  const redisOnly = cfg({ REDIS_URL: 'redis://127.0.0.1:6379' });
  expect(createBus(redisOnly.redisUrl, redisOnly.busUrl).backend).toBe('redis');
  expect(() => cfg({ BUS_URL: 'redis://127.0.0.1:6379' })).toThrow(/BUS_URL=redis:\/\/127.0.0.1:6379: expected a URL starting with nats:\/\//);
});
