/** Where a bid's periods sit in time, and when the bid stops being changeable. */
import { dayAheadGateClosure, rtBidClosure } from '../markets/gate-closure.js';
import type { MarketDefinition } from '../markets/types.js';
import { localDayBoundsUtc } from '../time/zoned.js';
import type { BidContent } from './types.js';

export interface BidPeriod {
  /** UTC start of the period. */
  interval_start: Date;
  duration_h: number;
}

/**
 * UTC start and length of each curve's period. DA hours are real hours from local
 * midnight, so a 23- or 25-hour DST day maps hour k to start + k h.
 */
export function bidPeriods(bid: Pick<BidContent, 'run' | 'delivery_date' | 'interval_start' | 'interval_minutes' | 'curves'>, market: MarketDefinition): BidPeriod[] {
  if (bid.run === 'DA') {
    if (!bid.delivery_date) throw new RangeError('a day-ahead bid needs delivery_date');
    const start = localDayBoundsUtc(bid.delivery_date, market.timezone).start.getTime();
    return bid.curves.map((_, k) => ({ interval_start: new Date(start + k * 3_600_000), duration_h: 1 }));
  }
  if (!bid.interval_start) throw new RangeError('a real-time bid needs interval_start');
  const minutes = bid.interval_minutes ?? market.rt_pricing_interval_min;
  const t0 = bid.interval_start.getTime();
  return bid.curves.map((_, k) => ({ interval_start: new Date(t0 + k * minutes * 60_000), duration_h: minutes / 60 }));
}

/** When the bid's gate closes: DA gate of its delivery day, or the RT closure of its first interval. */
export function bidGateClosure(bid: Pick<BidContent, 'iso' | 'run' | 'delivery_date' | 'interval_start'>, market: MarketDefinition): Date {
  if (bid.run === 'DA') {
    if (!bid.delivery_date) throw new RangeError('a day-ahead bid needs delivery_date');
    return dayAheadGateClosure(bid.iso, bid.delivery_date, market);
  }
  if (!bid.interval_start) throw new RangeError('a real-time bid needs interval_start');
  return rtBidClosure(bid.iso, bid.interval_start, market);
}
