/**
 * Exact LASSO solution by active-set (feature-sign) search: Lee, Battle, Raina, Ng,
 * "Efficient sparse coding algorithms", NIPS 2006, Alg. 1. Minimises
 *   f(w) = ½·wᵀGw − qᵀw + λ·||w||₁      (λ = n·alpha: the Gram form of the lasso)
 * Given signs θ on an active set A, the optimum solves G_AA w_A = q_A − λθ_A; sign
 * violations are resolved by a discrete line search over the zero crossings, and
 * inactive coordinates violating |q_j − (Gw)_j| ≤ λ enter with the descent sign. Each
 * step lowers f strictly, so it ends in finitely many steps; started from a warm start
 * (coordinate descent or yesterday's solution) it needs only a few solves of size |A|.
 * Returns false (w untouched) if G_AA is numerically singular or steps run out.
 */
export function lassoActiveSetPolish(gram: Float64Array, q: Float64Array, lambda: number, w: Float64Array, maxSteps = 200): boolean {
  const p = q.length;
  const x = Float64Array.from(w);
  const theta = new Float64Array(p);
  let A: number[] = [];
  for (let j = 0; j < p; j++) if (x[j] !== 0) { A.push(j); theta[j] = Math.sign(x[j]!); }
  const obj = (v: Float64Array, idx: number[]) => {
    let f = 0;
    for (const i of idx) {
      const vi = v[i]!;
      if (vi === 0) continue;
      let gi = 0;
      for (const k of idx) gi += gram[i * p + k]! * v[k]!;
      f += 0.5 * vi * gi - q[i]! * vi + lambda * Math.abs(vi);
    }
    return f;
  };
  for (let step = 0; step < maxSteps; step++) {
    if (A.length) {
      const sol = solveSpd(gram, p, A, A.map((j) => q[j]! - lambda * theta[j]!));
      if (!sol) return false;
      let signsOk = true;
      A.forEach((j, i) => { if (Math.sign(sol[i]!) !== theta[j]) signsOk = false; });
      if (signsOk) {
        A.forEach((j, i) => (x[j] = sol[i]!));
      } else {
        // discrete line search from x_A to sol over the points where a coefficient crosses 0
        const ts: number[] = [1];
        A.forEach((j, i) => {
          const a = x[j]!, b = sol[i]!;
          if (a !== 0 && Math.sign(a) !== Math.sign(b)) ts.push(a / (a - b));
        });
        let bestT = 1, bestF = Infinity;
        const cand = new Float64Array(p);
        for (const t of ts) {
          A.forEach((j, i) => (cand[j] = x[j]! + t * (sol[i]! - x[j]!)));
          const f = obj(cand, A);
          if (f < bestF) { bestF = f; bestT = t; }
        }
        A.forEach((j, i) => {
          const v = x[j]! + bestT * (sol[i]! - x[j]!);
          x[j] = Math.abs(v) < 1e-14 * (1 + Math.abs(x[j]!)) ? 0 : v;
        });
        A = A.filter((j) => x[j] !== 0);
        for (const j of A) theta[j] = Math.sign(x[j]!);
        continue;
      }
    }
    // optimality of zero coefficients
    let worst = -1, worstV = lambda * (1 + 1e-12);
    const gw = new Float64Array(p);
    for (const k of A) { const xk = x[k]!; const row = k * p; for (let j = 0; j < p; j++) gw[j]! += xk * gram[row + j]!; }
    for (let j = 0; j < p; j++) {
      if (x[j] !== 0 || !(gram[j * p + j]! > 0)) continue;
      const v = Math.abs(q[j]! - gw[j]!);
      if (v > worstV) { worstV = v; worst = j; }
    }
    if (worst < 0) { w.set(x); return true; }
    theta[worst] = Math.sign(q[worst]! - gw[worst]!);
    A.push(worst);
  }
  return false;
}

/** Solves G_AA z = rhs by Cholesky; null if not numerically positive definite. */
function solveSpd(gram: Float64Array, p: number, A: number[], rhs: number[]): Float64Array | null {
  const k = A.length;
  const L = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = gram[A[i]! * p + A[j]!]!;
      for (let m = 0; m < j; m++) s -= L[i * k + m]! * L[j * k + m]!;
      if (i === j) {
        if (!(s > 1e-10 * gram[A[i]! * p + A[i]!]!)) return null;
        L[i * k + i] = Math.sqrt(s);
      } else L[i * k + j] = s / L[j * k + j]!;
    }
  }
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) { let s = rhs[i]!; for (let m = 0; m < i; m++) s -= L[i * k + m]! * z[m]!; z[i] = s / L[i * k + i]!; }
  for (let i = k - 1; i >= 0; i--) { let s = z[i]!; for (let m = i + 1; m < k; m++) s -= L[m * k + i]! * z[m]!; z[i] = s / L[i * k + i]!; }
  return z;
}
