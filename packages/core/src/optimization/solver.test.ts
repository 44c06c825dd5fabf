import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import loadHighs from 'highs';
import { ModelBuilder, toLpText } from './model.js';
import { buildThermalModel } from './thermal.js';
import { createSolverPool, solveInThread, type SolverPool } from './solver-pool.js';

/** max x + 2y s.t. x + y ≤ 5, 0 ≤ x, y ≤ 4 → y = 4, x = 1, objective 9; dual of `cap` = 1. */
function smallLp() {
  const b = new ModelBuilder('maximize');
  const x = b.addVar('x', { upper: 4, cost: 1 });
  const y = b.addVar('y', { upper: 4, cost: 2 });
  b.le('cap', [[x, 1], [y, 1]], 5);
  return b.build();
}

describe('solver pool', () => {
  let pool: SolverPool;
  beforeAll(async () => {
    pool = createSolverPool({ size: 2, warm_up: 'light' });
    await pool.ready;
  });
  afterAll(async () => pool.close());

  it('solves an LP in a worker with values, objective and duals', async () => {
    const r = await pool.solve(smallLp(), { duals: true });
    expect(r.status).toBe('optimal');
    if (r.status !== 'optimal') return;
    expect(r.objective).toBeCloseTo(9, 9);
    expect(r.values.x).toBeCloseTo(1, 9);
    expect(r.values.y).toBeCloseTo(4, 9);
    expect(r.duals?.cap).toBeCloseTo(1, 9);
  });

  it('solves a MILP: max 3x + 2y, 2x + 2y ≤ 9, x ≤ 2.5, integers → x = 2, y = 2, objective 10', async () => {
    const b = new ModelBuilder('maximize');
    const x = b.addVar('x', { upper: 2.5, cost: 3, integer: true });
    const y = b.addVar('y', { cost: 2, integer: true });
    b.le('r', [[x, 2], [y, 2]], 9);
    const r = await pool.solve(b.build());
    expect(r.status).toBe('optimal');
    if (r.status !== 'optimal') return;
    expect(r.objective).toBeCloseTo(10, 9);
    expect(r.values.x).toBeCloseTo(2, 9);
    expect(r.is_mip).toBe(true);
  });

  it('maps infeasible and unbounded models to results, not exceptions', async () => {
    const inf = new ModelBuilder('minimize');
    const x = inf.addVar('x', { upper: 1, cost: 1 });
    inf.ge('need', [[x, 1]], 2);
    expect((await pool.solve(inf.build())).status).toBe('infeasible');
    const unb = new ModelBuilder('maximize');
    const z = unb.addVar('z', { cost: 1 });
    const w = unb.addVar('w', { cost: 0 });
    unb.ge('r', [[z, 1], [w, -1]], 0);
    expect((await pool.solve(unb.build())).status).toBe('unbounded');
  });

  it('renders LP text that HiGHS one-shot solve agrees with', async () => {
    const highs = await loadHighs();
    const sol = highs.solve(toLpText(smallLp()), { output_flag: false });
    expect(sol.Status).toBe('Optimal');
    expect(sol.ObjectiveValue).toBeCloseTo(9, 9);
  });

  it('LP text and the sparse input agree on a MILP with free and unbounded columns', async () => {
    const highs = await loadHighs();
    const model = buildThermalModel({
      params: { pmin_mw: 20, pmax_mw: 100, cost_segments: [{ mw: 50, price_usd_per_mwh: 30 }, { mw: 50, price_usd_per_mwh: 50 }], startup_cost_usd: 500, min_up_h: 2, min_down_h: 1, ramp_mw_per_h: 40 },
      prices_usd_per_mwh: [10, 60, 60, 10],
      interval_hours: 1,
    });
    const text = highs.solve(toLpText(model), { output_flag: false });
    const sparse = await pool.solve(model);
    expect(sparse.status === 'optimal' && sparse.objective).toBeCloseTo(text.ObjectiveValue, 6);
    const b = new ModelBuilder('minimize');
    const x = b.addVar('x', { lower: -Infinity, cost: 1 });
    const e = b.addVar('e1', { cost: 2 });
    b.ge('r', [[x, 1], [e, 1]], 3);
    const free = highs.solve(toLpText(b.build()), { output_flag: false });
    expect(free.ObjectiveValue).toBeCloseTo(3, 9);
  });

  it('solves in-thread with the same answer', async () => {
    const r = await solveInThread(smallLp());
    expect(r.status === 'optimal' && r.objective).toBeCloseTo(9, 9);
  });

  it('keeps memory flat over 10,000 pool solves and 3,000 in-thread solves', async () => {
    const model = smallLp();
    const runPool = async (n: number) => {
      for (let i = 0; i < n; i += 100) {
        const rs = await Promise.all(Array.from({ length: 100 }, () => pool.solve(model)));
        expect(rs.every((r) => r.status === 'optimal')).toBe(true);
      }
    };
    await runPool(500);
    for (let i = 0; i < 500; i++) await solveInThread(model);
    const before = process.memoryUsage().rss;
    await runPool(10_000);
    for (let i = 0; i < 3_000; i++) {
      const r = await solveInThread(model);
      if (r.status !== 'optimal') throw new Error(r.status);
    }
    const growthMb = (process.memoryUsage().rss - before) / 2 ** 20;
    // A leaked native model per solve would cost well over 100 MB here.
    expect(growthMb).toBeLessThan(60);
  });
});
