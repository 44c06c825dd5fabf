import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../simulation/rng.js';
import { fitGbm, predictGbm, quantileEdges } from './gbm.js';
import { crossFittedRidge } from './ridge.js';

describe('gradient-boosted trees', () => {
  // y = 10·[x0 > 0.5]·x1 + noise: an interaction no linear model can fit
  const rand = mulberry32(7);
  const make = (n: number) => {
    const cols = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (const c of cols) c[i] = rand();
      y[i] = 10 * (cols[0]![i]! > 0.5 ? 1 : 0) * cols[1]![i]! + 0.1 * (rand() - 0.5);
    }
    return { cols, y };
  };
  const train = make(4000), test = make(500);

  it('learns a non-linear interaction far better than the mean', () => {
    const m = fitGbm(train.cols, train.y, { n_trees: 200, learning_rate: 0.1, max_depth: 3, min_samples_leaf: 10 });
    let mae = 0, maeMean = 0;
    const mean = train.y.reduce((a, b) => a + b, 0) / train.y.length;
    for (let i = 0; i < 500; i++) {
      const p = predictGbm(m, test.cols.map((c) => c[i]!));
      mae += Math.abs(p - test.y[i]!) / 500;
      maeMean += Math.abs(mean - test.y[i]!) / 500;
    }
    expect(mae).toBeLessThan(0.1 * maeMean);
  });

  it('is reproducible for a seed and differs across seeds (row and feature subsampling)', () => {
    const x = [0.7, 0.3, 0.5];
    const a = predictGbm(fitGbm(train.cols, train.y, { n_trees: 20, seed: 3 }), x);
    const b = predictGbm(fitGbm(train.cols, train.y, { n_trees: 20, seed: 3 }), x);
    const c = predictGbm(fitGbm(train.cols, train.y, { n_trees: 20, seed: 4 }), x);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('quantile edges are distinct and increasing; a 0/1 column gets one cut', () => {
    const e = quantileEdges(Float64Array.from({ length: 1000 }, (_, i) => i % 97), 16);
    for (let i = 1; i < e.length; i++) expect(e[i]!).toBeGreaterThan(e[i - 1]!);
    expect(e.length).toBe(15);
    expect(Array.from(quantileEdges(Float64Array.from({ length: 100 }, (_, i) => i % 2), 64))).toEqual([0]);
  });
});

describe('cross-fitted ridge', () => {
  const n = 200, p = 4; // 3 features + intercept
  const rand = mulberry32(11);
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) X[i * p + j] = rand() - 0.5;
    X[i * p + 3] = 1;
    y[i] = 2 * X[i * p]! - 3 * X[i * p + 1]! + 0.5 * X[i * p + 2]! + 4;
  }

  it('recovers the coefficients of a noiseless linear target with a small penalty', () => {
    const r = crossFittedRidge(X, n, p, [y], 5, [1e-8, 0.1]);
    expect(r.lambda).toBe(1e-8);
    [2, -3, 0.5, 4].forEach((b, j) => expect(r.beta[0]![j]!).toBeCloseTo(b, 5));
  });

  it("a row's out-of-fold prediction does not depend on that row's target", () => {
    const a = crossFittedRidge(X, n, p, [y], 5, [0.01]);
    const y2 = Float64Array.from(y);
    y2[17] = 1000;
    const b = crossFittedRidge(X, n, p, [y2], 5, [0.01]);
    expect(b.oof[17]).toBeCloseTo(a.oof[17]!, 12);
    expect(Math.abs(b.oof[150]! - a.oof[150]!)).toBeGreaterThan(1e-3); // other folds saw it
  });
});
