/**
 * When ClickHouse may answer a read, shared by the price copy and the P&L
 * ledger: only while its tables exist, it has not failed in the last
 * `retryAfterMs` (after a failure every read goes to PostgreSQL for that long,
 * so a dead ClickHouse costs one failed request, not one per request), and its
 * copy is caught up (the named sync finished within `staleAfterS`). `read`
 * returns null otherwise, which sends the caller to PostgreSQL, and counts where
 * each read was served.
 */
import type { AnalyticsPricesRepository, AnalyticsSyncState } from '../../db/repositories/analytics-prices.js';

export interface AnalyticsLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface ReadGateOptions {
  log: AnalyticsLog;
  /** The copy is stale (PostgreSQL answers) when its last sync finished longer ago; default 120 s. */
  staleAfterS?: number;
  /** After a failure, reads skip ClickHouse for this long; default 5 s. */
  retryAfterMs?: number;
  /** A read taking longer is abandoned for PostgreSQL; default 5 s. */
  readTimeoutMs?: number;
}

/** Where a read was answered from (tests and /health count them). */
export interface ServedCounts {
  clickhouse: number;
  postgresql: number;
}

const STATE_CACHE_MS = 5_000;

export abstract class ClickHouseReadGate {
  readonly served: ServedCounts = { clickhouse: 0, postgresql: 0 };
  protected lastError: string | null = null;
  protected state: { at: number; value: AnalyticsSyncState | null } | null = null;
  protected readonly staleAfterS: number;
  protected readonly readTimeoutMs: number;
  private readonly retryAfterMs: number;
  private schemaReady = false;
  private downUntil = 0;

  protected constructor(
    /** Holds every sync's state (the `analytics_sync` table). */
    protected readonly syncStore: AnalyticsPricesRepository,
    private readonly syncName: string,
    /** What a failure's log line says PostgreSQL now serves. */
    private readonly servedInstead: string,
    protected readonly opts: ReadGateOptions,
  ) {
    this.staleAfterS = opts.staleAfterS ?? 120;
    this.retryAfterMs = opts.retryAfterMs ?? 5_000;
    this.readTimeoutMs = opts.readTimeoutMs ?? 5_000;
  }

  /** Creates this store's tables; called until it succeeds once. */
  protected abstract createSchema(): Promise<void>;

  /** The last ClickHouse failure's message, null since a success. */
  get lastFailure(): string | null {
    return this.lastError;
  }

  /** Creates the tables if ClickHouse answers; if not, later calls try again. */
  async ensureSchema(): Promise<boolean> {
    if (this.schemaReady) return true;
    try {
      await this.createSchema();
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
    if (this.lastError !== message || Date.now() >= this.downUntil) this.opts.log.warn({ error: message }, `analytics: ClickHouse failed, ${this.servedInstead} served from PostgreSQL`);
    this.lastError = message;
    this.downUntil = Date.now() + this.retryAfterMs;
    this.state = null;
  }

  /** The sync's state, cached for a few seconds (every instance reads the one the syncing instance wrote). */
  async syncState(fresh = false): Promise<AnalyticsSyncState | null> {
    if (!fresh && this.state && Date.now() - this.state.at < STATE_CACHE_MS) return this.state.value;
    const value = await this.syncStore.syncState(this.syncName);
    this.state = { at: Date.now(), value };
    return value;
  }

  /** Takes a sync's state as current and forgets the last failure. */
  protected recordSynced(state: AnalyticsSyncState | null): void {
    this.state = { at: Date.now(), value: state };
    this.lastError = null;
    this.downUntil = 0;
  }

  /** Throws (so the writer's message is redelivered or its sync retried) when the tables cannot be made. */
  protected async requireSchema(): Promise<void> {
    if (!(await this.ensureSchema())) throw new Error(`analytics: ClickHouse unavailable: ${this.lastError}`);
  }

  /** The caught-up copy's sync state, or null when ClickHouse may not answer. */
  private async usable(): Promise<AnalyticsSyncState | null> {
    if (Date.now() < this.downUntil) return null;
    if (!(await this.ensureSchema())) return null;
    try {
      const s = await this.syncState();
      return s !== null && s.age_s <= this.staleAfterS ? s : null;
    } catch (err) {
      this.failed(err);
      return null;
    }
  }

  /**
   * `query`'s answer from ClickHouse, or null: ask PostgreSQL. `covers`, when given, is asked
   * last, with the copy's state: false (the copy lacks something this read needs) sends this
   * read to PostgreSQL without counting against ClickHouse.
   */
  protected async read<T>(query: (timeoutMs: number) => Promise<T>, covers?: (state: AnalyticsSyncState) => Promise<boolean>): Promise<T | null> {
    const state = await this.usable();
    if (state && (!covers || (await covers(state)))) {
      try {
        const value = await query(this.readTimeoutMs);
        this.served.clickhouse++;
        return value;
      } catch (err) {
        this.failed(err);
      }
    }
    this.served.postgresql++;
    return null;
  }
}
