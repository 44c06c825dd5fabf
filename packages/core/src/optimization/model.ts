/**
 * A small linear-model layer: variables with bounds and integrality, linear
 * constraints `lower ≤ a·x ≤ upper`, and a linear objective. `build()` returns
 * a plain, structured-clone-friendly `LinearModel` (typed arrays, CSR matrix)
 * that maps one-to-one onto HiGHS's `ModelData`, so the solver worker needs no
 * parsing; `toLpText` renders the same model as CPLEX LP text for export,
 * debugging, or HiGHS's one-shot `solve(lpText)`.
 */

export type OptimizationSense = 'maximize' | 'minimize';

/** A built model. Row coefficients are stored row-wise (CSR). */
export interface LinearModel {
  sense: OptimizationSense;
  /** Constant added to the objective. */
  offset: number;
  col_names: string[];
  col_lower: Float64Array;
  col_upper: Float64Array;
  col_cost: Float64Array;
  /** 1 for integer (binaries are integers with bounds [0, 1]), 0 for continuous. */
  col_integer: Uint8Array;
  row_names: string[];
  row_lower: Float64Array;
  row_upper: Float64Array;
  row_starts: Int32Array;
  row_indices: Int32Array;
  row_values: Float64Array;
}

export interface VariableSpec {
  lower?: number;
  upper?: number;
  cost?: number;
  integer?: boolean;
}

/** Terms as `[variableIndex, coefficient]` pairs. */
export type LinearTerms = ReadonlyArray<readonly [number, number]>;

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.[\]]*$/;

export class ModelBuilder {
  private readonly colNames: string[] = [];
  private readonly colLower: number[] = [];
  private readonly colUpper: number[] = [];
  private readonly colCost: number[] = [];
  private readonly colInteger: number[] = [];
  private readonly rowNames: string[] = [];
  private readonly rowLower: number[] = [];
  private readonly rowUpper: number[] = [];
  private readonly rowStarts: number[] = [0];
  private readonly rowIndices: number[] = [];
  private readonly rowValues: number[] = [];
  private readonly names = new Set<string>();
  private offset = 0;

  constructor(readonly sense: OptimizationSense) {}

  get numVars(): number {
    return this.colNames.length;
  }

  get numConstraints(): number {
    return this.rowNames.length;
  }

  addVar(name: string, spec: VariableSpec = {}): number {
    this.checkName(name);
    const lower = spec.lower ?? 0;
    const upper = spec.upper ?? Infinity;
    if (Number.isNaN(lower) || Number.isNaN(upper)) throw new Error(`variable ${name}: NaN bound`);
    const cost = spec.cost ?? 0;
    if (!Number.isFinite(cost)) throw new Error(`variable ${name}: objective coefficient must be finite`);
    this.colNames.push(name);
    this.colLower.push(lower);
    this.colUpper.push(upper);
    this.colCost.push(cost);
    this.colInteger.push(spec.integer ? 1 : 0);
    return this.colNames.length - 1;
  }

  addBinary(name: string, cost = 0): number {
    return this.addVar(name, { lower: 0, upper: 1, integer: true, cost });
  }

  /** Adds `coefficient` to the objective coefficient of a variable. */
  addCost(index: number, coefficient: number): void {
    this.checkIndex(index);
    this.colCost[index] = this.colCost[index]! + coefficient;
  }

  addObjectiveConstant(value: number): void {
    this.offset += value;
  }

  /** `lower ≤ Σ coefficient·x ≤ upper`; repeated variables in `terms` are summed. */
  addConstraint(name: string, terms: LinearTerms, bounds: { lower?: number; upper?: number }): number {
    this.checkName(name);
    const lower = bounds.lower ?? -Infinity;
    const upper = bounds.upper ?? Infinity;
    if (Number.isNaN(lower) || Number.isNaN(upper)) throw new Error(`constraint ${name}: NaN bound`);
    const merged = mergeTerms(terms);
    for (const [j, a] of merged) {
      this.checkIndex(j);
      if (!Number.isFinite(a)) throw new Error(`constraint ${name}: non-finite coefficient`);
      if (a === 0) continue;
      this.rowIndices.push(j);
      this.rowValues.push(a);
    }
    this.rowNames.push(name);
    this.rowLower.push(lower);
    this.rowUpper.push(upper);
    this.rowStarts.push(this.rowIndices.length);
    return this.rowNames.length - 1;
  }

