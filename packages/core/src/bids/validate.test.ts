import { describe, expect, it } from 'vitest';
import { getMarket } from '../markets/catalogue.js';
import { validateBid } from './index.js';
import type { BidContent, BidIssue, BidSegment } from './index.js';

const seg = (mw: number, price_usd_per_mwh: number): BidSegment => ({ mw, price_usd_per_mwh });
const flat = (n: number, curve: BidSegment[]) => Array.from({ length: n }, () => curve);
const codes = (issues: BidIssue[]) => issues.map((i) => [i.code, i.period, i.segment]);

const ercot = getMarket('ERCOT');
const caiso = getMarket('CAISO');
const miso = getMarket('MISO');
const battery = { min_mw: -50, max_mw: 50 };
const ngr = [seg(-25, 10), seg(-25, 18), seg(25, 60), seg(25, 95)];

describe('validateBid: timing', () => {
  // 2026-11-24 06:00 CST: the gate for delivery on 11-25 closes at 10:00 CST (16:00Z).
  const now = new Date('2026-11-24T12:00:00Z');
  const da = (delivery_date: string, hours = 24): BidContent => ({
    iso: 'ERCOT', run: 'DA', side: 'storage', delivery_date, curves: flat(hours, ngr),
  });

  it('accepts a valid storage bid for tomorrow', () => {
    expect(validateBid(da('2026-11-25'), { market: ercot, limits: battery, now })).toEqual([]);
  });

  it("refuses a late bid with the ISO's gate closure in local time", () => {
    const late = validateBid(da('2026-11-26'), { market: ercot, limits: battery, now: new Date('2026-11-25T16:00:00Z') });
    expect(codes(late)).toEqual([['gate_closed', undefined, undefined]]);
    expect(late[0]!.message).toContain('ERCOT day-ahead gate closed at 10:00 CST on 2026-11-25');
    const stillOpen = validateBid(da('2026-11-26'), { market: ercot, limits: battery, now: new Date('2026-11-25T15:59:59Z') });
    expect(stillOpen).toEqual([]);
  });

  it('uses EST all year for MISO and daylight time elsewhere', () => {
    const july = { iso: 'MISO' as const, run: 'DA' as const, side: 'storage' as const, delivery_date: '2026-07-02', curves: flat(24, ngr) };
    // 10:30 EST = 15:30Z all year.
    expect(validateBid(july, { market: miso, limits: battery, now: new Date('2026-07-01T15:29:00Z') })).toEqual([]);
    const late = validateBid(july, { market: miso, limits: battery, now: new Date('2026-07-01T15:30:00Z') });
    expect(late[0]!.message).toContain('MISO day-ahead gate closed at 10:30 EST on 2026-07-01');
    const caisoLate = validateBid({ ...july, iso: 'CAISO' }, { market: caiso, limits: battery, now: new Date('2026-07-01T18:00:00Z') });
    expect(caisoLate[0]!.message).toContain('CAISO day-ahead gate closed at 10:00 PDT on 2026-07-01');
  });

  it('wants 23, 24 or 25 hourly curves on DST days', () => {
    const ctx = { market: caiso, limits: battery, now: new Date('2026-02-01T00:00:00Z') };
    const fallBack = validateBid({ ...da('2026-11-01'), iso: 'CAISO' }, ctx);
    expect(codes(fallBack)).toEqual([['wrong_period_count', undefined, undefined]]);
    expect(fallBack[0]!.message).toMatch(/has 25 hours \(DST ends\); the bid has 24/);
    expect(validateBid({ ...da('2026-11-01', 25), iso: 'CAISO' }, ctx)).toEqual([]);
    expect(validateBid({ ...da('2026-03-08', 23), iso: 'CAISO' }, ctx)).toEqual([]);
    expect(validateBid({ ...da('2026-03-08', 24), iso: 'MISO' }, { ...ctx, market: miso })).toEqual([]);
  });

  it('refuses a delivery day that has started, and a malformed date', () => {
    const started = validateBid(da('2026-11-24'), { market: ercot, limits: battery, now });
    expect(started.map((i) => i.code)).toEqual(['delivery_not_future', 'gate_closed']);
    expect(validateBid(da('2026-13-01'), { market: ercot, limits: battery, now }).map((i) => i.code)).toEqual(['invalid_delivery']);
  });

  it('closes RT intervals the configured minutes before their hour', () => {
    const rt = (start: string, n: number): BidContent => ({
      iso: 'CAISO', run: 'RT', side: 'supply', interval_start: new Date(start), interval_minutes: 15, curves: flat(n, [seg(10, 30)]),
    });
    const ctx = { market: caiso, limits: { min_mw: 0, max_mw: 10 }, now: new Date('2026-07-01T17:50:00Z') };
    // 17:50Z is within 75 min of the 19:00Z hour but not of the 20:00Z hour.
    expect(validateBid(rt('2026-07-01T20:00:00Z', 4), ctx)).toEqual([]);
    // 19:45Z belongs to the 19:00Z hour (closed at 17:45Z = 10:45 PDT); 20:00Z is still open.
    const late = validateBid(rt('2026-07-01T19:45:00Z', 2), ctx);
    expect(codes(late)).toEqual([['gate_closed', 0, undefined]]);
    expect(late[0]!.message).toContain('starting 12:45 PDT on 2026-07-01 closed at 10:45 PDT on 2026-07-01');
    expect(validateBid(rt('2026-07-01T20:05:00Z', 1), ctx).map((i) => i.code)).toEqual(['invalid_delivery']);
    expect(validateBid(rt('2026-07-01T17:45:00Z', 1), ctx).map((i) => i.code)).toEqual(['delivery_not_future', 'gate_closed']);
  });
});

