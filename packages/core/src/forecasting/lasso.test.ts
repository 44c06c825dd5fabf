import { describe, expect, it } from 'vitest';
import { lassoActiveSetPolish } from './lasso-active-set.js';
import { lassoCoordinateDescentGram } from './lasso-cd.js';
import { choleskyDelete, lassoLarsAtAlpha, lassoLarsIc } from './lasso-lars.js';

function rng(seed: number) {
  let s = seed;
  return () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
}

/** Centred random design with correlated columns; returns Gram form. */
function problem(n: number, p: number, seed: number, normalise = false) {
  const r = rng(seed);
  const X = Array.from({ length: p }, () => Float64Array.from({ length: n }, r));
  for (let j = 1; j < p; j++) for (let i = 0; i < n; i++) X[j]![i]! += 0.5 * X[j - 1]![i]!; // correlation
  for (const c of X) {
    const m = c.reduce((a, b) => a + b, 0) / n;
    for (let i = 0; i < n; i++) c[i]! -= m;
    if (normalise) { const s = Math.hypot(...c); for (let i = 0; i < n; i++) c[i]! /= s; }
  }
  const y = Float64Array.from({ length: n }, (_, i) => 2 * X[0]![i]! - 1.5 * X[2]![i]! + 0.3 * r());
  const ym = y.reduce((a, b) => a + b, 0) / n;
  for (let i = 0; i < n; i++) y[i]! -= ym;
  const G = new Float64Array(p * p), q = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) { let s = 0; for (let t = 0; t < n; t++) s += X[i]![t]! * X[j]![t]!; G[i * p + j] = s; }
    let s = 0; for (let t = 0; t < n; t++) s += X[i]![t]! * y[t]!; q[i] = s;
  }
  return { G, q, yty: y.reduce((a, b) => a + b * b, 0), n, p };
}

/** KKT conditions of (1/2n)||y − Xw||² + α||w||₁ in Gram form. */
function kktViolation(G: Float64Array, q: Float64Array, n: number, alpha: number, w: Float64Array): number {
  const p = q.length;
  let worst = 0;
  for (let j = 0; j < p; j++) {
    let g = q[j]!;
    for (let k = 0; k < p; k++) g -= G[j * p + k]! * w[k]!;
    g /= n; // correlation with the residual / n
    const v = w[j] !== 0 ? Math.abs(g - alpha * Math.sign(w[j]!)) : Math.max(0, Math.abs(g) - alpha);
    worst = Math.max(worst, v);
  }
  return worst;
}

