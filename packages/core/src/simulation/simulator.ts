/**
 * Generates a live-looking price path from a PriceProfile, one price per call,
 * at whatever instants the caller asks for (the feed ticks every few seconds;
 * tests jump hours). Pure apart from its own seeded state.
 */
import { utcToZonedParts } from '../time/zoned.js';
import type { PriceProfile } from './profile.js';
import { createSimulationRng, type SimulationRng } from './rng.js';

export interface SimulatedPrice {
  /** The instant the price is for, UTC epoch ms. */
  t_ms: number;
  lmp_usd_per_mwh: number;
  /** Null when the profile has no components (e.g. ERCOT hubs publish none). */
  energy_usd_per_mwh: number | null;
  congestion_usd_per_mwh: number | null;
  loss_usd_per_mwh: number | null;
  /** The deterministic part μ + d + w at this instant, before noise and events. */
  shape_usd_per_mwh: number;
  /** What is happening: 'spike' or 'negative' while an event is still strong (> 25 %), else 'normal'. */
  regime: 'normal' | 'spike' | 'negative';
}

export interface PriceSimulator {
  readonly profile: PriceProfile;
  /** The price at `t_ms`; instants must not go backwards (an earlier one is treated as the last one). */
  next(t_ms: number): SimulatedPrice;
  /** Forces an event now (demo "market events"): a spike of the given height or a negative price of the given depth. */
  trigger(kind: 'spike' | 'negative', size_usd_per_mwh?: number): void;
}

export interface SimulatorOptions {
  seed: number;
  /** RT interval length for the per-interval scatter, minutes (default 5). */
  interval_min?: number;
}

const HOUR_MS = 3_600_000;

/**
 * State: AR(1) residual x, congestion residual y (unit variance), spike height J
 * and negative-event weight K ∈ [0, 1] with depth D. For a step of Δ hours:
 *
 *   φ_Δ = φ^Δ                                  (AR(1) sampled at Δ, i.e. an Ornstein–Uhlenbeck process)
 *   x ← φ_Δ·x + σ·sqrt(1 − φ_Δ²)·z              (keeps the stationary std σ for any Δ)
 *   J ← J·2^(−Δ/h½), K ← K·2^(−Δ/h½)            (events fade with half-life h½)
 *   a spike starts with probability 1 − e^(−λ_s Δ): J += Exp(mean spike height)
 *   a negative event starts with probability 1 − e^(−λ_n Δ): K = 1, D = Exp(mean depth)
 *   u ~ N(0, s²) drawn once per RT interval (the RT scatter), held while the interval lasts
 *   p = clamp((1 − K)·(μ + d(h) + w(dow) + x + u + J) + K·(−D), floor, cap)
 *
 * d(h) is interpolated linearly between hour centres (h + 0.5) so the path has no
 * steps on the hour. Components satisfy p = energy + congestion + loss with
 * congestion = c̄ + s_c·y and loss = ratio·energy, i.e. energy = (p − congestion)/(1 + ratio).
 */
