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
 * analytics-sync.ts). Otherwise PostgreSQL answers and /health says why.
 */
import { localDayBoundsUtc, type IsoId, type PriceRun } from '@optibid/core';
import type { ServiceHealth } from '@optibid/contracts';
import type { AnalyticsPriceRow, AnalyticsPricesRepository, AnalyticsSyncState } from '../../db/repositories/analytics-prices.js';
import type { PricePoint, PriceStats } from '../../db/repositories/prices.js';

export const SYNC_NAME = 'prices';

export interface AnalyticsLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface PriceAnalyticsOptions {
  log: AnalyticsLog;
  /** The copy is stale (PostgreSQL answers) when the last sync finished longer ago; default 120 s. */
  staleAfterS?: number;
  /** After a failure, reads skip ClickHouse for this long; default 5 s. */
  retryAfterMs?: number;
  /** A read taking longer is abandoned for PostgreSQL; default 5 s. */
  readTimeoutMs?: number;
}

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

/** Where a read was answered from (tests and /health count them). */
export interface ServedCounts {
  clickhouse: number;
  postgresql: number;
}

const STATE_CACHE_MS = 5_000;

export class PriceAnalytics {
  readonly served: ServedCounts = { clickhouse: 0, postgresql: 0 };
  private schemaReady = false;
  private downUntil = 0;
  private lastError: string | null = null;
  private state: { at: number; value: AnalyticsSyncState | null } | null = null;
  private readonly staleAfterS: number;
  private readonly retryAfterMs: number;
  private readonly readTimeoutMs: number;

  constructor(
    readonly store: AnalyticsPricesRepository,
    private readonly opts: PriceAnalyticsOptions,
  ) {
    this.staleAfterS = opts.staleAfterS ?? 120;
    this.retryAfterMs = opts.retryAfterMs ?? 5_000;
    this.readTimeoutMs = opts.readTimeoutMs ?? 5_000;
  }

  /** The last ClickHouse failure's message, null since a success. */
  get lastFailure(): string | null {
    return this.lastError;
  }

  /** Creates the tables if ClickHouse answers; if not, later calls try again. */
  async ensureSchema(): Promise<boolean> {
    if (this.schemaReady) return true;
    try {
      await this.store.ensureSchema();
      this.schemaReady = true;
      return true;
    } catch (err) {
      this.failed(err);
      return false;
    }
  }

  /** Records a failure: reads go to PostgreSQL for a while, health says why. */
  failed(err: unknown): void {
    const message = (err as Error).message;
    if (this.lastError !== message || Date.now() >= this.downUntil) this.opts.log.warn({ error: message }, 'analytics: ClickHouse failed, serving from PostgreSQL');
    this.lastError = message;
    this.downUntil = Date.now() + this.retryAfterMs;
    this.state = null;
  }

  /** The sync's state, cached for a few seconds (every instance reads the one the syncing instance wrote). */
  async syncState(fresh = false): Promise<AnalyticsSyncState | null> {
    if (!fresh && this.state && Date.now() - this.state.at < STATE_CACHE_MS) return this.state.value;
    const value = await this.store.syncState(SYNC_NAME);
    this.state = { at: Date.now(), value };
    return value;
  }

  /** Forgets the cached sync state (the sync calls it after each run). */
  synced(state: AnalyticsSyncState | null): void {
    this.state = { at: Date.now(), value: state };
    this.lastError = null;
    this.downUntil = 0;
  }

  private async usable(): Promise<boolean> {
    if (Date.now() < this.downUntil) return false;
    if (!(await this.ensureSchema())) return false;
    try {
      const s = await this.syncState();
      return s !== null && s.age_s <= this.staleAfterS;
    } catch (err) {
      this.failed(err);
      return false;
    }
  }

  /** Statistics from ClickHouse, or null: ask PostgreSQL. */
  async stats(q: StatsQuery): Promise<PriceStats | null> {
    if (!(await this.usable())) return this.fallback();
    try {
      const s = await this.store.stats(q, this.readTimeoutMs);
      this.served.clickhouse++;
      return s;
    } catch (err) {
      this.failed(err);
      return this.fallback();
    }
  }

  /** An hourly or daily series from ClickHouse (rows as PricesRepository.query returns them), or null: ask PostgreSQL. */
  async series(q: SeriesQuery): Promise<PricePoint[] | null> {
    if (!(await this.usable())) return this.fallback();
    try {
      const buckets = await this.store.series(q, this.readTimeoutMs);
      this.served.clickhouse++;
      return buckets.map((b) => {
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
      });
    } catch (err) {
      this.failed(err);
      return this.fallback();
    }
  }

  private fallback(): null {
    this.served.postgresql++;
    return null;
  }

  /** Writes rows (the event-log consumer); a failure rejects, so the messages are redelivered. */
  async write(rows: readonly AnalyticsPriceRow[]): Promise<void> {
    if (!(await this.ensureSchema())) throw new Error(`analytics: ClickHouse unavailable: ${this.lastError}`);
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