describe('lasso solvers', () => {
  it('orthogonal design: every solver gives the soft-thresholded least squares', () => {
    // G = n·I  =>  w_j = S(q_j / n, alpha)
    const n = 10, p = 4;
    const G = new Float64Array(p * p);
    for (let j = 0; j < p; j++) G[j * p + j] = n;
    const q = Float64Array.from([30, -12, 4, 0.5]);
    const alpha = 0.8;
    const expected = [3 - 0.8, -(1.2 - 0.8), 0, 0];
    const wCd = new Float64Array(p);
    lassoCoordinateDescentGram(G, q, 100, n, alpha, wCd, { polish: false });
    const wPath = lassoLarsAtAlpha(G, q, n, alpha);
    const wAs = new Float64Array(p);
    expect(lassoActiveSetPolish(G, q, alpha * n, wAs)).toBe(true);
    for (const w of [wCd, wPath, wAs]) expected.forEach((e, j) => expect(w[j]).toBeCloseTo(e, 12));
    // knots of the path are |q_j|/n = 3, 1.2, 0.4, 0.05
    const ic = lassoLarsIc(G, q, 200, n, { record_path: true });
    expect(ic.alphas!.slice(0, 4).map((a) => Number(a.toFixed(12)))).toEqual([3, 1.2, 0.4, 0.05]);
  });

  it('LARS-IC picks the knot minimising n·MSE/var(y) + 2·df (hand-computed, orthogonal design)', () => {
    const n = 10, p = 3;
    const G = new Float64Array(p * p);
    for (let j = 0; j < p; j++) G[j * p + j] = n;
    const q = Float64Array.from([20, 10, 2]);
    const yty = 60; // var(y) = 6
    // knot alphas 2, 1, 0.2, 0 ; coefficients w_j = (q_j/n − α)+ ; RSS = yty − 2qᵀw + n|w|²
    const crit = (a: number) => {
      const w = [...q].map((v) => Math.max(v / n - a, 0));
      const rss = yty - 2 * w.reduce((s, wj, j) => s + wj * q[j]!, 0) + n * w.reduce((s, wj) => s + wj * wj, 0);
      return rss / 6 + 2 * w.filter((x) => x > 0).length;
    };
    const knots = [2, 1, 0.2, 0];
    const bestAlpha = knots.reduce((b, a) => (crit(a) < crit(b) ? a : b));
    const ic = lassoLarsIc(G, q, yty, n, { criterion: 'aic' });
    expect(ic.alpha).toBeCloseTo(bestAlpha, 12);
    expect(ic.criterion).toBeCloseTo(crit(bestAlpha), 9);
  });

  it('path, coordinate descent and active-set agree on a correlated problem (n > p and n < p)', () => {
    for (const [n, p] of [[60, 12], [15, 30]] as const) {
      const { G, q, yty } = problem(n, p, 7 + p);
      const alphaMax = Math.max(...q.map(Math.abs)) / n;
      for (const f of [0.5, 0.1, 0.02]) {
        const alpha = f * alphaMax;
        const wPath = lassoLarsAtAlpha(G, q, n, alpha);
        const wCd = new Float64Array(p);
        lassoCoordinateDescentGram(G, q, yty, n, alpha, wCd, { tol: 1e-12, max_iter: 100000, polish: false });
        expect(kktViolation(G, q, n, alpha, wPath)).toBeLessThan(1e-9);
        expect(kktViolation(G, q, n, alpha, wCd)).toBeLessThan(1e-6);
        const wPol = new Float64Array(p);
        lassoCoordinateDescentGram(G, q, yty, n, alpha, wPol); // default: sweeps + exact polish
        expect(kktViolation(G, q, n, alpha, wPol)).toBeLessThan(1e-6);
      }
    }
  });

  it('early stop of the IC path does not change the selection on a random problem', () => {
    const { G, q, yty, n } = problem(200, 40, 3, true);
    const full = lassoLarsIc(G, q, yty, n);
    const early = lassoLarsIc(G, q, yty, n, { early_stop_df_margin: 15 });
    expect(early.alpha).toBe(full.alpha);
    expect(early.n_iter).toBeLessThanOrEqual(full.n_iter);
  });

  it('legacy criterion (n < p): the selected knot is the first minimum of the recorded criteria', () => {
    // the unrecorded run skips knots whose K·df alone reaches the best criterion
    for (const seed of [5, 6, 7]) {
      const { G, q, yty, n } = problem(30, 60, seed, true);
      const opts = { sklearn_legacy_permuted_residuals: true } as const;
      const rec = lassoLarsIc(G, q, yty, n, { ...opts, record_path: true });
      const fast = lassoLarsIc(G, q, yty, n, opts);
      const crit = rec.criteria!;
      let arg = 0;
      for (let i = 1; i < crit.length; i++) if (crit[i]! < crit[arg]!) arg = i;
      expect(crit.length).toBeGreaterThan(10);
      expect(fast.alpha).toBe(rec.alphas![arg]);
      expect(fast.criterion).toBe(crit[arg]);
      expect(Array.from(fast.coef)).toEqual(Array.from(rec.coef));
    }
  });

  it('choleskyDelete equals the factor of the reduced matrix', () => {
    const { G, p } = problem(30, 6, 11);
    const chol = (idx: number[]) => {
      const k = idx.length, L = new Float64Array(p * p);
      for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) {
        let s = G[idx[i]! * p + idx[j]!]!;
        for (let m = 0; m < j; m++) s -= L[i * p + m]! * L[j * p + m]!;
        L[i * p + j] = i === j ? Math.sqrt(s) : s / L[j * p + j]!;
      }
      return L;
    };
    const L = chol([0, 1, 2, 3, 4, 5]);
    choleskyDelete(L, p, 6, 2);
    const ref = chol([0, 1, 3, 4, 5]);
    for (let i = 0; i < 5; i++) for (let j = 0; j <= i; j++) expect(L[i * p + j]).toBeCloseTo(ref[i * p + j]!, 10);
  });
});
