/**
 * Day-ahead awards a battery can deliver.
 *
 * Energy curves clear hour by hour (price-taker against the LMP, or the auction), and a
 * storage bid's hours are not independent: a discharge block can clear in an hour after the
 * charge block that was to fill it failed to. Two ways out were open (issue 14): build offer
 * curves that stay feasible under every possible clearing outcome, or have the market enforce
 * the state of charge. We enforce it in the market, as CAISO's day-ahead market does for
 * non-generator resources and ERCOT's RTC+B does for energy storage resources, because:
 *  - the bid is the trader's, not only the optimiser's: a hand-made curve or an API client's
 *    must not be awarded what the battery cannot do either, so the rule belongs to clearing;
 *  - curves robust to every outcome must assume the worst sequence of prices and shrink to a
 *    fraction of the schedule (the backtests measured what that costs), while the joint
 *    clearing keeps every award the day's state of charge allows;
 *  - it is the same rule the backtests already settle with (core `clearStorageWithSoc`), so
 *    the server and the backtests agree on what a curve earns.
 *
 * How: the market clears as before; then, per storage bid, core's `cutStorageAwardsToSoc`
 * walks the awards through the state of charge and, only where they break it, re-clears the
 * day jointly over the blocks that were awarded (never more MW, never another price). A bid
 * that was deliverable clears exactly as before. In auction mode the cut comes after the
 * uniform price is set: the price and the market's cleared MW are not recomputed (the cut MW
 * are taken to be met by the rest of the market at that price); an ISO co-optimising
 * storage state inside its auction could price differently, which one post-clearing pass
 * cannot, but every award it leaves is deliverable.
 *
 * Where the day starts: the end of the asset's latest earlier delivery day cleared here (its
 * bid still cleared or settled: a battery that did not trade in between kept its charge), else
 * its `soc_initial_mwh` (the state before its first cleared day, as settlement tracks it),
 * within the asset's current bounds. Metered telemetry is MW, not state of charge, so it
 * does not restate the start. Each clearing records its day (table storage_day_states); a day
 * re-cleared after the next one was cleared leaves that next day's start stale until it is
 * cleared again.
 */
import { cutStorageAwardsToSoc, normalizeAssetParams, type BatteryParams } from '@optibid/core';
import type { ClearingView } from '@optibid/contracts';
import type { AssetRow, AwardRow, BidRow, StorageDayStateRow } from '../../../db/repositories/trading/index.js';
import type { TradingDeps } from '../common.js';

type NewAward = Omit<AwardRow, 'bid_id'>;
export type StorageClearingOutcome = NonNullable<ClearingView['storage']>[number];

/** Where a battery's delivery day starts. */
export interface StorageStart {
  soc_mwh: number;
  source: 'asset' | 'previous_day';
  /** `previous_day`: the delivery day whose end it is. */
  date: string | null;
}

export function batteryParamsOf(asset: Pick<AssetRow, 'type' | 'params'>): BatteryParams | null {
  if (asset.type !== 'battery') return null;
  const n = normalizeAssetParams('battery', asset.params);
  return n.ok ? (n.params as unknown as BatteryParams) : null;
}

export class StorageClearing {
  constructor(private readonly d: TradingDeps) {}

  /** The state of charge a battery's delivery day `date` starts at (rule above). */
  async startOf(asset: AssetRow, date: string): Promise<StorageStart> {
    const p = batteryParamsOf(asset);
    const own = Number((asset.params as { soc_initial_mwh?: unknown }).soc_initial_mwh ?? 0);
    const prev = await this.d.repos.storage.latestBefore(asset.organization_id, asset.id, date);
    if (!prev) return { soc_mwh: own, source: 'asset', date: null };
    const hi = p ? Math.min(p.soc_max_mwh, p.energy_mwh) : Infinity;
    const lo = p ? p.soc_min_mwh : -Infinity;
    return { soc_mwh: Math.min(hi, Math.max(lo, prev.soc_end_mwh)), source: 'previous_day', date: prev.delivery_date };
  }

  /**
   * Cuts each storage bid's day-ahead awards (in `awards`, changed in place) to what its battery
   * can deliver from its day's starting state; returns, per bid, the start, the end and the MWh cut.
   */
  async enforce(bids: readonly BidRow[], awards: Map<string, NewAward[]>): Promise<Map<string, StorageClearingOutcome>> {
    const out = new Map<string, StorageClearingOutcome>();
    const storage = bids.filter((b) => b.run === 'DA' && b.side === 'storage' && awards.has(b.id));
    if (storage.length === 0) return out;
    const assets = new Map<string, AssetRow>();
    for (const org of new Set(storage.map((b) => b.organization_id))) {
      const ids = [...new Set(storage.filter((b) => b.organization_id === org).map((b) => b.asset_id))];
      for (const a of await this.d.repos.assets.getMany(org, ids)) assets.set(a.id, a);
    }
    const solve = await this.d.solve();
    for (const b of storage) {
      const asset = assets.get(b.asset_id);
      const p = asset ? batteryParamsOf(asset) : null;
      if (!asset || !p) continue;
      const list = awards.get(b.id)!;
      const start = await this.startOf(asset, b.delivery_date);
      const cap = p.max_cycles_per_day === null || p.max_cycles_per_day === undefined ? Infinity : p.max_cycles_per_day * p.energy_mwh;
      const r = await cutStorageAwardsToSoc(solve, {
        params: p,
        curves: b.curves,
        prices_usd_per_mwh: list.map((a) => a.price_usd_per_mwh),
        awarded_mw: list.map((a) => a.awarded_mw),
        interval_hours: list[0]?.duration_h ?? 1,
        soc_initial_mwh: start.soc_mwh,
        discharge_cap_mwh: cap,
      });
      list.forEach((a, k) => {
        a.awarded_mw = r.net_mw[k]!;
      });
      out.set(b.id, {
        bid_id: b.id,
        asset_id: b.asset_id,
        soc_initial_mwh: start.soc_mwh,
        soc_initial_source: start.source,
        ...(start.date ? { soc_initial_date: start.date } : {}),
        soc_end_mwh: r.soc_end_mwh,
        cut_mwh: r.cut_mwh,
        enforced: r.status !== 'unchanged',
      });
    }
    return out;
  }

  /** The row a clearing writes for one bid's day (storage_day_states). */
  static dayState(b: BidRow, o: StorageClearingOutcome, clearedAt: Date): StorageDayStateRow {
    return {
      asset_id: b.asset_id,
      delivery_date: b.delivery_date,
      organization_id: b.organization_id,
      bid_id: b.id,
      soc_start_mwh: o.soc_initial_mwh,
      soc_end_mwh: o.soc_end_mwh,
      start_source: o.soc_initial_source,
      start_date: o.soc_initial_date ?? null,
      cut_mwh: o.cut_mwh,
      cleared_at: clearedAt,
    };
  }
}
