import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getMarket } from '../markets/catalogue.js';
import { createPriceSimulator, simulationShapeAt } from './simulator.js';
import { defaultMarketPriceProfile } from './defaults.js';
import { defaultPriceProfile, learnPriceProfile, type PriceProfile } from './profile.js';
import { createSimulationRng } from './rng.js';

const HOUR = 3_600_000;

function loadComed(): { t: number[]; p: number[] } {
  const text = fs.readFileSync(new URL('./fixtures/pjm-comed-da-2016-05-02_06-26.csv', import.meta.url), 'utf8');
  const t: number[] = [];
  const p: number[] = [];
  for (const line of text.trim().split('\n').slice(1)) {
    const [stamp, price] = line.split(',');
    // Hour-beginning EDT (UTC−4), see fixtures/README.md.
    t.push(Date.parse(stamp!.replace(' ', 'T') + '-04:00'));
    p.push(Number(price));
  }
  return { t, p };
}

describe('seeded rng', () => {
  it('repeats from the same seed and has the right moments', () => {
    const a = createSimulationRng(42);
    const b = createSimulationRng(42);
    const xs = Array.from({ length: 20000 }, () => a.normal());
    expect(Array.from({ length: 5 }, () => b.normal())).toEqual(xs.slice(0, 5));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(variance).toBeGreaterThan(0.96);
    expect(variance).toBeLessThan(1.04);
    const e = createSimulationRng(7);
    const ys = Array.from({ length: 20000 }, () => e.exponential(5));
    expect(ys.reduce((s, x) => s + x, 0) / ys.length).toBeCloseTo(5, 0);
  });
});

describe('learnPriceProfile on real PJM COMED day-ahead prices (8 weeks, 2016)', () => {
  const { t, p } = loadComed();
  const profile = learnPriceProfile({ interval_start_ms: t, lmp_usd_per_mwh: p }, { timezone: 'America/New_York', floor_usd_per_mwh: -1000, cap_usd_per_mwh: 2000 });

  it('finds a night trough, an afternoon peak and cheaper weekends', () => {
    expect(profile.samples).toBe(1344);
    expect(profile.days).toBe(56);
    const d = profile.hourly_shape_usd_per_mwh;
    const night = (d[2]! + d[3]! + d[4]!) / 3;
    const afternoon = (d[15]! + d[16]! + d[17]!) / 3;
    expect(afternoon - night).toBeGreaterThan(10);
    const w = profile.weekly_shape_usd_per_mwh;
    expect((w[0]! + w[6]!) / 2).toBeLessThan((w[2]! + w[3]! + w[4]!) / 3);
    expect(Math.abs(w.reduce((a, b) => a + b, 0))).toBeLessThan(1e-3);
    // The level sits inside the observed range and near its median.
    const sorted = [...p].sort((a, b) => a - b);
    expect(profile.level_usd_per_mwh).toBeGreaterThan(sorted[Math.floor(p.length * 0.3)]!);
    expect(profile.level_usd_per_mwh).toBeLessThan(sorted[Math.floor(p.length * 0.7)]!);
  });

  it('learns a persistent residual and no negative prices from a history without them', () => {
    expect(profile.ar1_per_hour).toBeGreaterThan(0.5);
    expect(profile.ar1_per_hour).toBeLessThan(1);
    expect(profile.noise_std_usd_per_mwh).toBeGreaterThan(0.5);
    // No negative hour in the data: the rate is the configured minimum.
    expect(profile.negative_rate_per_hour).toBeCloseTo(0.02, 10);
    expect(profile.has_components).toBe(false);
  });

  it('refuses a history too short to learn from', () => {
    expect(() => learnPriceProfile({ interval_start_ms: t.slice(0, 10), lmp_usd_per_mwh: p.slice(0, 10) }, { timezone: 'UTC', floor_usd_per_mwh: -1, cap_usd_per_mwh: 1 })).toThrow(
      /too short/,
    );
  });
});

