import { describe, expect, it } from 'vitest';
import type { AncillaryServiceRule } from '../bids/ancillary-offers.js';
import { mulberry32 } from '../simulation/rng.js';
import { ancillaryPricesForPeriods, clearAncillaryPriceTaker, enforceAncillaryDeliverability, type AncillaryAward, type DeliverabilityAsset } from './ancillary-awards.js';

const rule = (id: string, direction: 'up' | 'down', hours?: number): AncillaryServiceRule => ({
  id,
  direction,
  offer_cap_usd_per_mw: 5000,
  duration_rules: hours === undefined ? [] : [{ effective_from: '2015-01-01', hours }],
});
const DAY = '2015-06-01';
const RULES = [rule('REGUP', 'up'), rule('RRS', 'up'), rule('NSPIN', 'up', 4), rule('REGDN', 'down')];
const ETA = Math.sqrt(0.85);
// 1 MW / 2 MWh battery of the reference case, 1 MWh at the start.
const BATTERY: DeliverabilityAsset = {
  type: 'storage',
  params: { charge_power_mw: 1, discharge_power_mw: 1, charge_efficiency: ETA, discharge_efficiency: ETA, soc_min_mwh: 0, soc_max_mwh: 2 },
  soc_initial_mwh: 1,
};

describe('clearAncillaryPriceTaker', () => {
  it('an offer clears when its price is at or below the MCPC, for its whole MW', () => {
    const awards = clearAncillaryPriceTaker(
      [[{ product: 'REGUP', mw: 0.4, price_usd_per_mw: 5 }, { product: 'REGDN', mw: 0.3, price_usd_per_mw: 9 }], [{ product: 'REGUP', mw: 0.4, price_usd_per_mw: 5 }]],
      { REGUP: [5, 4.99], REGDN: [8.5, 1] },
    );
    expect(awards.map((a) => [a.period, a.product, a.awarded_mw, a.clearing_price_usd_per_mw])).toEqual([
      [0, 'REGUP', 0.4, 5], // tie clears
      [0, 'REGDN', 0, 8.5],
      [1, 'REGUP', 0, 4.99],
    ]);
  });

  it('aligns price rows to the bid periods by interval start', () => {
    const h = (k: number) => new Date(Date.UTC(2015, 10, 1, 5 + k));
    const rows = [
      { product: 'REGUP', interval_start: h(1), price_usd_per_mw: 7 },
      { product: 'REGUP', interval_start: h(0), price_usd_per_mw: 6 },
      { product: 'RRS', interval_start: h(2), price_usd_per_mw: 9 },
      { product: 'RRS', interval_start: h(9), price_usd_per_mw: 1 },
    ];
    const prices = ancillaryPricesForPeriods(rows, [0, 1, 2].map((k) => ({ interval_start: h(k) })));
    expect(prices).toEqual({ REGUP: [6, 7, Number.NaN], RRS: [Number.NaN, Number.NaN, 9] });
    expect(() => clearAncillaryPriceTaker([[], [{ product: 'RRS', mw: 1, price_usd_per_mw: 0 }]], prices)).toThrow(/RRS in period 1/);
  });

  it('throws when an offered product has no price for the period', () => {
    expect(() => clearAncillaryPriceTaker([[{ product: 'RRS', mw: 1, price_usd_per_mw: 0 }]], { REGUP: [1] })).toThrow(/no clearing price for RRS in period 0/);
  });
});

