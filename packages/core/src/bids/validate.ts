/**
 * Bid validation against an ISO's rules (research §1). Every broken rule is
 * reported with its period (DA hour of the delivery day / RT interval) and
 * segment, so a trader can fix a bid in one pass.
 */
import type { AssetBidLimits } from '../assets/types.js';
import { dayAheadGateClosure, gateClosureRuleFor, rtBidClosure } from '../markets/gate-closure.js';
import type { MarketDefinition, OfferLimits } from '../markets/types.js';
import { addDaysYmd, isYmd, localDayBoundsUtc } from '../time/zoned.js';
import { formatMarketClock } from './local-time.js';
import type { BidContent, BidIssue, BidIssueCode, BidSegment } from './types.js';

export interface BidValidationContext {
  market: MarketDefinition;
  limits: AssetBidLimits;
  now: Date;
}

/**
 * What the curve rules read of a market. A `MarketDefinition` is one; so is the market view the
 * server serves (`GET /api/markets/{iso}`, overrides applied), which the web app checks curves against.
 */
export interface CurveMarketRules {
  iso: string;
  offer_limits: OfferLimits;
  max_segments: number;
}

/** The parts of a bid the curve rules read. */
export type BidCurves = Pick<BidContent, 'run' | 'side' | 'cost_verified' | 'curves'>;

export interface CurveValidationContext {
  market: CurveMarketRules;
  limits: AssetBidLimits;
}

const MW_TOL = 1e-9;
const MIN = 60_000;

function periodLabel(bid: BidCurves, period: number): string {
  return bid.run === 'DA' ? `hour ${period} (HE${String(period + 1).padStart(2, '0')})` : `interval ${period}`;
}

/** Checks one period's curve: shape, prices, monotonicity, MW limits. */
function checkCurve(bid: BidCurves, ctx: CurveValidationContext, period: number, curve: readonly BidSegment[], out: BidIssue[]): void {
  const { offer_limits: lim, max_segments, iso } = ctx.market;
  const where = periodLabel(bid, period);
  const add = (code: BidIssueCode, segment: number | undefined, message: string) =>
    out.push(segment === undefined ? { code, message, period } : { code, message, period, segment });

  if (curve.length > max_segments)
    add('too_many_segments', undefined, `${where}: ${curve.length} segments; ${iso} allows at most ${max_segments}`);

  const ascending = bid.side !== 'demand';
  let prevPrice: number | undefined;
  let seenSell = false;
  let cumSell = 0;
  let cumBuy = 0;
  let sellFlagged = false;
  let buyFlagged = false;
  curve.forEach((s, k) => {
    const at = `${where}, segment ${k}`;
    if (!Number.isFinite(s.mw) || !Number.isFinite(s.price_usd_per_mwh)) {
      add('invalid_number', k, `${at}: MW and price must be finite numbers`);
      return;
    }
    if (Math.abs(s.mw) <= MW_TOL) add('zero_mw', k, `${at}: a segment must have a non-zero MW width`);
    if (bid.side === 'supply' && s.mw < 0) add('wrong_sign', k, `${at}: supply offers have positive MW (got ${s.mw})`);
    if (bid.side === 'demand' && s.mw > 0) add('wrong_sign', k, `${at}: demand bids have negative MW (got ${s.mw})`);
    if (bid.side === 'storage') {
      if (s.mw < 0 && seenSell)
        add('storage_order', k, `${at}: a storage curve lists charge (negative MW) segments before discharge segments`);
      if (s.mw > 0) seenSell = true;
    }

    const p = s.price_usd_per_mwh;
    if (p > lim.hard_cap_usd_per_mwh)
      add('price_above_hard_cap', k, `${at}: price ${p} $/MWh is above the ${iso} hard cap of ${lim.hard_cap_usd_per_mwh} $/MWh`);
    else if (p > lim.soft_cap_usd_per_mwh && !bid.cost_verified)
      add('price_above_soft_cap', k,
        `${at}: price ${p} $/MWh is above the ${iso} offer cap of ${lim.soft_cap_usd_per_mwh} $/MWh and the offer is not cost-verified`);
    if (p < lim.floor_usd_per_mwh)
      add('price_below_floor', k, `${at}: price ${p} $/MWh is below the ${iso} floor of ${lim.floor_usd_per_mwh} $/MWh`);
    if (prevPrice !== undefined && (ascending ? p < prevPrice : p > prevPrice)) {
      add('non_monotone_price', k, ascending
        ? `${at}: price ${p} $/MWh is below the previous segment's ${prevPrice}; ${bid.side} prices must not decrease along the curve`
        : `${at}: price ${p} $/MWh is above the previous segment's ${prevPrice}; demand prices must not increase`);
    }
    prevPrice = p;

    // Cumulative extent of the curve on each side of 0 MW against the asset's range.
    if (s.mw > 0) cumSell += s.mw;
    else cumBuy += s.mw;
    if (!sellFlagged && cumSell > ctx.limits.max_mw + MW_TOL) {
      sellFlagged = true;
      add('mw_outside_limits', k, `${at}: the curve reaches +${cumSell} MW, above the asset's maximum of ${ctx.limits.max_mw} MW`);
    }
    if (!buyFlagged && cumBuy < ctx.limits.min_mw - MW_TOL) {
      buyFlagged = true;
      add('mw_outside_limits', k, `${at}: the curve reaches ${cumBuy} MW, below the asset's minimum of ${ctx.limits.min_mw} MW`);
    }
  });
}

