import { describe, expect, it } from 'vitest';
import { awardAtPrice, clearAuction, clearPriceTaker } from './index.js';
import type { AuctionBid } from './index.js';
import type { BidSegment } from '../bids/types.js';

const seg = (mw: number, price_usd_per_mwh: number): BidSegment => ({ mw, price_usd_per_mwh });

describe('price-taker clearing', () => {
  it('awards supply blocks priced at or below the LMP and demand blocks at or above', () => {
    const supply = [seg(10, 20), seg(10, 40), seg(5, 90)];
    expect(awardAtPrice(supply, 19.99)).toBe(0);
    expect(awardAtPrice(supply, 20)).toBe(10);
    expect(awardAtPrice(supply, 50)).toBe(20);
    expect(awardAtPrice(supply, 1000)).toBe(25);
    const demand = [seg(-8, 100), seg(-4, 30)];
    expect(awardAtPrice(demand, 120)).toBe(0);
    expect(awardAtPrice(demand, 100)).toBe(-8);
    expect(awardAtPrice(demand, 10)).toBe(-12);
  });

  it('reads a storage NGR curve at the LMP', () => {
    // −20..−10 @ 15, −10..0 @ 25, 0..10 @ 45, 10..20 @ 60
    const ngr = [seg(-10, 15), seg(-10, 25), seg(10, 45), seg(10, 60)];
    expect(clearPriceTaker([ngr, ngr, ngr, ngr, ngr], [5, 20, 35, 50, 300])).toEqual([
      { period: 0, awarded_mw: -20, price_usd_per_mwh: 5 },
      { period: 1, awarded_mw: -10, price_usd_per_mwh: 20 },
      { period: 2, awarded_mw: 0, price_usd_per_mwh: 35 },
      { period: 3, awarded_mw: 10, price_usd_per_mwh: 50 },
      { period: 4, awarded_mw: 20, price_usd_per_mwh: 300 },
    ]);
  });

  it('refuses to clear a period without a price', () => {
    expect(() => clearPriceTaker([[seg(1, 1)], [seg(1, 1)]], [30])).toThrow(/period 1/);
    expect(() => clearPriceTaker([[seg(1, 1)]], [Number.NaN])).toThrow(/period 0/);
  });
});

