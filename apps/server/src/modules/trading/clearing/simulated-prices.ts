/**
 * Simulated day-ahead prices for the demo market: the delivery day's hourly
 * LMPs follow the hour-of-day mean of the location's recent history (market-local
 * hours) plus noise, deterministic per (market, location, day) so a re-run of a
 * clearing sees the same prices.
 *   λ_h = clamp(mean_h + u·(0.08·|mean_h| + 1), floor, soft cap),  u ~ U(−1, 1)
 * Without history the shape is 30 + 12·sin(π(h − 6)/12) $/MWh (a plain
 * morning-low, evening-high day), documented as a fallback, not a forecast.
 */
import { mulberry32, utcToZonedParts, type MarketDefinition } from '@optibid/core';

export interface HistoryPoint {
  interval_start: Date;
  lmp_usd_per_mwh: number;
}

/** FNV-1a of the key, then mulberry32: a small, seedable generator with a stable sequence. */
function seededRandom(key: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return mulberry32(h);
}

/** Mean LMP per market-local hour of day (0..23) over the history; hours without data are absent. */
export function hourOfDayMeans(history: readonly HistoryPoint[], timezone: string): Map<number, number> {
  const sum = new Map<number, { s: number; n: number }>();
  for (const p of history) {
    if (!Number.isFinite(p.lmp_usd_per_mwh)) continue;
    const h = utcToZonedParts(p.interval_start, timezone).hour;
    const e = sum.get(h) ?? { s: 0, n: 0 };
    e.s += p.lmp_usd_per_mwh;
    e.n += 1;
    sum.set(h, e);
  }
  return new Map([...sum].map(([h, e]) => [h, e.s / e.n]));
}

export function simulateDayAheadPrices(input: {
  market: MarketDefinition;
  location: string;
  delivery_date: string;
  /** UTC starts of the delivery day's hours. */
  hours: readonly Date[];
  history: readonly HistoryPoint[];
}): { interval_start: Date; lmp_usd_per_mwh: number }[] {
  const { market } = input;
  const means = hourOfDayMeans(input.history, market.timezone);
  const rand = seededRandom(`${market.iso}|${input.location}|${input.delivery_date}`);
  const { floor_usd_per_mwh: floor, soft_cap_usd_per_mwh: cap } = market.offer_limits;
  return input.hours.map((start) => {
    const h = utcToZonedParts(start, market.timezone).hour;
    const mean = means.get(h) ?? 30 + 12 * Math.sin((Math.PI * (h - 6)) / 12);
    const u = rand() * 2 - 1;
    const price = Math.min(cap, Math.max(floor, mean + u * (0.08 * Math.abs(mean) + 1)));
    return { interval_start: start, lmp_usd_per_mwh: Math.round(price * 100) / 100 };
  });
}
