/**
 * The parameters of the simulated price process, learned from stored history
 * (arrays in, parameters out) or taken from a built-in default shape.
 *
 * Model (additive, because prices can be zero or negative):
 *
 *   p(t) = μ + d(h(t)) + w(dow(t)) + x(t) + jumps(t)
 *
 * μ the level, d the hour-of-day shape (24 values, market-local clock), w the
 * day-of-week shape (7 values, Sunday = 0), x an AR(1) residual and the jumps
 * the spike and negative-price events (see simulator.ts).
 */
import { utcToZonedParts } from '../time/zoned.js';

export interface PriceProfile {
  /** IANA zone of the market clock the shapes are read on. */
  timezone: string;
  /** μ: robust level of the history (20 % trimmed mean), $/MWh. */
  level_usd_per_mwh: number;
  /** d[h], h = 0..23 local hour beginning: additive offset from μ, $/MWh. */
  hourly_shape_usd_per_mwh: number[];
  /** w[k], k = 0 (Sunday)..6: additive offset after the daily shape, $/MWh. */
  weekly_shape_usd_per_mwh: number[];
  /** φ per hour of the AR(1) residual x: x(t+1h) = φ·x(t) + ε. */
  ar1_per_hour: number;
  /** Stationary standard deviation of x, $/MWh. */
  noise_std_usd_per_mwh: number;
  /** Poisson rate of upward spikes, events per hour. */
  spike_rate_per_hour: number;
  /** Mean height of a spike above the shape, $/MWh (exponentially distributed). */
  spike_mean_usd_per_mwh: number;
  /** Poisson rate of negative-price events, events per hour. */
  negative_rate_per_hour: number;
  /** Mean depth of a negative price below zero, $/MWh (exponentially distributed). */
  negative_depth_mean_usd_per_mwh: number;
  /** Half-life with which a spike or a negative event fades, minutes. */
  event_half_life_min: number;
  /**
   * Standard deviation of the real-time scatter around the hourly process,
   * drawn once per RT interval, $/MWh (RT prices are noisier than DA ones).
   */
  interval_noise_std_usd_per_mwh: number;
  /** Whether the history carries LMP components; without them the simulator reports null components. */
  has_components: boolean;
  congestion_mean_usd_per_mwh: number;
  congestion_std_usd_per_mwh: number;
  /** Loss component as a fraction of the energy component. */
  loss_ratio: number;
  floor_usd_per_mwh: number;
  cap_usd_per_mwh: number;
  /** Where the parameters come from, and how much history they rest on. */
  source: 'history' | 'default';
  samples: number;
  days: number;
}

export interface PriceHistoryInput {
  /** Interval starts, UTC epoch milliseconds, any order. */
  interval_start_ms: ArrayLike<number>;
  lmp_usd_per_mwh: ArrayLike<number>;
  congestion_usd_per_mwh?: ArrayLike<number | null>;
  loss_usd_per_mwh?: ArrayLike<number | null>;
}

export interface ProfileBounds {
  timezone: string;
  floor_usd_per_mwh: number;
  cap_usd_per_mwh: number;
  /** Lower bounds on the event rates, so even a calm history shows the occasional spike or negative price. */
  min_spike_rate_per_hour?: number;
  min_negative_rate_per_hour?: number;
}

/** At least two days of hourly data are needed to separate the daily shape from noise. */
export const SIMULATION_MIN_HISTORY_SAMPLES = 48;
const DEFAULT_MIN_SPIKE_RATE = 0.05;
const DEFAULT_MIN_NEGATIVE_RATE = 0.02;
/** Residuals beyond this many robust standard deviations count as spikes. */
const SPIKE_Z = 4;
const HOUR_MS = 3_600_000;