describe('learn ↔ simulate round trip', () => {
  // A known process, simulated hourly for 20 weeks without events, learned back.
  const truth: PriceProfile = {
    ...defaultPriceProfile({ timezone: 'America/Chicago', floor_usd_per_mwh: -500, cap_usd_per_mwh: 2000, level_usd_per_mwh: 40 }),
    ar1_per_hour: 0.8,
    noise_std_usd_per_mwh: 5,
    interval_noise_std_usd_per_mwh: 0,
    spike_rate_per_hour: 0,
    negative_rate_per_hour: 0,
    congestion_mean_usd_per_mwh: 2,
    congestion_std_usd_per_mwh: 3,
    loss_ratio: 0.02,
  };
  const sim = createPriceSimulator(truth, { seed: 11 });
  const t0 = Date.UTC(2024, 0, 7, 6); // Sunday 00:00 CST
  const t: number[] = [];
  const p: number[] = [];
  const c: (number | null)[] = [];
  const l: (number | null)[] = [];
  for (let i = 0; i < 24 * 7 * 20; i++) {
    const s = sim.next(t0 + i * HOUR);
    t.push(s.t_ms);
    p.push(s.lmp_usd_per_mwh);
    c.push(s.congestion_usd_per_mwh);
    l.push(s.loss_usd_per_mwh);
  }
  const learned = learnPriceProfile(
    { interval_start_ms: t, lmp_usd_per_mwh: p, congestion_usd_per_mwh: c, loss_usd_per_mwh: l },
    { timezone: 'America/Chicago', floor_usd_per_mwh: -500, cap_usd_per_mwh: 2000, min_spike_rate_per_hour: 0, min_negative_rate_per_hour: 0 },
  );

  it('recovers level, daily and weekly shape, φ and σ', () => {
    expect(learned.level_usd_per_mwh).toBeGreaterThan(37);
    expect(learned.level_usd_per_mwh).toBeLessThan(43);
    // The shape is sampled at hour starts while the truth is indexed by hour centres: compare at the interpolated points.
    for (let h = 0; h < 24; h++) {
      const expected = (truth.hourly_shape_usd_per_mwh[(h + 23) % 24]! + truth.hourly_shape_usd_per_mwh[h]!) / 2;
      expect(Math.abs(learned.hourly_shape_usd_per_mwh[h]! + learned.level_usd_per_mwh - 40 - expected)).toBeLessThan(3.5);
    }
    expect(learned.weekly_shape_usd_per_mwh[0]!).toBeLessThan(learned.weekly_shape_usd_per_mwh[3]! - 2);
    expect(learned.ar1_per_hour).toBeGreaterThan(0.7);
    expect(learned.ar1_per_hour).toBeLessThan(0.88);
    expect(learned.noise_std_usd_per_mwh).toBeGreaterThan(4);
    expect(learned.noise_std_usd_per_mwh).toBeLessThan(6);
    expect(learned.spike_rate_per_hour).toBe(0);
  });

  it('recovers the components', () => {
    expect(learned.has_components).toBe(true);
    expect(learned.congestion_mean_usd_per_mwh).toBeCloseTo(2, 0);
    expect(learned.congestion_std_usd_per_mwh).toBeGreaterThan(2.4);
    expect(learned.congestion_std_usd_per_mwh).toBeLessThan(3.6);
    expect(learned.loss_ratio).toBeCloseTo(0.02, 2);
  });
});

describe('RT scatter', () => {
  it('is learned from 5-minute history as the spread within each hour', () => {
    const truth: PriceProfile = {
      ...defaultPriceProfile({ timezone: 'America/New_York', floor_usd_per_mwh: -1000, cap_usd_per_mwh: 2000, level_usd_per_mwh: 30, min_spike_rate_per_hour: 0, min_negative_rate_per_hour: 0 }),
      interval_noise_std_usd_per_mwh: 4,
    };
    const sim = createPriceSimulator(truth, { seed: 21 });
    const t0 = Date.UTC(2025, 3, 6, 4);
    const t: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < 21 * 288; i++) {
      t.push(t0 + i * 300_000);
      p.push(sim.next(t0 + i * 300_000).lmp_usd_per_mwh);
    }
    const learned = learnPriceProfile({ interval_start_ms: t, lmp_usd_per_mwh: p }, { timezone: 'America/New_York', floor_usd_per_mwh: -1000, cap_usd_per_mwh: 2000 });
    expect(learned.interval_noise_std_usd_per_mwh).toBeGreaterThan(3.4);
    expect(learned.interval_noise_std_usd_per_mwh).toBeLessThan(5);
    // Hourly history cannot show it: the assumed 5 % of the level.
    const hourly = learnPriceProfile(
      { interval_start_ms: t.filter((_, i) => i % 12 === 0), lmp_usd_per_mwh: p.filter((_, i) => i % 12 === 0) },
      { timezone: 'America/New_York', floor_usd_per_mwh: -1000, cap_usd_per_mwh: 2000 },
    );
    expect(hourly.interval_noise_std_usd_per_mwh).toBeCloseTo(0.05 * hourly.level_usd_per_mwh, 3);
  });
});

