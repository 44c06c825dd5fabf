import { describe, expect, it } from 'vitest';
import { aggregatePnl, deliveriesFromAwards, settleDayAhead, settleRealTime, trackBatterySoc } from './index.js';

const t = (iso: string) => new Date(iso);
// 2026-07-01 in ERCOT (CDT, UTC−5): local midnight is 05:00Z.
const h0 = t('2026-07-01T05:00:00Z');
const hour = (k: number) => new Date(h0.getTime() + k * 3_600_000);

describe('energy settlement', () => {
  it('settles DA awards as MW × LMP × duration with the market-local date', () => {
    const lines = settleDayAhead({
      asset_id: 'bat',
      iso: 'ERCOT',
      intervals: [
        { interval_start: hour(0), duration_h: 1, awarded_mw: -10, price_usd_per_mwh: 20 },
        { interval_start: hour(18), duration_h: 1, awarded_mw: 8, price_usd_per_mwh: 150 },
        { interval_start: hour(23), duration_h: 1, awarded_mw: 5, price_usd_per_mwh: 40 },
      ],
    });
    expect(lines.map((l) => l.amount_usd)).toEqual([-200, 1200, 200]);
    // hour 23 local is 04:00Z next UTC day but still 2026-07-01 in Texas.
    expect(lines.map((l) => l.market_date)).toEqual(['2026-07-01', '2026-07-01', '2026-07-01']);
    expect(lines[0]!.kind).toBe('da_energy');
  });

  it('settles RT deviations from the hourly DA award at the RT price', () => {
    const rt_prices = [0, 1, 2, 3].map((k) => ({
      interval_start: new Date(h0.getTime() + k * 15 * 60_000),
      duration_h: 0.25,
      price_usd_per_mwh: 100 + k,
    }));
    const { lines, deliveries } = settleRealTime({
      asset_id: 'g',
      iso: 'ERCOT',
      da_awards: [{ interval_start: h0, duration_h: 1, awarded_mw: 10 }],
      rt_prices,
      telemetry: [
        { interval_start: rt_prices[1]!.interval_start, delivered_mw: 6 },
        { interval_start: rt_prices[3]!.interval_start, delivered_mw: 12 },
      ],
    });
    expect(lines.map((l) => l.mw)).toEqual([0, -4, 0, 2]);
    expect(lines[1]!.amount_usd).toBeCloseTo(-4 * 101 * 0.25, 9);
    expect(lines[3]!.amount_usd).toBeCloseTo(2 * 103 * 0.25, 9);
    expect(deliveries.map((d) => d.delivered_mw)).toEqual([10, 6, 10, 12]);
  });

  it('charges a deviation when there is no DA award at all', () => {
    const { lines } = settleRealTime({
      asset_id: 'g',
      iso: 'PJM',
      da_awards: [],
      rt_prices: [{ interval_start: h0, duration_h: 5 / 60, price_usd_per_mwh: 60 }],
      telemetry: [{ interval_start: h0, delivered_mw: 12 }],
    });
    expect(lines[0]!.amount_usd).toBeCloseTo(12 * 60 / 12, 9);
  });
});

describe('battery state of charge', () => {
  const bat = {
    charge_power_mw: 10,
    discharge_power_mw: 10,
    energy_mwh: 40,
    charge_efficiency: 0.9,
    discharge_efficiency: 0.9,
    soc_min_mwh: 4,
    soc_max_mwh: 38,
    soc_initial_mwh: 20,
    max_cycles_per_day: 0.5,
  };

  it('applies charge and discharge efficiencies', () => {
    const r = trackBatterySoc(bat, [
      { duration_h: 1, mw: -10 },
      { duration_h: 1, mw: 9 },
    ]);
    expect(r.soc_mwh[0]).toBeCloseTo(29, 9);
    expect(r.soc_mwh[1]).toBeCloseTo(19, 9);
    expect(r.charged_mwh).toBe(10);
    expect(r.discharged_mwh).toBe(9);
    expect(r.cycles).toBeCloseTo(9 / 40, 12);
    expect(r.violations).toEqual([]);
  });

  it('reports every breach of SoC, power and cycle limits', () => {
    const r = trackBatterySoc(
      bat,
      [
        { interval_start: hour(0), duration_h: 1, mw: -12 },
        { interval_start: hour(1), duration_h: 1, mw: -10 },
        { interval_start: hour(2), duration_h: 1, mw: 10 },
        { interval_start: hour(3), duration_h: 1, mw: 10 },
        { interval_start: hour(4), duration_h: 1, mw: 10 },
        { interval_start: hour(5), duration_h: 1, mw: 10 },
      ],
      'America/Chicago',
    );
    expect(r.violations.map((v) => [v.kind, v.index])).toEqual([
      ['charge_power', 0],
      ['soc_above_max', 1],
      ['max_cycles', 4],
      ['soc_below_min', 5],
    ]);
    // 20 + 0.9·12 + 0.9·10 = 39.8; then −10/0.9 per hour: 28.69, 17.58, 6.47, −4.64.
    expect(r.violations[1]!.message).toMatch(/39\.8 MWh is above soc_max_mwh 38/);
    expect(r.violations[2]!.message).toMatch(/^2026-07-01: 0\.75 cycles/);
    expect(r.soc_mwh[5]).toBeCloseTo(39.8 - 40 / 0.9, 9);
  });
});

