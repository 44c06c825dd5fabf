/**
 * Asset parameter validation. Input is untrusted (it comes from the API), so
 * every field is checked for presence and type before the physical rules.
 * Every problem is reported, not only the first.
 */
import {
  ASSET_TYPES,
  type AssetParamIssue,
  type AssetParamsByType,
  type AssetType,
  type BatteryAssetParams,
  type CostSegment,
  type ThermalAssetParams,
} from './types.js';

type Rec = Record<string, unknown>;

const EPS = 1e-9;

class IssueList {
  readonly issues: AssetParamIssue[] = [];
  add(field: string, message: string): void {
    this.issues.push({ field, message });
  }
  /** Reads a finite number; reports and returns undefined when absent or not a number. */
  num(
    p: Rec,
    key: string,
    opts: { optional?: boolean; min?: number; positive?: boolean; path?: string } = {},
  ): number | undefined {
    const field = opts.path ?? key;
    const v = p[key];
    if (v === undefined || v === null) {
      if (!opts.optional) this.add(field, `${field} is required`);
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.add(field, `${field} must be a finite number`);
      return undefined;
    }
    if (opts.positive && !(v > 0)) this.add(field, `${field} must be greater than 0 (got ${v})`);
    else if (opts.min !== undefined && v < opts.min) this.add(field, `${field} must be at least ${opts.min} (got ${v})`);
    return v;
  }
  efficiency(p: Rec, field: string, optional = false): number | undefined {
    const v = this.num(p, field, { optional });
    if (v !== undefined && !(v > 0 && v <= 1)) {
      this.add(field, `${field} must be in (0, 1] as a fraction, e.g. 0.92 (got ${v})`);
      return undefined;
    }
    return v;
  }
  profile(p: Rec, field: string, max?: number): void {
    const v = p[field];
    if (!Array.isArray(v) || v.length === 0) {
      this.add(field, `${field} must be a non-empty array of MW values (24 hourly values or one per interval)`);
      return;
    }
    v.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) this.add(`${field}.${i}`, `${field}[${i}] must be a finite number`);
      else if (x < 0) this.add(`${field}.${i}`, `${field}[${i}] must be ≥ 0 MW (got ${x})`);
      else if (max !== undefined && x > max + EPS)
        this.add(`${field}.${i}`, `${field}[${i}] = ${x} MW exceeds capacity_mw ${max}`);
    });
  }
}

/** Reports `{field, message}` for every violated rule of the asset's parameters (empty = valid). */
export function validateAssetParams(type: string, params: unknown): AssetParamIssue[] {
  const out = new IssueList();
  if (!(ASSET_TYPES as readonly string[]).includes(type)) {
    out.add('type', `unknown asset type "${type}"; expected one of ${ASSET_TYPES.join(', ')}`);
    return out.issues;
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    out.add('params', 'params must be an object');
    return out.issues;
  }
  const p = params as Rec;
  switch (type as AssetType) {
    case 'battery':
      checkBattery(p, out);
      break;
    case 'thermal':
      checkThermal(p, out);
      break;
    case 'solar':
    case 'wind': {
      const cap = out.num(p, 'capacity_mw', { positive: true });
      out.profile(p, 'profile_mw', cap);
      if (typeof p.curtailable !== 'boolean') out.add('curtailable', 'curtailable must be true or false');
      out.num(p, 'curtailment_loss_usd_per_mwh', { min: 0 });
      break;
    }
    case 'demand_response': {
      out.num(p, 'max_reduction_mw', { positive: true });
      out.num(p, 'strike_usd_per_mwh');
      const h = out.num(p, 'max_hours_per_day', { positive: true });
      if (h !== undefined && h > 25) out.add('max_hours_per_day', `max_hours_per_day must be at most 25 (got ${h})`);
      break;
    }
    case 'load':
      out.profile(p, 'profile_mw');
      break;
  }
  return out.issues;
}

