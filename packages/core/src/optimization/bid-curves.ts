/**
 * Bid curves from an optimal schedule, priced from opportunity cost.
 *
 * One curve per interval, CAISO-NGR style: positive MW are supply offers
 * (awarded when offer price ≤ LMP), negative MW are demand bids (awarded when
 * bid price ≥ LMP). `segments` follows core/bids' storage convention: charge
 * blocks from the deepest charge up to 0 MW, then discharge blocks from 0 MW
 * upward, prices non-decreasing along the whole curve (so the supply part is
 * non-decreasing and the demand part, read from 0 MW outward, non-increasing).
 * Every charge price is strictly below every discharge price, so no LMP awards
 * both.
 *
 * Battery pricing. With λ_t the marginal value of stored energy in interval t
 * (the dual of the SoC balance row), discharging 1 MWh at the grid spends
 * 1/η_d MWh of storage and causes k_deg of wear, and charging 1 MWh stores η_c:
 *   offer price  o_t = k_deg + λ_t/η_d,     bid price  b_t = λ_t·η_c
 * (the LP's own optimality conditions, up to the throughput caps: the
 * scheduled blocks already fit the caps, so their shadow price μ_t is added
 * only to the spare capacity offered beyond the schedule, o_t + μ_t). The scheduled quantity is offered at min(o_t, forecast) / bid at
 * max(b_t, forecast), so it clears whenever the actual price is at least as
 * good as the forecast said. When forecast quantiles are given, the unused
 * capacity is added as a second segment: more discharge if the price reaches
 * max(o_t, P90), more charge if it falls to min(b_t, P10).
 */
import type { BatteryParams, DemandResponseParams, RenewableParams, ThermalParams } from './asset-params.js';
import type { BatteryOptimization } from './battery.js';
import type { DemandResponseOptimization, RenewableOptimization } from './flexible-assets.js';
import type { ThermalOptimization } from './thermal.js';

export interface BidCurveSegment {
  /** Supply positive (offer), charge/consumption negative (bid). */
  mw: number;
  price_usd_per_mwh: number;
}

export interface BidCurve {
  hour_index: number;
  interval_start: Date;
  segments: BidCurveSegment[];
}

export interface ForecastQuantiles {
  p10: readonly number[];
  p50: readonly number[];
  p90: readonly number[];
}

export interface BidCurveViolation {
  hour_index?: number;
  code?: string;
  message: string;
}

/** Hook for ISO bid rules (core/bids): returns violations, empty when the curves are acceptable. */
export type BidCurveValidator = (curves: BidCurve[]) => BidCurveViolation[];

export interface CurveOptions {
  interval_starts: readonly Date[];
  /** Maximum price-quantity pairs per curve (the ISO's segment limit). */
  max_segments: number;
  price_floor_usd_per_mwh?: number;
  price_cap_usd_per_mwh?: number;
  validate?: BidCurveValidator;
}

export interface BidCurveSet {
  curves: BidCurve[];
  violations: BidCurveViolation[];
}

const EPS_MW = 1e-6;
const TICK = 0.01;
const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Orders, merges and limits one curve: supply ascending, demand descending,
 * demand strictly below supply, at most `maxSegments` pairs (the least
 * important segments, those furthest from the money, are dropped first).
 */
export function normalizeCurveSegments(segments: BidCurveSegment[], maxSegments: number, floor = -Infinity, cap = Infinity): BidCurveSegment[] {
  const clamp = (p: number) => round2(Math.min(cap, Math.max(floor, p)));
  const merge = (list: BidCurveSegment[]) => {
    const out: BidCurveSegment[] = [];
    for (const s of list) {
      const last = out[out.length - 1];
      if (last && last.price_usd_per_mwh === s.price_usd_per_mwh) last.mw += s.mw;
      else out.push({ ...s });
    }
    return out;
  };
  const supply = merge(segments.filter((s) => s.mw > EPS_MW).map((s) => ({ mw: s.mw, price_usd_per_mwh: clamp(s.price_usd_per_mwh) })).sort((a, b) => a.price_usd_per_mwh - b.price_usd_per_mwh));
  let demand = merge(segments.filter((s) => s.mw < -EPS_MW).map((s) => ({ mw: s.mw, price_usd_per_mwh: clamp(s.price_usd_per_mwh) })).sort((a, b) => b.price_usd_per_mwh - a.price_usd_per_mwh));
  if (supply.length && demand.length) {
    const ceiling = supply[0]!.price_usd_per_mwh - TICK;
    // With an offer at the floor (a self-scheduled discharge), a charge block would have to sit below the floor,
    // where it could never clear: it is left out rather than priced outside the ISO's limits.
    demand = round2(ceiling) < floor ? [] : merge(demand.map((d) => ({ ...d, price_usd_per_mwh: Math.min(d.price_usd_per_mwh, round2(ceiling)) })));
  }
  // Keep the segments nearest the money: the first supply and first demand segments.
  while (supply.length + demand.length > Math.max(1, maxSegments)) {
    if (supply.length >= demand.length && supply.length > 1) supply.pop();
    else if (demand.length > 1) demand.pop();
    else if (supply.length && demand.length) (supply[0]!.mw >= -demand[0]!.mw ? demand : supply).pop();
    else break;
  }
  return [...demand.reverse(), ...supply];
}

