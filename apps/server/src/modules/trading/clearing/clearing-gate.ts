/**
 * When a delivery day may be cleared on demand (the API). A market clears a
 * day only once its bidding has closed: the day-ahead run at the ISO's DA gate
 * closure (in the ISO's own clock, versioned, from core's calendar), the
 * real-time run once the RT bids of the day's last hour have closed. Before
 * that, clearing would fix awards for bids their owners may still change or
 * cancel and (in simulation mode) publish the day's DA prices for the whole
 * market early, so it is refused with 409 `gate_not_closed`, unless a platform
 * admin runs it in simulation mode (a demonstration of the simulated market).
 * The clearing job only clears days whose gate has passed, so it never meets this.
 */
import { dayAheadGateClosure, formatMarketClock, localDayBoundsUtc, rtBidClosure, type MarketDefinition } from '@optibid/core';
import { AppError, validationFailed } from '../../../http/errors.js';

const H = 3_600_000;

/** The instant after which the run of a delivery day (market-local `YYYY-MM-DD`) may be cleared. */
export function clearingGateOf(m: MarketDefinition, run: 'DA' | 'RT', deliveryDate: string): Date {
  if (run === 'DA') return dayAheadGateClosure(m.iso, deliveryDate, m);
  // RT bids close per hour: the day's RT bidding is over when its last hour's bids have closed.
  return rtBidClosure(m.iso, new Date(localDayBoundsUtc(deliveryDate, m.timezone).end.getTime() - H), m);
}

/**
 * Throws 409 `gate_not_closed` naming the gate in UTC and in the market's clock when `now`
 * is before the day's gate closure and the caller may not clear early (`allowEarly`:
 * a platform admin in simulation mode).
 */
export function assertGateClosed(m: MarketDefinition, req: { run: 'DA' | 'RT'; delivery_date: string }, now: Date, allowEarly: boolean): void {
  let gate: Date;
  try {
    gate = clearingGateOf(m, req.run, req.delivery_date);
  } catch (err) {
    // A day before the first gate-closure rule of the ISO's calendar: no market ran it.
    if (err instanceof RangeError) throw validationFailed(`${m.iso} ${req.run} ${req.delivery_date}: ${err.message}`, [{ field: 'delivery_date', message: err.message }]);
    throw err;
  }
  if (now.getTime() >= gate.getTime() || allowEarly) return;
  const what = req.run === 'DA' ? 'its day-ahead gate closes' : 'the real-time bids of its last hour close';
  throw new AppError(
    409,
    'gate_not_closed',
    `${m.iso} ${req.run} ${req.delivery_date} cannot be cleared yet: ${what} at ${gate.toISOString()} (market time ${formatMarketClock(gate, m.timezone)}); ` +
      'only a platform admin in simulation mode may clear a day before its gate',
    [{ field: 'delivery_date', gate_closure: gate.toISOString(), gate_closure_local: formatMarketClock(gate, m.timezone) }],
  );
}