/**
 * Learns a profile from history:
 * - μ = 20 % trimmed mean of all prices (spikes barely move it);
 * - d[h] = trimmed mean of prices in local hour h − μ, empty hours interpolated circularly;
 * - w[k] = trimmed mean of (p − μ − d[h]) on weekday k, when k is seen on ≥ 2 dates (else 0), re-centred to mean 0;
 * - residual r = p − μ − d − w; robust σ = 1.4826 · MAD(r) (Rousseeuw & Croux 1993);
 * - spikes: episodes of r > 4σ, rate = episodes / hours covered, height = mean r over them;
 * - negative events: episodes of p < 0, rate likewise, depth = mean(−p) over them;
 * - φ at the native step Δ from residuals clipped to ±3σ: φ_Δ = Σ c_t c_{t−1} / Σ c_{t−1}², over consecutive
 *   pairs exactly Δ apart; per hour φ = φ_Δ^(60/Δ) (the continuous-time equivalent), clamped to [0, 0.999];
 *   noise_std = standard deviation of the clipped residuals;
 * - RT scatter: for sub-hourly history, the robust std (1.4826 · MAD) of each residual around its UTC hour's mean
 *   residual; hourly history cannot show it, so 5 % of |μ| (at least 0.5) is assumed;
 * - components: congestion mean/std, loss ratio = median(loss / energy) with energy = p − congestion − loss.
 * Throws a RangeError when there are fewer than SIMULATION_MIN_HISTORY_SAMPLES finite prices.
 */
export function learnPriceProfile(history: PriceHistoryInput, bounds: ProfileBounds): PriceProfile {
  const n0 = Math.min(history.interval_start_ms.length, history.lmp_usd_per_mwh.length);
  const idx: number[] = [];
  for (let i = 0; i < n0; i++) {
    if (Number.isFinite(history.interval_start_ms[i]) && Number.isFinite(history.lmp_usd_per_mwh[i])) idx.push(i);
  }
  if (idx.length < SIMULATION_MIN_HISTORY_SAMPLES) {
    throw new RangeError(`price history too short to learn from: ${idx.length} prices (need ${SIMULATION_MIN_HISTORY_SAMPLES})`);
  }
  idx.sort((a, b) => history.interval_start_ms[a]! - history.interval_start_ms[b]!);
  const t = idx.map((i) => history.interval_start_ms[i]!);
  const p = idx.map((i) => history.lmp_usd_per_mwh[i]!);
  const n = p.length;

  const local = localCalendar(t, bounds.timezone);
  const mu = trimmedMean(p, 0.2);

  const byHour: number[][] = Array.from({ length: 24 }, () => []);
  for (let i = 0; i < n; i++) byHour[local.hour[i]!]!.push(p[i]!);
  const hourly = fillCircular(byHour.map((xs) => (xs.length ? trimmedMean(xs, 0.2) - mu : null)));

  const byDow: number[][] = Array.from({ length: 7 }, () => []);
  const datesByDow: Set<string>[] = Array.from({ length: 7 }, () => new Set());
  for (let i = 0; i < n; i++) {
    byDow[local.dow[i]!]!.push(p[i]! - mu - hourly[local.hour[i]!]!);
    datesByDow[local.dow[i]!]!.add(local.date[i]!);
  }
  const weeklyRaw = byDow.map((xs, k) => (datesByDow[k]!.size >= 2 ? trimmedMean(xs, 0.2) : 0));
  const weeklyMean = weeklyRaw.reduce((a, b) => a + b, 0) / 7;
  const weekly = weeklyRaw.map((w) => w - weeklyMean);

  const r = p.map((x, i) => x - mu - hourly[local.hour[i]!]! - weekly[local.dow[i]!]!);
  const rMedian = median(r);
  const sigma = Math.max(1.4826 * median(r.map((x) => Math.abs(x - rMedian))), 0.5, 0.02 * Math.abs(mu));

  const step = medianStepMs(t);
  const hoursCovered = Math.max(1, (n * step) / HOUR_MS);
  let spikeEpisodes = 0;
  let spikeSum = 0;
  let spikeCount = 0;
  let negEpisodes = 0;
  let negSum = 0;
  let negCount = 0;
  for (let i = 0; i < n; i++) {
    if (r[i]! > SPIKE_Z * sigma) {
      if (i === 0 || !(r[i - 1]! > SPIKE_Z * sigma)) spikeEpisodes++;
      spikeSum += r[i]!;
      spikeCount++;
    }
    if (p[i]! < 0) {
      if (i === 0 || !(p[i - 1]! < 0)) negEpisodes++;
      negSum -= p[i]!;
      negCount++;
    }
  }

  const clipped = r.map((x) => Math.max(-3 * sigma, Math.min(3 * sigma, x)));
  let num = 0;
  let den = 0;
  for (let i = 1; i < n; i++) {
    if (t[i]! - t[i - 1]! !== step) continue;
    num += clipped[i]! * clipped[i - 1]!;
    den += clipped[i - 1]! * clipped[i - 1]!;
  }
  const phiStep = den > 0 ? num / den : 0;
  const phiHour = clamp(phiStep > 0 ? Math.pow(phiStep, HOUR_MS / step) : 0, 0, 0.999);
  const noiseStd = Math.max(std(clipped), 0.5);

  const comp = learnComponents(idx, p, history);
  const days = new Set(local.date).size;
  const intervalNoise = step < HOUR_MS ? withinHourStd(t, r) : null;
  return {
    timezone: bounds.timezone,
    level_usd_per_mwh: round4(mu),
    hourly_shape_usd_per_mwh: hourly.map(round4),
    weekly_shape_usd_per_mwh: weekly.map(round4),
    ar1_per_hour: round4(phiHour),
    noise_std_usd_per_mwh: round4(noiseStd),
    spike_rate_per_hour: Math.max(spikeEpisodes / hoursCovered, bounds.min_spike_rate_per_hour ?? DEFAULT_MIN_SPIKE_RATE),
    spike_mean_usd_per_mwh: round4(spikeCount ? spikeSum / spikeCount : Math.max(6 * sigma, Math.abs(mu))),
    negative_rate_per_hour: Math.max(negEpisodes / hoursCovered, bounds.min_negative_rate_per_hour ?? DEFAULT_MIN_NEGATIVE_RATE),
    negative_depth_mean_usd_per_mwh: round4(negCount ? negSum / negCount : Math.max(5, 0.25 * Math.abs(mu))),
    event_half_life_min: 15,
    interval_noise_std_usd_per_mwh: round4(intervalNoise ?? Math.max(0.5, 0.05 * Math.abs(mu))),
    ...comp,
    floor_usd_per_mwh: bounds.floor_usd_per_mwh,
    cap_usd_per_mwh: bounds.cap_usd_per_mwh,
    source: 'history',
    samples: n,
    days,
  };
}

