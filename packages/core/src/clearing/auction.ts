/**
 * Uniform-price auction clearing (merit order), one period at a time.
 *
 * Sell blocks are sorted by ascending price and buy blocks by descending price,
 * grouped into price levels, and matched while the supply level's price is at
 * or below the demand level's price. This maximises welfare
 *   W = Σ_buy p_k·x_k − Σ_sell p_k·y_k   s.t.  Σ x = Σ y,  0 ≤ x_k, y_k ≤ width_k,
 * the LP solved by nempy and ASSUME's complex clearing (see research §5); the
 * greedy merit order is exact for this LP and runs in O(n log n).
 *
 * Ties at the margin: every block of the partially accepted price level gets the
 * same fraction of its width (pro rata, as nempy's tie-break constraints and
 * AEMO do), so the result does not depend on input order.
 *
 * Price: the marginal price. If a level is partially accepted its price is the
 * only price supporting the allocation and is used. When the curves meet
 * exactly at a step boundary (a vertical overlap) every price in
 * [low, high] supports it, with
 *   low  = max(highest accepted sell price, highest rejected buy price),
 *   high = min(lowest accepted buy price, lowest rejected sell price);
 * the convention is price = low: the value of the last accepted MW, the saving
 * from one MW less demand. It gives nempy's published 60 $/MWh for its
 * test case, and equals ASSUME's "highest accepted supply price" whenever no
 * rejected buy bid lies above it. Both bounds are reported. With no trade the
 * price is the highest buy bid (or the lowest offer when there is no demand).
 */
import type { BidSegment } from '../bids/types.js';

export interface AuctionBid {
  bid_id: string;
  /** One curve per period (see `BidSegment`); a missing or empty curve means no bid that period. */
  curves: readonly (readonly BidSegment[])[];
}

export interface AuctionInput {
  periods: number;
  bids: readonly AuctionBid[];
  /**
   * Demand of the rest of the market as buy blocks (negative MW). One curve per period,
   * or a single curve used for every period. Inelastic demand is a block at the price cap.
   */
  residual_demand?: readonly (readonly BidSegment[])[];
  /** Supply of the rest of the market as sell blocks (positive MW), per period or one for all. */
  rest_of_market_supply?: readonly (readonly BidSegment[])[];
  /** Period length for welfare in $ (default 1 h). */
  duration_h?: number;
}

export interface AuctionPeriodResult {
  period: number;
  price_usd_per_mwh: number;
  /** Every price in [low, high] supports the allocation; `price_usd_per_mwh` = low when finite. */
  price_low_usd_per_mwh: number;
  price_high_usd_per_mwh: number;
  cleared_mw: number;
  /** Σ accepted buy × bid − Σ accepted sell × offer, × duration. */
  welfare_usd: number;
  residual_demand_mw: number;
  rest_of_market_supply_mw: number;
}

export interface AuctionBidAward {
  bid_id: string;
  /** Net MW per period: supply positive, consumption negative. */
  awarded_mw: number[];
}

export interface AuctionResult {
  periods: AuctionPeriodResult[];
  /** Same order as `input.bids`. */
  awards: AuctionBidAward[];
}

const ROM = -1;
const MW_TOL = 1e-9;

function curveFor(curves: readonly (readonly BidSegment[])[] | undefined, p: number): readonly BidSegment[] {
  if (!curves || curves.length === 0) return [];
  return (curves.length === 1 ? curves[0] : curves[p]) ?? [];
}

/** Blocks of one side in flat typed arrays, sorted via an index permutation. */
class Side {
  price: Float64Array;
  mw: Float64Array;
  owner: Int32Array;
  n = 0;
  constructor(capacity: number) {
    this.price = new Float64Array(capacity);
    this.mw = new Float64Array(capacity);
    this.owner = new Int32Array(capacity);
  }
  push(price: number, mw: number, owner: number): void {
    const i = this.n++;
    this.price[i] = price;
    this.mw[i] = mw;
    this.owner[i] = owner;
  }
}

interface Levels {
  price: Float64Array;
  mw: Float64Array;
  /** Blocks of level l are `idx[start[l]] .. idx[start[l+1]-1]`. */
  start: Uint32Array;
  idx: Uint32Array;
  n: number;
}

/**
 * Groups a side's blocks into price levels, ascending (sell) or descending (buy).
 * A native numeric sort of the prices, a binary search per block and a counting
 * sort replace a comparator sort, which is the slowest step at 10^5–10^6 blocks.
 */
