/**
 * A client-side mirror of the ISO offer rules the server enforces on submit
 * (core/bids validate.ts): segment count, price floor and caps, MW sign and range,
 * price monotonicity and storage order. It marks cells while the trader types; the
 * server's issues on submit stay the authority and are shown as they come.
 */
import type { MarketView } from '@optibid/contracts';

export interface Segment {
  mw: number;
  price_usd_per_mwh: number;
}

export interface CurveIssue {
  code: string;
  message: string;
  period?: number;
  segment?: number;
}

export type BidSide = 'supply' | 'demand' | 'storage';

const TOL = 1e-9;

export function checkCurves(curves: Segment[][], ctx: { market: MarketView; side: BidSide; min_mw: number; max_mw: number; cost_verified?: boolean }): CurveIssue[] {
  const out: CurveIssue[] = [];
  const lim = ctx.market.offer_limits;
  curves.forEach((curve, period) => {
    const where = `HE${String(period + 1).padStart(2, '0')}`;
    if (curve.length > ctx.market.max_segments) out.push({ code: 'too_many_segments', period, message: `${where}: ${curve.length} segments; ${ctx.market.iso} allows at most ${ctx.market.max_segments}` });
    let prev: number | undefined;
    let seenSell = false;
    let sell = 0;
    let buy = 0;
    curve.forEach((s, segment) => {
      const at = `${where}, segment ${segment + 1}`;
      const add = (code: string, message: string) => out.push({ code, period, segment, message: `${at}: ${message}` });
      if (!Number.isFinite(s.mw) || !Number.isFinite(s.price_usd_per_mwh)) return add('invalid_number', 'MW and price must be numbers');
      if (Math.abs(s.mw) <= TOL) add('zero_mw', 'a segment needs a non-zero MW width');
      if (ctx.side === 'supply' && s.mw < 0) add('wrong_sign', 'supply offers have positive MW');
      if (ctx.side === 'demand' && s.mw > 0) add('wrong_sign', 'demand bids have negative MW');
      if (ctx.side === 'storage') {
        if (s.mw < 0 && seenSell) add('storage_order', 'list charge (negative MW) segments before discharge segments');
        if (s.mw > 0) seenSell = true;
      }
      const p = s.price_usd_per_mwh;
      if (p > lim.hard_cap_usd_per_mwh) add('price_above_hard_cap', `${p} $/MWh is above the hard cap of ${lim.hard_cap_usd_per_mwh} $/MWh`);
      else if (p > lim.soft_cap_usd_per_mwh && !ctx.cost_verified) add('price_above_soft_cap', `${p} $/MWh is above the offer cap of ${lim.soft_cap_usd_per_mwh} $/MWh (not cost-verified)`);
      if (p < lim.floor_usd_per_mwh) add('price_below_floor', `${p} $/MWh is below the floor of ${lim.floor_usd_per_mwh} $/MWh`);
      const ascending = ctx.side !== 'demand';
      if (prev !== undefined && (ascending ? p < prev : p > prev)) add('non_monotone_price', ascending ? `price falls below the previous segment's ${prev} $/MWh` : `price rises above the previous segment's ${prev} $/MWh`);
      prev = p;
      if (s.mw > 0) sell += s.mw;
      else buy += s.mw;
      if (sell > ctx.max_mw + TOL) add('mw_outside_limits', `the curve reaches +${sell} MW, above the asset's maximum of ${ctx.max_mw} MW`);
      if (buy < ctx.min_mw - TOL) add('mw_outside_limits', `the curve reaches ${buy} MW, below the asset's minimum of ${ctx.min_mw} MW`);
    });
  });
  return out;
}

/** A starting curve for an asset: sell its range at a mid price, or charge low and discharge high. */
export function defaultCurve(side: BidSide, min_mw: number, max_mw: number): Segment[] {
  if (side === 'storage') return [{ mw: min_mw, price_usd_per_mwh: 20 }, { mw: max_mw, price_usd_per_mwh: 60 }].filter((s) => s.mw !== 0);
  if (side === 'demand') return [{ mw: min_mw || -1, price_usd_per_mwh: 80 }];
  return [{ mw: max_mw || 1, price_usd_per_mwh: 30 }];
}

export function sideOfAssetType(type: string): BidSide {
  return type === 'battery' ? 'storage' : type === 'load' ? 'demand' : 'supply';
}

/** Step-chart points of a curve: x = cumulative MW from the most negative end, y = price. */
export function stepPoints(curve: Segment[]): [number, number][] {
  let x = curve.reduce((s, seg) => s + Math.min(0, seg.mw), 0);
  const pts: [number, number][] = [];
  for (const s of curve) {
    if (!Number.isFinite(s.mw) || !Number.isFinite(s.price_usd_per_mwh)) continue;
    pts.push([x, s.price_usd_per_mwh]);
    x += Math.abs(s.mw);
    pts.push([x, s.price_usd_per_mwh]);
  }
  return pts;
}