export interface DefaultProfileOptions extends ProfileBounds {
  level_usd_per_mwh: number;
  /** A midday dip from solar (CAISO-like duck curve) instead of a midday plateau. */
  solar_dip?: boolean;
  has_components?: boolean;
}

/**
 * Built-in shape for a location without history: night trough, morning ramp,
 * evening peak (hour 18–19 local), weekends 8 % below weekdays; with `solar_dip`
 * the midday hours fall below the night level (duck curve). Multipliers of μ are
 * illustrative, chosen to look like a typical US hub day, not fitted to any data.
 */
export function defaultPriceProfile(opts: DefaultProfileOptions): PriceProfile {
  const mu = opts.level_usd_per_mwh;
  // Multipliers of μ by local hour beginning 0..23.
  const plain = [0.78, 0.74, 0.72, 0.71, 0.73, 0.8, 0.92, 1.05, 1.08, 1.06, 1.04, 1.04, 1.05, 1.06, 1.08, 1.12, 1.2, 1.32, 1.4, 1.36, 1.24, 1.1, 0.96, 0.85];
  const duck = [0.85, 0.8, 0.78, 0.78, 0.82, 0.92, 1.05, 0.98, 0.78, 0.6, 0.5, 0.45, 0.44, 0.46, 0.55, 0.72, 1.0, 1.35, 1.6, 1.55, 1.35, 1.15, 1.0, 0.9];
  const m = opts.solar_dip ? duck : plain;
  const mean = m.reduce((a, b) => a + b, 0) / 24;
  const weekly = [-0.08, 0.032, 0.032, 0.032, 0.032, 0.032, -0.08].map((f) => round4(f * mu));
  return {
    timezone: opts.timezone,
    level_usd_per_mwh: mu,
    hourly_shape_usd_per_mwh: m.map((f) => round4((f / mean - 1) * mu)),
    weekly_shape_usd_per_mwh: weekly,
    ar1_per_hour: 0.85,
    noise_std_usd_per_mwh: round4(Math.max(1, 0.12 * Math.abs(mu))),
    spike_rate_per_hour: opts.min_spike_rate_per_hour ?? DEFAULT_MIN_SPIKE_RATE,
    spike_mean_usd_per_mwh: round4(Math.max(20, 1.5 * Math.abs(mu))),
    negative_rate_per_hour: opts.min_negative_rate_per_hour ?? DEFAULT_MIN_NEGATIVE_RATE,
    negative_depth_mean_usd_per_mwh: round4(Math.max(5, 0.25 * Math.abs(mu))),
    event_half_life_min: 15,
    interval_noise_std_usd_per_mwh: round4(Math.max(0.5, 0.05 * Math.abs(mu))),
    has_components: opts.has_components ?? true,
    congestion_mean_usd_per_mwh: 0,
    congestion_std_usd_per_mwh: round4(0.04 * Math.abs(mu)),
    loss_ratio: 0.015,
    floor_usd_per_mwh: opts.floor_usd_per_mwh,
    cap_usd_per_mwh: opts.cap_usd_per_mwh,
    source: 'default',
    samples: 0,
    days: 0,
  };
}

