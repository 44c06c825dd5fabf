/**
 * LASSO path by LARS with the lasso modification (Efron, Hastie, Johnstone, Tibshirani,
 * "Least angle regression", Ann. Statist. 32 (2004), Sec. 3.1), in Gram form, with the
 * regularisation selected by an information criterion along the path as scikit-learn's
 * `LassoLarsIC` does.
 *
 * Conventions follow scikit-learn (`lars_path`, method='lasso'): the data are already
 * centred (and, for LassoLarsIC with normalize=True, columns scaled to unit L2 norm);
 * `alpha` is the max absolute residual correlation divided by n, i.e. the penalty of
 * (1/(2n))·||y − Xw||² + alpha·||w||₁. The criterion is the one of scikit-learn < 1.1
 * (the version epftoolbox's published LEAR forecasts were produced with, 2020):
 *   crit_k = n·MSE_k / (var(y) + eps) + K·df_k,   K = 2 (AIC) or ln n (BIC),
 * df_k = number of non-zero coefficients at knot k (Zou, Hastie, Tibshirani 2007).
 */
export interface LarsIcResult {
  /** Selected alpha (a knot of the path). */
  alpha: number;
  /** Coefficients at the selected knot (in the space of the given Gram). */
  coef: Float64Array;
  criterion: number;
  /** Number of LARS steps taken. */
  n_iter: number;
  /** Alphas at every knot (only if `record_path`). */
  alphas?: number[];
  criteria?: number[];
}

export interface LarsIcOptions {
  criterion?: 'aic' | 'bic';
  max_iter?: number;
  record_path?: boolean;
  /**
   * Reproduce scikit-learn <= 0.22 (the version behind epftoolbox's published LEAR
   * forecasts) when n <= p: there `lars_path(Gram='auto')` falls back to Gram=None
   * without copying X, swaps X's columns in place while it runs, and LassoLarsIC then
   * computes every knot's residuals with the permuted X. The criterion is then
   * evaluated on that permuted design (fixed in scikit-learn 0.23). No effect for n > p.
   */
  sklearn_legacy_permuted_residuals?: boolean;
  /**
   * Stop the path once 2·(df − margin) exceeds the best criterion so far: since RSS ≥ 0,
   * a later knot can only win if df falls by more than `margin` first, which on LEAR
   * problems we never observed. Undefined = follow the whole path (exact LassoLarsIC).
   * Ignored with the legacy permuted-residual criterion.
   */
  early_stop_df_margin?: number;
  /** Stop the path at this alpha (the coefficients are then the lasso solution there). */
  alpha_stop?: number;
}

const EQ_TOL = 1.1920928955078125e-7; // float32 eps, scikit-learn's equality tolerance on alpha
const EPS = 2.220446049250313e-16;
const TINY = 1.1754943508222875e-38; // float32 tiny, keeps denominators non-zero

/**
 * @param gram p×p Gram matrix XᵀX (row-major, symmetric) of centred (normalised) X
 * @param xty Xᵀy (length p)
 * @param yty yᵀy of the centred response
 * @param n number of samples
 */
export function lassoLarsIc(gram: Float64Array, xty: Float64Array, yty: number, n: number, opts: LarsIcOptions = {}): LarsIcResult {
  return larsCore(gram, xty, yty, n, opts).result;
}

/**
 * The exact lasso solution at `alpha` by following the LARS-lasso path from alpha_max
 * down to `alpha` (homotopy; Osborne, Presnell, Turlach 2000; Efron et al. 2004) and
 * interpolating inside the last segment, where the path is linear.
 */
export function lassoLarsAtAlpha(gram: Float64Array, xty: Float64Array, n: number, alpha: number, max_iter = 2500): Float64Array {
  return larsCore(gram, xty, 0, n, { alpha_stop: alpha, max_iter }).coef;
}

