import { describe, expect, it } from 'vitest';
import { solveInThread } from '../optimization/solver-pool.js';
import { runBacktest } from './engine.js';
import { persistenceForecaster, weeklyNaiveForecaster, type BacktestForecaster } from './forecasters.js';
import { preparePriceSeries } from './price-series.js';
import { battery, hourlyPrices } from './test-helpers.js';

/** Hourly prices from 2024-03-01 00:00 UTC: a daily shape plus a day-dependent tilt (deterministic). */
const series = (days: number) => hourlyPrices(days, Date.UTC(2024, 2, 1));

describe('backtest', () => {
  it('uses only prices before gate closure (no look-ahead)', async () => {
    const prices = series(10);
    const calls: { date: string; last: number; cutoff: number }[] = [];
    const spy: BacktestForecaster = (history, day) => {
      calls.push({ date: day.date, last: history[history.length - 1]!.interval_start.getTime(), cutoff: day.interval_starts[0]!.getTime() - 14 * 3_600_000 });
      return persistenceForecaster(history, day);
    };
    const report = await runBacktest(
      { prices, timezone: 'UTC', battery, strategy: 'forecast', forecaster: spy, gate_closure_hours_before_day_start: 14, start: new Date('2024-03-02T00:00:00Z'), compare: false },
      { solve: solveInThread },
    );
    expect(calls).toHaveLength(9);
    for (const c of calls) {
      expect(c.last).toBeLessThan(c.cutoff);
      expect(c.last).toBe(c.cutoff - 3_600_000); // everything up to the gate, nothing after
    }
    // Changing prices after a day's gate closure cannot change what was bid for that day.
    const shocked = prices.map((p, i) => (i >= 24 * 9 - 14 ? { ...p, price_usd_per_mwh: p.price_usd_per_mwh + 500 } : p));
    const again = await runBacktest(
      { prices: shocked, timezone: 'UTC', battery, strategy: 'forecast', forecaster: persistenceForecaster, gate_closure_hours_before_day_start: 14, start: new Date('2024-03-02T00:00:00Z'), end: new Date('2024-03-09T00:00:00Z'), compare: false },
      { solve: solveInThread },
    );
    const base = await runBacktest(
      { prices, timezone: 'UTC', battery, strategy: 'forecast', forecaster: persistenceForecaster, gate_closure_hours_before_day_start: 14, start: new Date('2024-03-02T00:00:00Z'), end: new Date('2024-03-09T00:00:00Z'), compare: false },
      { solve: solveInThread },
    );
    expect(again.net_usd).toBeCloseTo(base.net_usd, 9);
    expect(report.daily).toHaveLength(9);
  });

  it('scores against perfect foresight and persistence, with progress', async () => {
    const progress: [number, number][] = [];
    const r = await runBacktest(
      { prices: series(15), timezone: 'UTC', battery, strategy: 'forecast', forecaster: weeklyNaiveForecaster, start: new Date('2024-03-08T00:00:00Z') },
      { solve: solveInThread, onProgress: (d, t) => progress.push([d, t]) },
    );
    expect(r.daily).toHaveLength(8);
    expect(r.intervals).toBe(8 * 24);
    expect(progress.at(-1)).toEqual([8 + 1 + 8, 8 + 1 + 8]);
    expect(r.perfect_foresight_net_usd).toBeGreaterThan(0);
    expect(r.net_usd).toBeLessThanOrEqual(r.perfect_foresight_net_usd! + 1e-6);
    expect(r.capture_rate).toBeCloseTo(r.net_usd / r.perfect_foresight_net_usd!, 12);
    expect(r.margin_over_persistence_usd).toBeCloseTo(r.net_usd - r.persistence_net_usd!, 9);
    expect(r.net_usd).toBeCloseTo(r.revenue_usd - r.cost_usd - r.degradation_usd, 9);
    expect(r.cycles).toBeCloseTo(r.discharged_mwh / 2, 12);
    // The daily cycle cap holds in the settled dispatch.
    for (const d of r.daily) expect(d.discharged_mwh).toBeLessThanOrEqual(2 + 1e-9);
    expect(r.solve_time_ms_median).toBeGreaterThan(0);
  });

  it('perfect foresight bounds rolling, and a 24 h rolling horizon equals daily perfect foresight per day', async () => {
    const prices = series(6);
    const perfect = await runBacktest({ prices, timezone: 'UTC', battery, strategy: 'perfect', compare: false }, { solve: solveInThread });
    const rolling = await runBacktest({ prices, timezone: 'UTC', battery, strategy: 'rolling', rolling: { horizon_hours: 48, step_hours: 24 }, compare: false }, { solve: solveInThread });
    expect(perfect.daily).toHaveLength(6);
    expect(rolling.daily).toHaveLength(5); // 48 h windows stepped 24 h fit 5 times in 6 days
    expect(perfect.net_usd).toBeGreaterThan(0);
    const perfect5 = perfect.daily.slice(0, 5).reduce((s, d) => s + d.net_usd, 0);
    expect(rolling.net_usd).toBeLessThanOrEqual(perfect.net_usd + 1e-6);
    expect(perfect5).toBeGreaterThan(0);
  });

  it('interpolates a missing hour and reports it, never a silent zero', async () => {
    const prices = series(3);
    const gone = prices[30]!;
    const holed = prices.filter((p) => p !== gone);
    const s = preparePriceSeries(holed, { timezone: 'UTC' });
    expect(s.points).toHaveLength(72);
    expect(s.interpolated).toEqual([30]);
    expect(s.points[30]!.price_usd_per_mwh).toBeCloseTo((prices[29]!.price_usd_per_mwh + prices[31]!.price_usd_per_mwh) / 2, 12);
    const r = await runBacktest({ prices: holed, timezone: 'UTC', battery, strategy: 'perfect', compare: false }, { solve: solveInThread });
    expect(r.interpolated_intervals).toEqual([gone.interval_start]);
  });

  it('handles a 25-hour fall-back day in market-local days', async () => {
    // 2019-11-02 00:00 EDT .. 2019-11-05 00:00 EST: 24 + 25 + 24 hours.
    const t0 = Date.UTC(2019, 10, 2, 4);
    const prices = Array.from({ length: 73 }, (_, i) => ({ interval_start: new Date(t0 + i * 3_600_000), price_usd_per_mwh: 20 + (i % 24 > 16 ? 40 : 0) }));
    const r = await runBacktest({ prices, timezone: 'America/New_York', battery, strategy: 'persistence', start: new Date(t0 + 24 * 3_600_000), compare: false }, { solve: solveInThread });
    expect(r.daily.map((d) => d.date)).toEqual(['2019-11-03', '2019-11-04']);
    expect(r.intervals).toBe(49);
  });
});

describe('forecasting-model adapter', () => {
  it('runs a core/forecasting model as a forecaster (weekly-naive agrees with ours)', async () => {
    const { forecasterFromModel } = await import('./forecast-adapter.js');
    const s = preparePriceSeries(series(10), { timezone: 'UTC' });
    const history = s.points.slice(0, 9 * 24);
    const day = { date: '2024-03-10', interval_starts: s.points.slice(216, 240).map((p) => p.interval_start), local_times: s.points.slice(216, 240).map((p) => p.local_time), timezone: 'UTC', interval_hours: 1 };
    const ours = weeklyNaiveForecaster(history, day).point;
    expect(forecasterFromModel('weekly-naive')(history, day).point).toEqual(ours);
    expect(ours[5]).toBe(s.points[2 * 24 + 5]!.price_usd_per_mwh); // 2024-03-03 05:00, a week before
  });
});
