import { describe, expect, it } from 'vitest';
import { ancillaryAssetLimits, ancillaryDurationOn, ancillaryRulesOn, validateAncillaryOffers, type AncillaryMarketRules, type AncillaryOffer, type AsOfferIssue } from './ancillary-offers.js';
import type { BidSegment } from './types.js';

// Figures for the test only: caps and durations are parameters, the catalogue owns the real ones.
const RULES: AncillaryMarketRules = {
  iso: 'ERCOT',
  products: [
    { id: 'REGUP', direction: 'up', offer_cap_usd_per_mw: 5000, duration_rules: [{ effective_from: '2010-01-01', hours: 1 }] },
    { id: 'REGDN', direction: 'down', offer_cap_usd_per_mw: 5000, duration_rules: [{ effective_from: '2010-01-01', hours: 1 }] },
    { id: 'RRS', direction: 'up', offer_cap_usd_per_mw: 5000, duration_rules: [] },
    { id: 'NSPIN', direction: 'up', offer_cap_usd_per_mw: 5000, duration_rules: [{ effective_from: '2010-01-01', hours: 1 }, { effective_from: '2022-12-08', hours: 4 }] },
    { id: 'ECRS', direction: 'up', offer_cap_usd_per_mw: null, effective_from: '2023-06-10', duration_rules: [{ effective_from: '2023-06-10', hours: 2 }] },
  ],
  up_and_down_together: true,
};
const BATTERY = { type: 'storage', charge_power_mw: 1, discharge_power_mw: 1, usable_energy_mwh: 2 } as const;
const FLAT: BidSegment[] = [];

function check(as_offers: AncillaryOffer[][], curves: BidSegment[][] = as_offers.map(() => FLAT), opts: { rules?: AncillaryMarketRules; date?: string } = {}): AsOfferIssue[] {
  return validateAncillaryOffers(
    { iso: 'ERCOT', run: 'DA', delivery_date: opts.date ?? '2024-06-01', curves, as_offers },
    { rules: opts.rules ?? RULES, asset: BATTERY },
  );
}
const codes = (issues: AsOfferIssue[]) => issues.map((i) => i.code);

