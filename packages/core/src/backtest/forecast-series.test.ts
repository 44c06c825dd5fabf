import { describe, expect, it } from 'vitest';
import { solveInThread } from '../optimization/solver-pool.js';
import { runBacktest } from './engine.js';
import { forecasterFromModel } from './forecast-adapter.js';
import { backtestForecastSeries, forecasterFromSeries } from './forecast-series.js';
import type { BacktestForecaster } from './forecasters.js';
import { battery, hourlyPrices } from './test-helpers.js';

/** Hourly prices across the 2024 spring-forward in New York, with a weekly and a day-dependent tilt. */
const series = (days: number) => hourlyPrices(days, Date.UTC(2024, 1, 1, 5), { weeklyTilt: true });

describe('backtest forecast series', () => {
  it('replays into the same report as the forecaster called inside the day loop (LEAR keeps its state across days)', async () => {
    const prices = series(60);
    const config = { prices, timezone: 'America/New_York', battery, start: new Date('2024-03-01T05:00:00Z'), end: new Date('2024-03-20T04:00:00Z'), gate_closure_hours_before_day_start: 14 };
    const inLoop = await runBacktest({ ...config, strategy: 'forecast', forecaster: forecasterFromModel('lear:28'), compare: true }, { solve: solveInThread });
    const progress: [number, number][] = [];
    const forecasts = backtestForecastSeries({ ...config, forecaster: forecasterFromModel('lear:28'), onDay: (d, t) => progress.push([d, t]) });
    expect(forecasts.map((f) => f.date)).toEqual(inLoop.daily.map((d) => d.date));
    expect(progress[progress.length - 1]).toEqual([forecasts.length, forecasts.length]);
    // The spring-forward day has 23 intervals, so 23 forecasts.
    expect(forecasts.find((f) => f.date === '2024-03-10')!.point).toHaveLength(23);
    const replayed = await runBacktest({ ...config, strategy: 'forecast', forecaster: forecasterFromSeries(forecasts), compare: true }, { solve: solveInThread });
    expect(replayed.net_usd).toBeCloseTo(inLoop.net_usd, 9);
    expect(replayed.daily.map((d) => d.net_usd)).toEqual(inLoop.daily.map((d) => d.net_usd));
    expect(replayed.capture_rate).toBe(inLoop.capture_rate);
  });

  it('sees the same history as the day loop and skips days with none before their gate', () => {
    const prices = series(5);
    const seen: BacktestForecaster = (history, day) => ({ point: day.local_times.map(() => history[history.length - 1]!.interval_start.getTime()) });
    const f = backtestForecastSeries({ prices, timezone: 'America/New_York', gate_closure_hours_before_day_start: 14, forecaster: seen });
    // Day one has nothing before its gate; each later day's history ends before 10:00 the day before.
    expect(f[0]!.date).toBe('2024-02-02');
    expect(f).toHaveLength(4);
    for (const d of f) expect(new Date(d.point[0]!).toISOString()).toBe(`${new Date(Date.parse(`${d.date}T05:00:00Z`) - 15 * 3_600_000).toISOString()}`);
  });

  it('refuses a day it has no forecast for', () => {
    const fc = forecasterFromSeries([{ date: '2024-03-01', point: [1] }]);
    expect(() => fc([], { date: '2024-03-02', interval_starts: [], local_times: [], timezone: 'UTC', interval_hours: 1 })).toThrow(/no precomputed forecast for 2024-03-02/);
  });
});
