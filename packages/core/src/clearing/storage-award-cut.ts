/**
 * A market's awards for one storage resource's day, cut to what the battery can deliver.
 *
 * The market clears the day's curves first, each hour on its own (price-taker against the
 * LMP, or the uniform-price auction); this then takes those awards as the most the battery
 * may get and keeps, jointly over the day, the subset that its state of charge allows:
 *
 *   1. The awards are walked through the state-of-charge recursion (power, S_min ≤ s ≤ S_max,
 *      the day's discharge cap). Deliverable as they stand → returned unchanged, no solve:
 *      hour-by-hour clearing is then already the optimum of the joint problem below (every
 *      in-the-money block at its full MW is feasible, and each has positive surplus).
 *   2. Otherwise each hour's curve is truncated to its award (supply: cheapest blocks first up
 *      to the award; demand: highest bids first; power-capped), and `clearStorageWithSoc`
 *      clears the truncated curves at the same prices under the state of charge: the bid's
 *      surplus is maximised over awards that are never larger than the market's, so no hour
 *      gains volume or a price it did not clear at, and every award returned is deliverable.
 *
 * Truncating to the market's award (rather than re-clearing the full curves) keeps an
 * auction's pro-rata share at the margin and its prices as they are: the cut only removes.
 */
import type { BatteryParams } from '../optimization/asset-params.js';
import type { SolveFn } from '../optimization/highs-solve.js';
import { clearStorageWithSoc, type StorageCurveSegment } from './storage-soc-clearing.js';

export interface StorageAwardCutInput {
  params: BatteryParams;
  /** The bid's curve per interval (supply positive, charge negative). */
  curves: readonly (readonly StorageCurveSegment[])[];
  /** The price each interval cleared at. */
  prices_usd_per_mwh: readonly number[];
  /** The market's net award per interval, supply positive. */
  awarded_mw: readonly number[];
  interval_hours: number;
  soc_initial_mwh: number;
  /** Σ discharge·Δt allowed over the day; Infinity (default) for none. */
  discharge_cap_mwh?: number;
}

export interface StorageAwardCut {
  status: 'unchanged' | 'optimal' | 'infeasible' | 'unbounded' | 'time_limit' | 'error';
  /** Deliverable net award per interval, supply positive. */
  net_mw: number[];
  /** MWh removed from the market's awards (Σ |award − kept| · Δt). */
  cut_mwh: number;
  soc_end_mwh: number;
  /** State of charge at the end of each interval under `net_mw`. */
  soc_mwh: number[];
}

const TOL = 1e-6;

/** The state-of-charge path of net awards and whether it stays within the battery's limits. */
export function storageAwardPath(p: BatteryParams, netMw: readonly number[], soc0: number, dt: number, capMwh = Infinity): { soc_mwh: number[]; deliverable: boolean } {
  const sMax = Math.min(p.soc_max_mwh, p.energy_mwh);
  let s = soc0;
  let out = 0;
  let ok = true;
  const soc_mwh: number[] = [];
  for (const net of netMw) {
    const d = Math.max(0, net);
    const c = Math.max(0, -net);
    if (d > p.discharge_power_mw + TOL || c > p.charge_power_mw + TOL) ok = false;
    s += p.charge_efficiency * c * dt - (d * dt) / p.discharge_efficiency;
    out += d * dt;
    if (s < p.soc_min_mwh - TOL || s > sMax + TOL || out > capMwh + TOL) ok = false;
    soc_mwh.push(s);
  }
  return { soc_mwh, deliverable: ok };
}

/** The blocks of a curve that make up an award: supply cheapest first, demand highest bid first, capped at the award and the power limit. */
function truncate(curve: readonly StorageCurveSegment[], award: number, p: BatteryParams): StorageCurveSegment[] {
  if (Math.abs(award) <= TOL) return [];
  const supply = award > 0;
  const blocks = curve.filter((s) => (supply ? s.mw > 0 : s.mw < 0)).sort((a, b) => (supply ? a.price_usd_per_mwh - b.price_usd_per_mwh : b.price_usd_per_mwh - a.price_usd_per_mwh));
  let left = Math.min(Math.abs(award), supply ? p.discharge_power_mw : p.charge_power_mw);
  const out: StorageCurveSegment[] = [];
  for (const b of blocks) {
    if (left <= TOL) break;
    const mw = Math.min(Math.abs(b.mw), left);
    out.push({ mw: supply ? mw : -mw, price_usd_per_mwh: b.price_usd_per_mwh });
    left -= mw;
  }
  return out;
}

export async function cutStorageAwardsToSoc(solve: SolveFn, input: StorageAwardCutInput): Promise<StorageAwardCut> {
  const { params: p, awarded_mw: awarded, interval_hours: dt } = input;
  const T = awarded.length;
  if (input.curves.length !== T || input.prices_usd_per_mwh.length !== T) {
    throw new Error(`storage award cut: ${T} awards, ${input.curves.length} curves and ${input.prices_usd_per_mwh.length} prices`);
  }
  const cap = input.discharge_cap_mwh ?? Infinity;
  const asAwarded = storageAwardPath(p, awarded, input.soc_initial_mwh, dt, cap);
  if (asAwarded.deliverable) {
    return { status: 'unchanged', net_mw: [...awarded], cut_mwh: 0, soc_end_mwh: T ? asAwarded.soc_mwh[T - 1]! : input.soc_initial_mwh, soc_mwh: asAwarded.soc_mwh };
  }
  const curves = input.curves.map((c, t) => truncate(c, awarded[t]!, p));
  const r = await clearStorageWithSoc(solve, { params: p, curves, prices_usd_per_mwh: input.prices_usd_per_mwh, interval_hours: dt, soc_initial_mwh: input.soc_initial_mwh, discharge_cap_mwh: cap });
  // Not optimal (the problem always has x = 0 when the start is within bounds): award nothing rather than something undeliverable.
  const net = r.status === 'optimal' ? r.net_mw : new Array<number>(T).fill(0);
  const path = storageAwardPath(p, net, input.soc_initial_mwh, dt, cap);
  const cut = awarded.reduce((s, a, t) => s + Math.abs(a - net[t]!) * dt, 0);
  return { status: r.status, net_mw: net, cut_mwh: cut, soc_end_mwh: T ? path.soc_mwh[T - 1]! : input.soc_initial_mwh, soc_mwh: path.soc_mwh };
}
