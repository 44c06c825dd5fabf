import { addDaysYmd, localDateOf, zonedLocalToUtc } from '../time/zoned.js';
import { getMarket } from './catalogue.js';
import type { GateClosureRule, IsoId, MarketDefinition } from './types.js';

function marketFor(iso: IsoId, market?: MarketDefinition): MarketDefinition {
  if (market && market.iso !== iso) throw new RangeError(`market definition is for ${market.iso}, not ${iso}`);
  return market ?? getMarket(iso);
}

/** The gate-closure rule in force on a close day (the local day before delivery). */
export function gateClosureRuleFor(market: MarketDefinition, closeDay: string): GateClosureRule {
  let rule: GateClosureRule | undefined;
  for (const r of market.da_gate_closures) if (r.effective_from <= closeDay) rule = r;
  if (!rule) throw new RangeError(`${market.iso}: no day-ahead gate closure rule effective on ${closeDay}`);
  return rule;
}

/** The market-local calendar date of an instant (MISO: EST). */
export function marketLocalDate(iso: IsoId, instant: Date): string {
  return localDateOf(instant, getMarket(iso).timezone);
}

/**
 * UTC instant at which day-ahead bids for `deliveryDate` (market-local `YYYY-MM-DD`) close:
 * the rule's local clock time on the day before delivery, using the rule version in force
 * on that day. DST is handled by the zone; MISO reads EST all year.
 */
export function dayAheadGateClosure(iso: IsoId, deliveryDate: string, market?: MarketDefinition): Date {
  const m = marketFor(iso, market);
  const closeDay = addDaysYmd(deliveryDate, -1);
  const rule = gateClosureRuleFor(m, closeDay);
  return zonedLocalToUtc(closeDay, rule.close_local_time, rule.timezone ?? m.timezone);
}

/**
 * When real-time bids for the interval starting at `intervalStart` close. RT offers are
 * hourly, so the lead time counts back from the start of the interval's hour (e.g. CAISO
 * 75 min before the trading hour, PJM T−65 min). US market zones have whole-hour offsets, so
 * the local hour starts on a UTC hour boundary.
 */
export function rtBidClosure(iso: IsoId, intervalStart: Date, market?: MarketDefinition): Date {
  const m = marketFor(iso, market);
  const t = intervalStart.getTime();
  if (!Number.isFinite(t)) throw new RangeError('invalid interval start');
  const hourStart = Math.floor(t / 3_600_000) * 3_600_000;
  return new Date(hourStart - m.rt_bid_close_minutes_before * 60_000);
}

/** The next delivery day whose day-ahead gate is still open at `now`, and when it closes. */
export function nextDayAheadGateClosure(
  iso: IsoId,
  now: Date,
  market?: MarketDefinition,
): { delivery_date: string; closes_at: Date } {
  const m = marketFor(iso, market);
  let delivery = addDaysYmd(localDateOf(now, m.timezone), 1);
  for (let i = 0; i < 3; i++) {
    const closes_at = dayAheadGateClosure(iso, delivery, m);
    if (closes_at.getTime() > now.getTime()) return { delivery_date: delivery, closes_at };
    delivery = addDaysYmd(delivery, 1);
  }
  throw new Error(`${iso}: no open day-ahead gate found after ${now.toISOString()}`);
}