function larsCore(gram: Float64Array, xty: Float64Array, yty: number, n: number, opts: LarsIcOptions): { result: LarsIcResult; coef: Float64Array } {
  const alphaStop = opts.alpha_stop ?? 0;
  const p = xty.length;
  const K = (opts.criterion ?? 'aic') === 'aic' ? 2 : Math.log(n);
  const maxIter = opts.max_iter ?? 500;
  const sigma2 = yty / n + EPS;
  const c = Float64Array.from(xty); // residual correlations Xᵀ(y − Xb)
  const b = new Float64Array(p);
  const state = new Int8Array(p); // 0 inactive, 1 active, -1 excluded (zero column or degenerate)
  for (let j = 0; j < p; j++) if (!(gram[j * p + j]! > 0)) state[j] = -1;
  const active: number[] = [];
  const sign = new Float64Array(p); // by active position
  const L = scratchCholesky(p); // Cholesky factor of G_AA, row-major k×k in a p-stride buffer
  const z = new Float64Array(p); // L⁻¹ s_A (forward solve), kept incrementally
  const w = new Float64Array(p); // direction on the active set
  const a = new Float64Array(p); // G[:, A]·w
  const inact = new Int32Array(p);
  // gA[j·p + i] = gram[active[i]·p + j]: the active rows packed so that the products
  // G[A, j]ᵀ·v are contiguous dot products (same summation order as row by row)
  const gA = scratchActiveRows(p);
  const bA = new Float64Array(p); // b on the active set, by position
  const alphas: number[] = [];
  const criteria: number[] = [];

  const legacy = !!opts.sklearn_legacy_permuted_residuals && n <= p;
  // scikit-learn's column order of X (xOrder) and of its covariance bookkeeping (order)
  const order = legacy ? Array.from({ length: p }, (_, i) => i) : [];
  const xOrder = legacy ? Array.from({ length: p }, (_, i) => i) : [];
  // legacy knots, flat: knot m has alpha knotAlpha[m] and entries knotStart[m]..knotStart[m+1]
  const knotAlpha: number[] = [], knotStart: number[] = [0], knotIdx: number[] = [], knotVal: number[] = [];
  const swapBoth = (i: number, j: number, alsoOrder: boolean) => {
    [xOrder[i], xOrder[j]] = [xOrder[j]!, xOrder[i]!];
    if (alsoOrder) [order[i], order[j]] = [order[j]!, order[i]!];
  };

  const best = { crit: yty / sigma2, alpha: 0, coef: new Float64Array(p) };
  let C = 0;
  for (let j = 0; j < p; j++) if (state[j] === 0 && Math.abs(c[j]!) > C) C = Math.abs(c[j]!);
  best.alpha = C / n;
  if (opts.record_path) { alphas.push(C / n); criteria.push(best.crit); }
  let prevAlpha = C / n;
  let dropped = -1;
  let nIter = 0;
  let zValid = 0; // z is valid for active positions < zValid

  while (C / n > EQ_TOL && C / n > alphaStop && nIter < maxIter) {
    if (dropped < 0) {
      // add the inactive variable with the largest correlation
      let jmax = -1, cmax = -1;
      for (let j = 0; j < p; j++) if (state[j] === 0 && Math.abs(c[j]!) > cmax) { cmax = Math.abs(c[j]!); jmax = j; }
      if (jmax < 0) break;
      const k = active.length;
      const legacyPos = legacy ? order.indexOf(jmax) : -1;
      // Cholesky update: new row l = L⁻¹ G[A, j], diag = sqrt(G_jj − |l|²)
      let ss = 0;
      for (let i = 0; i < k; i++) {
        let s = gram[active[i]! * p + jmax]!;
        for (let m = 0; m < i; m++) s -= L[i * p + m]! * L[k * p + m]!;
        const v = s / L[i * p + i]!;
        L[k * p + i] = v;
        ss += v * v;
      }
      const diag = Math.sqrt(Math.max(Math.abs(gram[jmax * p + jmax]! - ss), EPS));
      if (diag < 1e-7 * Math.sqrt(gram[jmax * p + jmax]!)) {
        state[jmax] = -1; // linearly dependent on the active set: never enters
        if (legacy) swapBoth(k, legacyPos, false); // sklearn swaps X but restores its Cov order
        continue;
      }
      if (legacy) swapBoth(k, legacyPos, true);
      const src = jmax * p;
      for (let j = 0; j < p; j++) gA[j * p + k] = gram[src + j]!;
      L[k * p + k] = diag;
      active.push(jmax);
      state[jmax] = 1;
      sign[k] = Math.sign(c[jmax]!);
    }
    const k = active.length;
    if (k === 0) break;
    // forward solve z = L⁻¹ s (incremental: only new positions)
    for (let i = zValid; i < k; i++) {
      let s = sign[i]!;
      for (let m = 0; m < i; m++) s -= L[i * p + m]! * z[m]!;
      z[i] = s / L[i * p + i]!;
    }
    zValid = k;
    // back solve w = L⁻ᵀ z ; then AA = 1/sqrt(sᵀ G⁻¹ s) = 1/|z|
    let zz = 0;
    for (let i = 0; i < k; i++) zz += z[i]! * z[i]!;
    for (let i = k - 1; i >= 0; i--) {
      let s = z[i]!;
      for (let m = i + 1; m < k; m++) s -= L[m * p + i]! * w[m]!;
      w[i] = s / L[i * p + i]!;
    }
    const AA = 1 / Math.sqrt(Math.max(zz, EPS));
    for (let i = 0; i < k; i++) w[i]! *= AA;
    // a = G[:, A]·w, needed for inactive variables only (active ones equal AA·sign)
    let nIn = 0;
    for (let j = 0; j < p; j++) if (state[j] === 0) inact[nIn++] = j;
    activeProducts(gA, p, w, k, inact, nIn, a);
    // step to the next knot
    let gamma = C / AA;
    for (let t = 0; t < nIn; t++) {
      const j = inact[t]!;
      if (j === dropped) continue;
      const g1 = (C - c[j]!) / (AA - a[j]! + TINY);
      const g2 = (C + c[j]!) / (AA + a[j]! + TINY);
      if (g1 > 0 && g1 < gamma) gamma = g1;
      if (g2 > 0 && g2 < gamma) gamma = g2;
    }
    // lasso modification: a coefficient reaching zero leaves the active set
    let dropPos = -1;
    for (let i = 0; i < k; i++) {
      const zi = -b[active[i]!]! / (w[i]! + TINY);
      if (zi > 0 && zi < gamma) { gamma = zi; dropPos = i; }
    }
    nIter++;
    let last = false;
    if (alphaStop > 0 && (C - gamma * AA) / n <= alphaStop) {
      gamma = (C - n * alphaStop) / AA; // the path is linear inside the segment
      dropPos = -1;
      last = true;
    }
    for (let i = 0; i < k; i++) b[active[i]!]! += gamma * w[i]!;
    for (let t = 0; t < nIn; t++) { const j = inact[t]!; c[j]! -= gamma * a[j]!; }
    for (let i = 0; i < k; i++) c[active[i]!] = sign[i]! * (C - gamma * AA);
    dropped = -1;
    if (last) break;
    if (dropPos >= 0) {
      const j = active[dropPos]!;
      b[j] = 0;
      state[j] = 0;
      dropped = j;
      choleskyDelete(L, p, k, dropPos);
      active.splice(dropPos, 1);
      for (let m = 0; m < p; m++) gA.copyWithin(m * p + dropPos, m * p + dropPos + 1, m * p + k);
      if (legacy) for (let i = dropPos; i < k - 1; i++) swapBoth(i, i + 1, true);
      for (let i = dropPos; i < k - 1; i++) sign[i] = sign[i + 1]!;
      zValid = 0;
      // refresh correlations from scratch after a drop: c = Xᵀy − G b
      const kA = k - 1;
      for (let i = 0; i < kA; i++) bA[i] = b[active[i]!]!;
      let m = 0;
      for (; m + 1 < p; m += 2) {
        const b0 = m * p, b1 = b0 + p;
        let s0 = xty[m]!, s1 = xty[m + 1]!;
        for (let i = 0; i < kA; i++) { const v = bA[i]!; s0 -= v * gA[b0 + i]!; s1 -= v * gA[b1 + i]!; }
        c[m] = s0; c[m + 1] = s1;
      }
      for (; m < p; m++) {
        const base = m * p;
        let s = xty[m]!;
        for (let i = 0; i < kA; i++) s -= bA[i]! * gA[base + i]!;
        c[m] = s;
      }
    }
    C = 0;
    for (let j = 0; j < p; j++) if (state[j]! >= 0 && Math.abs(c[j]!) > C) C = Math.abs(c[j]!);
    let alpha = C / n;
    if (alpha > prevAlpha) break; // numerical noise dominates the remaining correlation (as scikit-learn)
    if (alpha <= EQ_TOL) alpha = 0;
    prevAlpha = alpha;
    // criterion at this knot: RSS = yᵀy − bᵀXᵀy − bᵀc
    let bq = 0, bc = 0, df = 0;
    for (const jj of active) { bq += b[jj]! * xty[jj]!; bc += b[jj]! * c[jj]!; if (Math.abs(b[jj]!) > EPS) df++; }
    const rss = Math.max(yty - bq - bc, 0);
    const crit = rss / sigma2 + K * df;
    if (legacy) {
      knotAlpha.push(alpha);
      for (const jj of active) { knotIdx.push(jj); knotVal.push(b[jj]!); }
      knotStart.push(knotIdx.length);
      if (opts.record_path) alphas.push(alpha);
      continue; // criteria need the final permutation
    }
    if (opts.record_path) { alphas.push(alpha); criteria.push(crit); }
    if (crit < best.crit) { best.crit = crit; best.alpha = alpha; best.coef.set(b); }
    if (opts.early_stop_df_margin !== undefined && K * (df - opts.early_stop_df_margin) > best.crit) break;
  }
  if (legacy) {
    // residuals with the permuted design: column at position j is x_{xOrder[j]}, so the
    // knot's prediction is X·u with u[xOrder[j]] = b[j]
    const ui = new Int32Array(p);
    const val = new Float64Array(p);
    for (let m = 0; m < knotAlpha.length; m++) {
      const s0 = knotStart[m]!, nk = knotStart[m + 1]! - s0;
      let df = 0;
      for (let a1 = 0; a1 < nk; a1++) {
        const v = knotVal[s0 + a1]!;
        val[a1] = v;
        if (Math.abs(v) > EPS) df++;
      }
      // crit ≥ K·df since the RSS term is ≥ 0: such a knot cannot beat the best (exact skip)
      if (!opts.record_path && K * df >= best.crit) continue;
      for (let a1 = 0; a1 < nk; a1++) ui[a1] = xOrder[knotIdx[s0 + a1]!]!;
      let uq = 0, uGu = 0;
      for (let a1 = 0; a1 < nk; a1++) {
        const va = val[a1]!;
        uq += va * xty[ui[a1]!]!;
        const row = ui[a1]! * p;
        for (let a2 = 0; a2 < nk; a2++) uGu += va * val[a2]! * gram[row + ui[a2]!]!;
      }
      const crit = Math.max(yty - 2 * uq + uGu, 0) / sigma2 + K * df;
      if (opts.record_path) criteria.push(crit);
      if (crit < best.crit) {
        best.crit = crit;
        best.alpha = knotAlpha[m]!;
        best.coef.fill(0);
        for (let a1 = 0; a1 < nk; a1++) best.coef[knotIdx[s0 + a1]!] = val[a1]!;
      }
    }
  }
  const out: LarsIcResult = { alpha: best.alpha, coef: best.coef, criterion: best.crit, n_iter: nIter };
  if (opts.record_path) { out.alphas = alphas; out.criteria = criteria; }
  return { result: out, coef: b };
}

