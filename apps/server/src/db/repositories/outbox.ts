/** The transactional outbox's SQL (see bus/outbox.ts for how rows are written, published and swept). */
import type { Queryable } from '../client.js';

export interface OutboxEntry {
  id: string;
  channel: string;
  message: Record<string, unknown>;
}

/** Rows per INSERT: one clearing may write thousands of events. */
const INSERT_CHUNK = 500;

export class OutboxRepository {
  constructor(private readonly database: Queryable) {}

  /** Appends events inside the caller's transaction (`tx`), in order. */
  async add(tx: Queryable, entries: OutboxEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
      const chunk = entries.slice(i, i + INSERT_CHUNK);
      await tx.query(
        `INSERT INTO event_outbox (id, channel, message)
         SELECT (e->>'id')::uuid, e->>'channel', e->'message' FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n`,
        [JSON.stringify(chunk)],
      );
    }
  }

  /**
   * Locks unpublished rows for publishing in `tx`: those of `ids`, or (ids null) those older
   * than `olderThanMs` on the database's clock. SKIP LOCKED passes over rows another
   * instance is publishing now, so live publishers never send the same row twice.
   */
  async lockUnpublished(tx: Queryable, filter: { ids: string[] } | { olderThanMs: number }, limit: number): Promise<(OutboxEntry & { seq: string })[]> {
    const where = 'ids' in filter ? 'id = ANY($1::uuid[])' : `created_at < now() - make_interval(secs => $1::float8 / 1000)`;
    const rows = await tx.query<{ seq: string; id: string; channel: string; message: unknown }>(
      `SELECT seq::text AS seq, id, channel, message FROM event_outbox
       WHERE published_at IS NULL AND ${where} ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED`,
      ['ids' in filter ? filter.ids : filter.olderThanMs, limit],
    );
    return rows.map((r) => ({ seq: r.seq, id: r.id, channel: r.channel, message: (typeof r.message === 'string' ? JSON.parse(r.message) : r.message) as Record<string, unknown> }));
  }

  async markPublished(tx: Queryable, ids: string[]): Promise<void> {
    if (ids.length) await tx.query(`UPDATE event_outbox SET published_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** Drops rows published more than `olderThanMs` ago (kept a while for inspection). */
  async purgePublished(olderThanMs: number): Promise<number> {
    const rows = await this.database.query(`DELETE FROM event_outbox WHERE published_at < now() - make_interval(secs => $1::float8 / 1000) RETURNING seq`, [olderThanMs]);
    return rows.length;
  }

  /** Rows not yet published (metrics, tests). */
  async unpublished(): Promise<number> {
    const [row] = await this.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM event_outbox WHERE published_at IS NULL`);
    return row?.n ?? 0;
  }
}