describe('enforceAncillaryDeliverability', () => {
  const cleared = (list: [string, number, number][]) =>
    list.map(([product, mw, price]) => ({ period: 0, product, offered_mw: mw, offer_price_usd_per_mw: 0, clearing_price_usd_per_mw: price, awarded_mw: mw, curtailed_mw: 0 }));

  it('keeps an award set the reference co-optimisation could produce', () => {
    // Idle hour, SoC 1 MWh: up energy row (0 + 0.8)/η ≤ 1 and room 1 + η·0.9 ≤ 2 both hold.
    const awards = cleared([['REGUP', 0.5, 10], ['RRS', 0.3, 12], ['REGDN', 0.9, 8]]);
    const out = enforceAncillaryDeliverability(awards, RULES, { charge_mw: [0], discharge_mw: [0], interval_hours: 1 }, BATTERY, DAY);
    expect(out.map((a) => a.awarded_mw)).toEqual([0.5, 0.3, 0.9]);
    expect(out.every((a) => a.curtailed_mw === 0)).toBe(true);
  });

  it('cuts up capacity that does not fit beside a discharge award, most valuable product first', () => {
    // Full battery (2 MWh) discharging 0.7 MW leaves 0.3 MW of up power: RRS (surplus 12) before REGUP (10).
    const awards = cleared([['REGUP', 0.3, 10], ['RRS', 0.2, 12]]);
    const full = { ...BATTERY, soc_initial_mwh: 2 } as DeliverabilityAsset;
    const out = enforceAncillaryDeliverability(awards, RULES, { charge_mw: [0], discharge_mw: [0.7], interval_hours: 1 }, full, DAY);
    expect(out.find((a) => a.product === 'RRS')!.awarded_mw).toBeCloseTo(0.2, 9);
    expect(out.find((a) => a.product === 'REGUP')!.awarded_mw).toBeCloseTo(0.1, 9);
    expect(out.find((a) => a.product === 'REGUP')!.curtailed_mw).toBeCloseTo(0.2, 9);
    expect(awards[0]!.awarded_mw).toBe(0.3); // input untouched
    // From 1 MWh the energy row binds first: (0.7 + up)/η ≤ 1 → up ≤ η − 0.7.
    const half = enforceAncillaryDeliverability(awards, RULES, { charge_mw: [0], discharge_mw: [0.7], interval_hours: 1 }, BATTERY, DAY);
    expect(half.find((a) => a.product === 'RRS')!.awarded_mw).toBeCloseTo(0.2, 9);
    expect(half.find((a) => a.product === 'REGUP')!.awarded_mw).toBeCloseTo(ETA - 0.9, 9);
  });

  it('charging frees up headroom, and the energy row binds on state of charge', () => {
    // Hour 0 discharges 0.5 MW: s_1 = 1 − 0.5/η ≈ 0.4577 MWh. Hour 1 charges 0.2 MW: up power 1 + 0.2 = 1.2 MW,
    // but energy: (0 + up)/η ≤ s_1 → up ≤ η·s_1 ≈ 0.4220 MW.
    const awards = [{ period: 1, product: 'REGUP', offered_mw: 1, offer_price_usd_per_mw: 0, clearing_price_usd_per_mw: 5, awarded_mw: 1, curtailed_mw: 0 }];
    const out = enforceAncillaryDeliverability(awards, RULES, { charge_mw: [0, 0.2], discharge_mw: [0.5, 0], interval_hours: 1 }, BATTERY, DAY);
    const s1 = 1 - 0.5 / ETA;
    expect(out[0]!.awarded_mw).toBeCloseTo(ETA * s1, 9);
  });

  it('a longer duration product draws more energy per MW; down needs room to absorb', () => {
    // NSPIN 4 h per MW from 1 MWh: ≤ η·1/4 ≈ 0.2305 MW.
    const out = enforceAncillaryDeliverability(cleared([['NSPIN', 1, 3]]), RULES, { charge_mw: [0], discharge_mw: [0], interval_hours: 1 }, BATTERY, DAY);
    expect(out[0]!.awarded_mw).toBeCloseTo(ETA / 4, 9);
    // Nearly full (SoC 1.95): room for (2 − 1.95)/η MWh of down.
    const full = { ...BATTERY, soc_initial_mwh: 1.95 } as DeliverabilityAsset;
    const down = enforceAncillaryDeliverability(cleared([['REGDN', 1, 3]]), RULES, { charge_mw: [0], discharge_mw: [0], interval_hours: 1 }, full, DAY);
    expect(down[0]!.awarded_mw).toBeCloseTo(0.05 / ETA, 9);
  });

  it('generator: up within Pmax − output, down within output', () => {
    const gen: DeliverabilityAsset = { type: 'generator', pmax_mw: 100 };
    const out = enforceAncillaryDeliverability(cleared([['RRS', 30, 5], ['REGDN', 50, 4]]), RULES, { charge_mw: [0], discharge_mw: [80], interval_hours: 1 }, gen, DAY);
    expect(out.map((a) => a.awarded_mw)).toEqual([20, 50]);
  });

  it('refuses awards for unknown products or periods', () => {
    expect(() => enforceAncillaryDeliverability(cleared([['SPIN', 1, 1]]), RULES, { charge_mw: [0], discharge_mw: [0], interval_hours: 1 }, BATTERY, DAY)).toThrow(/no AS rule/);
    const late = [{ period: 3, product: 'REGUP', offered_mw: 1, offer_price_usd_per_mw: 0, clearing_price_usd_per_mw: 1, awarded_mw: 1, curtailed_mw: 0 }];
    expect(() => enforceAncillaryDeliverability(late, RULES, { charge_mw: [0], discharge_mw: [0], interval_hours: 1 }, BATTERY, DAY)).toThrow(/period 3/);
  });

  it('over random days: reference-feasible award sets pass unchanged, inflated ones are cut back onto the reference rows', () => {
    const rnd = mulberry32(20260104);
    const P = 1;
    const E = 2;
    for (let trial = 0; trial < 200; trial++) {
      const T = 24;
      const charge: number[] = [];
      const discharge: number[] = [];
      const feasible: AncillaryAward[] = [];
      const socStart: number[] = [];
      let s = 1;
      for (let t = 0; t < T; t++) {
        socStart.push(s);
        // An energy schedule that keeps 0 ≤ s ≤ E, then AS inside the reference rows for that hour.
        const c = rnd() < 0.5 ? Math.min(P, (E - s) / ETA) * rnd() : 0;
        const d = c === 0 ? Math.min(P, s * ETA) * rnd() : 0;
        const upRoom = Math.max(0, Math.min(P - d + c, ETA * s - d));
        const downRoom = Math.max(0, Math.min(P - c + d, (E - s) / ETA - c));
        const split = rnd();
        const up1 = upRoom * split * rnd();
        const up2 = (upRoom - up1) * rnd();
        const dn = downRoom * rnd();
        for (const [product, mw] of [['REGUP', up1], ['RRS', up2], ['REGDN', dn]] as const)
          feasible.push({ period: t, product, offered_mw: mw, offer_price_usd_per_mw: 0, clearing_price_usd_per_mw: 1 + rnd() * 10, awarded_mw: mw, curtailed_mw: 0 });
        charge.push(c);
        discharge.push(d);
        s += ETA * c - d / ETA;
      }
      const energy = { charge_mw: charge, discharge_mw: discharge, interval_hours: 1 };
      const kept = enforceAncillaryDeliverability(feasible, RULES, energy, BATTERY, DAY);
      kept.forEach((a, i) => expect(a.awarded_mw).toBeCloseTo(feasible[i]!.awarded_mw, 9));
      const inflated = feasible.map((a) => ({ ...a, awarded_mw: a.awarded_mw + rnd(), offered_mw: a.offered_mw + 1 }));
      const cut = enforceAncillaryDeliverability(inflated, RULES, energy, BATTERY, DAY);
      for (let t = 0; t < T; t++) {
        const hour = cut.filter((a) => a.period === t);
        const up = hour.filter((a) => a.product !== 'REGDN').reduce((x, a) => x + a.awarded_mw, 0);
        const dn = hour.find((a) => a.product === 'REGDN')!.awarded_mw;
        const [c, d, s0] = [charge[t]!, discharge[t]!, socStart[t]!];
        expect(d - c + up).toBeLessThanOrEqual(P + 1e-9);
        expect(c - d + dn).toBeLessThanOrEqual(P + 1e-9);
        expect(s0 - (d + up) / ETA).toBeGreaterThanOrEqual(-1e-9);
        expect(s0 + ETA * (c + dn)).toBeLessThanOrEqual(E + 1e-9);
        // Nothing is cut below the feasible set it started from (greedy keeps at least as much MW in total).
        const before = feasible.filter((a) => a.period === t).reduce((x, a) => x + a.awarded_mw, 0);
        expect(up + dn).toBeGreaterThanOrEqual(before - 1e-9);
      }
    }
  });
});