function checkDayAheadTiming(bid: BidContent, ctx: BidValidationContext, out: BidIssue[]): void {
  const { market, now } = ctx;
  const date = bid.delivery_date;
  if (date === undefined || !isYmd(date)) {
    out.push({ code: 'invalid_delivery', message: `a day-ahead bid needs delivery_date as YYYY-MM-DD (got ${String(date)})` });
    return;
  }
  const day = localDayBoundsUtc(date, market.timezone);
  if (bid.curves.length !== day.hours) {
    const why = day.hours === 23 ? ' (DST starts)' : day.hours === 25 ? ' (DST ends)' : '';
    out.push({
      code: 'wrong_period_count',
      message: `${market.iso} delivery day ${date} has ${day.hours} hours${why}; the bid has ${bid.curves.length} hourly curves`,
    });
  }
  if (now.getTime() >= day.start.getTime())
    out.push({ code: 'delivery_not_future', message: `delivery day ${date} has already started in ${market.iso} market time` });
  const closes = dayAheadGateClosure(market.iso, date, market);
  if (now.getTime() >= closes.getTime()) {
    const tz = gateClosureRuleFor(market, addDaysYmd(date, -1)).timezone ?? market.timezone;
    out.push({
      code: 'gate_closed',
      message: `${market.iso} day-ahead gate closed at ${formatMarketClock(closes, tz)} for delivery on ${date}`,
    });
  }
}

function checkRealTimeTiming(bid: BidContent, ctx: BidValidationContext, out: BidIssue[]): void {
  const { market, now } = ctx;
  const start = bid.interval_start;
  const minutes = bid.interval_minutes ?? market.rt_pricing_interval_min;
  if (!(start instanceof Date) || !Number.isFinite(start.getTime())) {
    out.push({ code: 'invalid_delivery', message: 'a real-time bid needs interval_start (UTC instant)' });
    return;
  }
  if (!Number.isInteger(minutes) || minutes <= 0 || 60 % minutes !== 0) {
    out.push({ code: 'invalid_delivery', message: `interval_minutes must divide 60 (got ${minutes})` });
    return;
  }
  if (start.getTime() % (minutes * MIN) !== 0)
    out.push({ code: 'invalid_delivery', message: `interval_start ${start.toISOString()} is not on a ${minutes}-minute boundary` });
  if (bid.curves.length === 0) out.push({ code: 'wrong_period_count', message: 'a real-time bid needs at least one interval curve' });
  if (now.getTime() >= start.getTime())
    out.push({ code: 'delivery_not_future', message: `interval ${start.toISOString()} has already started` });
  for (let k = 0; k < bid.curves.length; k++) {
    const iv = new Date(start.getTime() + k * minutes * MIN);
    const closes = rtBidClosure(market.iso, iv, market);
    if (now.getTime() >= closes.getTime()) {
      out.push({
        code: 'gate_closed',
        period: k,
        message: `${market.iso} real-time bids for the interval starting ${formatMarketClock(iv, market.timezone)} closed at ${formatMarketClock(closes, market.timezone)} (${market.rt_bid_close_minutes_before} min before the hour)`,
      });
    }
  }
}

/** Every violated rule of a bid; an empty list means the bid is valid. */
export function validateBid(bid: BidContent, ctx: BidValidationContext): BidIssue[] {
  const out: BidIssue[] = [];
  if (bid.iso !== ctx.market.iso) {
    out.push({ code: 'invalid_delivery', message: `the bid is for ${bid.iso} but was checked against ${ctx.market.iso}` });
    return out;
  }
  if (bid.run === 'DA') checkDayAheadTiming(bid, ctx, out);
  else checkRealTimeTiming(bid, ctx, out);
  out.push(...validateBidCurves(bid, ctx));
  return out;
}

/**
 * The curve rules alone (shape, prices, monotonicity, MW limits), period by period: what
 * `validateBid` reports besides timing. The web editor runs this while the trader types.
 */
export function validateBidCurves(bid: BidCurves, ctx: CurveValidationContext): BidIssue[] {
  const out: BidIssue[] = [];
  bid.curves.forEach((curve, period) => checkCurve(bid, ctx, period, curve, out));
  return out;
}