/**
 * out[j] = Σ_i w[i]·gA[j·p + i] over i < k for the listed j, summed in order i = 0..k−1,
 * four j at a time (independent sums, hiding the add latency). A small function so the
 * JIT optimises it after few calls.
 */
function activeProducts(gA: Float64Array, p: number, w: Float64Array, k: number, idx: Int32Array, nIdx: number, out: Float64Array): void {
  let t = 0;
  for (; t + 3 < nIdx; t += 4) {
    const j0 = idx[t]!, j1 = idx[t + 1]!, j2 = idx[t + 2]!, j3 = idx[t + 3]!;
    const b0 = j0 * p, b1 = j1 * p, b2 = j2 * p, b3 = j3 * p;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = 0; i < k; i++) {
      const wi = w[i]!;
      s0 += wi * gA[b0 + i]!; s1 += wi * gA[b1 + i]!; s2 += wi * gA[b2 + i]!; s3 += wi * gA[b3 + i]!;
    }
    out[j0] = s0; out[j1] = s1; out[j2] = s2; out[j3] = s3;
  }
  for (; t < nIdx; t++) {
    const j = idx[t]!;
    const base = j * p;
    let s = 0;
    for (let i = 0; i < k; i++) s += w[i]! * gA[base + i]!;
    out[j] = s;
  }
}