function finish(curves: BidCurve[], opts: CurveOptions): BidCurveSet {
  return { curves, violations: opts.validate ? opts.validate(curves) : [] };
}

export interface BatteryCurveInput extends CurveOptions {
  params: BatteryParams;
  /**
   * How the scheduled MW are priced. `opportunity_cost` (default): offer at
   * min(o_t, forecast), bid at max(b_t, forecast), as above. `self_schedule`:
   * the scheduled discharge is offered at the price floor and the scheduled
   * charge bid at the price cap, so the plan clears whatever the price (the
   * plan-and-execute of a trader who trusts the day's shape more than its
   * level); only the spare capacity beyond the plan stays price-responsive.
   * Persistence forecasts carry yesterday's level, and λ with it: a level shift
   * then leaves the charge or the discharge uncleared (ERCOT HB_HOUSTON 2015:
   * 38.8 % of perfect foresight with opportunity-cost pricing, 93.5 % self-scheduled).
   * Needs `price_floor_usd_per_mwh` and `price_cap_usd_per_mwh`.
   */
  scheduled_pricing?: 'opportunity_cost' | 'self_schedule';
  schedule: Extract<BatteryOptimization, { status: 'optimal' }>;
  /** The point forecast the schedule was optimised on. */
  forecast_usd_per_mwh: readonly number[];
  quantiles?: ForecastQuantiles;
}

export function buildBatteryBidCurves(input: BatteryCurveInput): BidCurveSet {
  const { params: b, schedule, quantiles } = input;
  const floor = input.price_floor_usd_per_mwh ?? -Infinity;
  const cap = input.price_cap_usd_per_mwh ?? Infinity;
  if (input.scheduled_pricing === 'self_schedule' && !(Number.isFinite(floor) && Number.isFinite(cap))) {
    throw new Error('self-scheduled battery curves need the ISO price floor and cap');
  }
  const curves = schedule.intervals.map((iv, t): BidCurve => {
    const f = input.forecast_usd_per_mwh[t] ?? iv.price_usd_per_mwh;
    const lambda = iv.stored_energy_value_usd_per_mwh ?? f;
    const offer = b.degradation_cost_usd_per_mwh + lambda / b.discharge_efficiency;
    // Spare discharge beyond the schedule would also use up cap room; the scheduled blocks already fit the caps.
    const spareOffer = offer + (iv.discharge_cap_value_usd_per_mwh ?? 0);
    const bid = Math.min(lambda * b.charge_efficiency, offer - TICK);
    const segs: BidCurveSegment[] = [];
    const selfSchedule = input.scheduled_pricing === 'self_schedule';
    if (iv.discharge_mw > EPS_MW) segs.push({ mw: iv.discharge_mw, price_usd_per_mwh: selfSchedule ? floor : Math.min(offer, f) });
    if (iv.charge_mw > EPS_MW) segs.push({ mw: -iv.charge_mw, price_usd_per_mwh: selfSchedule ? cap : Math.max(bid, f) });
    if (quantiles) {
      const spareD = b.discharge_power_mw - iv.discharge_mw;
      const spareC = b.charge_power_mw - iv.charge_mw;
      const p90 = quantiles.p90[t] ?? f;
      const p10 = quantiles.p10[t] ?? f;
      if (spareD > EPS_MW && iv.charge_mw <= EPS_MW) segs.push({ mw: spareD, price_usd_per_mwh: Math.max(spareOffer, p90, f + TICK) });
      if (spareC > EPS_MW && iv.discharge_mw <= EPS_MW) segs.push({ mw: -spareC, price_usd_per_mwh: Math.min(bid, p10, f - TICK) });
    }
    return {
      hour_index: t,
      interval_start: input.interval_starts[t]!,
      segments: normalizeCurveSegments(segs, input.max_segments, input.price_floor_usd_per_mwh, input.price_cap_usd_per_mwh),
    };
  });
  return finish(curves, input);
}