  le(name: string, terms: LinearTerms, rhs: number): number {
    return this.addConstraint(name, terms, { upper: rhs });
  }

  ge(name: string, terms: LinearTerms, rhs: number): number {
    return this.addConstraint(name, terms, { lower: rhs });
  }

  eq(name: string, terms: LinearTerms, rhs: number): number {
    return this.addConstraint(name, terms, { lower: rhs, upper: rhs });
  }

  build(): LinearModel {
    return {
      sense: this.sense,
      offset: this.offset,
      col_names: this.colNames.slice(),
      col_lower: Float64Array.from(this.colLower),
      col_upper: Float64Array.from(this.colUpper),
      col_cost: Float64Array.from(this.colCost),
      col_integer: Uint8Array.from(this.colInteger),
      row_names: this.rowNames.slice(),
      row_lower: Float64Array.from(this.rowLower),
      row_upper: Float64Array.from(this.rowUpper),
      row_starts: Int32Array.from(this.rowStarts),
      row_indices: Int32Array.from(this.rowIndices),
      row_values: Float64Array.from(this.rowValues),
    };
  }

  private checkName(name: string): void {
    if (!NAME_RE.test(name)) throw new Error(`invalid model name ${JSON.stringify(name)}`);
    if (this.names.has(name)) throw new Error(`duplicate model name ${name}`);
    this.names.add(name);
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.colNames.length) throw new Error(`unknown variable index ${index}`);
  }
}

function mergeTerms(terms: LinearTerms): LinearTerms {
  if (terms.length <= 1) return terms;
  const seen = new Map<number, number>();
  for (const [j, a] of terms) seen.set(j, (seen.get(j) ?? 0) + a);
  return seen.size === terms.length ? terms : [...seen.entries()];
}

export function modelHasIntegers(model: LinearModel): boolean {
  return model.col_integer.some((v) => v === 1);
}

function fmt(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return String(x);
}

/** Renders the model as CPLEX LP text (the format HiGHS's `solve(lpText)` reads). */
export function toLpText(model: LinearModel): string {
  const out: string[] = [];
  out.push(model.sense === 'maximize' ? 'Maximize' : 'Minimize');
  const obj: string[] = [];
  model.col_cost.forEach((c, j) => {
    if (c !== 0) obj.push(`${c < 0 ? '-' : '+'} ${Math.abs(c)} ${model.col_names[j]}`);
  });
  if (model.offset !== 0) obj.push(`${model.offset < 0 ? '-' : '+'} ${Math.abs(model.offset)}`);
  out.push(` obj: ${obj.length ? obj.join(' ') : '0 ' + (model.col_names[0] ?? '')}`);
  out.push('Subject To');
  for (let i = 0; i < model.row_names.length; i++) {
    const terms: string[] = [];
    for (let k = model.row_starts[i]!; k < model.row_starts[i + 1]!; k++) {
      const a = model.row_values[k]!;
      terms.push(`${a < 0 ? '-' : '+'} ${Math.abs(a)} ${model.col_names[model.row_indices[k]!]}`);
    }
    const lhs = terms.length ? terms.join(' ') : `0 ${model.col_names[0] ?? ''}`;
    const lo = model.row_lower[i]!;
    const up = model.row_upper[i]!;
    const name = model.row_names[i]!;
    if (lo === up) out.push(` ${name}: ${lhs} = ${fmt(up)}`);
    else if (lo === -Infinity) out.push(` ${name}: ${lhs} <= ${fmt(up)}`);
    else if (up === Infinity) out.push(` ${name}: ${lhs} >= ${fmt(lo)}`);
    else out.push(` ${name}: ${fmt(lo)} <= ${lhs} <= ${fmt(up)}`);
  }
  out.push('Bounds');
  model.col_names.forEach((n, j) => {
    const lo = model.col_lower[j]!;
    const up = model.col_upper[j]!;
    if (lo === -Infinity && up === Infinity) out.push(` ${n} free`);
    else out.push(` ${fmt(lo)} <= ${n} <= ${fmt(up)}`);
  });
  const ints = model.col_names.filter((_, j) => model.col_integer[j] === 1);
  if (ints.length) {
    out.push('General');
    out.push(' ' + ints.join(' '));
  }
  out.push('End');
  return out.join('\n');
}
