/**
 * Multi-output ridge regression with cross-fitted (out-of-fold) predictions, used to give
 * the tree model a linear view of all 24 hours of lagged prices (stacking, Wolpert,
 * "Stacked generalization", Neural Networks 5 (1992)). For every fold k of K contiguous
 * blocks: β_k = (X_{−k}ᵀX_{−k} + λ·n_{−k}·I)⁻¹ X_{−k}ᵀY, and rows of block k get X_k β_k,
 * so no row's linear prediction has seen that row. λ is picked from `lambdas` by the
 * out-of-fold mean absolute error; the final β is fitted on all rows with it.
 * Columns must be standardised by the caller; the last column may be a constant 1
 * (intercept), which is not penalised.
 */
export interface CrossFittedRidge {
  /** out-of-fold predictions, row-major n × outputs */
  oof: Float64Array;
  /** coefficients on all rows, per output */
  beta: Float64Array[];
  lambda: number;
}

export function crossFittedRidge(
  X: Float64Array, n: number, p: number, Y: Float64Array[], folds: number, lambdas: number[], interceptLast = true,
): CrossFittedRidge {
  const q = Y.length;
  const foldOf = (i: number) => Math.min(folds - 1, Math.floor((i * folds) / n));
  const G = Array.from({ length: folds }, () => new Float64Array(p * p));
  const B = Array.from({ length: folds }, () => Array.from({ length: q }, () => new Float64Array(p)));
  for (let i = 0; i < n; i++) {
    const k = foldOf(i), g = G[k]!, row = X.subarray(i * p, i * p + p);
    for (let a = 0; a < p; a++) {
      const xa = row[a]!;
      if (xa === 0) continue;
      const off = a * p;
      for (let b = a; b < p; b++) g[off + b]! += xa * row[b]!;
    }
    for (let o = 0; o < q; o++) { const y = Y[o]![i]!, bo = B[k]![o]!; for (let a = 0; a < p; a++) bo[a]! += row[a]! * y; }
  }
  const Gall = new Float64Array(p * p), Ball = Array.from({ length: q }, () => new Float64Array(p));
  for (let k = 0; k < folds; k++) {
    for (let j = 0; j < p * p; j++) Gall[j]! += G[k]![j]!;
    for (let o = 0; o < q; o++) for (let a = 0; a < p; a++) Ball[o]![a]! += B[k]![o]![a]!;
  }
  const solveWith = (g: Float64Array, b: Float64Array[], nRows: number, lambda: number): Float64Array[] => {
    const A = new Float64Array(p * p);
    for (let a = 0; a < p; a++) for (let c = a; c < p; c++) { A[a * p + c] = g[a * p + c]!; A[c * p + a] = g[a * p + c]!; }
    for (let a = 0; a < p; a++) if (!(interceptLast && a === p - 1)) A[a * p + a]! += lambda * nRows;
    A[(p - 1) * p + (p - 1)]! += 1e-9 * nRows;
    const L = cholesky(A, p);
    return b.map((rhs) => choleskySolve(L, p, rhs));
  };
  let best: CrossFittedRidge | null = null, bestErr = Infinity;
  for (const lambda of lambdas) {
    const oof = new Float64Array(n * q);
    for (let k = 0; k < folds; k++) {
      const g = new Float64Array(p * p);
      for (let j = 0; j < p * p; j++) g[j] = Gall[j]! - G[k]![j]!;
      const b = Ball.map((bo, o) => bo.map((v, a) => v - B[k]![o]![a]!));
      let nk = 0;
      for (let i = 0; i < n; i++) if (foldOf(i) === k) nk++;
      const beta = solveWith(g, b, n - nk, lambda);
      for (let i = 0; i < n; i++) {
        if (foldOf(i) !== k) continue;
        const row = X.subarray(i * p, i * p + p);
        for (let o = 0; o < q; o++) { let s = 0; const bo = beta[o]!; for (let a = 0; a < p; a++) s += row[a]! * bo[a]!; oof[i * q + o] = s; }
      }
    }
    let err = 0;
    for (let i = 0; i < n; i++) for (let o = 0; o < q; o++) err += Math.abs(oof[i * q + o]! - Y[o]![i]!);
    if (err < bestErr) { bestErr = err; best = { oof, beta: [], lambda }; }
  }
  best!.beta = solveWith(Gall, Ball, n, best!.lambda);
  return best!;
}

/** Lower-triangular L with A = L Lᵀ (A symmetric positive definite, row-major). */
export function cholesky(A: Float64Array, p: number): Float64Array {
  const L = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * p + j]!;
      for (let k = 0; k < j; k++) s -= L[i * p + k]! * L[j * p + k]!;
      if (i === j) L[i * p + i] = Math.sqrt(Math.max(s, 1e-12));
      else L[i * p + j] = s / L[j * p + j]!;
    }
  }
  return L;
}

/** Solves L Lᵀ x = b. */
export function choleskySolve(L: Float64Array, p: number, b: Float64Array): Float64Array {
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) { let s = b[i]!; for (let k = 0; k < i; k++) s -= L[i * p + k]! * z[k]!; z[i] = s / L[i * p + i]!; }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) { let s = z[i]!; for (let k = i + 1; k < p; k++) s -= L[k * p + i]! * x[k]!; x[i] = s / L[i * p + i]!; }
  return x;
}
