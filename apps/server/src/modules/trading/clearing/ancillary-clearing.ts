/**
 * Day-ahead clearing of the AS offers a bid carries (`as_offers[period]`, core's
 * AncillaryOffer): price-taker against the stored clearing price of each product in
 * that interval (the market's AS zone), then cut to what the asset can deliver beside
 * the bid's energy awards (core's `enforceAncillaryDeliverability`: power headroom both
 * ways, and for storage the energy for up / room for down from the state of charge the
 * energy awards leave at the start of each hour, starting where the energy clearing
 * started the battery's day, see storage-clearing.ts). A bid whose offered products lack a price in any of its periods
 * gets no AS award and is listed in `unpriced`; its energy awards stand.
 */
import {
  ancillaryAssetLimits,
  ancillaryPricesForPeriods,
  bidPeriods,
  clearAncillaryPriceTaker,
  enforceAncillaryDeliverability,
  getAncillaryMarket,
  type AncillaryOffer,
  type AssetSpec,
  type BatteryAssetParams,
  type DeliverabilityAsset,
  type MarketDefinition,
} from '@optibid/core';
import type { ClearingView } from '@optibid/contracts';
import type { AncillaryPricePoint } from '../../../db/repositories/ancillary-prices.js';
import type { AsAwardRow, AssetRow, AwardRow, BidRow } from '../../../db/repositories/trading/index.js';
import type { TradingDeps } from '../common.js';

export type NewAsAward = Omit<AsAwardRow, 'bid_id'>;

/** The bid's AS offers, or null for an energy-only bid (the field is optional on older rows). */
export function asOffersOf(b: BidRow): AncillaryOffer[][] | null {
  const offers = (b as BidRow & { as_offers?: AncillaryOffer[][] | null }).as_offers;
  return offers && offers.some((l) => l.length > 0) ? offers : null;
}

function deliverabilityAsset(asset: AssetRow, socStart?: number): DeliverabilityAsset | null {
  const limits = ancillaryAssetLimits({ type: asset.type, params: asset.params } as unknown as AssetSpec);
  if (!limits) return null;
  if (limits.type === 'generator') return limits;
  const p = asset.params as unknown as BatteryAssetParams;
  return { type: 'storage', params: p, soc_initial_mwh: socStart ?? p.soc_initial_mwh };
}

export class AncillaryClearing {
  constructor(private readonly d: TradingDeps) {}

  /**
   * AS awards per bid id for the bids of one DA delivery day that carry offers and cleared energy,
   * against `day`: the zone's clearing prices of the day (PriceSource.dayAheadAncillary).
   * `socStart`: per storage bid, the state of charge its day starts at (the energy clearing's, see
   * storage-clearing.ts); the asset's `soc_initial_mwh` where absent.
   */
  async clearDayAhead(
    m: MarketDefinition,
    date: string,
    bids: readonly BidRow[],
    energy: Map<string, Omit<AwardRow, 'bid_id'>[]>,
    unpriced: ClearingView['unpriced'],
    day: { zone: string; rows: readonly AncillaryPricePoint[] },
    socStart: ReadonlyMap<string, number> = new Map(),
  ): Promise<Map<string, NewAsAward[]>> {
    const out = new Map<string, NewAsAward[]>();
    const offering = bids.filter((b) => asOffersOf(b) && energy.has(b.id));
    if (offering.length === 0) return out;
    const { zone, rows } = day;
    const rules = getAncillaryMarket(m.iso).products;
    const assets = new Map<string, AssetRow>();
    for (const org of new Set(offering.map((b) => b.organization_id))) {
      const ids = [...new Set(offering.filter((b) => b.organization_id === org).map((b) => b.asset_id))];
      for (const a of await this.d.repos.assets.getMany(org, ids)) assets.set(a.id, a);
    }
    for (const b of offering) {
      const offers = asOffersOf(b)!;
      const periods = bidPeriods({ run: b.run, delivery_date: b.delivery_date, curves: b.curves }, m);
      const prices = ancillaryPricesForPeriods(rows, periods);
      const missing = [...new Set(offers.flatMap((list, k) => (list.some((o) => !Number.isFinite(prices[o.product]?.[k] ?? Number.NaN)) ? [k] : [])))];
      const asset = assets.get(b.asset_id);
      const physical = asset ? deliverabilityAsset(asset, socStart.get(b.id)) : null;
      if (missing.length > 0 || !physical) {
        if (missing.length > 0) unpriced.push({ bid_id: b.id, location: `${zone} ancillary services`, missing_periods: missing });
        continue;
      }
      const mw = energy.get(b.id)!.map((a) => a.awarded_mw);
      const cleared = enforceAncillaryDeliverability(
        clearAncillaryPriceTaker(offers, prices),
        rules,
        { charge_mw: mw.map((x) => Math.max(0, -x)), discharge_mw: mw.map((x) => Math.max(0, x)), interval_hours: periods[0]?.duration_h ?? 1 },
        physical,
        date,
      );
      out.set(
        b.id,
        cleared.map((a) => ({
          period: a.period,
          product: a.product,
          organization_id: b.organization_id,
          asset_id: b.asset_id,
          market: b.market,
          zone,
          run: b.run,
          delivery_date: b.delivery_date,
          interval_start: periods[a.period]!.interval_start,
          duration_h: periods[a.period]!.duration_h,
          offered_mw: a.offered_mw,
          offer_price_usd_per_mw: a.offer_price_usd_per_mw,
          clearing_price_usd_per_mw: a.clearing_price_usd_per_mw,
          awarded_mw: a.awarded_mw,
          curtailed_mw: a.curtailed_mw,
        })),
      );
    }
    return out;
  }
}
