/**
 * Copies the shared market from PostgreSQL into ClickHouse. The event log
 * carries only what is published on `prices:*` (the simulated feed's ticks and
 * day-ahead publications): ISO fetches, file imports and corrections write
 * PostgreSQL directly, and a 300,000-row import has no business on the bus.
 * So besides the log's consumer, a sync copies every row PostgreSQL wrote
 * since the watermark (`ingested_at`, set by every insert and changed value,
 * found through a partial index), re-reading an overlap of two minutes so a
 * transaction that committed late is not missed, and never moving the watermark
 * past the start of a transaction still open (an import stores a file in one
 * transaction, however long it takes); writes are idempotent
 * (ReplacingMergeTree, version = ingested_at), so a re-read changes nothing.
 *
 * The backfill copies the whole shared market in key order (the log only
 * carries new events) and sets the watermark to the moment it started.
 */
import type { AnalyticsPriceRow } from '../../db/repositories/analytics-prices.js';
import type { ChangedPrice, PriceChangesRepository, PriceKey } from '../../db/repositories/price-changes.js';
import { SYNC_NAME, type PriceAnalytics } from './analytics-service.js';

export interface SyncReport {
  kind: 'backfill' | 'incremental';
  rows: number;
  watermark: string;
  seconds: number;
}

export interface AnalyticsSyncOptions {
  /** Rows per read from PostgreSQL and per insert into ClickHouse; default 50,000. */
  batchRows?: number;
  /** How far before the watermark each incremental sync starts reading; default 120 s. */
  overlapMs?: number;
}

const toRow = (r: ChangedPrice): AnalyticsPriceRow => ({ ...r, version_ms: r.ingested_at.getTime() });

export class AnalyticsSync {
  private readonly batchRows: number;
  private readonly overlapMs: number;
  private running: Promise<SyncReport> | null = null;

  constructor(
    private readonly analytics: PriceAnalytics,
    private readonly changes: PriceChangesRepository,
    opts: AnalyticsSyncOptions = {},
  ) {
    this.batchRows = opts.batchRows ?? 50_000;
    this.overlapMs = opts.overlapMs ?? 120_000;
  }

  /** One sync: a backfill when ClickHouse has no copy yet, else the rows written since the watermark. One at a time per process. */
  run(onProgress?: (done: number, total: number) => void): Promise<SyncReport> {
    this.running ??= this.runOnce(onProgress).finally(() => (this.running = null));
    return this.running;
  }

  private async runOnce(onProgress?: (done: number, total: number) => void): Promise<SyncReport> {
    if (!(await this.analytics.ensureSchema())) throw new Error('analytics: ClickHouse unavailable');
    const state = await this.analytics.syncState(true);
    return state ? this.incremental(state.watermark.getTime()) : this.backfill(onProgress);
  }

  /** Copies every shared row in key order; the watermark becomes the moment the copy started. */
  async backfill(onProgress?: (done: number, total: number) => void): Promise<SyncReport> {
    const t0 = performance.now();
    if (!(await this.analytics.ensureSchema())) throw new Error('analytics: ClickHouse unavailable');
    const started = await this.changes.now();
    const total = await this.changes.countShared();
    onProgress?.(0, total);
    let after: PriceKey | null = null;
    let rows = 0;
    for (;;) {
      const page = await this.changes.pageByKey(after, this.batchRows);
      if (page.length === 0) break;
      await this.analytics.write(page.map(toRow));
      rows += page.length;
      onProgress?.(Math.min(rows, Math.max(total, rows)), Math.max(total, rows));
      after = page[page.length - 1]!;
      if (page.length < this.batchRows) break;
    }
    return this.finish('backfill', started.settled_ms, rows, t0);
  }

  /** Copies the shared rows written after (watermark − overlap), in windows of about batchRows. */
  async incremental(watermarkMs: number): Promise<SyncReport> {
    const t0 = performance.now();
    const to = await this.changes.now();
    const from = new Date(watermarkMs - this.overlapMs).toISOString();
    const writes = await this.changes.writesBetween(from, to.text);
    let rows = 0;
    let lower = from;
    let inWindow = 0;
    for (let i = 0; i < writes.length; i++) {
      inWindow += writes[i]!.rows;
      // A window ends at a write instant, so rows written together are read together.
      if (inWindow >= this.batchRows || i === writes.length - 1) {
        const upper = writes[i]!.at;
        const page = await this.changes.writtenBetween(lower, upper);
        await this.analytics.write(page.map(toRow));
        rows += page.length;
        lower = upper;
        inWindow = 0;
      }
    }
    // Rows a transaction still open has written appear at its commit with ingested_at = its start: the watermark stops there.
    return this.finish('incremental', Math.max(watermarkMs, to.settled_ms), rows, t0);
  }

  private async finish(kind: SyncReport['kind'], watermarkMs: number, rows: number, t0: number): Promise<SyncReport> {
    await this.analytics.store.saveSyncState(SYNC_NAME, new Date(watermarkMs), rows);
    this.analytics.synced(await this.analytics.store.syncState(SYNC_NAME));
    return { kind, rows, watermark: new Date(watermarkMs).toISOString(), seconds: Math.round(performance.now() - t0) / 1000 };
  }
}
