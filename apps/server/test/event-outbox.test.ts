/**
 * The transactional outbox (bus/outbox.ts) on both backends: events written in a transaction
 * exist only if it commits; the committing instance's flush publishes them once; rows it left
 * unpublished (it died after the commit) are published by another instance's sweep, in order,
 * with their event ids, and never again after that.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OrgEvent } from '@optibid/contracts';
import type { Database } from '../src/db/client.js';
import { createServices, type Services } from '../src/services.js';
import { describeEachBackend, testConfig } from './helpers.js';

const statusEvent = (bidId: string, status: string): OrgEvent => ({
  type: 'bid_status',
  bid_id: bidId,
  status,
  previous_status: 'accepted',
  asset_id: randomUUID(),
  market: 'ERCOT',
  delivery_date: '2026-01-02',
  version: 1,
  timestamp: new Date().toISOString(),
});

describeEachBackend('event outbox', (backend) => {
  let database: Database;
  const instances: Services[] = [];
  beforeAll(async () => {
    database = await backend.open();
    for (let i = 0; i < 2; i++) instances.push(await createServices(testConfig(), { database }));
  });
  afterAll(async () => {
    for (const s of instances) await s.close();
    await database?.close();
  });

  /** What either instance's bus (each its own memory bus here) delivers on `channel`. */
  const received = (channel: `org:${string}`) => {
    const got: Record<string, unknown>[] = [];
    const offs = instances.map((s) => s.bus.subscribe(channel, (m) => got.push(m as unknown as Record<string, unknown>)));
    return { got, off: () => offs.forEach((off) => off()) };
  };
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('publishes committed events once: by their own flush, or by a sweep when the committing instance died', async () => {
    const [a, b] = instances as [Services, Services];
    const channel = `org:${randomUUID()}` as const;
    const bids = [randomUUID(), randomUUID(), randomUUID()];
    const onB = received(channel);

    // Rolled back: nothing is kept, nothing is sent.
    await expect(
      database.transaction(async (tx) => {
        await a.outbox.add(tx, [{ channel, message: statusEvent(bids[0]!, 'cleared') }]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await b.outbox.sweep(0)).toBe(0);

    // Committed and flushed by its instance: sent once, with the row's id as event_id.
    const flushed = await database.transaction((tx) => a.outbox.add(tx, [{ channel, message: statusEvent(bids[0]!, 'cleared') }]));
    expect(await a.outbox.flush(flushed)).toBe(1);
    await settle();
    expect(await a.outbox.flush(flushed)).toBe(0);
    // Committed, and its instance "died" before flushing: b's sweep sends the rows in order, once they are old enough.
    const orphaned = await database.transaction((tx) => a.outbox.add(tx, bids.slice(1).map((id) => ({ channel, message: statusEvent(id, 'cleared') }))));
    expect(await b.outbox.sweep(60_000)).toBe(0);
    expect(await b.outbox.sweep(0)).toBe(2);
    expect(await b.outbox.sweep(0)).toBe(0);
    expect(await a.outbox.flush(orphaned)).toBe(0);
    await settle();
    onB.off();
    expect(onB.got.map((m) => [m.bid_id, m.event_id])).toEqual([
      [bids[0], flushed[0]],
      [bids[1], orphaned[0]],
      [bids[2], orphaned[1]],
    ]);
    const rows = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM event_outbox WHERE channel = $1 AND published_at IS NOT NULL`, [channel]);
    expect(rows[0]!.n).toBe(3);
  });

  it.skipIf(backend.name === 'pglite')('a sweep passes over rows another instance is publishing (SKIP LOCKED)', async () => {
    const [a, b] = instances as [Services, Services];
    const channel = `org:${randomUUID()}` as const;
    const ids = await database.transaction((tx) => a.outbox.add(tx, [{ channel, message: statusEvent(randomUUID(), 'cleared') }]));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    // Another publisher holding the row's lock (as a's flush does while it publishes).
    const holder = database.transaction(async (tx) => {
      await tx.query(`SELECT id FROM event_outbox WHERE id = ANY($1::uuid[]) FOR UPDATE`, [ids]);
      locked();
      await held;
    });
    await isLocked;
    expect(await b.outbox.sweep(0)).toBe(0);
    release();
    await holder;
    expect(await b.outbox.sweep(0)).toBe(1);
  });
});
