import { describe, expect, it } from 'vitest';
import { createMarketCatalogue, findLocation, getMarket, isIsoId, listMarkets, parseIsoId } from './catalogue.js';
import { ISO_IDS } from './types.js';

describe('market catalogue', () => {
  it('has the seven ISOs with valid definitions', () => {
    expect(listMarkets().map((m) => m.iso).sort()).toEqual([...ISO_IDS].sort());
    for (const m of listMarkets()) {
      expect(m.locations.some((l) => l.id === m.default_location)).toBe(true);
      expect(m.offer_limits.floor_usd_per_mwh).toBeLessThan(m.offer_limits.soft_cap_usd_per_mwh);
    }
    expect(getMarket('MISO').timezone).toBe('Etc/GMT+5');
    expect(getMarket('ERCOT').offer_limits.hard_cap_usd_per_mwh).toBe(5000);
    expect(getMarket('CAISO').offer_limits.floor_usd_per_mwh).toBe(-150);
  });

  it('recognises ISO ids', () => {
    expect(isIsoId('PJM')).toBe(true);
    expect(isIsoId('pjm')).toBe(false);
    expect(parseIsoId('iso-ne')).toBe('ISONE');
    expect(parseIsoId('pjm')).toBe('PJM');
    expect(parseIsoId('ieso')).toBeUndefined();
  });

  it('finds locations by id, node id and EIA alias', () => {
    expect(findLocation('PJM', '51288')?.id).toBe('WESTERN HUB');
    expect(findLocation('PJM', 'Western Hub')?.id).toBe('WESTERN HUB');
    expect(findLocation('PJM', 'American Electric Power Co., Inc - Dayton')?.id).toBe('AEP-DAYTON HUB');
    expect(findLocation('NYISO', 'J - New York City')?.id).toBe('N.Y.C.');
    expect(findLocation('NYISO', 'hud vl')?.iso_node_id).toBe('61758');
    expect(findLocation('MISO', 'Minnesota Hub')?.id).toBe('MINN.HUB');
    expect(findLocation('ERCOT', 'Houston')?.id).toBe('HB_HOUSTON');
    expect(findLocation('ERCOT', 'LZ_HOUSTON')?.id).toBe('LZ_HOUSTON');
    expect(findLocation('CAISO', 'SP-15')?.id).toBe('TH_SP15_GEN-APND');
    expect(findLocation('SPP', 'North Hub')?.id).toBe('SPPNORTH_HUB');
    expect(findLocation('ISONE', '4000')?.id).toBe('.H.INTERNAL_HUB');
    expect(findLocation('ISONE', 'Nowhere')).toBeUndefined();
    expect(getMarket('NYISO').locations.filter((l) => l.type === 'zone')).toHaveLength(11);
  });

  it('applies and validates overrides without touching the defaults', () => {
    const c = createMarketCatalogue({
      PJM: { offer_limits: { floor_usd_per_mwh: -500 }, max_segments: 12 },
      MISO: { da_gate_closures: [{ effective_from: '2000-01-01', close_local_time: '10:30', timezone: 'America/New_York', source: 'config' }] },
    });
    expect(c.getMarket('PJM').offer_limits).toEqual({ floor_usd_per_mwh: -500, soft_cap_usd_per_mwh: 1000, hard_cap_usd_per_mwh: 2000 });
    expect(c.getMarket('PJM').max_segments).toBe(12);
    expect(getMarket('PJM').offer_limits.floor_usd_per_mwh).toBe(-1000);
    expect(() => createMarketCatalogue({ PJM: { offer_limits: { soft_cap_usd_per_mwh: 5000 } } })).toThrow(/soft cap/);
    expect(() => createMarketCatalogue({ ERCOT: { default_location: 'HB_NOWHERE' } })).toThrow(/HB_NOWHERE/);
    expect(() => createMarketCatalogue({ IESO: {} } as never)).toThrow(/IESO/);
    expect(() => createMarketCatalogue({ SPP: { da_gate_closures: [{ effective_from: '2020-01-01', close_local_time: '25:00', source: 'x' }] } })).toThrow();
  });

  it('freezes definitions so callers cannot alter the catalogue', () => {
    expect(() => {
      (getMarket('PJM').offer_limits as { floor_usd_per_mwh: number }).floor_usd_per_mwh = 0;
    }).toThrow();
  });
});
