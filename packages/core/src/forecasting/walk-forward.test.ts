import { describe, expect, it } from 'vitest';
import { forecastDatasetFromHourly, forecastDatasetFromTidyRows } from './dataset.js';
import { createForecastModel } from './models.js';
import { evaluateForecastDays, forecastResidualQuantiles, mergeForecastResults, splitForecastDays } from './walk-forward.js';

function synthetic(days: number) {
  const ts: string[] = [], price: number[] = [], exo: number[] = [];
  for (let d = 0; d < days; d++) {
    const date = new Date(Date.UTC(2020, 0, 6 + d)).toISOString().slice(0, 10);
    for (let h = 0; h < 24; h++) {
      ts.push(`${date} ${String(h).padStart(2, '0')}:00:00`);
      const load = 100 + 20 * Math.sin((h / 24) * 2 * Math.PI) + ((d * 7 + h * 13) % 11);
      exo.push(load);
      price.push(20 + 0.3 * load + (d % 7 === 5 || d % 7 === 6 ? -5 : 0) + Math.sin(d * 1.7 + h));
    }
  }
  return forecastDatasetFromHourly(ts, price, [exo], ['load']);
}

describe('walk-forward evaluation', () => {
  const data = synthetic(60);
  const days = Array.from({ length: 8 }, (_, i) => 50 + i);

  it('two workers (split + merge, with quantile warm-up) give the same results as one', () => {
    const one = evaluateForecastDays(data, createForecastModel('lear:28'), days, { quantile_warmup: true, quantile_window_days: 3 });
    const parts = splitForecastDays(days, 2).map((chunk) =>
      evaluateForecastDays(data, createForecastModel('lear:28'), chunk, { quantile_warmup: true, quantile_window_days: 3 }));
    const merged = mergeForecastResults(parts.reverse());
    expect(merged.map((r) => r.day)).toEqual(days);
    merged.forEach((r, i) => {
      for (let h = 0; h < 24; h++) {
        // equal up to the solver tolerance (warm starts differ between the runs)
        expect(r.point[h]).toBeCloseTo(one[i]!.point[h]!, 3);
        expect(r.p90[h]).toBeCloseTo(one[i]!.p90[h]!, 3);
      }
    });
  });

  it('quantiles are ordered, come from past residuals only, and progress is reported', () => {
    const seen: number[] = [];
    const res = evaluateForecastDays(data, createForecastModel('naive'), days, { onProgress: (done) => seen.push(done) });
    expect(seen).toEqual(days.map((_, i) => i + 1));
    expect(Array.from(res[0]!.p10)).toEqual(Array.from(res[0]!.point)); // no history yet
    for (const r of res) for (let h = 0; h < 24; h++) {
      expect(r.p10[h]!).toBeLessThanOrEqual(r.p50[h]!);
      expect(r.p50[h]!).toBeLessThanOrEqual(r.p90[h]!);
    }
    const q = forecastResidualQuantiles(new Float64Array(24), [1, 2, 3, 4, 5].map((v) => new Float64Array(24).fill(v)), [0.1, 0.5, 0.9]);
    expect([q[0]![0], q[1]![0], q[2]![0]]).toEqual([1.4, 3, 4.6]);
  });

  it('rejects days without enough history', () => {
    expect(() => evaluateForecastDays(data, createForecastModel('lear:56'), [30])).toThrow(/needs 56 days/);
  });
});

describe('forecast datasets', () => {
  it('tidy UTC rows to local days: 23-hour day interpolated, 25-hour day averaged (Europe/Paris)', () => {
    const rows = [];
    // 2016-03-26 .. 2016-03-28 and 2016-10-29 .. 2016-10-31 local days, hourly UTC
    for (const [from, to] of [['2016-03-25T23:00:00Z', '2016-03-28T22:00:00Z'], ['2016-10-28T22:00:00Z', '2016-10-31T23:00:00Z']] as const) {
      for (let t = Date.parse(from); t < Date.parse(to); t += 3_600_000) rows.push({ interval_start_utc: new Date(t).toISOString(), price: (t / 3_600_000) % 100, exogenous: [1] });
    }
    const spring = forecastDatasetFromTidyRows(rows.slice(0, 71), 'Europe/Paris', ['x']);
    expect(spring.dates).toEqual(['2016-03-26', '2016-03-27', '2016-03-28']);
    const d = 24; // 2016-03-27: 02:00 local is missing
    expect(spring.prices[d + 2]).toBeCloseTo((spring.prices[d + 1]! + spring.prices[d + 3]!) / 2, 12);
    const autumn = forecastDatasetFromTidyRows(rows.slice(71), 'Europe/Paris');
    expect(autumn.dates).toEqual(['2016-10-29', '2016-10-30', '2016-10-31']);
    // 2016-10-30 02:00 local occurs twice: UTC 00:00 and 01:00
    const a = (Date.parse('2016-10-30T00:00:00Z') / 3_600_000) % 100, b = (Date.parse('2016-10-30T01:00:00Z') / 3_600_000) % 100;
    expect(autumn.prices[24 + 2]).toBeCloseTo((a + b) / 2, 12);
  });

  it('epftoolbox layout: rejects a day without 24 hours', () => {
    expect(() => forecastDatasetFromHourly(['2020-01-01 00:00:00'], [1])).toThrow(/multiple of 24/);
  });
});