export function createPriceSimulator(profile: PriceProfile, opts: SimulatorOptions): PriceSimulator {
  const rng: SimulationRng = createSimulationRng(opts.seed);
  const sigma = profile.noise_std_usd_per_mwh;
  let last: number | null = null;
  // Start from the stationary distribution rather than at the mean.
  let x = sigma * rng.normal();
  let y = rng.normal();
  let spike = 0;
  let negWeight = 0;
  let negDepth = 0;
  let forced: { kind: 'spike' | 'negative'; size: number } | null = null;

  const halfLifeH = Math.max(profile.event_half_life_min, 1) / 60;
  const intervalMs = (opts.interval_min ?? 5) * 60_000;
  let intervalIndex = Number.NaN;
  let scatter = 0;

  return {
    profile,
    trigger(kind, size) {
      const s = size ?? (kind === 'spike' ? rng.exponential(profile.spike_mean_usd_per_mwh) : rng.exponential(profile.negative_depth_mean_usd_per_mwh));
      forced = { kind, size: Math.abs(s) };
    },
    next(t_ms) {
      const dtH = last === null ? 0 : Math.max(0, (t_ms - last) / HOUR_MS);
      last = last === null ? t_ms : Math.max(last, t_ms);
      if (dtH > 0) {
        const phi = Math.pow(profile.ar1_per_hour, dtH);
        const innov = Math.sqrt(Math.max(0, 1 - phi * phi));
        x = phi * x + sigma * innov * rng.normal();
        y = phi * y + innov * rng.normal();
        const decay = Math.pow(2, -dtH / halfLifeH);
        spike *= decay;
        negWeight *= decay;
        if (rng.uniform() < 1 - Math.exp(-profile.spike_rate_per_hour * dtH)) spike += rng.exponential(profile.spike_mean_usd_per_mwh);
        if (rng.uniform() < 1 - Math.exp(-profile.negative_rate_per_hour * dtH)) {
          negWeight = 1;
          negDepth = rng.exponential(profile.negative_depth_mean_usd_per_mwh);
        }
      }
      if (forced) {
        // A forced event replaces the opposite one so the demo shows what was asked for.
        if (forced.kind === 'spike') {
          spike += forced.size;
          negWeight = 0;
        } else {
          negWeight = 1;
          negDepth = forced.size;
          spike = 0;
        }
        forced = null;
      }
      const k = Math.floor(t_ms / intervalMs);
      if (k !== intervalIndex) {
        intervalIndex = k;
        scatter = (profile.interval_noise_std_usd_per_mwh ?? 0) * rng.normal();
      }
      const shape = shapeAt(profile, t_ms);
      const raw = (1 - negWeight) * (shape + x + scatter + spike) + negWeight * -negDepth;
      const lmp = round2(Math.min(profile.cap_usd_per_mwh, Math.max(profile.floor_usd_per_mwh, raw)));
      const regime = negWeight > 0.25 ? 'negative' : spike > 0.25 * Math.max(profile.spike_mean_usd_per_mwh, 1) ? 'spike' : 'normal';
      if (!profile.has_components) {
        return { t_ms, lmp_usd_per_mwh: lmp, energy_usd_per_mwh: null, congestion_usd_per_mwh: null, loss_usd_per_mwh: null, shape_usd_per_mwh: round2(shape), regime };
      }
      const congestionRaw = profile.congestion_mean_usd_per_mwh + profile.congestion_std_usd_per_mwh * y;
      const energy = round2((lmp - congestionRaw) / (1 + profile.loss_ratio));
      const loss = round2(profile.loss_ratio * energy);
      const congestion = round2(lmp - energy - loss);
      return { t_ms, lmp_usd_per_mwh: lmp, energy_usd_per_mwh: energy, congestion_usd_per_mwh: congestion, loss_usd_per_mwh: loss, shape_usd_per_mwh: round2(shape), regime };
    },
  };
}

/** μ + d(h) + w(dow) at an instant, d interpolated between hour centres on the market clock. */
export function simulationShapeAt(profile: PriceProfile, t_ms: number): number {
  return shapeAt(profile, t_ms);
}

// The local clock of the quarter-hour an instant falls in, per zone (every zone offset is a whole quarter-hour).
const QUARTER_MS = 900_000;
const lastQuarter = new Map<string, { q: number; minutes: number; dow: number }>();

function localClock(t_ms: number, timezone: string): { minutes: number; dow: number } {
  const q = Math.floor(t_ms / QUARTER_MS);
  let c = lastQuarter.get(timezone);
  if (!c || c.q !== q) {
    const z = utcToZonedParts(q * QUARTER_MS, timezone);
    c = { q, minutes: z.minutes_of_day, dow: new Date(Date.UTC(z.year, z.month - 1, z.day)).getUTCDay() };
    lastQuarter.set(timezone, c);
  }
  return { minutes: c.minutes + (t_ms - q * QUARTER_MS) / 60_000, dow: c.dow };
}

function shapeAt(profile: PriceProfile, t_ms: number): number {
  const { minutes, dow } = localClock(t_ms, profile.timezone);
  const hourPos = minutes / 60 - 0.5;
  const h0 = Math.floor(hourPos);
  const f = hourPos - h0;
  const d = profile.hourly_shape_usd_per_mwh;
  const a = d[(h0 + 24) % 24]!;
  const b = d[(h0 + 25) % 24]!;
  return profile.level_usd_per_mwh + a + (b - a) * f + profile.weekly_shape_usd_per_mwh[dow]!;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
