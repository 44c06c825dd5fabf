/**
 * P&L aggregates from the settlement ledger in ClickHouse (pnl-ledger-sync.ts
 * fills it), or `null`, which sends the caller to the per-request settlement
 * on PostgreSQL. As for prices (analytics-service.ts), ClickHouse answers only
 * while its tables exist, it has not failed in the last `retryAfterMs`, and the
 * ledger is caught up: its last sync finished within `staleAfterS`. The ledger
 * holds every settled day from its first sync (a backfill) on, so a caught-up
 * ledger covers any requested range; what it lacks is at most what PostgreSQL
 * wrote since that sync (a clearing, telemetry or an RT price of the last
 * seconds: the event-log consumer starts a sync on each award and settlement).
 */
import type { PnlLedgerEntry } from '@optibid/core';
import type { AnalyticsPnlRepository, PnlLedgerKey, PnlLedgerQuery } from '../../db/repositories/analytics-pnl.js';
import type { AnalyticsPricesRepository, AnalyticsSyncState } from '../../db/repositories/analytics-prices.js';
import type { AnalyticsLog, ServedCounts } from './analytics-service.js';

export const PNL_SYNC_NAME = 'pnl';
const STATE_CACHE_MS = 5_000;

export interface PnlAnalyticsOptions {
  log: AnalyticsLog;
  /** The ledger is stale (PostgreSQL answers) when its last sync finished longer ago; default 120 s. */
  staleAfterS?: number;
  /** After a failure, reads skip ClickHouse for this long; default 5 s. */
  retryAfterMs?: number;
  /** A read taking longer is abandoned for PostgreSQL; default 5 s. */
  readTimeoutMs?: number;
}

export class PnlAnalytics {
  readonly served: ServedCounts = { clickhouse: 0, postgresql: 0 };
  private schemaReady = false;
  private downUntil = 0;
  private lastError: string | null = null;
  private state: { at: number; value: AnalyticsSyncState | null } | null = null;
  private readonly staleAfterS: number;
  private readonly retryAfterMs: number;
  private readonly readTimeoutMs: number;

  constructor(
    readonly ledger: AnalyticsPnlRepository,
    readonly syncStore: AnalyticsPricesRepository,
    private readonly opts: PnlAnalyticsOptions,
  ) {
    this.staleAfterS = opts.staleAfterS ?? 120;
    this.retryAfterMs = opts.retryAfterMs ?? 5_000;
    this.readTimeoutMs = opts.readTimeoutMs ?? 5_000;
  }

  async ensureSchema(): Promise<boolean> {
    if (this.schemaReady) return true;
    try {
      await this.syncStore.ensureSchema();
      await this.ledger.ensureSchema();
      this.schemaReady = true;
      return true;
    } catch (err) {
      this.failed(err);
      return false;
    }
  }

  failed(err: unknown): void {
    const message = (err as Error).message;
    if (this.lastError !== message || Date.now() >= this.downUntil) this.opts.log.warn({ error: message }, 'analytics: ClickHouse failed, P&L served from PostgreSQL');
    this.lastError = message;
    this.downUntil = Date.now() + this.retryAfterMs;
    this.state = null;
  }

  async syncState(fresh = false): Promise<AnalyticsSyncState | null> {
    if (!fresh && this.state && Date.now() - this.state.at < STATE_CACHE_MS) return this.state.value;
    const value = await this.syncStore.syncState(PNL_SYNC_NAME);
    this.state = { at: Date.now(), value };
    return value;
  }

  /** Records a finished sync (its state is then current on this instance). */
  async synced(watermark: Date, rows: number): Promise<void> {
    await this.syncStore.saveSyncState(PNL_SYNC_NAME, watermark, rows);
    this.state = { at: Date.now(), value: await this.syncStore.syncState(PNL_SYNC_NAME) };
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

  /** The organisation's ledger entries for the query from ClickHouse, or null: settle on PostgreSQL. */
  async entries(q: PnlLedgerQuery): Promise<PnlLedgerEntry[] | null> {
    if (!(await this.usable())) return this.fallback();
    try {
      const rows = await this.ledger.entries(q, this.readTimeoutMs);
      this.served.clickhouse++;
      return rows;
    } catch (err) {
      this.failed(err);
      return this.fallback();
    }
  }

  private fallback(): null {
    this.served.postgresql++;
    return null;
  }

  /** Replaces an organisation's entries on `days` by `entries` (sync); a failure rejects. */
  async replaceDays(organizationId: string, days: readonly string[], entries: readonly PnlLedgerEntry[], version: number): Promise<number> {
    if (!(await this.ensureSchema())) throw new Error(`analytics: ClickHouse unavailable: ${this.lastError}`);
    try {
      const keep = new Set(entries.map((e) => keyText(e)));
      const tombstones = (await this.ledger.keysOn(organizationId, days)).filter((k) => !keep.has(keyText(k)));
      await this.ledger.write(organizationId, entries, tombstones, version);
      return entries.length + tombstones.length;
    } catch (err) {
      this.failed(err);
      throw err;
    }
  }

  /** One line for /health: the ledger's state and where P&L reads were served. */
  async describe(): Promise<{ ok: boolean; facts: string }> {
    const served = `P&L served ${this.served.clickhouse} reads, ${this.served.postgresql} fell back`;
    if (!(await this.ensureSchema())) return { ok: false, facts: `P&L ledger not ready: ${this.lastError}; ${served}` };
    let s: AnalyticsSyncState | null;
    try {
      s = await this.syncState(true);
    } catch (err) {
      this.failed(err);
      return { ok: false, facts: `P&L ledger: ${(err as Error).message}; ${served}` };
    }
    if (!s) return { ok: false, facts: `P&L ledger not filled yet (P&L from PostgreSQL); ${served}` };
    const facts = `P&L ledger synced ${s.age_s} s ago (${s.rows} entries), settled up to ${s.watermark.toISOString()}; ${served}`;
    return s.age_s > this.staleAfterS ? { ok: false, facts: `P&L ledger behind: ${facts}` } : { ok: true, facts };
  }
}

function keyText(k: PnlLedgerKey): string {
  return `${k.asset_id}\u0000${k.iso}\u0000${k.market_date}\u0000${k.kind}\u0000${k.product}`;
}
