/**
 * Simulated day-ahead ancillary-service clearing prices, for a simulated market that
 * clears a delivery day no AS prices are stored for (the demo stores the ISO's prices
 * only through tomorrow). Each product's price at each hour of the day is its stored
 * price at the same market-local hour of day, averaged over the product's most recent
 * stored days, with a bounded perturbation, deterministic per (market, zone, product,
 * day) so a re-run of a clearing sees the same prices:
 *
 *   π_{p,h} = clamp(m_{p,h} + u·(0.08·|m_{p,h}| + 0.1), 0, cap_p),  u ~ U(−1, 1)
 *
 * m_{p,h}: mean of product p's stored prices at local hour h over its last `recent_days`
 * (default 7) local days with any price before the delivery day; where none of those days
 * has hour h (a DST hour), the mean over all their hours. cap_p: the catalogue's offer
 * cap of p ($/MW per hour; unbounded above when none is documented). A product with no
 * stored price at all gets none: nothing to ground it on. Rounded to the cent.
 */
import type { AncillaryProduct } from '../markets/ancillary-services.js';
import { localDateOf, utcToZonedParts } from '../time/zoned.js';
import { mulberry32, simulationSeedOf } from './rng.js';

export interface AncillaryHistoryPoint {
  product: string;
  interval_start: Date;
  price_usd_per_mw: number;
}

export interface SimulatedAncillaryPrice {
  product: string;
  interval_start: Date;
  price_usd_per_mw: number;
}

export interface SimulateAncillaryInput {
  market: string;
  zone: string;
  timezone: string;
  /** YYYY-MM-DD, market-local. */
  delivery_date: string;
  /** UTC starts of the delivery day's hours, in order. */
  hours: readonly Date[];
  /** Products to price (the catalogue's on the delivery day). */
  products: readonly Pick<AncillaryProduct, 'id' | 'offer_cap_usd_per_mw'>[];
  /** Stored DA prices of the zone before the delivery day; other products and later days are ignored. */
  history: readonly AncillaryHistoryPoint[];
  recent_days?: number;
}

export const SIMULATED_AS_RECENT_DAYS = 7;
const RELATIVE_SPREAD = 0.08;
const ABSOLUTE_SPREAD_USD_PER_MW = 0.1;

/** Mean price per local hour of day over the product's last `days` stored local days, and the mean over all of them. */
function hourOfDayProfile(points: readonly AncillaryHistoryPoint[], timezone: string, days: number): { byHour: Map<number, number>; overall: number } | null {
  const byDate = new Map<string, AncillaryHistoryPoint[]>();
  for (const p of points) {
    const date = localDateOf(p.interval_start, timezone);
    const list = byDate.get(date);
    if (list) list.push(p);
    else byDate.set(date, [p]);
  }
  const recent = [...byDate.keys()].sort().slice(-days);
  if (recent.length === 0) return null;
  const sums = new Map<number, { s: number; n: number }>();
  let s = 0;
  let n = 0;
  for (const date of recent) {
    for (const p of byDate.get(date)!) {
      const h = utcToZonedParts(p.interval_start, timezone).hour;
      const e = sums.get(h) ?? { s: 0, n: 0 };
      e.s += p.price_usd_per_mw;
      e.n += 1;
      sums.set(h, e);
      s += p.price_usd_per_mw;
      n += 1;
    }
  }
  return { byHour: new Map([...sums].map(([h, e]) => [h, e.s / e.n])), overall: s / n };
}

export function simulateAncillaryPrices(input: SimulateAncillaryInput): SimulatedAncillaryPrice[] {
  const days = input.recent_days ?? SIMULATED_AS_RECENT_DAYS;
  const out: SimulatedAncillaryPrice[] = [];
  for (const product of input.products) {
    const points = input.history.filter(
      (p) => p.product === product.id && Number.isFinite(p.price_usd_per_mw) && localDateOf(p.interval_start, input.timezone) < input.delivery_date,
    );
    const profile = hourOfDayProfile(points, input.timezone, days);
    if (!profile) continue;
    const cap = product.offer_cap_usd_per_mw ?? Number.POSITIVE_INFINITY;
    const rand = mulberry32(simulationSeedOf(`${input.market}|${input.zone}|${product.id}|${input.delivery_date}`));
    for (const start of input.hours) {
      const mean = profile.byHour.get(utcToZonedParts(start, input.timezone).hour) ?? profile.overall;
      const u = rand() * 2 - 1;
      const price = Math.min(cap, Math.max(0, mean + u * (RELATIVE_SPREAD * Math.abs(mean) + ABSOLUTE_SPREAD_USD_PER_MW)));
      out.push({ product: product.id, interval_start: start, price_usd_per_mw: Math.round(price * 100) / 100 });
    }
  }
  return out;
}
