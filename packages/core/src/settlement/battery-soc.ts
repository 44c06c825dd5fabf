/**
 * Battery state of charge tracked from awards (or deliveries):
 *   SoC_{t+1} = SoC_t + η_c · c_t · Δt − d_t · Δt / η_d
 * with c_t = max(0, −P_t) charging MW and d_t = max(0, P_t) discharging MW
 * (P_t net MW, supply positive). The same model as the perfect-foresight LP in
 * research §4. The SoC is not clamped: a schedule that breaks a limit is
 * reported interval by interval so the size of the breach stays visible.
 * Full-equivalent cycles = discharged MWh / energy_mwh.
 */
import type { BatteryAssetParams } from '../assets/types.js';
import { localDateOf } from '../time/zoned.js';

export type SocViolationKind = 'soc_below_min' | 'soc_above_max' | 'charge_power' | 'discharge_power' | 'max_cycles';

export interface SocViolation {
  kind: SocViolationKind;
  /** Interval index (for `max_cycles`: the interval at which the day's limit was first exceeded). */
  index: number;
  message: string;
}

export interface SocInterval {
  interval_start?: Date;
  duration_h: number;
  /** Net MW: discharge positive, charge negative. */
  mw: number;
}

export interface SocTrack {
  /** SoC at the end of each interval (MWh). */
  soc_mwh: number[];
  /** Energy drawn from the grid (MWh, before losses). */
  charged_mwh: number;
  /** Energy delivered to the grid (MWh, after losses). */
  discharged_mwh: number;
  cycles: number;
  violations: SocViolation[];
}

type SocParams = Pick<
  BatteryAssetParams,
  | 'charge_power_mw'
  | 'discharge_power_mw'
  | 'energy_mwh'
  | 'charge_efficiency'
  | 'discharge_efficiency'
  | 'soc_min_mwh'
  | 'soc_max_mwh'
  | 'soc_initial_mwh'
  | 'max_cycles_per_day'
>;

const TOL = 1e-6;

/**
 * Runs the SoC recursion over the intervals in order. `timezone` (the market clock) groups
 * intervals into days for the max-cycles check; without it, or without `interval_start`,
 * all intervals count as one day.
 */
export function trackBatterySoc(params: SocParams, intervals: readonly SocInterval[], timezone?: string): SocTrack {
  const violations: SocViolation[] = [];
  const soc_mwh: number[] = [];
  let soc = params.soc_initial_mwh;
  let charged = 0;
  let discharged = 0;
  const dayDischarge = new Map<string, number>();
  const flaggedDays = new Set<string>();
  const fmt = (x: number) => Number(x.toFixed(4)).toString();

  intervals.forEach((iv, index) => {
    const c = Math.max(0, -iv.mw);
    const d = Math.max(0, iv.mw);
    if (c > params.charge_power_mw + TOL)
      violations.push({ kind: 'charge_power', index, message: `interval ${index}: charging ${fmt(c)} MW exceeds charge_power_mw ${params.charge_power_mw}` });
    if (d > params.discharge_power_mw + TOL)
      violations.push({ kind: 'discharge_power', index, message: `interval ${index}: discharging ${fmt(d)} MW exceeds discharge_power_mw ${params.discharge_power_mw}` });
    soc += params.charge_efficiency * c * iv.duration_h - (d * iv.duration_h) / params.discharge_efficiency;
    soc_mwh.push(soc);
    charged += c * iv.duration_h;
    discharged += d * iv.duration_h;
    if (soc < params.soc_min_mwh - TOL)
      violations.push({ kind: 'soc_below_min', index, message: `interval ${index}: state of charge ${fmt(soc)} MWh is below soc_min_mwh ${params.soc_min_mwh}` });
    if (soc > params.soc_max_mwh + TOL)
      violations.push({ kind: 'soc_above_max', index, message: `interval ${index}: state of charge ${fmt(soc)} MWh is above soc_max_mwh ${params.soc_max_mwh}` });
    const maxCycles = params.max_cycles_per_day;
    if (maxCycles !== undefined && maxCycles !== null) {
      const day = timezone && iv.interval_start ? localDateOf(iv.interval_start, timezone) : 'all';
      const dayMwh = (dayDischarge.get(day) ?? 0) + d * iv.duration_h;
      dayDischarge.set(day, dayMwh);
      const cycles = dayMwh / params.energy_mwh;
      if (cycles > maxCycles + TOL && !flaggedDays.has(day)) {
        flaggedDays.add(day);
        violations.push({
          kind: 'max_cycles',
          index,
          message: `${day === 'all' ? 'schedule' : day}: ${fmt(cycles)} cycles exceed max_cycles_per_day ${params.max_cycles_per_day}`,
        });
      }
    }
  });
  return { soc_mwh, charged_mwh: charged, discharged_mwh: discharged, cycles: discharged / params.energy_mwh, violations };
}
