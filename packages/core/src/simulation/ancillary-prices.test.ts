import { describe, expect, it } from 'vitest';
import { getAncillaryMarket } from '../markets/ancillary-services.js';
import { localDayBoundsUtc } from '../time/zoned.js';
import { simulateAncillaryPrices, type AncillaryHistoryPoint } from './ancillary-prices.js';

const TZ = 'America/Chicago';
const H = 3_600_000;
const ERCOT = getAncillaryMarket('ERCOT').products;

function hoursOf(date: string): Date[] {
  const b = localDayBoundsUtc(date, TZ);
  const out: Date[] = [];
  for (let t = b.start.getTime(); t < b.end.getTime(); t += H) out.push(new Date(t));
  return out;
}

/** `days` local days ending the day before `last + 1`, product price = f(day index, local hour). */
function history(product: string, lastDate: string, days: number, price: (dayIndex: number, hour: number) => number): AncillaryHistoryPoint[] {
  const out: AncillaryHistoryPoint[] = [];
  for (let d = days - 1; d >= 0; d--) {
    const date = new Date(Date.parse(`${lastDate}T12:00:00Z`) - d * 86_400_000).toISOString().slice(0, 10);
    hoursOf(date).forEach((t, h) => out.push({ product, interval_start: t, price_usd_per_mw: price(days - 1 - d, h) }));
  }
  return out;
}

const base = { market: 'ERCOT', zone: 'ERCOT', timezone: TZ, delivery_date: '2026-12-06', hours: hoursOf('2026-12-06'), products: ERCOT };

describe('simulateAncillaryPrices', () => {
  // Ten days of REGUP: the three oldest at 100 $/MW (outside the 7 most recent), then 5 + hour.
  const regup = history('REGUP', '2026-12-05', 10, (day, h) => (day < 3 ? 100 : 5 + h));

  it('is deterministic per (market, zone, product, day) and moves with the day', () => {
    const a = simulateAncillaryPrices({ ...base, history: regup });
    const b = simulateAncillaryPrices({ ...base, history: [...regup].reverse() });
    expect(b).toEqual(a);
    const other = simulateAncillaryPrices({ ...base, delivery_date: '2026-12-07', hours: hoursOf('2026-12-07'), history: regup });
    expect(other.map((p) => p.price_usd_per_mw)).not.toEqual(a.map((p) => p.price_usd_per_mw));
  });

  it('follows the same hour of the last seven stored days within ±(8 % + 0.10 $/MW), only for products with history', () => {
    const sim = simulateAncillaryPrices({ ...base, history: regup });
    // ECRS, RRS, NSPIN, REGDN have no history here: nothing is invented for them.
    expect(new Set(sim.map((p) => p.product))).toEqual(new Set(['REGUP']));
    expect(sim).toHaveLength(24);
    sim.forEach((p, h) => {
      expect(p.interval_start).toEqual(base.hours[h]);
      const mean = 5 + h;
      expect(Math.abs(p.price_usd_per_mw - mean)).toBeLessThanOrEqual(0.08 * mean + 0.1 + 0.005);
    });
    // Not a copy of the history: the perturbation moves at least some hours.
    expect(sim.filter((p, h) => p.price_usd_per_mw !== 5 + h).length).toBeGreaterThan(12);
  });

  it('stays within [0, the product cap]', () => {
    const atCap = history('RRS', '2026-12-05', 7, () => 5000);
    const atZero = history('REGDN', '2026-12-05', 7, () => 0);
    const sim = simulateAncillaryPrices({ ...base, history: [...atCap, ...atZero] });
    const rrs = sim.filter((p) => p.product === 'RRS').map((p) => p.price_usd_per_mw);
    const regdn = sim.filter((p) => p.product === 'REGDN').map((p) => p.price_usd_per_mw);
    expect(rrs).toHaveLength(24);
    expect(Math.max(...rrs)).toBe(5000);
    expect(Math.min(...rrs)).toBeLessThan(5000);
    expect(Math.min(...regdn)).toBe(0);
    expect(Math.max(...regdn)).toBeGreaterThan(0);
    expect(Math.max(...regdn)).toBeLessThanOrEqual(0.1);
    // Without a documented cap (PJM synchronized reserve) only the floor applies.
    const pjm = simulateAncillaryPrices({ ...base, market: 'PJM', products: [{ id: 'SR', offer_cap_usd_per_mw: null }], history: history('SR', '2026-12-05', 7, () => 9000) });
    expect(Math.max(...pjm.map((p) => p.price_usd_per_mw))).toBeGreaterThan(9000);
  });

  it('ignores stored prices of the delivery day and after', () => {
    const later = history('REGUP', '2026-12-08', 3, () => 777);
    expect(simulateAncillaryPrices({ ...base, history: [...regup, ...later] })).toEqual(simulateAncillaryPrices({ ...base, history: regup }));
    expect(simulateAncillaryPrices({ ...base, history: later })).toEqual([]);
  });

  it('prices each hour of a 25-hour day, the repeated hour from its own hour of day', () => {
    const hours = hoursOf('2026-11-01');
    expect(hours).toHaveLength(25);
    const sim = simulateAncillaryPrices({ ...base, delivery_date: '2026-11-01', hours, history: history('REGUP', '2026-10-31', 7, (_d, h) => 10 * h) });
    expect(sim).toHaveLength(25);
    // Local 01:00 CDT and 01:00 CST both read hour 1 (10 $/MW).
    for (const k of [1, 2]) expect(Math.abs(sim[k]!.price_usd_per_mw - 10)).toBeLessThanOrEqual(0.8 + 0.1 + 0.005);
  });
});
