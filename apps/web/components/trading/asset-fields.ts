/**
 * The parameter form of each asset type: labels with units, defaults, and the
 * conversion between text inputs and the API's `params` object (field names as
 * the server validates them, so its 422 `{field, message}` lands on the input).
 */
import type { AssetType } from '@/lib/trading-queries';

export type FieldKind = 'number' | 'optional' | 'profile' | 'segments' | 'boolean';

export interface ParamField {
  key: string;
  label: string;
  kind: FieldKind;
  default: string;
  hint?: string;
}

const FLAT_24 = (v: number) => Array.from({ length: 24 }, () => v).join(', ');
const SOLAR_24 = Array.from({ length: 24 }, (_, h) => Math.max(0, Math.round(50 * Math.sin(((h - 6) / 12) * Math.PI) * 10) / 10)).join(', ');

export const PARAM_FIELDS: Record<AssetType, ParamField[]> = {
  battery: [
    { key: 'charge_power_mw', label: 'Charge power (MW)', kind: 'number', default: '10' },
    { key: 'discharge_power_mw', label: 'Discharge power (MW)', kind: 'number', default: '10' },
    { key: 'energy_mwh', label: 'Energy capacity (MWh)', kind: 'number', default: '40' },
    { key: 'charge_efficiency', label: 'Charge efficiency (0–1)', kind: 'number', default: '0.95' },
    { key: 'discharge_efficiency', label: 'Discharge efficiency (0–1)', kind: 'number', default: '0.95' },
    { key: 'soc_min_mwh', label: 'Minimum state of charge (MWh)', kind: 'number', default: '4' },
    { key: 'soc_max_mwh', label: 'Maximum state of charge (MWh)', kind: 'number', default: '40' },
    { key: 'soc_initial_mwh', label: 'Initial state of charge (MWh)', kind: 'number', default: '20' },
    { key: 'degradation_cost_usd_per_mwh', label: 'Degradation cost ($/MWh discharged)', kind: 'number', default: '5' },
    { key: 'max_cycles_per_day', label: 'Max cycles per day (optional)', kind: 'optional', default: '2' },
  ],
  thermal: [
    { key: 'pmin_mw', label: 'Minimum output (MW)', kind: 'number', default: '20' },
    { key: 'pmax_mw', label: 'Maximum output (MW)', kind: 'number', default: '100' },
    { key: 'cost_segments', label: 'Cost steps (MW @ $/MWh)', kind: 'segments', default: '50 @ 25\n30 @ 32\n20 @ 45', hint: 'One step per line, widths summing to the maximum output, prices ascending.' },
    { key: 'startup_cost_usd', label: 'Start-up cost ($)', kind: 'number', default: '2000' },
    { key: 'min_up_h', label: 'Minimum up time (h)', kind: 'number', default: '4' },
    { key: 'min_down_h', label: 'Minimum down time (h)', kind: 'number', default: '4' },
    { key: 'ramp_mw_per_h', label: 'Ramp limit (MW/h, optional)', kind: 'optional', default: '' },
  ],
  solar: [
    { key: 'capacity_mw', label: 'Capacity (MW)', kind: 'number', default: '50' },
    { key: 'profile_mw', label: 'Hourly generation forecast (MW)', kind: 'profile', default: SOLAR_24, hint: '24 comma-separated values, hour 0 first.' },
    { key: 'curtailable', label: 'Curtailable', kind: 'boolean', default: 'true' },
    { key: 'curtailment_loss_usd_per_mwh', label: 'Curtailment loss ($/MWh)', kind: 'number', default: '0' },
  ],
  wind: [
    { key: 'capacity_mw', label: 'Capacity (MW)', kind: 'number', default: '80' },
    { key: 'profile_mw', label: 'Hourly generation forecast (MW)', kind: 'profile', default: FLAT_24(35), hint: '24 comma-separated values, hour 0 first.' },
    { key: 'curtailable', label: 'Curtailable', kind: 'boolean', default: 'true' },
    { key: 'curtailment_loss_usd_per_mwh', label: 'Curtailment loss ($/MWh)', kind: 'number', default: '0' },
  ],
  demand_response: [
    { key: 'max_reduction_mw', label: 'Maximum reduction (MW)', kind: 'number', default: '15' },
    { key: 'strike_usd_per_mwh', label: 'Strike price ($/MWh)', kind: 'number', default: '150' },
    { key: 'max_hours_per_day', label: 'Maximum hours per day (h)', kind: 'number', default: '4' },
  ],
  load: [{ key: 'profile_mw', label: 'Hourly consumption forecast (MW)', kind: 'profile', default: FLAT_24(25), hint: '24 comma-separated values, hour 0 first.' }],
};

export function defaultValues(type: AssetType): Record<string, string> {
  return Object.fromEntries(PARAM_FIELDS[type].map((f) => [f.key, f.default]));
}

/** Text inputs from stored params (for editing). */
export function valuesFromParams(type: AssetType, params: unknown): Record<string, string> {
  const p = (params ?? {}) as Record<string, unknown>;
  const out = defaultValues(type);
  for (const f of PARAM_FIELDS[type]) {
    const v = p[f.key];
    if (v === undefined || v === null) {
      if (f.kind === 'optional') out[f.key] = '';
      continue;
    }
    if (f.kind === 'profile' && Array.isArray(v)) out[f.key] = v.join(', ');
    else if (f.kind === 'segments' && Array.isArray(v)) out[f.key] = (v as { mw: number; price_usd_per_mwh: number }[]).map((s) => `${s.mw} @ ${s.price_usd_per_mwh}`).join('\n');
    else out[f.key] = String(v);
  }
  return out;
}

/** The params object, plus local messages for inputs that are not numbers at all (the server checks the rest). */
export function paramsFromValues(type: AssetType, values: Record<string, string>): { params: Record<string, unknown>; errors: Record<string, string> } {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of PARAM_FIELDS[type]) {
    const raw = (values[f.key] ?? '').trim();
    if (f.kind === 'boolean') params[f.key] = raw === 'true';
    else if (f.kind === 'optional') {
      if (raw === '') continue;
      const n = Number(raw);
      if (!Number.isFinite(n)) errors[f.key] = 'Enter a number or leave empty.';
      else params[f.key] = n;
    } else if (f.kind === 'number') {
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n)) errors[f.key] = 'Enter a number.';
      else params[f.key] = n;
    } else if (f.kind === 'profile') {
      const list = raw.split(/[\s,;]+/).filter(Boolean).map(Number);
      if (list.some((n) => !Number.isFinite(n))) errors[f.key] = 'Use numbers separated by commas.';
      else params[f.key] = list;
    } else {
      const segs = raw
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .map((l) => l.split(/@|,/).map((x) => Number(x.trim())));
      if (segs.some((s) => s.length !== 2 || s.some((n) => !Number.isFinite(n)))) errors[f.key] = 'Write each step as "MW @ $/MWh".';
      else params[f.key] = segs.map(([mw, price]) => ({ mw, price_usd_per_mwh: price }));
    }
  }
  return { params, errors };
}

/** API field paths (`profile_mw.3`, `cost_segments.1.price_usd_per_mwh`, `params.x`) to the input that holds them. */
export function inputKeyOf(field: string): string {
  return field.replace(/^params\./, '').split('.')[0] ?? field;
}
