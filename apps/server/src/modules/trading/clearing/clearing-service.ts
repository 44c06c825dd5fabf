/**
 * Market clearing. Price-taker (default): each bid's curve against the stored
 * LMP of its location and period. Auction: every organisation's bids in one
 * uniform-price merit order with a residual demand and a rest-of-market supply
 * stack. Awards are written per bid and period, replacing earlier ones, so a
 * re-run gives the same rows, never duplicates. Also the job's periodic work:
 * DA clearing at gate closure, RT bids per interval, drafts that missed the
 * gate, and settling bids whose delivery day is over.
 */
import {
  addDaysYmd,
  bidPeriods,
  clearAuction,
  clearPriceTaker,
  dayAheadGateClosure,
  localDateOf,
  localDayBoundsUtc,
  type BidSegment,
  type IsoId,
  type MarketDefinition,
} from '@optibid/core';
import type { ClearingView } from '@optibid/contracts';
import type { AwardRow, BidRow } from '../../../db/repositories/trading/index.js';
import { validationFailed } from '../../../http/errors.js';
import { awardEvent, bidStatusEvent, orgChannel, type Published, type TradingDeps } from '../common.js';
import { AncillaryClearing, type NewAsAward } from './ancillary-clearing.js';
import { assertGateClosed } from './clearing-gate.js';
import { PriceSource } from './price-source.js';
import { StorageClearing, type StorageClearingOutcome } from './storage-clearing.js';

export type ClearingMode = 'price_taker' | 'auction';

export interface ClearRequest {
  iso: IsoId;
  run: 'DA' | 'RT';
  delivery_date: string;
  mode: ClearingMode;
  residual_demand?: BidSegment[][];
  rest_of_market_supply?: BidSegment[][];
  /** Clear only this organisation's bids (price-taker: each bid clears on its own, so a subset is exact). */
  organization_id?: string;
  triggered_by: string | null;
}

type NewAward = Omit<AwardRow, 'bid_id'>;

/** Rest-of-market supply around a reference price: 5 × 200 MW at ref + s·k, s = max(5, |ref|/4). */
const ROM_STEPS = [-2, -0.8, 0, 1, 4];
const ROM_BLOCK_MW = 200;
/** Inelastic residual demand: the third block is marginal, so the price is the reference when bids are small. */
const RESIDUAL_DEMAND_MW = 500;

export class ClearingService {
  readonly prices: PriceSource;
  private readonly ancillary: AncillaryClearing;
  readonly storage: StorageClearing;

  constructor(private readonly d: TradingDeps) {
    this.prices = new PriceSource(d);
    this.ancillary = new AncillaryClearing(d);
    this.storage = new StorageClearing(d);
  }

  private market(iso: string): MarketDefinition {
    return this.d.markets.market(iso);
  }

  /** The API's entry: 409 before the day's gate closure unless a platform admin in simulation mode (clearing-gate.ts). */
  async clearOnDemand(req: ClearRequest, by: { is_platform_admin: boolean }): Promise<ClearingView> {
    assertGateClosed(this.market(req.iso), req, this.d.now(), by.is_platform_admin && this.d.ctx.config.simulationMode);
    return this.clear(req);
  }

