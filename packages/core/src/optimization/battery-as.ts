/**
 * Battery energy and ancillary-service co-optimisation (LP, HiGHS).
 *
 * Per interval t (length Δt h): charge c_t ∈ [0, P_c], discharge d_t ∈ [0, P_d]
 * (MW at the grid), stored energy s_t ∈ [S_min, S_max] at the end of t
 * (s_{−1} = S_0), and x_{k,t} MW of each ancillary product k, upward (U)
 * or downward (D), priced π_{k,t} $/MW per hour, 0 ≤ x_{k,t} ≤ P (each
 * product at most the power rating: P_d for U, P_c for D).
 *
 * `reference` (issue 14, exactly; Δt = 1 h gives its text):
 *   up headroom     d_t − c_t + Σ_{k∈U} x_{k,t} ≤ P_d
 *   down headroom   c_t − d_t + Σ_{k∈D} x_{k,t} ≤ P_c
 *   balance         s_t = s_{t−1} + η_c·c_t·Δt − d_t·Δt/η_d
 *   up energy       s_{t−1} − (d_t + Σ_{k∈U} x_{k,t})·Δt/η_d ≥ S_min
 *   down room       s_{t−1} + η_c·(c_t + Σ_{k∈D} x_{k,t})·Δt ≤ S_max
 *   terminal        s_{T−1} ≥ S_terminal (when given)
 *   maximise        Σ_t Δt·[p_t·(d_t − c_t) + Σ_k π_{k,t}·x_{k,t}]
 * Capacity payments only: no energy is ever deployed. It exists to be checked
 * against an independent solver.
 *
 * `default` (what a trader runs) differs in four ways:
 *   1. duration: the energy held for product k is h_k·x_k, h_k the ISO's
 *      duration rule in force that day (catalogue); Δt where none is in force:
 *        s_{t−1} − (d_t·Δt + Σ_{k∈U} h_k·x_{k,t})/η_d ≥ S_min,
 *        s_{t−1} + η_c·(c_t·Δt + Σ_{k∈D} h_k·x_{k,t}) ≤ S_max
 *   2. expected deployment of regulation, a fraction α_k of the award each
 *      interval, moves energy and is paid at the energy price:
 *        s_t = s_{t−1} + η_c·(c_t + Σ_D α_k x_{k,t})·Δt − (d_t + Σ_U α_k x_{k,t})·Δt/η_d
 *        + Σ_t p_t·Δt·(Σ_U α_k x_{k,t} − Σ_D α_k x_{k,t}) in the objective
 *   3. degradation k_deg per MWh leaving storage for the grid, deployment included
 *   4. the battery's daily cycle cap on that energy: Σ_day (d_t + Σ_U α_k x_{k,t})·Δt ≤ cycles·E
 * (the end-of-day state of charge is the caller's S_terminal, as in `reference`).
 *
 * At a non-positive price the relaxed mode row c_t/P_c + d_t/P_d ≤ 1 keeps
 * the LP from burning energy in losses (see battery.ts); it is a bound.
 */
import type { BatteryParams } from './asset-params.js';
import type { SolveFn } from './highs-solve.js';
import { ModelBuilder } from './model.js';

export type AsModel = 'reference' | 'default';

export interface AsProductInput {
  /** The ISO's name (`REGUP`, `RRS` …). */
  id: string;
  direction: 'up' | 'down';
  prices_usd_per_mw: readonly number[];
  /** `default`: MWh held per MW per interval (the ISO's duration rule that day); null → Δt. */
  duration_h?: readonly (number | null)[];
  /** `default`: expected deployed fraction of the award (regulation). */
  deployment_fraction?: number;
}

export interface BatteryAsProblem {
  params: BatteryParams;
  model: AsModel;
  prices_usd_per_mwh: readonly number[];
  products: readonly AsProductInput[];
  interval_hours: number;
  soc_initial_mwh?: number;
  soc_terminal_min_mwh?: number;
  /** `default`: [start, end) interval blocks sharing one cycle cap (days). */
  cycle_blocks?: readonly { start: number; end: number }[];
}

export interface BatteryAsInterval {
  charge_mw: number;
  discharge_mw: number;
  soc_mwh: number;
  as_mw: Record<string, number>;
}

