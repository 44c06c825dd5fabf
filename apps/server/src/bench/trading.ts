/**
 * Trading-loop bench: uniform-price auction clearing of 10,000 bids × 24 hours
 * (goal: under 1 s) and day-ahead bid validation throughput.
 * Inputs are synthetic and seeded, so runs are comparable.
 */
import { clearAuction, getMarket, validateBid, type AuctionBid, type BidContent, type BidSegment } from '@optibid/core';

const HOURS = 24;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A valid-shaped curve: supply ascending, demand descending, storage charge-then-discharge ascending. */
function curve(rand: () => number, kind: number): BidSegment[] {
  const n = 1 + Math.floor(rand() * 5);
  const prices = Array.from({ length: n }, () => Math.round(rand() * 30000) / 100 - 50).sort((a, b) => a - b);
  const width = () => Math.round((1 + rand() * 49) * 10) / 10;
  if (kind === 0) return prices.map((p) => ({ mw: width(), price_usd_per_mwh: p }));
  if (kind === 1) return prices.reverse().map((p) => ({ mw: -width(), price_usd_per_mwh: p }));
  const half = Math.max(1, Math.floor(n / 2));
  return prices.map((p, k) => ({ mw: k < half ? -width() : width(), price_usd_per_mwh: p }));
}

function makeBids(count: number, seed: number): AuctionBid[] {
  const rand = lcg(seed);
  return Array.from({ length: count }, (_, b) => {
    const kind = b % 10 < 5 ? 0 : b % 10 < 8 ? 1 : 2;
    return { bid_id: `bid-${b}`, curves: Array.from({ length: HOURS }, () => curve(rand, kind)) };
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function benchTrading(): Promise<Record<string, number>> {
  const bids = makeBids(10_000, 42);
  const segments = bids.reduce((t, b) => t + b.curves.reduce((u, c) => u + c.length, 0), 0);
  const residual_demand = Array.from({ length: HOURS }, (_, h) => [{ mw: -(60_000 + 20_000 * Math.sin((h / 24) * 2 * Math.PI)), price_usd_per_mwh: 5000 }]);
  const rest_of_market_supply = [[{ mw: 30_000, price_usd_per_mwh: 15 }, { mw: 30_000, price_usd_per_mwh: 45 }, { mw: 20_000, price_usd_per_mwh: 150 }]];

  const runs: number[] = [];
  let cleared = 0;
  for (let r = 0; r < 6; r++) {
    const t0 = performance.now();
    const res = clearAuction({ periods: HOURS, bids, residual_demand, rest_of_market_supply });
    const dt = performance.now() - t0;
    if (r > 0) runs.push(dt); // run 0 warms the JIT
    cleared = res.periods.reduce((t, p) => t + p.cleared_mw, 0);
  }

  // Validation: DA storage bids for a delivery day whose gate is open.
  const market = getMarket('ERCOT');
  const now = new Date('2026-06-01T12:00:00Z');
  const rand = lcg(7);
  const vbids: BidContent[] = Array.from({ length: 2000 }, () => ({
    iso: 'ERCOT',
    run: 'DA',
    side: 'storage',
    delivery_date: '2026-06-10',
    curves: Array.from({ length: HOURS }, () => curve(rand, 2)),
  }));
  const limits = { min_mw: -200, max_mw: 200 };
  let issues = 0;
  for (const b of vbids.slice(0, 200)) issues += validateBid(b, { market, limits, now }).length;
  const t0 = performance.now();
  for (const b of vbids) issues += validateBid(b, { market, limits, now }).length;
  const vdt = (performance.now() - t0) / 1000;

  return {
    auction_bids: bids.length,
    auction_periods: HOURS,
    auction_segments: segments,
    auction_clear_ms_median: Number(median(runs).toFixed(1)),
    auction_clear_ms_min: Number(Math.min(...runs).toFixed(1)),
    auction_cleared_mwh: Math.round(cleared),
    bid_validation_bids_per_s: Math.round(vbids.length / vdt),
    bid_validation_issues_found: issues,
  };
}