  async clear(req: ClearRequest): Promise<ClearingView> {
    const m = this.market(req.iso);
    let bids = await this.d.repos.bids.marketWide(m.iso, req.run, req.delivery_date, ['accepted', 'cleared']);
    if (req.organization_id) bids = bids.filter((b) => b.organization_id === req.organization_id);
    const unpriced: ClearingView['unpriced'] = [];
    const simulated: ClearingView['simulated_prices'] = [];
    let awards: Map<string, NewAward[]>;
    let prices: ClearingView['prices'];
    if (req.mode === 'auction' && req.run === 'DA') {
      ({ awards, prices } = await this.auction(m, req, bids, simulated));
    } else if (req.run === 'DA') {
      awards = await this.priceTakerDayAhead(m, req.delivery_date, bids, unpriced, simulated);
    } else {
      awards = await this.priceTakerRealTime(m, bids, unpriced);
    }
    // A storage bid's day-ahead energy awards are cut to what its state of charge allows (storage-clearing.ts).
    const storage = req.run === 'DA' ? await this.storage.enforce(bids, awards) : new Map<string, StorageClearingOutcome>();
    // AS offers clear beside the day-ahead energy awards, against the stored AS prices, from the same starting state.
    const socStart = new Map([...storage].map(([id, o]) => [id, o.soc_initial_mwh]));
    let asAwards = new Map<string, NewAsAward[]>();
    if (req.run === 'DA') {
      // Priced (and, in the simulated market, published) whether or not a bid offers AS: the next day's optimiser forecasts from it.
      const asDay = await this.prices.dayAheadAncillary(m, req.delivery_date);
      if (asDay.simulated > 0) simulated.push({ location: `${asDay.zone} ancillary services`, hours: asDay.simulated });
      asAwards = await this.ancillary.clearDayAhead(m, req.delivery_date, bids, awards, unpriced, asDay, socStart);
    }
    const now = this.d.now();
    const status = unpriced.length > 0 ? 'partial' : 'complete';
    const { newly, outboxIds } = await this.commit({ market: m.iso, run: req.run, delivery_date: req.delivery_date }, bids, awards, req.mode, req.triggered_by, { as: asAwards, storage }, async (tx) => {
      if (!req.organization_id) {
        await this.d.repos.clearing.recordClearing(tx, {
          market: m.iso,
          run: req.run,
          delivery_date: req.delivery_date,
          mode: req.mode,
          status,
          bids_cleared: awards.size,
          result: { unpriced, simulated_prices: simulated, ...(prices ? { prices } : {}) },
          triggered_by: req.triggered_by,
          cleared_at: now,
        });
      }
    });
    await this.d.outbox.flush(outboxIds);
    return {
      market: m.iso,
      run: req.run,
      delivery_date: req.delivery_date,
      mode: req.mode,
      status,
      bids_cleared: awards.size,
      newly_cleared: newly,
      unpriced,
      simulated_prices: simulated,
      ...(prices ? { prices } : {}),
      ...(storage.size ? { storage: [...storage.values()] } : {}),
      cleared_at: now.toISOString(),
    };
  }

  private periodsOf(b: BidRow, m: MarketDefinition) {
    return bidPeriods({ run: b.run, delivery_date: b.delivery_date, interval_start: b.interval_start ?? undefined, interval_minutes: b.interval_minutes ?? undefined, curves: b.curves }, m);
  }

  private toAwards(b: BidRow, m: MarketDefinition, mode: ClearingMode, mw: number[], price: number[]): NewAward[] {
    return this.periodsOf(b, m).map((p, k) => ({
      period: k,
      organization_id: b.organization_id,
      asset_id: b.asset_id,
      market: b.market,
      location: b.location,
      run: b.run,
      delivery_date: b.delivery_date,
      interval_start: p.interval_start,
      duration_h: p.duration_h,
      awarded_mw: mw[k]!,
      price_usd_per_mwh: price[k]!,
      mode,
    }));
  }

  /** DA: each bid against its location's stored (or simulated) day-ahead LMPs; the day's prices are read once per location. */
  private async priceTakerDayAhead(m: MarketDefinition, date: string, bids: BidRow[], unpriced: ClearingView['unpriced'], simulated: ClearingView['simulated_prices']) {
    const byLocation = new Map<string, Map<number, number>>();
    for (const loc of new Set(bids.map((b) => b.location))) {
      const r = await this.prices.dayAhead(m, loc, date);
      byLocation.set(loc, r.lmps);
      if (r.simulated > 0) simulated.push({ location: loc, hours: r.simulated });
    }
    return this.priceTaker(m, bids, unpriced, async (b, periods) => {
      const lmps = byLocation.get(b.location)!;
      return periods.map((p) => lmps.get(p.interval_start.getTime()) ?? Number.NaN);
    });
  }

  /** RT: each bid against the real-time prices of its own intervals. */
  private async priceTakerRealTime(m: MarketDefinition, bids: BidRow[], unpriced: ClearingView['unpriced']) {
    return this.priceTaker(m, bids, unpriced, (b, periods) => this.prices.realTime(m, b.location, periods));
  }

