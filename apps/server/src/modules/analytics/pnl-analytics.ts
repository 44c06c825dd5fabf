/**
 * P&L aggregates from the settlement ledger in ClickHouse (pnl-ledger-sync.ts
 * fills it), or `null`, which sends the caller to the per-request settlement
 * on PostgreSQL. As for prices (analytics-service.ts), ClickHouse answers only
 * while its tables exist, it has not failed in the last `retryAfterMs`, and the
 * ledger is caught up: its last sync finished within `staleAfterS`. The ledger
 * holds every settled day from its first sync (a backfill) on, so a caught-up
 * ledger covers any requested range except what PostgreSQL wrote since that
 * sync (a clearing, telemetry or an RT price of the last seconds). So each read
 * also asks PostgreSQL, in one indexed query, whether an input of that
 * organisation's requested days was written after the ledger's watermark minus
 * a few seconds (PNL_READ_MARGIN_MS); if so, PostgreSQL answers this read, and when the change
 * is past the watermark itself (the ledger cannot have it) a sync is started.
 * A ledger answer is therefore the answer PostgreSQL would give, not one up to
 * a sync period old; ranges nobody wrote to keep coming from the ledger.
 */
import type { PnlLedgerEntry } from '@optibid/core';
import type { AnalyticsPnlRepository, PnlLedgerKey, PnlLedgerQuery } from '../../db/repositories/analytics-pnl.js';
import type { AnalyticsPricesRepository, AnalyticsSyncState } from '../../db/repositories/analytics-prices.js';
import type { SettlementChangesRepository } from '../../db/repositories/settlement-changes.js';
import { ClickHouseReadGate, type ReadGateOptions } from './clickhouse-read-gate.js';

export const PNL_SYNC_NAME = 'pnl';
/**
 * How far before the ledger's watermark a P&L read still looks for a newer input. The watermark
 * never passes the start of a transaction that was open when the sync read the database's clock,
 * and every change source is stamped by that clock (`now()` defaults), so an input stamped before
 * the watermark was committed, and visible, before the sync read its days: in principle no margin
 * is needed. A few seconds cover what that reasoning might miss without sending every range
 * written to in the last two minutes (the sync's own overlap) to PostgreSQL, which for an
 * organisation with live meter readings would be nearly every recent range.
 */
export const PNL_READ_MARGIN_MS = 5_000;

export interface PnlAnalyticsOptions extends ReadGateOptions {
  /** See PNL_READ_MARGIN_MS (its default). */
  readMarginMs?: number;
}

export class PnlAnalytics extends ClickHouseReadGate {
  /** Reads PostgreSQL answered because an input of their range was newer than the ledger (within served.postgresql). */
  newerInPostgresql = 0;
  /** Starts a sync for a write at `latestMs` the ledger lacks (the composition root wires PnlLedgerSync; nothing waits for it). */
  onBehind: ((latestMs: number) => void) | null = null;
  private readonly readMarginMs: number;

  constructor(
    readonly ledger: AnalyticsPnlRepository,
    syncStore: AnalyticsPricesRepository,
    private readonly changes: SettlementChangesRepository,
    opts: PnlAnalyticsOptions,
  ) {
    super(syncStore, PNL_SYNC_NAME, 'P&L', opts);
    this.readMarginMs = opts.readMarginMs ?? PNL_READ_MARGIN_MS;
  }

  protected async createSchema(): Promise<void> {
    await this.syncStore.ensureSchema();
    await this.ledger.ensureSchema();
  }

  /** Records a finished sync (its state is then current on this instance). */
  async synced(watermark: Date, rows: number): Promise<void> {
    await this.syncStore.saveSyncState(PNL_SYNC_NAME, watermark, rows);
    this.recordSynced(await this.syncStore.syncState(PNL_SYNC_NAME));
  }

  /** The organisation's ledger entries for the query from ClickHouse, or null: settle on PostgreSQL. */
  entries(q: PnlLedgerQuery): Promise<PnlLedgerEntry[] | null> {
    return this.read(
      (timeoutMs) => this.ledger.entries(q, timeoutMs),
      (state) => this.covers(q, state),
    );
  }

  /** Whether the ledger has every input of the query's days PostgreSQL wrote (nothing in range since watermark − overlap). */
  private async covers(q: PnlLedgerQuery, state: AnalyticsSyncState): Promise<boolean> {
    const watermarkMs = state.watermark.getTime();
    const latestMs = await this.changes.latestChangeIn(q.organization_id, q.start, q.end, new Date(watermarkMs - this.readMarginMs).toISOString());
    if (latestMs === null) return true;
    this.newerInPostgresql++;
    // Inside the overlap the last sync most likely has it and the next one moves past it; after the watermark it surely lacks it.
    if (latestMs > watermarkMs) this.onBehind?.(latestMs);
    return false;
  }

  /** Replaces an organisation's entries on `days` by `entries` (sync); a failure rejects. */
  async replaceDays(organizationId: string, days: readonly string[], entries: readonly PnlLedgerEntry[], version: number): Promise<number> {
    await this.requireSchema();
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
    const served = `P&L served ${this.served.clickhouse} reads, ${this.served.postgresql} fell back (${this.newerInPostgresql} for inputs newer than the ledger)`;
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
