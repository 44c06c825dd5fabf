import { mulberry32 } from '../simulation/rng.js';

/**
 * Histogram gradient-boosted regression trees (the LightGBM / scikit-learn
 * HistGradientBoosting recipe: Friedman, "Greedy function approximation: a gradient
 * boosting machine", Ann. Stat. 29 (2001); Ke et al., "LightGBM", NeurIPS 2017).
 * Squared-error loss; each feature is cut into at most `max_bins` quantile bins, trees
 * grow depth-wise, a split's gain is
 *   G_L²/(n_L + λ) + G_R²/(n_R + λ) − G²/(n + λ)
 * (G = sum of gradients, n = rows, λ = L2 penalty on leaf values), and a leaf's value is
 * −η·G/(n + λ). Rows and features are subsampled per tree with a seeded generator, so a
 * fit is reproducible.
 */
export interface GbmOptions {
  n_trees?: number;
  learning_rate?: number;
  max_depth?: number;
  min_samples_leaf?: number;
  lambda?: number;
  max_bins?: number;
  subsample?: number;
  colsample?: number;
  seed?: number;
}

export interface GbmTree {
  /** Per node: split feature (−1 for a leaf), threshold (left if x ≤ threshold), children, leaf value. */
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

export interface GbmModel {
  base: number;
  trees: GbmTree[];
  n_features: number;
}

/** Fits on column-major features `cols[j][i]` and targets `y[i]`. */
export function fitGbm(cols: Float64Array[], y: Float64Array, options: GbmOptions = {}): GbmModel {
  const o = {
    n_trees: 300, learning_rate: 0.05, max_depth: 6, min_samples_leaf: 40, lambda: 1, max_bins: 64,
    subsample: 0.7, colsample: 0.8, seed: 1, ...options,
  };
  const n = y.length, p = cols.length;
  const edges = cols.map((c) => quantileEdges(c, o.max_bins));
  const bins = cols.map((c, j) => binColumn(c, edges[j]!));
  let base = 0;
  for (let i = 0; i < n; i++) base += y[i]!;
  base = n ? base / n : 0;
  const pred = new Float64Array(n).fill(base);
  const grad = new Float64Array(n);
  const rand = mulberry32(o.seed);
  const trees: GbmTree[] = [];
  const allRows = Int32Array.from({ length: n }, (_, i) => i);
  const nSample = Math.max(1, Math.round(n * o.subsample));
  const nFeat = Math.max(1, Math.round(p * o.colsample));
  const histG = new Float64Array(o.max_bins), histN = new Float64Array(o.max_bins);
  for (let t = 0; t < o.n_trees; t++) {
    for (let i = 0; i < n; i++) grad[i] = pred[i]! - y[i]!;
    const rows = o.subsample < 1 ? sampleRows(allRows, nSample, rand) : allRows;
    const feats = o.colsample < 1 ? sampleRows(Int32Array.from({ length: p }, (_, j) => j), nFeat, rand) : Int32Array.from({ length: p }, (_, j) => j);
    const tree: { feature: number[]; threshold: number[]; bin: number[]; left: number[]; right: number[]; value: number[] } = {
      feature: [], threshold: [], bin: [], left: [], right: [], value: [],
    };
    const grow = (idx: Int32Array, depth: number): number => {
      const node = tree.feature.length;
      tree.feature.push(-1); tree.threshold.push(0); tree.bin.push(0); tree.left.push(-1); tree.right.push(-1); tree.value.push(0);
      const N = idx.length;
      let G = 0;
      for (let k = 0; k < N; k++) G += grad[idx[k]!]!;
      tree.value[node] = (-o.learning_rate * G) / (N + o.lambda);
      if (depth >= o.max_depth || N < 2 * o.min_samples_leaf) return node;
      const parentScore = (G * G) / (N + o.lambda);
      let bestGain = 1e-12, bestF = -1, bestB = -1;
      for (const j of feats) {
        const nb = edges[j]!.length + 1;
        if (nb < 2) continue;
        histG.fill(0, 0, nb); histN.fill(0, 0, nb);
        const b = bins[j]!;
        for (let k = 0; k < N; k++) { const i = idx[k]!; const v = b[i]!; histG[v]! += grad[i]!; histN[v]! += 1; }
        let gl = 0, nl = 0;
        for (let v = 0; v < nb - 1; v++) {
          gl += histG[v]!; nl += histN[v]!;
          const nr = N - nl;
          if (nl < o.min_samples_leaf) continue;
          if (nr < o.min_samples_leaf) break;
          const gr = G - gl;
          const gain = (gl * gl) / (nl + o.lambda) + (gr * gr) / (nr + o.lambda) - parentScore;
          if (gain > bestGain) { bestGain = gain; bestF = j; bestB = v; }
        }
      }
      if (bestF < 0) return node;
      const b = bins[bestF]!;
      let nl = 0;
      for (let k = 0; k < idx.length; k++) if (b[idx[k]!]! <= bestB) nl++;
      const li = new Int32Array(nl), ri = new Int32Array(idx.length - nl);
      let a = 0, c = 0;
      for (let k = 0; k < idx.length; k++) { const i = idx[k]!; if (b[i]! <= bestB) li[a++] = i; else ri[c++] = i; }
      tree.feature[node] = bestF;
      tree.threshold[node] = edges[bestF]![bestB]!;
      tree.bin[node] = bestB;
      tree.left[node] = grow(li, depth + 1);
      tree.right[node] = grow(ri, depth + 1);
      return node;
    };
    grow(rows, 0);
    const built: GbmTree = {
      feature: Int32Array.from(tree.feature), threshold: Float64Array.from(tree.threshold),
      left: Int32Array.from(tree.left), right: Int32Array.from(tree.right), value: Float64Array.from(tree.value),
    };
    trees.push(built);
    // every training row (sampled or not) moves by the new tree's leaf value
    const nodeBin = tree.bin;
    for (let i = 0; i < n; i++) {
      let node = 0;
      while (built.feature[node]! >= 0) node = bins[built.feature[node]!]![i]! <= nodeBin[node]! ? built.left[node]! : built.right[node]!;
      pred[i]! += built.value[node]!;
    }
  }
  return { base, trees, n_features: p };
}

/** Prediction for one feature row. */
export function predictGbm(model: GbmModel, x: ArrayLike<number>): number {
  let out = model.base;
  for (const t of model.trees) {
    let node = 0;
    while (t.feature[node]! >= 0) node = x[t.feature[node]!]! <= t.threshold[node]! ? t.left[node]! : t.right[node]!;
    out += t.value[node]!;
  }
  return out;
}

/** Up to max_bins − 1 distinct cut values at evenly spaced quantiles (NaN-free input). */
export function quantileEdges(values: Float64Array, maxBins: number): Float64Array {
  const s = Float64Array.from(values).sort();
  const out: number[] = [];
  for (let k = 1; k < maxBins; k++) {
    const v = s[Math.min(s.length - 1, Math.floor((k * s.length) / maxBins))]!;
    if (v < s[s.length - 1]! && (out.length === 0 || v > out[out.length - 1]!)) out.push(v);
  }
  return Float64Array.from(out);
}

/** Bin b holds edges[b−1] < x ≤ edges[b] (bin edges.length for x above the last edge). */
function binOf(edges: Float64Array, x: number): number {
  let lo = 0, hi = edges.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (x <= edges[mid]!) hi = mid; else lo = mid + 1; }
  return lo;
}

function binColumn(c: Float64Array, edges: Float64Array): Uint8Array {
  const out = new Uint8Array(c.length);
  for (let i = 0; i < c.length; i++) out[i] = binOf(edges, c[i]!);
  return out;
}

/** k distinct entries of `from` (partial Fisher–Yates), sorted for cache-friendly scans. */
function sampleRows(from: Int32Array, k: number, rand: () => number): Int32Array {
  const a = Int32Array.from(from);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (a.length - i));
    const t = a[i]!; a[i] = a[j]!; a[j] = t;
  }
  return a.subarray(0, k).sort();
}
