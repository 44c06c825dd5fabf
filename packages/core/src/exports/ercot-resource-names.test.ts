import { describe, expect, it } from 'vitest';
import { validateAssetParams } from '../assets/validate.js';
import { ercotDerivedResourceName, ercotResourceNamesOf } from './ercot-resource-names.js';

const BATTERY = {
  charge_power_mw: 1, discharge_power_mw: 1, energy_mwh: 2, charge_efficiency: 0.92, discharge_efficiency: 0.92,
  soc_min_mwh: 0, soc_max_mwh: 2, soc_initial_mwh: 1, degradation_cost_usd_per_mwh: 0,
};

describe('ERCOT resource names', () => {
  it('uses the battery parameters when given, and derives the rest from the asset name', () => {
    expect(ercotResourceNamesOf({ name: 'Houston battery #2', params: {} })).toEqual({ resource: 'HOUSTON_BATTERY_2', load_resource: 'HOUSTON_BATTERY_2_CLR', derived: true, load_derived: true });
    expect(ercotResourceNamesOf({ name: 'x', params: { resource_name: 'HOU_ESR1', load_resource_name: 'HOU_LD1' } })).toEqual({ resource: 'HOU_ESR1', load_resource: 'HOU_LD1', derived: false, load_derived: false });
    expect(ercotDerivedResourceName('***')).toBe('OPTIBID_ESR');
    expect(ercotDerivedResourceName('a'.repeat(50))).toHaveLength(28);
  });

  it('battery parameters accept a resource name and refuse a malformed one', () => {
    expect(validateAssetParams('battery', { ...BATTERY, resource_name: 'HOU_ESR1' })).toEqual([]);
    expect(validateAssetParams('battery', { ...BATTERY, resource_name: 'has space', load_resource_name: 3 }).map((i) => i.field)).toEqual(['resource_name', 'load_resource_name']);
  });
});