function checkBattery(p: Rec, out: IssueList): void {
  out.num(p, 'charge_power_mw', { positive: true });
  out.num(p, 'discharge_power_mw', { positive: true });
  const energy = out.num(p, 'energy_mwh', { positive: true });
  const hasRoundTrip = p.round_trip_efficiency !== undefined;
  const hasSplit = p.charge_efficiency !== undefined || p.discharge_efficiency !== undefined;
  if (hasRoundTrip && hasSplit) {
    out.add('round_trip_efficiency', 'give either round_trip_efficiency or charge_efficiency and discharge_efficiency, not both');
  } else if (hasRoundTrip) {
    out.efficiency(p, 'round_trip_efficiency');
  } else {
    out.efficiency(p, 'charge_efficiency');
    out.efficiency(p, 'discharge_efficiency');
  }
  const smin = out.num(p, 'soc_min_mwh', { min: 0 });
  const smax = out.num(p, 'soc_max_mwh', { min: 0 });
  const s0 = out.num(p, 'soc_initial_mwh', { min: 0 });
  if (smin !== undefined && smax !== undefined && smin > smax + EPS)
    out.add('soc_min_mwh', `soc_min_mwh (${smin}) must not exceed soc_max_mwh (${smax})`);
  if (s0 !== undefined && smin !== undefined && s0 < smin - EPS)
    out.add('soc_initial_mwh', `soc_initial_mwh (${s0}) must be at least soc_min_mwh (${smin})`);
  if (s0 !== undefined && smax !== undefined && s0 > smax + EPS)
    out.add('soc_initial_mwh', `soc_initial_mwh (${s0}) must not exceed soc_max_mwh (${smax})`);
  if (smax !== undefined && energy !== undefined && smax > energy + EPS)
    out.add('soc_max_mwh', `soc_max_mwh (${smax}) must not exceed energy_mwh (${energy})`);
  out.num(p, 'degradation_cost_usd_per_mwh', { min: 0 });
  out.num(p, 'max_cycles_per_day', { optional: true, positive: true });
  for (const key of ['resource_name', 'load_resource_name']) {
    const v = p[key];
    if (v !== undefined && (typeof v !== 'string' || !ISO_RESOURCE_NAME.test(v)))
      out.add(key, `${key} must be 1 to 32 letters, digits or _ . - (the ISO's registered resource name), got ${JSON.stringify(v)}`);
  }
}

/** ISO resource names are short identifiers (ERCOT's e.g. `HOUSTON_ESR1`, `BRP_ALVIN_UNIT1`). */
const ISO_RESOURCE_NAME = /^[A-Za-z0-9_.-]{1,32}$/;

function checkSegments(p: Rec, out: IssueList, field: string, valueField: string): number | undefined {
  const segs = p[field];
  if (!Array.isArray(segs) || segs.length === 0) {
    out.add(field, `${field} must be a non-empty array of {mw, ${valueField}}`);
    return undefined;
  }
  let total = 0;
  let prev = -Infinity;
  segs.forEach((s, i) => {
    const f = `${field}.${i}`;
    if (typeof s !== 'object' || s === null) {
      out.add(f, `${field}[${i}] must be an object {mw, ${valueField}}`);
      return;
    }
    const seg = s as Rec;
    const mw = out.num(seg, 'mw', { positive: true, path: `${f}.mw` });
    const v = out.num(seg, valueField, { path: `${f}.${valueField}` });
    if (mw !== undefined) total += mw;
    if (v !== undefined) {
      if (v < prev - EPS)
        out.add(`${f}.${valueField}`, `${field}[${i}].${valueField} (${v}) is below the previous segment (${prev}); segments must be ascending`);
      prev = v;
    }
  });
  return total;
}

