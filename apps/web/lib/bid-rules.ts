/**
 * The bid editor's rules: core's own curve validation (`@optibid/core/rules`, the functions the
 * server runs on submit) applied to the market view the server serves, so `MARKET_OVERRIDES`
 * hold in the browser too. Issues are marked on their cells while the trader types; the
 * server's issues on submit stay the authority (timing rules are checked there).
 */
import { validateBidCurves, type BidIssue, type BidSegment, type BidSide, type CurveMarketRules } from '@optibid/core/rules';

export type Segment = BidSegment;
export type CurveIssue = BidIssue;
export type { BidSide };

/** The curve issues of a day-ahead bid, as the server reports them (same codes, periods, segments and messages). */
export function checkCurves(
  curves: Segment[][],
  ctx: { market: CurveMarketRules; side: BidSide; min_mw: number; max_mw: number; cost_verified?: boolean },
): CurveIssue[] {
  return validateBidCurves({ run: 'DA', side: ctx.side, cost_verified: ctx.cost_verified, curves }, { market: ctx.market, limits: { min_mw: ctx.min_mw, max_mw: ctx.max_mw } });
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
