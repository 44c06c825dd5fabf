/**
 * The server's HiGHS lane: one core solver pool (`createSolverPool`, two warmed-up
 * workers), started on the first solve and closed with the server. The optimiser, the
 * backtests and the day-ahead clearing of storage bids (state-of-charge cut) share it;
 * each solve's time goes to `observe` (the metrics' solver histogram).
 */
import { createSolverPool, type SolveFn, type SolverPool } from '@optibid/core';

export interface SharedSolver {
  /** The solve function of the pool, started on first use. */
  solve(): Promise<SolveFn>;
  close(): Promise<void>;
}

export function sharedSolver(opts: { size?: number; observe?: (outcome: 'ok' | 'error', seconds: number) => void } = {}): SharedSolver {
  const observe = opts.observe ?? (() => undefined);
  let pool: SolverPool | null = null;
  return {
    async solve() {
      pool ??= createSolverPool({ size: opts.size ?? 2, warm_up: 'light' });
      await pool.ready;
      const p = pool;
      return async (model, options) => {
        const t0 = performance.now();
        try {
          const out = await p.solve(model, options);
          observe('ok', (performance.now() - t0) / 1000);
          return out;
        } catch (err) {
          observe('error', (performance.now() - t0) / 1000);
          throw err;
        }
      };
    },
    async close() {
      const p = pool;
      pool = null;
      await p?.close();
    },
  };
}
