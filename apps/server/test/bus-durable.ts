/**
 * The durable half of the bus contract (bus.contract.test.ts runs it for each
 * implementation): replay after a consumer restart, redelivery after a handler
 * failure, and a 10,000-message burst across a restart handled exactly once.
 */
import { expect, it } from 'vitest';
import type { Bus, Delivery, StopDurable } from '../src/bus/index.js';

interface Impl {
  name: string;
  durableAcrossInstances: boolean;
}

const rand = () => Math.random().toString(36).slice(2, 10);

const waitFor = async (cond: () => boolean, ms: number, what: string) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

export function durableSuite(impl: Impl, open: () => Promise<Bus>): void {
  /** Restarts a consumer: a new Bus (process) where the log outlives it, the same one for memory. */
  const restart = async (bus: Bus) => (impl.durableAcrossInstances ? open() : bus);

  it('replays to a durable consumer what was published while it was stopped, in order', async () => {
    const publisher = await open();
    const consumerBus = impl.durableAcrossInstances ? await open() : publisher;
    const topic = `prices:replay-${rand()}`;
    const group = `replay-${rand()}`;
    const got: { n: number; d: Delivery }[] = [];
    const handler = async (m: unknown, d: Delivery) => void got.push({ n: (m as { n: number }).n, d });
    let stop = await consumerBus.subscribeDurable(topic, group, handler);
    for (let n = 1; n <= 5; n++) await publisher.publish(topic, { n });
    await waitFor(() => got.length === 5, 5000, 'the first five');
    await stop();
    for (let n = 6; n <= 10; n++) await publisher.publish(topic, { n });
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toHaveLength(5);
    stop = await (await restart(consumerBus)).subscribeDurable(topic, group, handler);
    await waitFor(() => got.length === 10, 5000, 'the five published while stopped');
    await stop();
    expect(got.map((g) => g.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(new Set(got.map((g) => g.d.id)).size).toBe(10);
    expect(got.every((g) => g.d.channel === topic && g.d.attempt === 1)).toBe(true);
  });

  it('gives every group all messages of its pattern, and a new group only what follows it', async () => {
    const bus = await open();
    const family = `prices:groups-${rand()}`;
    await bus.publish(`${family}-a`, { before: true });
    const a: string[] = [];
    const b: string[] = [];
    const stops = [
      await bus.subscribeDurable(`${family}*`, `ga-${rand()}`, async (_m, d) => void a.push(d.channel)),
      await bus.subscribeDurable(`${family}-b`, `gb-${rand()}`, async (_m, d) => void b.push(d.channel)),
    ];
    await bus.publish(`${family}-a`, { n: 1 });
    await bus.publish(`${family}-b`, { n: 2 });
    await bus.publish(`prices:other-${rand()}`, { n: 3 });
    await waitFor(() => a.length === 2 && b.length === 1, 5000, 'both groups');
    await new Promise((r) => setTimeout(r, 50));
    for (const s of stops) await s();
    expect(a).toEqual([`${family}-a`, `${family}-b`]);
    expect(b).toEqual([`${family}-b`]);
  });

  it('redelivers a message whose handler failed, with the same id, before the next one', async () => {
    const bus = await open();
    const topic = `org:retry-${rand()}`;
    const seen: { n: number; id: string; attempt: number }[] = [];
    let failures = 0;
    const stop = await bus.subscribeDurable(
      topic,
      `retry-${rand()}`,
      async (m, d) => {
        const n = (m as { n: number }).n;
        seen.push({ n, id: d.id, attempt: d.attempt });
        if (n === 2 && failures < 2) {
          failures++;
          throw new Error('database briefly away');
        }
      },
      { retryDelayMs: 20 },
    );
    for (let n = 1; n <= 3; n++) await bus.publish(topic, { n });
    await waitFor(() => seen.length === 5, 5000, 'three messages and two retries');
    await stop();
    expect(seen.map((s) => [s.n, s.attempt])).toEqual([
      [1, 1],
      [2, 1],
      [2, 2],
      [2, 3],
      [3, 1],
    ]);
    expect(new Set(seen.filter((s) => s.n === 2).map((s) => s.id)).size).toBe(1);
  });

  it('hands a failing message to the next member when its consumer stops mid-retry', async () => {
    const publisher = await open();
    const first = impl.durableAcrossInstances ? await open() : publisher;
    const topic = `broadcast:handover-${rand()}`;
    const group = `handover-${rand()}`;
    const attempts: number[] = [];
    const stop = await first.subscribeDurable(topic, group, async (_m, d) => {
      attempts.push(d.attempt);
      throw new Error('always fails here');
    }, { retryDelayMs: 10 });
    await publisher.publish(topic, { n: 1 });
    await waitFor(() => attempts.length >= 2, 5000, 'a failure and a retry');
    await stop();
    const done: Delivery[] = [];
    const stop2 = await (await restart(first)).subscribeDurable(topic, group, async (_m, d) => void done.push(d));
    await waitFor(() => done.length === 1, 10_000, 'the redelivery');
    await stop2();
    expect(done[0]!.channel).toBe(topic);
    // nats-server 2.9 does not count a NAK'd delivery (the redelivery reads deliveryCount 1); the others do.
    if (impl.name !== 'nats') expect(done[0]!.attempt).toBeGreaterThan(1);
  });

  it('loses nothing in a burst of 10,000 across a consumer restart: each handled exactly once by id', async () => {
    const TOTAL = 10_000;
    const publisher = await open();
    const consumerBus = impl.durableAcrossInstances ? await open() : publisher;
    const topic = `prices:burst-${rand()}`;
    const group = `burst-${rand()}`;
    const effects: number[] = [];
    const handled = new Set<string>();
    let duplicates = 0;
    let stopping: Promise<void> | null = null;
    // The idempotent handler: an effect per id, duplicates (at-least-once) counted and skipped.
    const handler = async (m: unknown, d: Delivery) => {
      if (handled.has(d.id)) {
        duplicates++;
        return;
      }
      handled.add(d.id);
      effects.push((m as { n: number }).n);
      // The restart begins mid-burst, right after the 2,000th effect (not awaited: stop waits for this handler).
      if (effects.length === 2000) stopping = stop();
    };
    let stop: StopDurable = await consumerBus.subscribeDurable(topic, group, handler);
    const t0 = performance.now();
    const publishing = (async () => {
      for (let n = 0; n < TOTAL; n += 500) await Promise.all(Array.from({ length: 500 }, (_, i) => publisher.publish(topic, { n: n + i })));
    })();
    await waitFor(() => stopping !== null, 30_000, '2,000 handled before the restart');
    await stopping;
    const atStop = effects.length;
    stop = await (await restart(consumerBus)).subscribeDurable(topic, group, handler);
    await publishing;
    await waitFor(() => effects.length === TOTAL, 60_000, `all ${TOTAL} (had ${effects.length})`);
    await new Promise((r) => setTimeout(r, 100));
    await stop();
    const ms = Math.round(performance.now() - t0);
    expect(atStop).toBeLessThan(TOTAL);
    expect(effects).toHaveLength(TOTAL);
    expect(new Set(effects).size).toBe(TOTAL);
    console.log(`[${impl.name}] burst of ${TOTAL} across a restart: ${ms} ms, ${atStop} before the restart, ${duplicates} redelivered duplicates skipped`);
  });

  it('per-instance (ephemeral) groups: each gets every message, and a stopped one is gone (no replay when the name comes back)', async () => {
    const publisher = await open();
    const other = impl.durableAcrossInstances ? await open() : publisher;
    const topic = `prices:eph-${rand()}`;
    const [g1, g2] = [`hub-${rand()}`, `hub-${rand()}`];
    const got1: number[] = [];
    const got2: number[] = [];
    const opts = { ephemeral: { inactiveMs: 60_000 } };
    const stop1 = await publisher.subscribeDurable(topic, g1, async (m) => void got1.push((m as { n: number }).n), opts);
    const stop2 = await other.subscribeDurable(topic, g2, async (m) => void got2.push((m as { n: number }).n), opts);
    for (let n = 1; n <= 3; n++) await publisher.publish(topic, { n });
    await waitFor(() => got1.length === 3 && got2.length === 3, 5000, 'both groups to get all three');
    expect([got1, got2]).toEqual([[1, 2, 3], [1, 2, 3]]);
    await stop1();
    await publisher.publish(topic, { n: 4 });
    await waitFor(() => got2.length === 4, 5000, 'the running group to get the fourth');
    // A durable group would replay 4 here; the per-instance one was deleted with its member.
    const again: number[] = [];
    const stopAgain = await publisher.subscribeDurable(topic, g1, async (m) => void again.push((m as { n: number }).n), opts);
    await publisher.publish(topic, { n: 5 });
    await waitFor(() => again.length >= 1, 5000, 'the new group to get the fifth');
    await new Promise((r) => setTimeout(r, 100));
    expect(again).toEqual([5]);
    await stopAgain();
    await stop2();
  });

  it('refuses a durable pattern outside the event-log streams and a bad consumer name', async () => {
    const bus = await open();
    await expect(bus.subscribeDurable('*', 'everything', async () => undefined)).rejects.toThrow(/not within one event-log stream/);
    await expect(bus.subscribeDurable('live:x', 'live', async () => undefined)).rejects.toThrow(/not within one event-log stream/);
    await expect(bus.subscribeDurable('prices:x', 'bad name.', async () => undefined)).rejects.toThrow(/consumer name/);
  });
}