  /**
   * Price-taker clearing: each bid's curve is read at the price of each of its
   * periods (NaN where none is known); a bid with a period unpriced is left
   * out and listed in `unpriced`.
   */
  private async priceTaker(
    m: MarketDefinition,
    bids: BidRow[],
    unpriced: ClearingView['unpriced'],
    seriesOf: (b: BidRow, periods: ReturnType<ClearingService['periodsOf']>) => Promise<number[]>,
  ) {
    const out = new Map<string, NewAward[]>();
    for (const b of bids) {
      const series = await seriesOf(b, this.periodsOf(b, m));
      const missing = series.flatMap((v, k) => (Number.isFinite(v) ? [] : [k]));
      if (missing.length > 0) {
        unpriced.push({ bid_id: b.id, location: b.location, missing_periods: missing });
        continue;
      }
      const cleared = clearPriceTaker(b.curves, series);
      out.set(b.id, this.toAwards(b, m, 'price_taker', cleared.map((c) => c.awarded_mw), series));
    }
    return out;
  }

  /** Uniform-price auction of all bids of the day (one price zone: the market). */
  private async auction(m: MarketDefinition, req: ClearRequest, bids: BidRow[], simulated: ClearingView['simulated_prices']) {
    const day = localDayBoundsUtc(req.delivery_date, m.timezone);
    const periods = Math.round((day.end.getTime() - day.start.getTime()) / 3_600_000);
    let residual = req.residual_demand;
    let rom = req.rest_of_market_supply;
    if (!residual || !rom) {
      const r = await this.prices.dayAhead(m, m.default_location, req.delivery_date);
      if (r.simulated > 0) simulated.push({ location: m.default_location, hours: r.simulated });
      const refs = Array.from({ length: periods }, (_, k) => r.lmps.get(day.start.getTime() + k * 3_600_000));
      if (refs.some((v) => v === undefined)) {
        throw validationFailed(
          `auction mode needs residual_demand and rest_of_market_supply, or ${m.iso} DA prices at ${m.default_location} for ${req.delivery_date} to build them from`,
        );
      }
      rom ??= refs.map((ref) => {
        const s = Math.max(5, Math.abs(ref!) / 4);
        return ROM_STEPS.map((k) => ({ mw: ROM_BLOCK_MW, price_usd_per_mwh: ref! + s * k }));
      });
      residual ??= [[{ mw: -RESIDUAL_DEMAND_MW, price_usd_per_mwh: m.offer_limits.hard_cap_usd_per_mwh }]];
    }
    const result = clearAuction({ periods, bids: bids.map((b) => ({ bid_id: b.id, curves: b.curves })), residual_demand: residual, rest_of_market_supply: rom });
    // A period with no block on either side has no price at all (NaN): refuse before anything commits.
    const noMarket = result.periods.filter((p) => !Number.isFinite(p.price_usd_per_mwh)).map((p) => p.period);
    if (noMarket.length) {
      throw validationFailed(`auction mode: ${noMarket.length} period(s) (${noMarket.slice(0, 5).join(', ')}${noMarket.length > 5 ? ', …' : ''}) have neither supply nor demand; give residual_demand and rest_of_market_supply for every period`);
    }
    const price = result.periods.map((p) => p.price_usd_per_mwh);
    const awards = new Map<string, NewAward[]>();
    result.awards.forEach((a, i) => awards.set(a.bid_id, this.toAwards(bids[i]!, m, 'auction', a.awarded_mw, price)));
    return { awards, prices: result.periods.map((p) => ({ period: p.period, price_usd_per_mwh: p.price_usd_per_mwh, cleared_mw: p.cleared_mw })) };
  }

