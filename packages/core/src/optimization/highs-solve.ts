import type { LinearModel } from './model.js';

export interface SolveOptions {
  /** Wall-clock limit for HiGHS in seconds. */
  time_limit_s?: number;
  /** Relative MIP gap at which HiGHS stops (HiGHS default 1e-4). */
  mip_rel_gap?: number;
  /** Return row duals (LP only; a MIP has none). */
  duals?: boolean;
  /**
   * HiGHS presolve. Default: `off` for LPs (the small, well-posed LPs here solve
   * 1.5–3× faster without it), `choose` for MILPs, where presolve matters.
   */
  presolve?: 'off' | 'choose' | 'on';
}

interface SolveTiming {
  /** Time spent inside HiGHS (model load + run + extraction), milliseconds. */
  time_ms: number;
}

export type SolveResult =
  | (SolveTiming & {
      status: 'optimal';
      objective: number;
      /** Primal values in column order. */
      column_values: Float64Array;
      /** Primal values by variable name. */
      values: Record<string, number>;
      /** Row duals by constraint name, when `duals` was asked for an LP (HiGHS sign: c − Aᵀy = reduced cost). */
      duals?: Record<string, number>;
      /** Row duals in row order (same condition as `duals`). */
      row_duals?: Float64Array;
      is_mip: boolean;
    })
  | (SolveTiming & { status: 'infeasible'; message: string })
  | (SolveTiming & { status: 'unbounded'; message: string })
  | (SolveTiming & {
      status: 'time_limit';
      message: string;
      /** Best feasible point found before the limit, when there is one. */
      objective?: number;
      column_values?: Float64Array;
      values?: Record<string, number>;
    })
  | (SolveTiming & { status: 'error'; message: string });

export type SolveStatus = SolveResult['status'];

/** A solver entry point: the worker pool's `solve` or `solveInThread`. */
export type SolveFn = (model: LinearModel, options?: SolveOptions) => Promise<SolveResult>;

/**
 * Solves a built model with a loaded HiGHS module (the `highs` npm package's
 * persistent API) and always disposes the native model.
 *
 * This function is serialised with `Function.prototype.toString` into the
 * worker-thread source, so it must stay self-contained: no imports, no
 * references to module-level bindings, only its arguments and globals.
 */
export function solveLinearModelWithHighs(highs: any, model: LinearModel, options: SolveOptions): SolveResult {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const numCols = model.col_names.length;
  const numRows = model.row_names.length;
  const isMip = model.col_integer.some((v: number) => v === 1);
  const valuesByName = (x: Float64Array) => {
    const out: Record<string, number> = {};
    for (let j = 0; j < numCols; j++) out[model.col_names[j]!] = x[j]!;
    return out;
  };
  if (numCols === 0) {
    return { status: 'optimal', objective: model.offset, column_values: new Float64Array(0), values: {}, is_mip: false, time_ms: elapsed() };
  }
  const data: Record<string, unknown> = {
    numCols,
    numRows,
    sense: model.sense === 'maximize' ? highs.constants.objectiveSense.maximize : highs.constants.objectiveSense.minimize,
    offset: model.offset,
    colCost: model.col_cost,
    colLower: model.col_lower,
    colUpper: model.col_upper,
    rowLower: model.row_lower,
    rowUpper: model.row_upper,
    matrix: { format: 'csr', numRows, numCols, starts: model.row_starts, indices: model.row_indices, values: model.row_values },
  };
  if (isMip) data.integrality = Int32Array.from(model.col_integer);
  const run = (presolve: 'choose' | 'off' | 'on') => {
    const m = highs.createModel(data);
    try {
      const opts: Record<string, unknown> = { output_flag: false, presolve };
      if (options.time_limit_s !== undefined) opts.time_limit = options.time_limit_s;
      if (options.mip_rel_gap !== undefined && isMip) opts.mip_rel_gap = options.mip_rel_gap;
      m.options.set(opts);
      m.run();
      const status: number = m.getModelStatus();
      const ms = highs.constants.modelStatus;
      if (status === ms.optimal) {
        const sol = m.getSolution();
        const x = Float64Array.from(sol.colValue);
        const result: SolveResult = { status: 'optimal', objective: m.getObjectiveValue(), column_values: x, values: valuesByName(x), is_mip: isMip, time_ms: 0 };
        if (options.duals && !isMip && sol.rowDual) {
          const y = Float64Array.from(sol.rowDual);
          const duals: Record<string, number> = {};
          for (let i = 0; i < numRows; i++) duals[model.row_names[i]!] = y[i]!;
          result.row_duals = y;
          result.duals = duals;
        }
        return result;
      }
      if (status === ms.infeasible) return { status: 'infeasible', message: 'the model has no feasible solution', time_ms: 0 } as SolveResult;
      if (status === ms.unbounded) return { status: 'unbounded', message: 'the objective is unbounded', time_ms: 0 } as SolveResult;
      if (status === ms.unboundedOrInfeasible) return null;
      if (status === ms.timeLimit) {
        const out: SolveResult = { status: 'time_limit', message: `time limit of ${options.time_limit_s}s reached`, time_ms: 0 };
        const feasible = Number(m.info.get('primal_solution_status')) === 2;
        if (feasible) {
          const x = Float64Array.from(m.getSolution().colValue);
          out.objective = m.getObjectiveValue();
          out.column_values = x;
          out.values = valuesByName(x);
        }
        return out;
      }
      const names = Object.keys(ms);
      return { status: 'error', message: `HiGHS ended with status ${names.find((k) => ms[k] === status) ?? status}`, time_ms: 0 } as SolveResult;
    } finally {
      m.dispose();
    }
  };
  try {
    // Presolve sometimes cannot tell infeasible from unbounded; without presolve the simplex can.
    const presolve = options.presolve ?? (isMip ? 'choose' : 'off');
    let result = run(presolve) ?? (presolve === 'off' ? null : run('off'));
    if (!result) result = { status: 'infeasible', message: 'the model is infeasible or unbounded', time_ms: 0 };
    result.time_ms = elapsed();
    return result;
  } catch (e) {
    return { status: 'error', message: e instanceof Error ? e.message : String(e), time_ms: elapsed() };
  }
}