// Reusable p×p buffers: the solver is synchronous and not re-entrant, so one of each per
// module suffices, and the 2·24 paths per window no longer allocate half a megabyte each.
let activeRowsBuf = new Float64Array(0);
let choleskyBuf = new Float64Array(0);
function scratchActiveRows(p: number): Float64Array {
  if (activeRowsBuf.length < p * p) activeRowsBuf = new Float64Array(p * p);
  return activeRowsBuf;
}
/** Zeroed, as a fresh array would be. */
function scratchCholesky(p: number): Float64Array {
  if (choleskyBuf.length < p * p) choleskyBuf = new Float64Array(p * p);
  else choleskyBuf.fill(0, 0, p * p);
  return choleskyBuf;
}

/**
 * Removes row/column `pos` from the k×k Cholesky factor L (lower, row-major, stride p)
 * of G_AA: deleting row `pos` leaves a lower-Hessenberg block that Givens rotations on
 * adjacent columns make triangular again (Golub & Van Loan, Matrix Computations, 6.5.4).
 */
export function choleskyDelete(L: Float64Array, p: number, k: number, pos: number): void {
  for (let i = pos; i < k - 1; i++) for (let m = 0; m <= i + 1; m++) L[i * p + m] = L[(i + 1) * p + m]!;
  for (let m = 0; m < k; m++) L[(k - 1) * p + m] = 0;
  for (let i = pos; i < k - 1; i++) {
    const x = L[i * p + i]!, y = L[i * p + i + 1]!;
    const r = Math.hypot(x, y);
    if (r === 0) continue;
    const cs = x / r, sn = y / r;
    for (let row = i; row < k - 1; row++) {
      const u = L[row * p + i]!, v = L[row * p + i + 1]!;
      L[row * p + i] = cs * u + sn * v;
      L[row * p + i + 1] = -sn * u + cs * v;
    }
    if (L[i * p + i]! < 0) for (let row = i; row < k - 1; row++) L[row * p + i] = -L[row * p + i]!;
  }
  for (let i = 0; i < k - 1; i++) L[i * p + k - 1] = 0;
}
