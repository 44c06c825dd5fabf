/** One contract suite for the bus port, run against every implementation this run has. */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { MemoryBus, RedisBus, type Bus } from '../src/bus/index.js';

const implementations: { name: string; make: () => Bus }[] = [{ name: 'memory', make: () => new MemoryBus() }];
const redisUrl = inject('redisUrl');
if (redisUrl) implementations.push({ name: 'redis', make: () => new RedisBus(redisUrl) });

const settle = async (bus: Bus) => {
  if (bus instanceof RedisBus) await bus.ready();
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

    if (impl.name === 'redis') {
      it('fans out across two instances (two servers on one Redis)', async () => {
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

      it('degrades to in-process delivery when Redis is unreachable', async () => {
        const bus = new RedisBus('redis://127.0.0.1:1');
        await bus.start().catch(() => undefined);
        opened.push(bus);
        const got: unknown[] = [];
        bus.subscribe('down:x', (m) => got.push(m));
        await bus.publish('down:x', { still: 'works' });
        await waitFor(() => got.length === 1);
        expect((await bus.health()).status).toBe('degraded');
      });
    }
  });
}
