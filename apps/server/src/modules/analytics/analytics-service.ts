/**
 * The analytics store as the rest of the server sees it: price statistics and
 * hourly/daily series of the shared market from ClickHouse when it can answer
 * for them, or `null`, which sends the caller to PostgreSQL.
 *
 * ClickHouse answers only while (1) its tables exist, (2) it has not failed in
 * the last few seconds (after a failure every read goes to PostgreSQL for
 * `retryAfterMs`, so a dead ClickHouse costs one failed request, not one per
 * request), and (3) its copy is caught up: the last sync from PostgreSQL
 * finished within `staleAfterS` (the sync runs every 30 s; see
 * analytics-sync.ts; the gate is clickhouse-read-gate.ts). Otherwise
 * PostgreSQL answers and /health says why.
 */
import { localDayBoundsUtc, type IsoId, type PriceRun } from '@optibid/core';
import type { ServiceHealth } from '@optibid/contracts';
import type { AnalyticsPriceRow, AnalyticsPricesRepository, AnalyticsSyncState } from '../../db/repositories/analytics-prices.js';
import type { PricePoint, PriceStats } from '../../db/repositories/prices.js';
import { ClickHouseReadGate, type ReadGateOptions } from './clickhouse-read-gate.js';

export const SYNC_NAME = 'prices';

export type { AnalyticsLog, ServedCounts } from './clickhouse-read-gate.js';
export type PriceAnalyticsOptions = ReadGateOptions;

export interface StatsQuery {
  market: IsoId;
  location: string;
  run: PriceRun;
  start: Date;
  end: Date;
  timezone: string;
}

export interface SeriesQuery extends StatsQuery {
  resolution: 'hourly' | 'daily';
  after?: Date;
  limit: number;
}

export class PriceAnalytics extends ClickHouseReadGate {
  constructor(
    readonly store: AnalyticsPricesRepository,
    opts: PriceAnalyticsOptions,
  ) {
    super(store, SYNC_NAME, 'statistics and history', opts);
  }

  protected createSchema(): Promise<void> {
    return this.store.ensureSchema();
  }

  /** Takes the sync's new state as current (the sync calls it after each run). */
  synced(state: AnalyticsSyncState | null): void {
    this.recordSynced(state);
  }

  /** Statistics from ClickHouse, or null: ask PostgreSQL. */
  stats(q: StatsQuery): Promise<PriceStats | null> {
    return this.read((timeoutMs) => this.store.stats(q, timeoutMs));
  }

  /** An hourly or daily series from ClickHouse (rows as PricesRepository.query returns them), or null: ask PostgreSQL. */
  async series(q: SeriesQuery): Promise<PricePoint[] | null> {
    const buckets = await this.read((timeoutMs) => this.store.series(q, timeoutMs));
    return (
      buckets?.map((b) => {
        let start: Date;
        let end: Date;
        if (b.bucket_day !== null) ({ start, end } = localDayBoundsUtc(b.bucket_day, q.timezone));
        else {
          start = new Date(b.bucket_unix_s! * 1000);
          end = new Date(start.getTime() + 3_600_000);
        }
        return {
          market: q.market,
          location: q.location,
          run: q.run,
          interval_start: start,
          interval_end: end,
          lmp_usd_per_mwh: b.lmp_usd_per_mwh,
          energy_usd_per_mwh: b.energy_usd_per_mwh,
          congestion_usd_per_mwh: b.congestion_usd_per_mwh,
          loss_usd_per_mwh: b.loss_usd_per_mwh,
        };
      }) ?? null
    );
  }

  /** Writes rows (the event-log consumer); a failure rejects, so the messages are redelivered. */
  async write(rows: readonly AnalyticsPriceRow[]): Promise<void> {
    await this.requireSchema();
    try {
      await this.store.write(rows);
    } catch (err) {
      this.failed(err);
      throw err;
    }
  }

  /** /health: ok when ClickHouse answers and its copy is caught up; degraded (PostgreSQL answering) otherwise. */
  async health(): Promise<ServiceHealth> {
    const backend = `clickhouse ${this.store.address}`;
    try {
      await this.store.ping(1500);
    } catch (err) {
      this.failed(err);
      return { status: 'degraded', backend, message: `${(err as Error).message}; statistics and history served from PostgreSQL` };
    }
    if (!(await this.ensureSchema())) return { status: 'degraded', backend, message: `tables not ready: ${this.lastError}; statistics served from PostgreSQL` };
    let state: AnalyticsSyncState | null;
    try {
      state = await this.syncState(true);
    } catch (err) {
      this.failed(err);
      return { status: 'degraded', backend, message: `${(err as Error).message}; statistics served from PostgreSQL` };
    }
    if (!state) return { status: 'degraded', backend, message: 'no copy from PostgreSQL yet (the sync or `optibid analytics backfill` has not finished); statistics served from PostgreSQL' };
    const facts = `last sync ${state.age_s} s ago (${state.rows} rows), copied up to ${state.watermark.toISOString()}; served ${this.served.clickhouse} reads, ${this.served.postgresql} fell back`;
    if (state.age_s > this.staleAfterS) return { status: 'degraded', backend, message: `copy behind: ${facts}; statistics served from PostgreSQL` };
    return { status: 'ok', backend, message: facts };
  }

  /** For /health/ready: null when ClickHouse serves, else why PostgreSQL does. */
  async readinessNote(): Promise<string | null> {
    const h = await this.health();
    return h.status === 'ok' ? null : `analytics: ${h.message}`;
  }
}
