/**
 * One contract suite for the bus port, run against every implementation this
 * run has: live publish/subscribe, and the durable event log (replay after a
 * consumer restart, redelivery after a failure, no loss in a burst).
 */
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { connect } from 'nats';
import { MemoryBus, NatsBus, RedisBus, STREAMS, type Bus } from '../src/bus/index.js';
import { durableSuite } from './bus-durable.js';

// Streams and keys of this run only, so parallel runs on one server never meet; deleted after.
const namespace = `t${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
/** Short, so a message a stopped consumer had read but not acknowledged comes back within the test. */
const ACK_WAIT_MS = 1500;

interface Impl {
  name: string;
  make: () => Bus;
  /** A restarted consumer runs in a new Bus (a new process); false for memory, whose log dies with the process. */
  durableAcrossInstances: boolean;
}

const implementations: Impl[] = [{ name: 'memory', make: () => new MemoryBus(), durableAcrossInstances: false }];
const redisUrl = inject('redisUrl');
if (redisUrl) implementations.push({ name: 'redis', make: () => new RedisBus(redisUrl, { namespace, ackWaitMs: ACK_WAIT_MS }), durableAcrossInstances: true });
const natsUrl = inject('natsUrl');
if (natsUrl) implementations.push({ name: 'nats', make: () => new NatsBus(natsUrl, { namespace, ackWaitMs: ACK_WAIT_MS }), durableAcrossInstances: true });

afterAll(async () => {
  if (redisUrl) {
    const r = new Redis(redisUrl);
    const keys = await r.keys(`${namespace}:log:*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  }
  if (natsUrl) {
    const nc = await connect({ servers: natsUrl });
    const jsm = await nc.jetstreamManager();
    for (const s of STREAMS) await jsm.streams.delete(`${namespace}_${s.key}`.toUpperCase()).catch(() => undefined);
    await nc.close();
  }
});

const settle = async (bus: Bus) => {
  if (bus instanceof RedisBus || bus instanceof NatsBus) await bus.ready();
};

const waitFor = async (cond: () => boolean, ms = 2000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting for delivery');
    await new Promise((r) => setTimeout(r, 5));
  }
};

for (const impl of implementations) {
  describe(`bus contract [${impl.name}]`, () => {
    const opened: Bus[] = [];
    const open = async () => {
      const bus = impl.make();
      await bus.start();
      opened.push(bus);
      return bus;
    };
    afterEach(async () => {
      for (const b of opened.splice(0)) await b.close();
    });

    it('delivers a published message to exact and prefix subscribers, as a copy', async () => {
      const bus = await open();
      const channel = `test:${Math.random()}`;
      const exact: unknown[] = [];
      const prefix: [unknown, string][] = [];
      bus.subscribe(channel, (m) => exact.push(m));
      bus.subscribe('test:*', (m, ch) => prefix.push([m, ch]));
      await settle(bus);
      const msg = { type: 'price_update', lmp: 42.5, nested: { a: [1, 2] } };
      await bus.publish(channel, msg);
      await waitFor(() => exact.length === 1 && prefix.length === 1);
      expect(exact[0]).toEqual(msg);
      expect(exact[0]).not.toBe(msg);
      expect(prefix[0]![1]).toBe(channel);
    });

    it('stops delivering after unsubscribe and keeps other subscribers', async () => {
      const bus = await open();
      const channel = `unsub:${Math.random()}`;
      const a: unknown[] = [];
      const b: unknown[] = [];
      const offA = bus.subscribe(channel, (m) => a.push(m));
      bus.subscribe(channel, (m) => b.push(m));
      await settle(bus);
      await bus.publish(channel, 1);
      await waitFor(() => a.length === 1 && b.length === 1);
      offA();
      await bus.publish(channel, 2);
      await waitFor(() => b.length === 2);
      expect(a).toEqual([1]);
    });

    it('keeps order per channel and survives a throwing subscriber', async () => {
      const bus = await open();
      const channel = `order:${Math.random()}`;
      const got: number[] = [];
      bus.subscribe(channel, () => {
        throw new Error('bad subscriber');
      });
      bus.subscribe(channel, (m) => got.push(m as number));
      await settle(bus);
      for (let i = 0; i < 50; i++) await bus.publish(channel, i);
      await waitFor(() => got.length === 50);
      expect(got).toEqual([...Array(50).keys()]);
    });

    it('reports healthy with its backend', async () => {
      const bus = await open();
      expect(await bus.health()).toMatchObject({ status: 'ok', backend: impl.name });
    });

    durableSuite(impl, open);

    if (impl.name !== 'memory') {
      it(`fans out across two instances (two servers on one ${impl.name})`, async () => {
        const a = await open();
        const b = await open();
        const channel = `fanout:${Math.random()}`;
        const gotA: unknown[] = [];
        const gotB: unknown[] = [];
        a.subscribe(channel, (m) => gotA.push(m));
        b.subscribe(channel, (m) => gotB.push(m));
        await settle(a);
        await settle(b);
        await a.publish(channel, { n: 1 });
        await b.publish(channel, { n: 2 });
        await waitFor(() => gotA.length === 2 && gotB.length === 2);
        expect(gotA).toEqual([{ n: 1 }, { n: 2 }]);
        expect(gotB).toEqual([{ n: 1 }, { n: 2 }]);
      });

    }

    if (impl.name === 'redis') {
      it('degrades to in-process delivery when Redis is unreachable', async () => {
        const bus = new RedisBus('redis://127.0.0.1:1');
        await bus.start().catch(() => undefined);
        opened.push(bus);
        const got: unknown[] = [];
        const durable: unknown[] = [];
        bus.subscribe('down:x', (m) => got.push(m));
        const stop = await bus.subscribeDurable('org:down', 'down-persist', async (m) => void durable.push(m));
        await bus.publish('down:x', { still: 'works' });
        await bus.publish('org:down', { durable: 'in-process' });
        await waitFor(() => got.length === 1 && durable.length === 1);
        expect(durable).toEqual([{ durable: 'in-process' }]);
        expect((await bus.health()).status).toBe('degraded');
        await stop();
      });
    }
  });
}

if (natsUrl) {
  describe('bus contract [nats, unreachable]', () => {
    it('keeps delivering in-process, live and durable, and says degraded', async () => {
      const bus = new NatsBus('nats://127.0.0.1:1', { namespace, reconnectDelayMs: 60_000 });
      await expect(bus.start()).rejects.toThrow();
      try {
        const live: unknown[] = [];
        const durable: unknown[] = [];
        bus.subscribe('prices:down', (m) => live.push(m));
        const stop = await bus.subscribeDurable('prices:down', 'down-persist', async (m) => void durable.push(m));
        await bus.publish('prices:down', { still: 'works' });
        await waitFor(() => live.length === 1 && durable.length === 1);
        expect(durable).toEqual([{ still: 'works' }]);
        const h = await bus.health();
        expect(h).toMatchObject({ status: 'degraded', backend: 'nats' });
        expect(h.message).toMatch(/in-process/);
        await stop();
      } finally {
        await bus.close();
      }
    });
  });
}