export type BatteryAsOptimization =
  | {
      status: 'optimal';
      intervals: BatteryAsInterval[];
      objective_usd: number;
      /** Σ p·(d − c)·Δt plus, in `default`, deployed regulation energy at p. */
      energy_revenue_usd: number;
      as_revenue_by_product: Record<string, number>;
      degradation_usd: number;
      soc_final_mwh: number;
      solve_time_ms: number;
    }
  | { status: 'infeasible' | 'unbounded' | 'time_limit' | 'error'; message: string; solve_time_ms: number };

function check(p: BatteryAsProblem): void {
  const T = p.prices_usd_per_mwh.length;
  if (!(p.interval_hours > 0)) throw new Error('battery-as: interval_hours must be > 0');
  for (const k of p.products) {
    if (k.prices_usd_per_mw.length !== T) throw new Error(`battery-as: ${k.id} has ${k.prices_usd_per_mw.length} prices for ${T} intervals`);
    if (k.prices_usd_per_mw.some((x) => !Number.isFinite(x))) throw new Error(`battery-as: ${k.id} prices must be finite`);
  }
  if (p.prices_usd_per_mwh.some((x) => !Number.isFinite(x))) throw new Error('battery-as: every energy price must be finite');
}

/** Columns: c_t = t, d_t = T + t, s_t = 2T + t, x_{k,t} = (3 + k)·T + t. */
export function buildBatteryAsModel(p: BatteryAsProblem) {
  check(p);
  const b = p.params;
  const T = p.prices_usd_per_mwh.length;
  const dt = p.interval_hours;
  const K = p.products.length;
  const isDefault = p.model === 'default';
  const sMax = Math.min(b.soc_max_mwh, b.energy_mwh);
  const soc0 = p.soc_initial_mwh ?? b.soc_initial_mwh;
  const ec = b.charge_efficiency;
  const ed = b.discharge_efficiency;
  const kDeg = isDefault ? b.degradation_cost_usd_per_mwh : 0;
  const alpha = p.products.map((k) => (isDefault ? (k.deployment_fraction ?? 0) : 0));
  const m = new ModelBuilder('maximize');
  const price = p.prices_usd_per_mwh;
  for (let t = 0; t < T; t++) m.addVar(`c_${t}`, { upper: b.charge_power_mw, cost: -price[t]! * dt });
  for (let t = 0; t < T; t++) m.addVar(`d_${t}`, { upper: b.discharge_power_mw, cost: (price[t]! - kDeg) * dt });
  for (let t = 0; t < T; t++) m.addVar(`s_${t}`, { lower: b.soc_min_mwh, upper: sMax });
  p.products.forEach((k, ki) => {
    const up = k.direction === 'up';
    for (let t = 0; t < T; t++) {
      // Capacity payment, plus (default) deployed energy at the energy price and its wear.
      const deployed = alpha[ki]! * (up ? price[t]! - kDeg : -price[t]!);
      m.addVar(`x_${ki}_${t}`, { upper: up ? b.discharge_power_mw : b.charge_power_mw, cost: (k.prices_usd_per_mw[t]! + deployed) * dt });
    }
  });
  const x = (ki: number, t: number) => (3 + ki) * T + t;
  const held = (ki: number, t: number) => (isDefault ? (p.products[ki]!.duration_h?.[t] ?? dt) : dt);
  for (let t = 0; t < T; t++) {
    const upTerms: [number, number][] = [[T + t, 1], [t, -1]];
    const dnTerms: [number, number][] = [[t, 1], [T + t, -1]];
    const bal: [number, number][] = [[2 * T + t, 1], [t, -ec * dt], [T + t, dt / ed]];
    const upEnergy: [number, number][] = [[T + t, -dt / ed]];
    const dnRoom: [number, number][] = [[t, ec * dt]];
    if (t > 0) {
      bal.push([2 * T + t - 1, -1]);
      upEnergy.push([2 * T + t - 1, 1]);
      dnRoom.push([2 * T + t - 1, 1]);
    }
    p.products.forEach((k, ki) => {
      if (k.direction === 'up') {
        upTerms.push([x(ki, t), 1]);
        upEnergy.push([x(ki, t), -held(ki, t) / ed]);
        if (alpha[ki]) bal.push([x(ki, t), (alpha[ki]! * dt) / ed]);
      } else {
        dnTerms.push([x(ki, t), 1]);
        dnRoom.push([x(ki, t), ec * held(ki, t)]);
        if (alpha[ki]) bal.push([x(ki, t), -ec * alpha[ki]! * dt]);
      }
    });
    m.le(`up_headroom_${t}`, upTerms, b.discharge_power_mw);
    m.le(`down_headroom_${t}`, dnTerms, b.charge_power_mw);
    m.eq(`soc_${t}`, bal, t === 0 ? soc0 : 0);
    // s_{−1} is the constant S_0 in the first interval: move it to the right-hand side.
    m.ge(`up_energy_${t}`, upEnergy, b.soc_min_mwh - (t === 0 ? soc0 : 0));
    m.le(`down_room_${t}`, dnRoom, sMax - (t === 0 ? soc0 : 0));
    if (price[t]! <= 0 && b.charge_power_mw > 0 && b.discharge_power_mw > 0) m.le(`mode_${t}`, [[t, 1 / b.charge_power_mw], [T + t, 1 / b.discharge_power_mw]], 1);
  }
  if (p.soc_terminal_min_mwh !== undefined && T > 0) m.ge('soc_terminal', [[3 * T - 1, 1]], p.soc_terminal_min_mwh);
  const cycles = b.max_cycles_per_day;
  if (isDefault && cycles !== null && cycles !== undefined) {
    (p.cycle_blocks ?? [{ start: 0, end: T }]).forEach((blk, i) => {
      const terms: [number, number][] = [];
      for (let t = blk.start; t < blk.end; t++) {
        terms.push([T + t, dt]);
        p.products.forEach((k, ki) => alpha[ki] && k.direction === 'up' && terms.push([x(ki, t), alpha[ki]! * dt]));
      }
      m.le(`cycles_${i}`, terms, (cycles * b.energy_mwh * (blk.end - blk.start) * dt) / 24);
    });
  }
  return { model: m.build(), column: { x }, K };
}

