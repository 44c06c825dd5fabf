/**
 * Price-taker clearing: the participant is too small to move the price, so the
 * award is read off its own curve at the ISO's actual LMP.
 */
import type { BidSegment } from '../bids/types.js';

export interface PriceTakerAward {
  /** Index into the bid's curves (DA hour of the delivery day, RT interval). */
  period: number;
  /** Net MW: supply positive, consumption negative. */
  awarded_mw: number;
  price_usd_per_mwh: number;
}

/**
 * Net MW awarded to a curve at price λ:
 *   award(λ) = Σ_{k: mw_k > 0, p_k ≤ λ} mw_k + Σ_{k: mw_k < 0, p_k ≥ λ} mw_k.
 * A sell block clears when its offer is at or below the price, a buy block when
 * its bid is at or above it (ties clear). For a storage (NGR) curve with
 * non-decreasing prices this is the point of the curve at λ; where a charge and
 * a discharge block have the same price λ both clear and the net is their sum.
 */
export function awardAtPrice(segments: readonly BidSegment[], lmpUsdPerMwh: number): number {
  let mw = 0;
  for (const s of segments) {
    if (s.mw > 0 ? s.price_usd_per_mwh <= lmpUsdPerMwh : s.price_usd_per_mwh >= lmpUsdPerMwh) mw += s.mw;
  }
  return mw;
}

/**
 * Awards per period of a bid against the LMP of the same period.
 * Throws when a period has no finite LMP: clearing without a price would be a silent zero award.
 */
export function clearPriceTaker(curves: readonly (readonly BidSegment[])[], lmpsUsdPerMwh: readonly number[]): PriceTakerAward[] {
  return curves.map((segments, period) => {
    const lmp = lmpsUsdPerMwh[period];
    if (lmp === undefined || !Number.isFinite(lmp)) {
      throw new Error(`no LMP for period ${period}: ${curves.length} curves but ${lmpsUsdPerMwh.length} prices`);
    }
    return { period, awarded_mw: awardAtPrice(segments, lmp), price_usd_per_mwh: lmp };
  });
}
