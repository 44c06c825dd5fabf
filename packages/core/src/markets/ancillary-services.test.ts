import { describe, expect, it } from 'vitest';
import { ANCILLARY_SERVICES, ancillaryProductsOn, durationHoursOn } from './ancillary-services.js';
import { ISO_IDS } from './types.js';

describe('ancillary-service catalogue', () => {
  it('ERCOT: ECRS from 2023-06-10, durations by date (NPRR1096, RTC+B NPRR1282)', () => {
    expect(ancillaryProductsOn('ERCOT', '2015-06-01').map((p) => p.id)).toEqual(['REGUP', 'REGDN', 'RRS', 'NSPIN']);
    expect(ancillaryProductsOn('ERCOT', '2023-06-10').map((p) => p.id)).toContain('ECRS');
    const byId = Object.fromEntries(ANCILLARY_SERVICES.ERCOT.products.map((p) => [p.id, p]));
    expect(durationHoursOn(byId.NSPIN!, '2015-06-01')).toBeNull();
    expect(durationHoursOn(byId.NSPIN!, '2023-01-01')).toBe(4);
    expect(durationHoursOn(byId.ECRS!, '2024-07-01')).toBe(2);
    expect(durationHoursOn(byId.ECRS!, '2025-12-05')).toBe(1);
    expect(durationHoursOn(byId.REGUP!, '2025-12-04')).toBeNull();
    expect(durationHoursOn(byId.REGUP!, '2025-12-05')).toBe(0.5);
  });

  it('every ISO has an entry; rules are dated in order with a source; unverified is listed', () => {
    for (const iso of ISO_IDS) {
      const m = ANCILLARY_SERVICES[iso];
      expect(m.iso).toBe(iso);
      expect(m.unverified.length).toBeGreaterThan(0);
      for (const p of m.products) {
        const dates = p.duration_rules.map((r) => r.effective_from);
        expect(dates).toEqual([...dates].sort());
        for (const r of p.duration_rules) expect(r.source.length).toBeGreaterThan(0);
        expect(p.expected_deployment_fraction).toBeGreaterThanOrEqual(0);
      }
    }
  });
});