describe('validateAncillaryOffers', () => {
  it('accepts offers within the power, energy and price rules', () => {
    const curves = [[{ mw: -0.5, price_usd_per_mwh: 10 }, { mw: 0.5, price_usd_per_mwh: 40 }]];
    expect(check([[{ product: 'REGUP', mw: 0.5, price_usd_per_mw: 3 }, { product: 'REGDN', mw: 0.5, price_usd_per_mw: 2 }]], curves)).toEqual([]);
  });

  it('reports each broken rule with its code, hour and product', () => {
    const issues = check([
      [],
      [
        { product: 'SPIN', mw: 0.1, price_usd_per_mw: 1 },
        { product: 'REGUP', mw: -0.2, price_usd_per_mw: 6000 },
        { product: 'RRS', mw: 0.1, price_usd_per_mw: -1 },
      ],
    ]);
    expect(issues.map((i) => [i.code, i.period, i.product])).toEqual([
      ['as_unknown_product', 1, 'SPIN'],
      ['as_negative_mw', 1, 'REGUP'],
      ['as_price_above_cap', 1, 'REGUP'],
      ['as_price_below_zero', 1, 'RRS'],
    ]);
    expect(issues[2]!.message).toContain('hour 1 (HE02)');
  });

  it('energy discharge offered + up capacity may not exceed discharge power', () => {
    const curves = [[{ mw: 0.8, price_usd_per_mwh: 30 }]];
    const issues = check([[{ product: 'REGUP', mw: 0.3, price_usd_per_mw: 1 }]], curves);
    expect(codes(issues)).toEqual(['as_up_exceeds_power']);
    expect(issues[0]).toMatchObject({ period: 0 });
    // 0.8 + 0.2 = 1.0 is exactly at the limit.
    expect(check([[{ product: 'REGUP', mw: 0.2, price_usd_per_mw: 1 }]], curves)).toEqual([]);
  });

  it('energy charge bid + down capacity may not exceed charge power', () => {
    const curves = [[{ mw: -0.6, price_usd_per_mwh: 5 }, { mw: -0.2, price_usd_per_mwh: 8 }]];
    expect(codes(check([[{ product: 'REGDN', mw: 0.3, price_usd_per_mw: 1 }]], curves))).toEqual(['as_down_exceeds_power']);
  });

  it('duration rule: Σ MW_up × duration ≤ usable energy', () => {
    // NSPIN needs 4 h per MW: 0.6 MW × 4 h = 2.4 MWh > 2 MWh.
    expect(codes(check([[{ product: 'NSPIN', mw: 0.6, price_usd_per_mw: 1 }]]))).toEqual(['as_duration_up']);
    expect(check([[{ product: 'NSPIN', mw: 0.5, price_usd_per_mw: 1 }]])).toEqual([]);
    // Before NSPIN's 4-hour rule the same offer needs 0.6 MWh only.
    expect(check([[{ product: 'NSPIN', mw: 0.6, price_usd_per_mw: 1 }]], undefined, { date: '2022-12-07' })).toEqual([]);
    // RRS has no duration rule: only power limits it.
    expect(check([[{ product: 'RRS', mw: 1, price_usd_per_mw: 1 }]])).toEqual([]);
    const tight = { ...RULES, products: RULES.products.map((r) => (r.id === 'REGDN' ? { ...r, duration_rules: [{ effective_from: '2010-01-01', hours: 3 }] } : r)) };
    expect(codes(check([[{ product: 'REGDN', mw: 0.7, price_usd_per_mw: 1 }]], undefined, { rules: tight }))).toEqual(['as_duration_down']);
  });

  it('refuses up and down in one hour when the market forbids it', () => {
    const noMix = { ...RULES, up_and_down_together: false };
    const issues = check([[{ product: 'REGUP', mw: 0.2, price_usd_per_mw: 1 }, { product: 'REGDN', mw: 0.2, price_usd_per_mw: 1 }]], undefined, { rules: noMix });
    expect(codes(issues)).toEqual(['as_up_down_together']);
    // A zero-MW offer is not a sale.
    expect(check([[{ product: 'REGUP', mw: 0.2, price_usd_per_mw: 1 }, { product: 'REGDN', mw: 0, price_usd_per_mw: 1 }]], undefined, { rules: noMix })).toEqual([]);
  });

  it('knows when a product exists, catches duplicates, period count and non-finite numbers', () => {
    expect(codes(check([[{ product: 'ECRS', mw: 0.1, price_usd_per_mw: 1 }]], undefined, { date: '2023-06-09' }))).toEqual(['as_product_not_in_effect']);
    expect(check([[{ product: 'ECRS', mw: 0.1, price_usd_per_mw: 1 }]], undefined, { date: '2023-06-10' })).toEqual([]);
    expect(codes(check([[{ product: 'REGUP', mw: 0.1, price_usd_per_mw: 1 }, { product: 'REGUP', mw: 0.1, price_usd_per_mw: 2 }]]))).toEqual(['as_duplicate_product']);
    expect(codes(check([[{ product: 'REGUP', mw: Number.NaN, price_usd_per_mw: 1 }]]))).toEqual(['as_invalid_number']);
    expect(codes(check([[], []], [FLAT]))).toEqual([]); // empty lists: nothing offered, nothing to check
    expect(codes(check([[{ product: 'REGUP', mw: 0.1, price_usd_per_mw: 1 }], []], [FLAT]))).toEqual(['as_wrong_period_count']);
  });

  it('generator: energy + up ≤ Pmax; assets that cannot offer AS are refused', () => {
    const bid = { iso: 'ERCOT' as const, run: 'DA' as const, delivery_date: '2024-06-01', curves: [[{ mw: 90, price_usd_per_mwh: 20 }]], as_offers: [[{ product: 'RRS', mw: 20, price_usd_per_mw: 4 }]] };
    const thermal = ancillaryAssetLimits({ type: 'thermal', params: { pmin_mw: 20, pmax_mw: 100, cost_segments: [], startup_cost_usd: 0, min_up_h: 1, min_down_h: 1 } });
    expect(codes(validateAncillaryOffers(bid, { rules: RULES, asset: thermal }))).toEqual(['as_up_exceeds_power']);
    const solar = ancillaryAssetLimits({ type: 'solar', params: { capacity_mw: 5, profile_mw: [], curtailable: true, curtailment_loss_usd_per_mwh: 0 } });
    expect(codes(validateAncillaryOffers(bid, { rules: RULES, asset: solar }))).toEqual(['as_asset_not_eligible']);
  });
});

describe('ancillaryAssetLimits, ancillaryRulesOn, ancillaryDurationOn', () => {
  it('a battery offers from its usable energy (soc_max − soc_min)', () => {
    const lim = ancillaryAssetLimits({
      type: 'battery',
      params: { charge_power_mw: 1, discharge_power_mw: 1.5, energy_mwh: 2, charge_efficiency: 0.92, discharge_efficiency: 0.92, soc_min_mwh: 0.2, soc_max_mwh: 1.9, soc_initial_mwh: 1, degradation_cost_usd_per_mwh: 0 },
    });
    expect(lim).toEqual({ type: 'storage', charge_power_mw: 1, discharge_power_mw: 1.5, usable_energy_mwh: expect.closeTo(1.7, 9) });
  });

  it('filters products by effective dates and picks the duration rule in force', () => {
    expect(ancillaryRulesOn(RULES.products, '2015-06-01').map((r) => r.id)).toEqual(['REGUP', 'REGDN', 'RRS', 'NSPIN']);
    expect(ancillaryRulesOn(RULES.products).length).toBe(5);
    const nspin = RULES.products[3]!;
    expect([ancillaryDurationOn(nspin, '2022-12-07'), ancillaryDurationOn(nspin, '2022-12-08'), ancillaryDurationOn(RULES.products[2]!, '2024-01-01')]).toEqual([1, 4, null]);
  });
});