function learnComponents(idx: number[], p: number[], h: PriceHistoryInput) {
  const cong: number[] = [];
  const ratios: number[] = [];
  if (h.congestion_usd_per_mwh && h.loss_usd_per_mwh) {
    for (let k = 0; k < idx.length; k++) {
      const c = h.congestion_usd_per_mwh[idx[k]!];
      const l = h.loss_usd_per_mwh[idx[k]!];
      if (c === null || c === undefined || l === null || l === undefined || !Number.isFinite(c) || !Number.isFinite(l)) continue;
      cong.push(c);
      const energy = p[k]! - c - l;
      if (energy > 1) ratios.push(l / energy);
    }
  }
  if (cong.length < SIMULATION_MIN_HISTORY_SAMPLES) {
    return { has_components: false, congestion_mean_usd_per_mwh: 0, congestion_std_usd_per_mwh: 0, loss_ratio: 0 };
  }
  return {
    has_components: true,
    congestion_mean_usd_per_mwh: round4(trimmedMean(cong, 0.1)),
    congestion_std_usd_per_mwh: round4(std(cong)),
    loss_ratio: round4(ratios.length ? clamp(median(ratios), -0.2, 0.2) : 0),
  };
}

/** Local hour, weekday and date of each instant; cached per UTC quarter-hour since offsets are whole quarter-hours. */
function localCalendar(t: number[], timezone: string) {
  const cache = new Map<number, { hour: number; dow: number; date: string }>();
  const hour: number[] = [];
  const dow: number[] = [];
  const date: string[] = [];
  for (const ms of t) {
    const q = Math.floor(ms / 900_000);
    let c = cache.get(q);
    if (!c) {
      const z = utcToZonedParts(ms, timezone);
      c = { hour: z.hour, dow: new Date(Date.UTC(z.year, z.month - 1, z.day)).getUTCDay(), date: z.date };
      cache.set(q, c);
    }
    hour.push(c.hour);
    dow.push(c.dow);
    date.push(c.date);
  }
  return { hour, dow, date };
}

/** Replaces nulls by linear interpolation between the nearest known neighbours on a circle. */
function fillCircular(xs: (number | null)[]): number[] {
  const n = xs.length;
  if (xs.every((x) => x === null)) return xs.map(() => 0);
  return xs.map((x, i) => {
    if (x !== null) return x;
    let a = 1;
    while (xs[(i - a + n) % n] === null) a++;
    let b = 1;
    while (xs[(i + b) % n] === null) b++;
    const lo = xs[(i - a + n) % n]!;
    const hi = xs[(i + b) % n]!;
    return lo + ((hi - lo) * a) / (a + b);
  });
}

/** Robust spread of residuals around their UTC hour's mean: the sub-hourly scatter of RT prices. */
function withinHourStd(t: number[], r: number[]): number | null {
  const byHour = new Map<number, number[]>();
  for (let i = 0; i < t.length; i++) {
    const h = Math.floor(t[i]! / HOUR_MS);
    const list = byHour.get(h) ?? [];
    list.push(r[i]!);
    byHour.set(h, list);
  }
  const dev: number[] = [];
  for (const list of byHour.values()) {
    if (list.length < 2) continue;
    const m = list.reduce((a, b) => a + b, 0) / list.length;
    for (const x of list) dev.push(x - m);
  }
  return dev.length ? 1.4826 * median(dev.map(Math.abs)) : null;
}

function medianStepMs(t: number[]): number {
  const d: number[] = [];
  for (let i = 1; i < t.length; i++) if (t[i]! > t[i - 1]!) d.push(t[i]! - t[i - 1]!);
  return d.length ? median(d) : HOUR_MS;
}

/** Mean of the values left after dropping the lowest and highest `fraction` of them. */
function trimmedMean(xs: readonly number[], fraction: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.floor(s.length * fraction);
  const kept = s.length - 2 * k > 0 ? s.slice(k, s.length - k) : s;
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function std(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