describe('validateBid: curves', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const base = { iso: 'CAISO' as const, run: 'DA' as const, delivery_date: '2026-07-02' };

  it('reports every broken price and shape rule with hour and segment', () => {
    const curves = flat(24, [seg(10, 20)]);
    curves[3] = [seg(10, 1500), seg(10, 2500), seg(5, -200)];
    curves[7] = Array.from({ length: 11 }, (_, k) => seg(1, k));
    curves[9] = [seg(60, 5), seg(50, 10)];
    const issues = validateBid({ ...base, side: 'supply', curves }, { market: caiso, limits: { min_mw: 0, max_mw: 100 }, now });
    expect(codes(issues)).toEqual([
      ['price_above_soft_cap', 3, 0],
      ['price_above_hard_cap', 3, 1],
      ['price_below_floor', 3, 2],
      ['non_monotone_price', 3, 2],
      ['too_many_segments', 7, undefined],
      ['mw_outside_limits', 9, 1],
    ]);
    expect(issues[0]!.message).toMatch(/hour 3 \(HE04\), segment 0: .*not cost-verified/);
    expect(issues[4]!.message).toContain('at most 10');
  });

  it('allows prices above the soft cap, never above the hard cap, when cost-verified', () => {
    const curves = flat(24, [seg(10, 1500), seg(10, 2001)]);
    const issues = validateBid({ ...base, side: 'supply', cost_verified: true, curves }, { market: caiso, limits: { min_mw: 0, max_mw: 20 }, now });
    expect(new Set(issues.map((i) => i.code))).toEqual(new Set(['price_above_hard_cap']));
    expect(issues).toHaveLength(24);
  });

  it('wants demand bids negative with non-increasing prices', () => {
    const curves = flat(24, [seg(-5, 100), seg(-5, 80)]);
    curves[0] = [seg(-5, 80), seg(-5, 100), seg(3, 50)];
    const issues = validateBid({ ...base, side: 'demand', curves }, { market: caiso, limits: { min_mw: -10, max_mw: 0 }, now });
    expect(codes(issues)).toEqual([
      ['non_monotone_price', 0, 1],
      ['wrong_sign', 0, 2],
      ['mw_outside_limits', 0, 2],
    ]);
  });

  it('checks a storage curve from charge to discharge', () => {
    const curves = flat(24, ngr);
    curves[1] = [seg(-25, 10), seg(25, 60), seg(-25, 18)];
    curves[2] = [seg(-30, 10), seg(-25, 18), seg(25, 15), seg(30, 95)];
    const issues = validateBid({ ...base, side: 'storage', curves }, { market: caiso, limits: battery, now });
    expect(codes(issues)).toEqual([
      ['storage_order', 1, 2],
      ['non_monotone_price', 1, 2],
      ['mw_outside_limits', 2, 1],
      ['non_monotone_price', 2, 2],
      ['mw_outside_limits', 2, 3],
    ]);
  });

  it('rejects non-finite numbers and zero-width segments', () => {
    const curves = flat(24, [seg(10, 20)]);
    curves[5] = [seg(Number.NaN, 20), seg(0, 25)];
    const issues = validateBid({ ...base, side: 'supply', curves }, { market: caiso, limits: { min_mw: 0, max_mw: 10 }, now });
    expect(codes(issues)).toEqual([
      ['invalid_number', 5, 0],
      ['zero_mw', 5, 1],
    ]);
  });
});