  /**
   * Writes energy and AS awards and accepted → cleared transitions in one transaction under
   * the day's lock, with their award and bid_status events in the outbox (bus/outbox.ts);
   * returns the outbox ids to flush once committed. The statuses are read again
   * under the lock, so of two concurrent clearings (two instances, or the job
   * and a user) only the first transitions a bid, audits it and announces it:
   * the second finds the bids cleared and only rewrites the same awards and
   * the same unique clearing record. An instance killed after the commit leaves
   * its announcements in the outbox, and another instance's sweeper sends them.
   */
  private async commit(
    day: { market: string; run: string; delivery_date: string },
    bids: BidRow[],
    awards: Map<string, NewAward[]>,
    mode: ClearingMode,
    userId: string | null,
    beside: { as: Map<string, NewAsAward[]>; storage: Map<string, StorageClearingOutcome> },
    extra: (tx: import('../../../db/repositories/trading/index.js').Sql) => Promise<void>,
  ) {
    const now = this.d.now();
    const events: Published = [];
    let newly = 0;
    const ids = await this.d.repos.sql.transaction(async (tx) => {
      await this.d.repos.clearing.lockDay(tx, day.market, day.run, day.delivery_date);
      const current = await this.d.repos.clearing.statusesForUpdate(tx, bids.filter((b) => awards.has(b.id)).map((b) => b.id));
      for (const b of bids) {
        const list = awards.get(b.id);
        const status = current.get(b.id);
        // Gone, or moved on (settled, cancelled) since it was read: not this clearing's to touch.
        if (!list || (status !== 'accepted' && status !== 'cleared')) continue;
        await this.d.repos.clearing.replaceAwards(tx, b.id, list);
        if (b.run === 'DA') await this.d.repos.clearing.replaceAsAwards(tx, b.id, beside.as.get(b.id) ?? []);
        const soc = beside.storage.get(b.id);
        if (soc) await this.d.repos.storage.record(tx, StorageClearing.dayState(b, soc, now));
        const rows: AwardRow[] = list.map((a) => ({ ...a, bid_id: b.id }));
        if (status === 'accepted') {
          newly++;
          const next = await this.d.repos.bids.setStatus(tx, b.organization_id, b.id, 'cleared', { cleared: true });
          await this.d.ctx.repos.audit.record({
            organization_id: b.organization_id,
            actor_user_id: userId,
            action: 'bid.clear',
            target_type: 'bid',
            target_id: b.id,
            details: { from: 'accepted', to: 'cleared', mode, total_mwh: rows.reduce((s, a) => s + a.awarded_mw * a.duration_h, 0) },
          }, tx);
          events.push({ organization_id: b.organization_id, message: awardEvent(next, rows, mode, now) });
          events.push({ organization_id: b.organization_id, message: bidStatusEvent(next, 'accepted', now) });
        }
      }
      await extra(tx);
      return this.d.outbox.add(tx, events.map((e) => ({ channel: orgChannel(e.organization_id), message: e.message })));
    });
    return { newly, outboxIds: ids };
  }

  /**
   * The job's tick: clears each market's DA for every delivery day whose gate has closed and
   * that has no clearing since its gate closed (or only a partial one), clears RT bids whose
   * prices have arrived, tells owners of drafts that missed their gate, and settles bids whose
   * delivery day is over. Returns what it did, for the log.
   */
  /** Day-ahead days (today and tomorrow in each market's clock) whose gate has passed with no complete clearing since. */
  async dueDayAhead(): Promise<{ iso: IsoId; delivery_date: string }[]> {
    const now = this.d.now();
    const due: { iso: IsoId; delivery_date: string }[] = [];
    for (const m of this.d.markets.catalogue.listMarkets()) {
      const today = localDateOf(now, m.timezone);
      for (const date of [today, addDaysYmd(today, 1)]) {
        if (await this.isDayAheadDue(m.iso, date)) due.push({ iso: m.iso, delivery_date: date });
      }
    }
    return due;
  }

  private async isDayAheadDue(iso: IsoId, date: string): Promise<boolean> {
    const gate = dayAheadGateClosure(iso, date, this.market(iso));
    if (gate.getTime() > this.d.now().getTime()) return false;
    const done = await this.d.repos.clearing.getClearing(iso, 'DA', date);
    return !(done && done.status === 'complete' && done.cleared_at.getTime() >= gate.getTime());
  }

  /**
   * The scheduled clearing of one day-ahead day (the clearing job's handler): price-taker, unless
   * the day is not due (gate open, or cleared since its gate), then null. Safe to run again: the
   * clearing is idempotent under its lock.
   */
  async clearDueDay(iso: IsoId, date: string): Promise<ClearingView | null> {
    if (!(await this.isDayAheadDue(iso, date))) return null;
    return this.clear({ iso, run: 'DA', delivery_date: date, mode: 'price_taker', triggered_by: null });
  }