/** Committed hours offer the cost blocks at marginal cost; uncommitted hours offer nothing. */
export function buildThermalBidCurves(input: CurveOptions & { params: ThermalParams; schedule: Extract<ThermalOptimization, { status: 'optimal' }> }): BidCurveSet {
  const curves = input.schedule.intervals.map((iv, t): BidCurve => {
    const segs: BidCurveSegment[] = [];
    if (iv.on) {
      let left = input.params.pmax_mw;
      for (const c of input.params.cost_segments) {
        const mw = Math.min(c.mw, left);
        if (mw > 0) segs.push({ mw, price_usd_per_mwh: c.price_usd_per_mwh });
        left -= mw;
      }
    }
    return { hour_index: t, interval_start: input.interval_starts[t]!, segments: mergeToLimit(segs, input) };
  });
  return finish(curves, input);
}

/** Curtailable plants offer at −credits (curtailed below that); others at the floor (self-schedule). */
export function buildRenewableBidCurves(input: CurveOptions & { params: RenewableParams; schedule: Extract<RenewableOptimization, { status: 'optimal' }> }): BidCurveSet {
  const price = input.params.curtailable ? -input.params.curtailment_loss_usd_per_mwh : (input.price_floor_usd_per_mwh ?? -150);
  const curves = input.schedule.intervals.map((iv, t): BidCurve => ({
    hour_index: t,
    interval_start: input.interval_starts[t]!,
    segments: iv.available_mw > EPS_MW ? normalizeCurveSegments([{ mw: iv.available_mw, price_usd_per_mwh: price }], input.max_segments, input.price_floor_usd_per_mwh, input.price_cap_usd_per_mwh) : [],
  }));
  return finish(curves, input);
}

/** The reduction is offered at the strike only in the intervals the schedule chose (the hour limit binds). */
export function buildDemandResponseBidCurves(input: CurveOptions & { params: DemandResponseParams; schedule: Extract<DemandResponseOptimization, { status: 'optimal' }> }): BidCurveSet {
  const curves = input.schedule.intervals.map((iv, t): BidCurve => ({
    hour_index: t,
    interval_start: input.interval_starts[t]!,
    segments: iv.reduction_mw > EPS_MW ? normalizeCurveSegments([{ mw: iv.reduction_mw, price_usd_per_mwh: input.params.strike_usd_per_mwh }], input.max_segments, input.price_floor_usd_per_mwh, input.price_cap_usd_per_mwh) : [],
  }));
  return finish(curves, input);
}

/** Supply-only curves over the limit merge their top blocks (at the higher price, which never undersells). */
function mergeToLimit(segs: BidCurveSegment[], opts: CurveOptions): BidCurveSegment[] {
  const s = normalizeCurveSegments(segs, Infinity, opts.price_floor_usd_per_mwh, opts.price_cap_usd_per_mwh);
  while (s.length > Math.max(1, opts.max_segments)) {
    const top = s.pop()!;
    s[s.length - 1] = { mw: s[s.length - 1]!.mw + top.mw, price_usd_per_mwh: top.price_usd_per_mwh };
  }
  return s;
}

/**
 * Price-taker clearing of one curve: the net MW awarded at `lmp` (supply
 * positive). Supply segment awarded when its price ≤ LMP, demand when ≥ LMP.
 */
export function clearBidCurve(segments: readonly BidCurveSegment[], lmp: number): number {
  let net = 0;
  for (const s of segments) {
    if (s.mw > 0 && s.price_usd_per_mwh <= lmp) net += s.mw;
    else if (s.mw < 0 && s.price_usd_per_mwh >= lmp) net += s.mw;
  }
  return net;
}