describe('auction clearing', () => {
  it("reproduces nempy's published case (A 40 MW, B 80 MW, price 60)", () => {
    const r = clearAuction({
      periods: 1,
      bids: [
        { bid_id: 'A', curves: [[seg(20, 50), seg(20, 60), seg(5, 100)]] },
        { bid_id: 'B', curves: [[seg(50, 50), seg(30, 55), seg(10, 80)]] },
      ],
      residual_demand: [[seg(-120, 15000)]],
    });
    expect(r.awards[0]!.awarded_mw[0]).toBeCloseTo(40, 9);
    expect(r.awards[1]!.awarded_mw[0]).toBeCloseTo(80, 9);
    expect(r.periods[0]!.price_usd_per_mwh).toBe(60);
    expect(r.periods[0]!.price_high_usd_per_mwh).toBe(80);
    expect(r.periods[0]!.cleared_mw).toBeCloseTo(120, 9);
    expect(r.periods[0]!.residual_demand_mw).toBeCloseTo(120, 9);
  });

  it('shares the marginal level pro rata whatever the input order', () => {
    const bids = [
      { bid_id: 'x', curves: [[seg(30, 40)]] },
      { bid_id: 'y', curves: [[seg(10, 40)]] },
      { bid_id: 'z', curves: [[seg(20, 10)]] },
    ];
    const rd = [[seg(-40, 1000)]];
    for (const order of [bids, [...bids].reverse()]) {
      const r = clearAuction({ periods: 1, bids: order, residual_demand: rd });
      const by = Object.fromEntries(r.awards.map((a) => [a.bid_id, a.awarded_mw[0]]));
      expect(by.z).toBeCloseTo(20, 9);
      expect(by.x).toBeCloseTo(15, 9);
      expect(by.y).toBeCloseTo(5, 9);
      expect(r.periods[0]!.price_usd_per_mwh).toBe(40);
    }
  });

  it('prices a partially accepted demand level at its bid and a vertical overlap at the low end', () => {
    const partialDemand = clearAuction({
      periods: 1,
      bids: [{ bid_id: 'd', curves: [[seg(-50, 70)]] }],
      rest_of_market_supply: [[seg(30, 20)]],
      residual_demand: [[seg(-100, 70)]],
    });
    expect(partialDemand.periods[0]!.price_usd_per_mwh).toBe(70);
    expect(partialDemand.awards[0]!.awarded_mw[0]).toBeCloseTo(-10, 9);
    const vertical = clearAuction({
      periods: 1,
      bids: [{ bid_id: 'd', curves: [[seg(-30, 90), seg(-10, 35)]] }],
      rest_of_market_supply: [[seg(30, 20), seg(50, 60)]],
    });
    // 30 MW cross exactly where supply steps from 20 to 60 and demand from 90 to 35: price ∈ [35, 60].
    expect(vertical.periods[0]!.cleared_mw).toBeCloseTo(30, 9);
    expect(vertical.periods[0]!.price_low_usd_per_mwh).toBe(35);
    expect(vertical.periods[0]!.price_high_usd_per_mwh).toBe(60);
    expect(vertical.periods[0]!.price_usd_per_mwh).toBe(35);
  });

  it('prices a period without trade at the highest bid, or the lowest offer when nobody buys', () => {
    const r = clearAuction({
      periods: 2,
      bids: [{ bid_id: 's', curves: [[seg(10, 80)], [seg(10, 80)]] }],
      residual_demand: [[seg(-5, 40)], []],
    });
    expect(r.periods.map((p) => [p.cleared_mw, p.price_usd_per_mwh])).toEqual([
      [0, 40],
      [0, 80],
    ]);
    expect(r.awards[0]!.awarded_mw).toEqual([0, 0]);
    expect(clearAuction({ periods: 1, bids: [] }).periods[0]!.price_usd_per_mwh).toBeNaN();
  });

  it('nets storage bids and uses per-period curves', () => {
    const ngr = [seg(-10, 15), seg(10, 45)];
    const r = clearAuction({
      periods: 2,
      bids: [{ bid_id: 's', curves: [ngr, ngr] }],
      rest_of_market_supply: [[seg(100, 10), seg(100, 50)]],
      residual_demand: [[seg(-50, 1000)], [seg(-150, 1000)]],
    });
    expect(r.periods[0]!.price_usd_per_mwh).toBe(10);
    expect(r.awards[0]!.awarded_mw[0]).toBeCloseTo(-10, 9);
    expect(r.periods[1]!.price_usd_per_mwh).toBe(50);
    expect(r.awards[0]!.awarded_mw[1]).toBeCloseTo(10, 9);
  });

  it('matches the welfare optimum of the same LP solved by HiGHS on random cases', async () => {
    const highs = await (await import('highs')).default();
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 25; trial++) {
      const bids: AuctionBid[] = [];
      const nb = 5 + Math.floor(rand() * 30);
      for (let b = 0; b < nb; b++) {
        const kind = rand();
        const n = 1 + Math.floor(rand() * 4);
        // Integer-ish prices create ties at the margin on purpose.
        const prices = Array.from({ length: n }, () => Math.round(rand() * 40) * 2.5 - 20).sort((a, c) => a - c);
        const widths = prices.map(() => 1 + Math.round(rand() * 50));
        let curve: BidSegment[];
        if (kind < 0.45) curve = prices.map((p, k) => seg(widths[k]!, p));
        else if (kind < 0.85) curve = prices.reverse().map((p, k) => seg(-widths[k]!, p));
        else curve = prices.map((p, k) => seg(k < n / 2 ? -widths[k]! : widths[k]!, p));
        bids.push({ bid_id: `b${b}`, curves: [curve] });
      }
      const residual = [[seg(-(50 + Math.round(rand() * 300)), 500)]];
      const rom = [[seg(20 + Math.round(rand() * 100), 30), seg(100, 80)]];
      const r = clearAuction({ periods: 1, bids, residual_demand: residual, rest_of_market_supply: rom });

      const blocks: BidSegment[] = [...bids.flatMap((b) => b.curves[0]!), ...residual[0]!, ...rom[0]!];
      const obj = blocks.map((s, k) => `${s.mw > 0 ? '-' : '+'} ${s.price_usd_per_mwh} x${k}`).join(' ');
      const bal = blocks.map((s, k) => `${s.mw > 0 ? '+' : '-'} x${k}`).join(' ');
      const bounds = blocks.map((s, k) => ` 0 <= x${k} <= ${Math.abs(s.mw)}`).join('\n');
      const lp = `Maximize\n obj: ${obj}\nSubject To\n bal: ${bal} = 0\nBounds\n${bounds}\nEnd\n`;
      const sol = highs.solve(lp);
      expect(sol.Status).toBe('Optimal');
      const period = r.periods[0]!;
      expect(period.welfare_usd).toBeCloseTo(sol.ObjectiveValue, 6);

      // No seller above its offer, no buyer below its bid (per bid, given the clearing price).
      const price = period.price_usd_per_mwh;
      expect(price).toBeGreaterThanOrEqual(period.price_low_usd_per_mwh);
      expect(price).toBeLessThanOrEqual(period.price_high_usd_per_mwh);
      for (const [b, bid] of bids.entries()) {
        const curve = bid.curves[0]!;
        const a = r.awards[b]!.awarded_mw[0]!;
        const sellMax = curve.filter((s) => s.mw > 0 && s.price_usd_per_mwh <= price).reduce((t, s) => t + s.mw, 0);
        const sellMin = curve.filter((s) => s.mw > 0 && s.price_usd_per_mwh < price).reduce((t, s) => t + s.mw, 0);
        const buyMax = curve.filter((s) => s.mw < 0 && s.price_usd_per_mwh >= price).reduce((t, s) => t - s.mw, 0);
        const buyMin = curve.filter((s) => s.mw < 0 && s.price_usd_per_mwh > price).reduce((t, s) => t - s.mw, 0);
        expect(a).toBeLessThanOrEqual(sellMax - buyMin + 1e-6);
        expect(a).toBeGreaterThanOrEqual(sellMin - buyMax - 1e-6);
      }
    }
  });
});
