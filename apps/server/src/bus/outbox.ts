/**
 * Transactional outbox: the events a transaction announces are rows of `event_outbox`
 * written in that transaction, so they exist exactly when what they announce committed.
 * After the commit the same instance publishes them (`flush`); if it dies first — killed
 * between its commit and its publishes, which a clearing of thousands of bids leaves
 * seconds for — any instance's sweeper publishes the rows still unpublished a few seconds
 * later. Publishing and marking a row happen under its row lock (SKIP LOCKED), so live
 * instances never send a row twice; an instance that died after publishing but before
 * its mark committed leaves a row that is sent again. Delivery is therefore at least
 * once, and each message carries its row's id as `event_id`: the WebSocket hub drops an
 * id it has delivered already, so a client sees each event once.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/client.js';
import type { OutboxRepository } from '../db/repositories/outbox.js';
import type { Bus, BusChannel, BusTopics } from './types.js';

/** Rows published under one lock (and one transaction) before they are marked. */
const FLUSH_BATCH = 200;

export interface OutboxLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** One event to announce once the transaction commits. */
export interface OutboxEvent<C extends BusChannel = BusChannel> {
  channel: C;
  message: BusTopics[C];
}

export class EventOutbox {
  constructor(
    private readonly repo: OutboxRepository,
    private readonly database: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> },
    private readonly bus: Bus,
    private readonly log: OutboxLog,
  ) {}

  /** Writes events in `tx`, each with a new `event_id`; returns the ids to `flush` once `tx` has committed. */
  async add(tx: Queryable, events: OutboxEvent[]): Promise<string[]> {
    const entries = events.map((e) => {
      const id = randomUUID();
      return { id, channel: e.channel, message: { ...(e.message as object), event_id: id } };
    });
    await this.repo.add(tx, entries);
    return entries.map((e) => e.id);
  }

  /**
   * Publishes the committed rows `ids` not yet published (nor being published by another
   * instance), in order. Never throws: a bus failure leaves the rest to the sweeper.
   */
  async flush(ids: string[]): Promise<number> {
    let sent = 0;
    try {
      for (let i = 0; i < ids.length; i += FLUSH_BATCH) sent += await this.publishLocked({ ids: ids.slice(i, i + FLUSH_BATCH) });
    } catch (err) {
      this.log.warn({ err: (err as Error).message, published: sent, left: ids.length - sent }, 'outbox: publish failed; the sweeper retries');
    }
    return sent;
  }

  /** Publishes rows left unpublished for `olderThanMs` (their instance died or its bus failed); returns how many. */
  async sweep(olderThanMs: number): Promise<number> {
    let sent = 0;
    for (;;) {
      const n = await this.publishLocked({ olderThanMs });
      sent += n;
      if (n < FLUSH_BATCH) return sent;
    }
  }

  /** Drops rows published more than `olderThanMs` ago. */
  purge(olderThanMs: number): Promise<number> {
    return this.repo.purgePublished(olderThanMs);
  }

  private publishLocked(filter: { ids: string[] } | { olderThanMs: number }): Promise<number> {
    return this.database.transaction(async (tx) => {
      const rows = await this.repo.lockUnpublished(tx, filter, FLUSH_BATCH);
      for (const r of rows) await this.bus.publish(r.channel as BusChannel, r.message as never);
      await this.repo.markPublished(tx, rows.map((r) => r.id));
      return rows.length;
    });
  }
}