function checkThermal(p: Rec, out: IssueList): void {
  const pmin = out.num(p, 'pmin_mw', { min: 0 });
  const pmax = out.num(p, 'pmax_mw', { positive: true });
  if (pmin !== undefined && pmax !== undefined && pmin > pmax + EPS)
    out.add('pmin_mw', `pmin_mw (${pmin}) must not exceed pmax_mw (${pmax})`);
  let total: number | undefined;
  if (p.heat_rate_segments !== undefined) {
    if (p.cost_segments !== undefined)
      out.add('cost_segments', 'give either cost_segments or heat_rate_segments with fuel_price_usd_per_mmbtu, not both');
    total = checkSegments(p, out, 'heat_rate_segments', 'heat_rate_mmbtu_per_mwh');
    out.num(p, 'fuel_price_usd_per_mmbtu');
    (p.heat_rate_segments as Rec[] | undefined)?.forEach?.((s, i) => {
      if (typeof s?.heat_rate_mmbtu_per_mwh === 'number' && s.heat_rate_mmbtu_per_mwh <= 0)
        out.add(`heat_rate_segments.${i}.heat_rate_mmbtu_per_mwh`, 'heat rate must be greater than 0 MMBtu/MWh');
    });
  } else {
    total = checkSegments(p, out, 'cost_segments', 'price_usd_per_mwh');
  }
  if (total !== undefined && pmax !== undefined && Math.abs(total - pmax) > 1e-6)
    out.add(p.heat_rate_segments !== undefined ? 'heat_rate_segments' : 'cost_segments',
      `segment widths sum to ${total} MW but must sum to pmax_mw (${pmax})`);
  out.num(p, 'startup_cost_usd', { min: 0 });
  out.num(p, 'min_up_h', { min: 0 });
  out.num(p, 'min_down_h', { min: 0 });
  out.num(p, 'ramp_mw_per_h', { optional: true, positive: true });
}

/**
 * Heat-rate steps to marginal-cost steps: price = heat rate (MMBtu/MWh) × fuel price ($/MMBtu).
 * Ascending heat rates give ascending costs, which `validateAssetParams` checks.
 */
export function heatRateToCostSegments(
  segments: { mw: number; heat_rate_mmbtu_per_mwh: number }[],
  fuelPriceUsdPerMmbtu: number,
): CostSegment[] {
  return segments.map((s) => ({ mw: s.mw, price_usd_per_mwh: s.heat_rate_mmbtu_per_mwh * fuelPriceUsdPerMmbtu }));
}

export type NormalizeAssetResult<T extends AssetType> =
  | { ok: true; params: AssetParamsByType[T] }
  | { ok: false; issues: AssetParamIssue[] };

/**
 * Validates and brings parameters to canonical form:
 * - battery: a round-trip efficiency η_rt is split as η_c = η_d = √η_rt (so η_c·η_d = η_rt);
 * - thermal: heat-rate segments × fuel price become `cost_segments`.
 */
export function normalizeAssetParams<T extends AssetType>(type: T, params: unknown): NormalizeAssetResult<T> {
  const issues = validateAssetParams(type, params);
  if (issues.length > 0) return { ok: false, issues };
  const p = { ...(params as Rec) };
  if (type === 'battery' && p.round_trip_efficiency !== undefined && p.charge_efficiency === undefined) {
    const split = Math.sqrt(p.round_trip_efficiency as number);
    p.charge_efficiency = split;
    p.discharge_efficiency = split;
    delete p.round_trip_efficiency;
  }
  if (type === 'thermal' && p.heat_rate_segments !== undefined) {
    const t = p as unknown as ThermalAssetParams;
    p.cost_segments = heatRateToCostSegments(t.heat_rate_segments!, t.fuel_price_usd_per_mmbtu!);
  }
  return { ok: true, params: p as unknown as AssetParamsByType[T] };
}

/** Round-trip efficiency η_c × η_d of a battery. */
export function batteryRoundTripEfficiency(b: Pick<BatteryAssetParams, 'charge_efficiency' | 'discharge_efficiency'>): number {
  return b.charge_efficiency * b.discharge_efficiency;
}