const snap = (v: number) => (Math.abs(v) < 1e-9 ? 0 : v);

export async function optimizeBatteryAs(solve: SolveFn, p: BatteryAsProblem): Promise<BatteryAsOptimization> {
  const { model, column } = buildBatteryAsModel(p);
  const r = await solve(model, {});
  if (r.status !== 'optimal') return { status: r.status, message: r.message, solve_time_ms: r.time_ms };
  const T = p.prices_usd_per_mwh.length;
  const dt = p.interval_hours;
  const v = r.column_values;
  const isDefault = p.model === 'default';
  const byProduct: Record<string, number> = Object.fromEntries(p.products.map((k) => [k.id, 0]));
  let energy = 0;
  let outMwh = 0;
  const intervals: BatteryAsInterval[] = [];
  for (let t = 0; t < T; t++) {
    const c = snap(v[t]!);
    const d = snap(v[T + t]!);
    const as: Record<string, number> = {};
    let deployedNet = 0;
    p.products.forEach((k, ki) => {
      const mw = snap(v[column.x(ki, t)]!);
      as[k.id] = mw;
      byProduct[k.id] = byProduct[k.id]! + k.prices_usd_per_mw[t]! * mw * dt;
      const a = isDefault ? (k.deployment_fraction ?? 0) : 0;
      deployedNet += (k.direction === 'up' ? 1 : -1) * a * mw;
      if (k.direction === 'up') outMwh += a * mw * dt;
    });
    energy += p.prices_usd_per_mwh[t]! * (d - c + deployedNet) * dt;
    outMwh += d * dt;
    intervals.push({ charge_mw: c, discharge_mw: d, soc_mwh: snap(v[2 * T + t]!), as_mw: as });
  }
  return {
    status: 'optimal',
    intervals,
    objective_usd: r.objective,
    energy_revenue_usd: energy,
    as_revenue_by_product: byProduct,
    degradation_usd: isDefault ? outMwh * p.params.degradation_cost_usd_per_mwh : 0,
    soc_final_mwh: T ? intervals[T - 1]!.soc_mwh : (p.soc_initial_mwh ?? p.params.soc_initial_mwh),
    solve_time_ms: r.time_ms,
  };
}