describe('P&L aggregation', () => {
  it('groups revenue, cost, MWh, degradation and cycles', () => {
    const da = settleDayAhead({
      asset_id: 'bat',
      iso: 'ERCOT',
      intervals: [
        { interval_start: hour(2), duration_h: 1, awarded_mw: -10, price_usd_per_mwh: 20 },
        { interval_start: hour(19), duration_h: 1, awarded_mw: 9, price_usd_per_mwh: 120 },
        { interval_start: hour(24 + 19), duration_h: 1, awarded_mw: 4, price_usd_per_mwh: 80 },
      ],
    });
    const solar = settleDayAhead({
      asset_id: 'pv',
      iso: 'CAISO',
      intervals: [{ interval_start: t('2026-07-01T20:00:00Z'), duration_h: 1, awarded_mw: 50, price_usd_per_mwh: -5 }],
    });
    const deliveries = [
      ...deliveriesFromAwards({ asset_id: 'bat', iso: 'ERCOT', awards: da.map((l) => ({ ...l, awarded_mw: l.mw })) }),
      ...deliveriesFromAwards({ asset_id: 'pv', iso: 'CAISO', awards: [{ interval_start: t('2026-07-01T20:00:00Z'), duration_h: 1, awarded_mw: 50 }] }),
    ];
    const batteries = { bat: { energy_mwh: 40, degradation_cost_usd_per_mwh: 2 } };
    const byAsset = aggregatePnl({ lines: [...da, ...solar], deliveries, group_by: 'asset', batteries });
    expect(byAsset.map((r) => r.key)).toEqual(['bat', 'pv']);
    const b = byAsset[0]!;
    expect(b.revenue_usd).toBeCloseTo(1080 + 320, 9);
    expect(b.degradation_cost_usd).toBeCloseTo(13 * 2, 9);
    expect(b.cost_usd).toBeCloseTo(200 + 26, 9);
    expect(b.net_usd).toBeCloseTo(1400 - 226, 9);
    expect(b.mwh_sold).toBe(13);
    expect(b.mwh_bought).toBe(10);
    expect(b.net_mwh).toBe(3);
    expect(b.cycles).toBeCloseTo(13 / 40, 12);
    expect(byAsset[1]!.cost_usd).toBe(250);
    expect(byAsset[1]!.cycles).toBeUndefined();
    const byDay = aggregatePnl({ lines: [...da, ...solar], deliveries, group_by: 'day', batteries });
    expect(byDay.map((r) => [r.key, r.net_usd])).toEqual([
      ['2026-07-01', 1080 - 200 - 250 - 18],
      ['2026-07-02', 320 - 8],
    ].map(([k, v]) => [k, expect.closeTo(v as number, 9)]));
    const byMarket = aggregatePnl({ lines: [...da, ...solar], deliveries, group_by: 'market', batteries });
    expect(byMarket.map((r) => r.key)).toEqual(['CAISO', 'ERCOT']);
  });
});

describe('P&L with AS capacity', () => {
  it('adds capacity payments to revenue and splits them by product beside net energy', () => {
    const day = '2026-07-01';
    const lines = settleDayAhead({ asset_id: 'bat', iso: 'ERCOT', intervals: [
      { interval_start: hour(0), duration_h: 1, awarded_mw: -2, price_usd_per_mwh: 20 },
      { interval_start: hour(1), duration_h: 1, awarded_mw: 3, price_usd_per_mwh: 50 },
    ], timezone: 'America/Chicago' });
    const ancillary = [
      { asset_id: 'bat', iso: 'ERCOT' as const, market_date: day, product: 'RRS', amount_usd: 2 * 11.5 },
      { asset_id: 'bat', iso: 'ERCOT' as const, market_date: day, product: 'REGDN', amount_usd: 1 * 7.25 },
      { asset_id: 'bat', iso: 'ERCOT' as const, market_date: day, product: 'RRS', amount_usd: 1 * 9 },
    ];
    const [r] = aggregatePnl({ lines, ancillary_lines: ancillary, deliveries: [], group_by: 'asset' });
    expect(r!.energy_revenue_usd).toBeCloseTo(150 - 40, 9);
    expect(r!.as_revenue_usd).toBeCloseTo(23 + 7.25 + 9, 9);
    expect(Object.keys(r!.revenue_by_product)).toEqual(['REGDN', 'RRS']);
    expect(r!.revenue_by_product.RRS).toBeCloseTo(32, 9);
    expect(r!.revenue_usd).toBeCloseTo(150 + 39.25, 9);
    expect(r!.net_usd).toBeCloseTo(110 + 39.25, 9);
    const [plain] = aggregatePnl({ lines, deliveries: [], group_by: 'day' });
    expect(plain!.revenue_by_product).toEqual({});
    expect(plain!.as_revenue_usd).toBe(0);
  });
});
