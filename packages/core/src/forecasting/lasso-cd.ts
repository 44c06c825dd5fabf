import { lassoActiveSetPolish } from './lasso-active-set.js';

/**
 * LASSO by cyclic coordinate descent on a precomputed Gram matrix, minimising
 *   (1/(2n))·||y − Xw||² + alpha·||w||₁
 * for centred X and y (Friedman, Hastie, Tibshirani, "Regularization paths for
 * generalized linear models via coordinate descent", J. Stat. Softw. 33 (2010)).
 * Coordinate update: w_j ← S(q_j − (Gw)_j + G_jj·w_j, n·alpha) / G_jj with S the soft
 * threshold. Stopping rule as scikit-learn's `enet_coordinate_descent_gram`: when the
 * largest update is below tol·max|w|, the duality gap is computed and the loop ends
 * once gap < tol·yᵀy. `w` is the warm start and is updated in place. Converges to the
same optimum as scikit-learn's plain cyclic loop, not to its iterates when that one
stops at max_iter. Unless `polish: false`, five sweeps are followed by an exact
active-set solve (`lassoActiveSetPolish`), accepted when its duality gap passes.
 */
export interface LassoCdResult {
  n_iter: number;
  gap: number;
  converged: boolean;
}

export function lassoCoordinateDescentGram(
  gram: Float64Array,
  xty: Float64Array,
  yty: number,
  n: number,
  alpha: number,
  w: Float64Array,
  opts: { tol?: number; max_iter?: number; polish?: boolean } = {},
): LassoCdResult {
  const p = xty.length;
  const relTol = opts.tol ?? 1e-4;
  const gapTol = relTol * yty;
  const maxIter = opts.max_iter ?? 2500;
  const l1 = alpha * n;
  const h = new Float64Array(p); // G·w
  const recomputeH = () => {
    h.fill(0);
    for (let i = 0; i < p; i++) {
      const wi = w[i]!;
      if (wi === 0) continue;
      const row = i * p;
      for (let j = 0; j < p; j++) h[j]! += wi * gram[row + j]!;
    }
  };
  recomputeH();
  if (opts.polish !== false) {
    // a few plain sweeps find the support, then the exact active-set solve finishes it
    for (let it = 0; it < 5; it++) {
      for (let j = 0; j < p; j++) {
        const gjj = gram[j * p + j]!;
        if (gjj === 0) continue;
        const old = w[j]!;
        const t = xty[j]! - h[j]! + gjj * old;
        const nw = t > l1 ? (t - l1) / gjj : t < -l1 ? (t + l1) / gjj : 0;
        if (nw !== old) {
          w[j] = nw;
          const row = j * p;
          for (let m = 0; m < p; m++) h[m]! += (nw - old) * gram[row + m]!;
        }
      }
    }
    const trial = Float64Array.from(w);
    if (lassoActiveSetPolish(gram, xty, l1, trial)) {
      w.set(trial);
      recomputeH();
      const g = lassoDualityGap(xty, yty, l1, w, h);
      if (g < gapTol) return { n_iter: 5, gap: g, converged: true };
    }
  }
  const active = new Int32Array(p);
  let gap = Infinity;
  let sweeps = 0;
  // Active-set strategy (Friedman et al. 2010, Sec. 2.6): a full sweep fixes the active
  // set, then sweeps over the active set only (with G·w kept on it alone) until they stall.
  while (sweeps < maxIter) {
    let wMax = 0, dMax = 0, nA = 0;
    for (let j = 0; j < p; j++) {
      const gjj = gram[j * p + j]!;
      if (gjj === 0) continue;
      const old = w[j]!;
      const t = xty[j]! - h[j]! + gjj * old;
      const nw = t > l1 ? (t - l1) / gjj : t < -l1 ? (t + l1) / gjj : 0;
      if (nw !== old) {
        const d = nw - old;
        w[j] = nw;
        const row = j * p;
        for (let m = 0; m < p; m++) h[m]! += d * gram[row + m]!;
        if (Math.abs(d) > dMax) dMax = Math.abs(d);
      }
      if (nw !== 0) active[nA++] = j;
      if (Math.abs(nw) > wMax) wMax = Math.abs(nw);
    }
    sweeps++;
    if (wMax === 0 || dMax / wMax < relTol || sweeps >= maxIter) {
      gap = lassoDualityGap(xty, yty, l1, w, h);
      if (gap < gapTol) return { n_iter: sweeps, gap, converged: true };
      if (sweeps >= maxIter) break;
    }
    // inner sweeps on the active set
    let inner = 0;
    while (sweeps < maxIter) {
      let iwMax = 0, idMax = 0;
      for (let a = 0; a < nA; a++) {
        const j = active[a]!;
        const gjj = gram[j * p + j]!;
        const old = w[j]!;
        const t = xty[j]! - h[j]! + gjj * old;
        const nw = t > l1 ? (t - l1) / gjj : t < -l1 ? (t + l1) / gjj : 0;
        if (nw !== old) {
          const d = nw - old;
          w[j] = nw;
          const row = j * p;
          for (let b = 0; b < nA; b++) { const m = active[b]!; h[m]! += d * gram[row + m]!; }
          if (Math.abs(d) > idMax) idMax = Math.abs(d);
        }
        if (Math.abs(nw) > iwMax) iwMax = Math.abs(nw);
      }
      sweeps++;
      inner++;
      if (iwMax === 0 || idMax / iwMax < relTol * 0.1) break;
    }
    if (inner > 0) recomputeH();
  }
  return { n_iter: sweeps, gap, converged: false };
}

/** Duality gap of w for the lasso in Gram form (scaled by n, as scikit-learn's cd_fast). */
export function lassoDualityGapGram(gram: Float64Array, xty: Float64Array, yty: number, n: number, alpha: number, w: Float64Array): number {
  const p = xty.length;
  const h = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const wi = w[i]!;
    if (wi === 0) continue;
    for (let j = 0; j < p; j++) h[j]! += wi * gram[i * p + j]!;
  }
  return lassoDualityGap(xty, yty, alpha * n, w, h);
}

/** Duality gap of the lasso (scaled by n) given h = G·w; as scikit-learn's cd_fast. */
function lassoDualityGap(xty: Float64Array, yty: number, l1: number, w: Float64Array, h: Float64Array): number {
  const p = xty.length;
  let dualNorm = 0, qw = 0, wHw = 0, wl1 = 0;
  for (let j = 0; j < p; j++) {
    const r = Math.abs(xty[j]! - h[j]!);
    if (r > dualNorm) dualNorm = r;
    qw += xty[j]! * w[j]!;
    wHw += w[j]! * h[j]!;
    wl1 += Math.abs(w[j]!);
  }
  const rNorm2 = Math.max(yty + wHw - 2 * qw, 0);
  let constant = 1, aNorm2 = rNorm2;
  if (dualNorm > l1) { constant = l1 / dualNorm; aNorm2 = rNorm2 * constant * constant; }
  return 0.5 * (rNorm2 + aNorm2) + l1 * wl1 - constant * (yty - qw);
}
