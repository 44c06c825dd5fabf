/**
 * Seeded pseudo-random numbers for the price simulator, so a test (or a
 * replayed demo) gets the same path from the same seed.
 */

export interface SimulationRng {
  /** Uniform on [0, 1). */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Exponential with the given mean (> 0). */
  exponential(mean: number): number;
}

/** mulberry32 (Tommy Ettinger, public domain): uniform on [0, 1) from a 32-bit state. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A simulation generator on mulberry32: a 32-bit state generator with
 * period 2^32, ample for a feed that draws a few numbers per tick.
 * Normals by Box–Muller: z = sqrt(−2 ln u1) · cos(2π u2), the sine twin cached.
 * Exponential by inversion: x = −mean · ln(1 − u).
 */
export function createSimulationRng(seed: number): SimulationRng {
  const uniform = mulberry32((Math.floor(seed) ^ 0x9e3779b9) >>> 0);
  let spare: number | null = null;
  const normal = () => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    let u1 = uniform();
    while (u1 <= Number.EPSILON) u1 = uniform();
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
  const exponential = (mean: number) => -mean * Math.log(1 - uniform());
  return { uniform, normal, exponential };
}

/** A 32-bit seed from a string (FNV-1a), so each series gets its own stream. */
export function simulationSeedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