describe('createPriceSimulator', () => {
  it('is deterministic for a seed and keeps components summing to the LMP', () => {
    const profile = defaultMarketPriceProfile(getMarket('PJM'));
    const a = createPriceSimulator(profile, { seed: 3 });
    const b = createPriceSimulator(profile, { seed: 3 });
    const t0 = Date.UTC(2025, 5, 2, 12);
    for (let i = 0; i < 200; i++) {
      const x = a.next(t0 + i * 5000);
      expect(b.next(t0 + i * 5000)).toEqual(x);
      expect(x.energy_usd_per_mwh! + x.congestion_usd_per_mwh! + x.loss_usd_per_mwh!).toBeCloseTo(x.lmp_usd_per_mwh, 6);
    }
  });

  it('stays within floor and cap, and shows spikes and negative prices over a simulated month', () => {
    const market = getMarket('SPP');
    const profile = { ...defaultMarketPriceProfile(market), spike_rate_per_hour: 0.05, negative_rate_per_hour: 0.03, spike_mean_usd_per_mwh: 3000 };
    const sim = createPriceSimulator(profile, { seed: 5 });
    const t0 = Date.UTC(2025, 2, 1);
    let neg = 0;
    let capped = 0;
    let max = -Infinity;
    for (let i = 0; i < 30 * 288; i++) {
      const s = sim.next(t0 + i * 300_000);
      expect(s.lmp_usd_per_mwh).toBeGreaterThanOrEqual(market.offer_limits.floor_usd_per_mwh);
      expect(s.lmp_usd_per_mwh).toBeLessThanOrEqual(market.offer_limits.hard_cap_usd_per_mwh);
      if (s.lmp_usd_per_mwh < 0) neg++;
      if (s.lmp_usd_per_mwh === market.offer_limits.hard_cap_usd_per_mwh) capped++;
      max = Math.max(max, s.lmp_usd_per_mwh);
    }
    expect(neg).toBeGreaterThan(0);
    expect(capped).toBeGreaterThan(0);
    expect(max).toBe(2000);
  });

  it('keeps the stationary noise level whatever the tick length (φ^Δ scaling)', () => {
    const profile = { ...defaultPriceProfile({ timezone: 'UTC', floor_usd_per_mwh: -1e6, cap_usd_per_mwh: 1e6, level_usd_per_mwh: 0 }), spike_rate_per_hour: 0, negative_rate_per_hour: 0, noise_std_usd_per_mwh: 10 };
    for (const stepMs of [5000, HOUR]) {
      const sim = createPriceSimulator(profile, { seed: 9 });
      const dev: number[] = [];
      // Long enough to hold many independent stretches at either step (φ = 0.85 per hour).
      const n = stepMs === 5000 ? 200_000 : 20_000;
      for (let i = 0; i < n; i++) {
        const s = sim.next(i * stepMs);
        dev.push(s.lmp_usd_per_mwh - s.shape_usd_per_mwh);
      }
      const sd = Math.sqrt(dev.reduce((a, x) => a + x * x, 0) / dev.length);
      expect(sd).toBeGreaterThan(8);
      expect(sd).toBeLessThan(12);
    }
  });

  it('forces events on demand and follows the daily shape', () => {
    const profile = { ...defaultMarketPriceProfile(getMarket('CAISO')), spike_rate_per_hour: 0, negative_rate_per_hour: 0, noise_std_usd_per_mwh: 0.5 };
    const sim = createPriceSimulator(profile, { seed: 1 });
    // 12:30 and 19:30 Pacific daylight time on a Wednesday: the duck's belly and its neck.
    const noon = Date.UTC(2025, 6, 2, 19, 30);
    const evening = Date.UTC(2025, 6, 3, 2, 30);
    expect(simulationShapeAt(profile, evening)).toBeGreaterThan(simulationShapeAt(profile, noon) + 30);
    sim.next(noon);
    sim.trigger('negative', 40);
    const dip = sim.next(noon + 5000);
    expect(dip.regime).toBe('negative');
    expect(dip.lmp_usd_per_mwh).toBeLessThan(-35);
    sim.trigger('spike', 500);
    expect(sim.next(noon + 10_000).lmp_usd_per_mwh).toBeGreaterThan(100);
  });
});
