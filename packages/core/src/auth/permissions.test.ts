import { describe, expect, it } from 'vitest';
import { can, permissionsOf, roleRank, isRole } from './permissions.js';

describe('permission matrix', () => {
  it('lets a trader write bids and a viewer only read', () => {
    expect(can('trader', 'bids:write')).toBe(true);
    expect(can('viewer', 'bids:write')).toBe(false);
    expect(can('viewer', 'bids:read')).toBe(true);
  });
  it('gives price import to analysts and admins, not traders', () => {
    expect(can('analyst', 'prices:import')).toBe(true);
    expect(can('admin', 'prices:import')).toBe(true);
    expect(can('trader', 'prices:import')).toBe(false);
  });
  it('reserves organisation management to owners and admins', () => {
    for (const r of ['trader', 'analyst', 'viewer'] as const) expect(can(r, 'org:manage')).toBe(false);
    expect(permissionsOf('owner').length).toBeGreaterThan(permissionsOf('viewer').length);
  });
  it('ranks roles from owner down to viewer', () => {
    expect(roleRank('owner')).toBeGreaterThan(roleRank('admin'));
    expect(roleRank('trader')).toBeGreaterThan(roleRank('viewer'));
    expect(isRole('owner')).toBe(true);
    expect(isRole('superuser')).toBe(false);
  });
});