  /**
   * One round of the clearing schedule: due day-ahead days (unless `dayAhead: false`, when the
   * caller queues them as jobs), RT bids whose prices arrived, drafts that missed the gate, and
   * settlement of delivered days.
   */
  async tick(opts: { dayAhead?: boolean } = {}): Promise<{ cleared: string[]; rt_cleared: number; drafts_notified: number; settled: number }> {
    const now = this.d.now();
    const cleared: string[] = [];
    if (opts.dayAhead !== false) {
      for (const d of await this.dueDayAhead()) {
        const r = await this.clearDueDay(d.iso, d.delivery_date);
        if (r) cleared.push(`${d.iso} DA ${d.delivery_date}: ${r.bids_cleared} bids (${r.status})`);
      }
    }
    const rt_cleared = await this.clearDueRealTime(now);
    const drafts_notified = await this.notifyLateDrafts(now);
    const settled = await this.settleDelivered(now);
    return { cleared, rt_cleared, drafts_notified, settled };
  }

  private async clearDueRealTime(now: Date): Promise<number> {
    const due = await this.d.repos.bids.dueRealTime(now);
    let n = 0;
    for (const b of due) {
      const m = this.market(b.market);
      const awards = await this.priceTakerRealTime(m, [b], []);
      if (awards.size === 0) continue;
      const r = await this.commit({ market: b.market, run: b.run, delivery_date: b.delivery_date }, [b], awards, 'price_taker', null, { as: new Map(), storage: new Map() }, async () => undefined);
      await this.d.outbox.flush(r.outboxIds);
      n += r.newly;
    }
    return n;
  }

  /**
   * Tells each owner once that a draft missed its gate: the mark, the audit row
   * and the bid_status event commit together (the event in the outbox), so a
   * crash after the commit still delivers it (the sweeper) and a second
   * instance finds the draft already marked and sends nothing.
   */
  private async notifyLateDrafts(now: Date): Promise<number> {
    const drafts = await this.d.repos.bids.unnotifiedLateDrafts(now);
    let n = 0;
    for (const b of drafts) {
      const ids = await this.d.repos.sql.transaction(async (tx) => {
        if (!(await this.d.repos.bids.markDraftNotified(tx, b.organization_id, b.id))) return [];
        await this.d.ctx.repos.audit.record(
          {
            organization_id: b.organization_id,
            actor_user_id: null,
            action: 'bid.missed_gate',
            target_type: 'bid',
            target_id: b.id,
            details: { status: 'draft', gate_closure: b.gate_closure.toISOString() },
          },
          tx,
        );
        return this.d.outbox.add(tx, [{ channel: orgChannel(b.organization_id), message: bidStatusEvent(b, 'draft', now, { message: 'gate closed with the bid still in draft' }) }]);
      });
      if (ids.length === 0) continue;
      await this.d.outbox.flush(ids);
      n++;
    }
    return n;
  }

  /** cleared → settled once the delivery day is over in the market's calendar. */
  private async settleDelivered(now: Date): Promise<number> {
    const candidates = await this.d.repos.bids.clearedBefore(addDaysYmd(now.toISOString().slice(0, 10), 1));
    let n = 0;
    for (const b of candidates) {
      const m = this.market(b.market);
      if (b.delivery_date >= localDateOf(now, m.timezone)) continue;
      const ids = await this.d.repos.sql.transaction(async (tx) => {
        const row = await this.d.repos.bids.setStatus(tx, b.organization_id, b.id, 'settled');
        await this.d.ctx.repos.audit.record({ organization_id: b.organization_id, actor_user_id: null, action: 'bid.settle', target_type: 'bid', target_id: b.id, details: { from: 'cleared', to: 'settled' } }, tx);
        return this.d.outbox.add(tx, [{ channel: orgChannel(b.organization_id), message: bidStatusEvent(row, 'cleared', now) }]);
      });
      await this.d.outbox.flush(ids);
      n++;
    }
    return n;
  }
}