function levels(side: Side, desc: boolean): Levels {
  const n = side.n;
  const sorted = side.price.slice(0, n).sort();
  const uniq = new Float64Array(n);
  let L = 0;
  for (let k = 0; k < n; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) uniq[L++] = sorted[k]!;
  const lvl = new Uint32Array(n);
  const start = new Uint32Array(L + 1);
  const mw = new Float64Array(L);
  for (let b = 0; b < n; b++) {
    const p = side.price[b]!;
    let lo = 0;
    let hi = L - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (uniq[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    const l = desc ? L - 1 - lo : lo;
    lvl[b] = l;
    start[l + 1] = start[l + 1]! + 1;
    mw[l] = mw[l]! + side.mw[b]!;
  }
  for (let l = 0; l < L; l++) start[l + 1] = start[l + 1]! + start[l]!;
  const fill = start.slice(0, L);
  const idx = new Uint32Array(n);
  for (let b = 0; b < n; b++) {
    const l = lvl[b]!;
    idx[fill[l]!] = b;
    fill[l] = fill[l]! + 1;
  }
  const price = new Float64Array(L);
  for (let l = 0; l < L; l++) price[l] = uniq[desc ? L - 1 - l : l]!;
  return { price, mw, start, idx, n: L };
}

/** Clears all periods; see the module comment for the price and tie conventions. */
export function clearAuction(input: AuctionInput): AuctionResult {
  const { periods, bids } = input;
  const duration = input.duration_h ?? 1;
  const nb = bids.length;
  const award = new Float64Array(nb * periods);
  const results: AuctionPeriodResult[] = [];

  for (let p = 0; p < periods; p++) {
    const rd = curveFor(input.residual_demand, p);
    const rom = curveFor(input.rest_of_market_supply, p);
    let cap = rd.length + rom.length;
    for (let b = 0; b < nb; b++) cap += bids[b]!.curves[p]?.length ?? 0;
    const sell = new Side(cap);
    const buy = new Side(cap);
    for (let b = 0; b < nb; b++) {
      const curve = bids[b]!.curves[p];
      if (!curve) continue;
      for (let k = 0; k < curve.length; k++) {
        const s = curve[k]!;
        if (s.mw > 0) sell.push(s.price_usd_per_mwh, s.mw, b);
        else if (s.mw < 0) buy.push(s.price_usd_per_mwh, -s.mw, b);
      }
    }
    for (const s of rom) if (s.mw > 0) sell.push(s.price_usd_per_mwh, s.mw, ROM);
    for (const s of rd) if (s.mw < 0) buy.push(s.price_usd_per_mwh, -s.mw, ROM);

    const S = levels(sell, false);
    const D = levels(buy, true);

    // Merit-order matching over price levels.
    let i = 0;
    let j = 0;
    let remS = S.n > 0 ? S.mw[0]! : 0;
    let remD = D.n > 0 ? D.mw[0]! : 0;
    let cleared = 0;
    while (i < S.n && j < D.n && S.price[i]! <= D.price[j]!) {
      const q = Math.min(remS, remD);
      cleared += q;
      remS -= q;
      remD -= q;
      if (remS <= MW_TOL) {
        i++;
        remS = i < S.n ? S.mw[i]! : 0;
      }
      if (remD <= MW_TOL) {
        j++;
        remD = j < D.n ? D.mw[j]! : 0;
      }
    }
    const sPartial = i < S.n && remS < S.mw[i]! - MW_TOL;
    const dPartial = j < D.n && remD < D.mw[j]! - MW_TOL;

    let low: number;
    let high: number;
    if (sPartial) low = high = S.price[i]!;
    else if (dPartial) low = high = D.price[j]!;
    else {
      low = Math.max(i > 0 ? S.price[i - 1]! : -Infinity, j < D.n ? D.price[j]! : -Infinity);
      high = Math.min(j > 0 ? D.price[j - 1]! : Infinity, i < S.n ? S.price[i]! : Infinity);
    }
    const price = Number.isFinite(low) ? low : Number.isFinite(high) ? high : Number.NaN;

    // Distribute: full levels before the margin, pro rata within the marginal level.
    let welfare = 0;
    let romMw = 0;
    let rdMw = 0;
    const distribute = (side: Side, L: Levels, full: number, rem: number, sign: number): void => {
      const last = full < L.n ? full : L.n - 1;
      for (let l = 0; l <= last; l++) {
        const frac = l < full ? 1 : (L.mw[l]! - rem) / L.mw[l]!;
        if (frac <= 0) continue;
        for (let k = L.start[l]!; k < L.start[l + 1]!; k++) {
          const b = L.idx[k]!;
          const mw = side.mw[b]! * frac;
          welfare -= sign * mw * L.price[l]!;
          const o = side.owner[b]!;
          if (o === ROM) {
            if (sign > 0) romMw += mw;
            else rdMw += mw;
          } else award[o * periods + p] = award[o * periods + p]! + sign * mw;
        }
      }
    };
    distribute(sell, S, i, remS, 1);
    distribute(buy, D, j, remD, -1);

    results.push({
      period: p,
      price_usd_per_mwh: price,
      price_low_usd_per_mwh: low,
      price_high_usd_per_mwh: high,
      cleared_mw: cleared,
      welfare_usd: welfare * duration,
      residual_demand_mw: rdMw,
      rest_of_market_supply_mw: romMw,
    });
  }

  const awards: AuctionBidAward[] = new Array(nb);
  for (let b = 0; b < nb; b++) {
    awards[b] = { bid_id: bids[b]!.bid_id, awarded_mw: Array.from(award.subarray(b * periods, (b + 1) * periods)) };
  }
  return { periods: results, awards };
}
