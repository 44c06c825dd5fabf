import { describe, expect, it } from 'vitest';
import { clearAncillaryPriceTaker } from '../clearing/ancillary-awards.js';
import { ancillaryRevenueByProduct, settleAncillaryAwards } from './ancillary-settlement.js';

describe('settleAncillaryAwards', () => {
  it('pays awarded MW × MCPC × hours per product', () => {
    const awards = clearAncillaryPriceTaker(
      [[{ product: 'REGUP', mw: 0.5, price_usd_per_mw: 1 }, { product: 'REGDN', mw: 1, price_usd_per_mw: 1 }], [{ product: 'REGUP', mw: 0.5, price_usd_per_mw: 1 }]],
      { REGUP: [12, 0.5], REGDN: [7.25, 0] },
    );
    const periods = [{ interval_start: new Date('2015-06-01T05:00:00Z'), duration_h: 1 }, { interval_start: new Date('2015-06-01T06:00:00Z'), duration_h: 1 }];
    const lines = settleAncillaryAwards(awards, { asset_id: 'b1', iso: 'ERCOT', market_date: '2015-06-01', periods });
    expect(lines.map((l) => [l.product, l.interval_start.toISOString(), l.amount_usd])).toEqual([
      ['REGUP', '2015-06-01T05:00:00.000Z', 6],
      ['REGDN', '2015-06-01T05:00:00.000Z', 7.25],
    ]);
    expect(ancillaryRevenueByProduct(lines)).toEqual({ REGDN: 7.25, REGUP: 6 });
    const quarter = settleAncillaryAwards(awards.slice(0, 1), { asset_id: 'b1', iso: 'ERCOT', market_date: '2015-06-01', periods: [{ interval_start: periods[0]!.interval_start, duration_h: 0.25 }] });
    expect(quarter[0]!.amount_usd).toBeCloseTo(1.5, 12);
    expect(() => settleAncillaryAwards(awards, { asset_id: 'b1', iso: 'ERCOT', market_date: '2015-06-01', periods: [] })).toThrow(/period 0/);
  });
});
