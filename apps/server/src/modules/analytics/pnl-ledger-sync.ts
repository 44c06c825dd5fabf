/**
 * Fills the settlement ledger (ClickHouse) from PostgreSQL with the SAME
 * settlement the per-request P&L runs (SettlementService, core's settlement
 * functions), so the two cannot disagree by construction, only by timing.
 *
 * Why a watermark sync rather than the event log alone: a day's settlement
 * changes when its awards change (the clearing announces those through the
 * outbox), but also when a meter reading or a late RT price arrives, or when an
 * asset is edited, and none of those is an event. So the source of truth is
 * PostgreSQL's own record of what it wrote: each sync asks which (organisation,
 * delivery day) pairs had an input written since the watermark (minus an
 * overlap, and never past the start of a transaction still open, as the price
 * sync does), settles those days again, and replaces their ledger entries
 * (tombstoning the keys a day no longer has), versioned by the database clock
 * read before settling. The event log only shortens the wait: the `analytics-pnl`
 * consumer starts a sync when an award or a settlement is announced.
 * A first sync (or `backfill`) settles every day any organisation has awards on.
 */
import { addDaysYmd, type PnlLedgerEntry } from '@optibid/core';
import type { PriceChangesRepository } from '../../db/repositories/price-changes.js';
import type { SettledDay, SettlementChangesRepository } from '../../db/repositories/settlement-changes.js';
import type { PnlAnalytics } from './pnl-analytics.js';

/** How far before its watermark each incremental sync re-reads (belt and braces for a transaction that committed late). */
export const PNL_SYNC_OVERLAP_MS = 120_000;

/** One organisation's ledger entries over delivery days start..end (inclusive), settled as GET /api/pnl does. */
export type SettleDays = (organizationId: string, start: string, end: string) => Promise<PnlLedgerEntry[]>;

export interface PnlSyncReport {
  kind: 'backfill' | 'incremental';
  days: number;
  entries: number;
  watermark: string;
  seconds: number;
}

export interface PnlLedgerSyncOptions {
  /** How far before the watermark each incremental sync looks; default 120 s. */
  overlapMs?: number;
  /** How far before the watermark a P&L read looks for a newer input (PNL_READ_MARGIN_MS, 5 s); tests set 0. */
  readMarginMs?: number;
  /** Longest run of days settled in one go; default 31 (a settlement matches RT prices to awards pairwise, so shorter runs cost less). */
  maxSpanDays?: number;
}

/** Days settled together: consecutive dirty days of one organisation, gaps of up to a week filled in, at most maxSpan long. */
export function runsOf(days: readonly SettledDay[], maxSpan: number): { organization_id: string; start: string; end: string }[] {
  const sorted = [...days].sort((a, b) => a.organization_id.localeCompare(b.organization_id) || a.delivery_date.localeCompare(b.delivery_date));
  const runs: { organization_id: string; start: string; end: string }[] = [];
  for (const d of sorted) {
    const last = runs[runs.length - 1];
    if (last && last.organization_id === d.organization_id && d.delivery_date <= addDaysYmd(last.end, 7) && d.delivery_date < addDaysYmd(last.start, maxSpan)) {
      if (d.delivery_date > last.end) last.end = d.delivery_date;
    } else runs.push({ organization_id: d.organization_id, start: d.delivery_date, end: d.delivery_date });
  }
  return runs;
}

function daysOf(start: string, end: string): string[] {
  const out: string[] = [];
  for (let d = start; d <= end; d = addDaysYmd(d, 1)) out.push(d);
  return out;
}

export class PnlLedgerSync {
  private settle: SettleDays | null = null;
  private running: Promise<PnlSyncReport> | null = null;
  private next: Promise<PnlSyncReport> | null = null;
  private readonly overlapMs: number;
  private readonly maxSpanDays: number;

  constructor(
    private readonly pnl: PnlAnalytics,
    private readonly changes: SettlementChangesRepository,
    private readonly clock: PriceChangesRepository,
    opts: PnlLedgerSyncOptions = {},
  ) {
    this.overlapMs = opts.overlapMs ?? PNL_SYNC_OVERLAP_MS;
    this.maxSpanDays = opts.maxSpanDays ?? 31;
  }

  /** The settlement to store (the composition root passes SettlementService's, built after this). */
  attach(settle: SettleDays): void {
    this.settle = settle;
  }

  /**
   * A sync that starts after this call: a backfill when the ledger has none yet, else the days
   * changed since the watermark. One at a time per process; calls made while one runs share the
   * next (one that started earlier may have missed what the caller just wrote).
   */
  run(): Promise<PnlSyncReport> {
    // Between a run's end and the queued one's start `running` is already null: the queued one is still the next.
    if (this.next) return this.next;
    if (!this.running) return this.start();
    this.next = this.running.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.next;
  }

  private startQueued(): Promise<PnlSyncReport> {
    this.next = null;
    return this.start();
  }

  private start(): Promise<PnlSyncReport> {
    const run = this.runOnce().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  /**
   * The database clock (ms) at which the last finished sync in this process began reading: what was
   * committed before it, that sync saw, even where an open transaction held its watermark back (a
   * long one, such as a pg_dump, holds it for its whole length). −∞ before the first.
   */
  lastStartClockMs = Number.NEGATIVE_INFINITY;

  private async runOnce(): Promise<PnlSyncReport> {
    if (!(await this.pnl.ensureSchema())) throw new Error('analytics: ClickHouse unavailable');
    const state = await this.pnl.syncState(true);
    return state ? this.incremental(state.watermark.getTime()) : this.backfill();
  }

  /** Settles every day any organisation has awards on; the watermark becomes the moment it started. */
  async backfill(): Promise<PnlSyncReport> {
    const t0 = performance.now();
    const started = await this.clock.now();
    const days = await this.changes.allDays();
    const entries = await this.settleDays(days);
    const report = await this.finish('backfill', started.settled_ms, days.length, entries, t0);
    this.lastStartClockMs = started.ms;
    return report;
  }

  /** Settles the days whose inputs PostgreSQL wrote after (watermark − overlap). */
  async incremental(watermarkMs: number): Promise<PnlSyncReport> {
    const t0 = performance.now();
    const to = await this.clock.now();
    const days = await this.changes.changedDays(new Date(watermarkMs - this.overlapMs).toISOString(), to.text);
    const entries = await this.settleDays(days);
    // A transaction still open wrote with its start as timestamp and shows at its commit: the watermark stops there.
    const report = await this.finish('incremental', Math.max(watermarkMs, to.settled_ms), days.length, entries, t0);
    this.lastStartClockMs = to.ms;
    return report;
  }

  private async settleDays(days: readonly SettledDay[]): Promise<number> {
    if (!this.settle) throw new Error('P&L ledger sync: no settlement attached');
    let written = 0;
    for (const run of runsOf(days, this.maxSpanDays)) {
      // Read before settling: a later settlement of the same day read later data and wins.
      const version = (await this.clock.now()).ms;
      const entries = await this.settle(run.organization_id, run.start, run.end);
      written += await this.pnl.replaceDays(run.organization_id, daysOf(run.start, run.end), entries, version);
    }
    return written;
  }

  private async finish(kind: PnlSyncReport['kind'], watermarkMs: number, days: number, entries: number, t0: number): Promise<PnlSyncReport> {
    await this.pnl.synced(new Date(watermarkMs), entries);
    return { kind, days, entries, watermark: new Date(watermarkMs).toISOString(), seconds: Math.round(performance.now() - t0) / 1000 };
  }
}
