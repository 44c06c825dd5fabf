import { describe, expect, it } from 'vitest';
import type { IsoId } from '../markets/types.js';
import { aggregatePnl, aggregatePnlLedger, pnlLedgerEntries, PNL_GROUP_BYS, type DeliveryRecord, type SettlementLine } from './index.js';

/** A deterministic pseudo-random sequence (LCG), so the case is the same on every run. */
function rng(seed: number) {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
}

describe('settlement ledger', () => {
  it('gives the P&L aggregatePnl gives from the lines, for every grouping, with mixed signs, AS products and batteries', () => {
    const r = rng(7);
    const assets = [
      { id: 'bat-1', iso: 'ERCOT' as IsoId },
      { id: 'bat-2', iso: 'PJM' as IsoId },
      { id: 'solar', iso: 'ERCOT' as IsoId },
    ];
    const days = ['2026-03-07', '2026-03-08', '2026-03-09'];
    const lines: SettlementLine[] = [];
    const deliveries: DeliveryRecord[] = [];
    const ancillary: { asset_id: string; iso: IsoId; market_date: string; product: string; amount_usd: number }[] = [];
    for (const a of assets)
      for (const day of days)
        for (let h = 0; h < 24; h++) {
          const t = new Date(Date.parse(`${day}T06:00:00Z`) + h * 3_600_000);
          const mw = (r() - 0.5) * 40;
          const price = (r() - 0.2) * 90;
          lines.push({ asset_id: a.id, iso: a.iso, market_date: day, kind: 'da_energy', interval_start: t, duration_h: 1, mw, price_usd_per_mwh: price, amount_usd: mw * price });
          const dev = (r() - 0.5) * 5;
          if (h % 3 !== 0) lines.push({ asset_id: a.id, iso: a.iso, market_date: day, kind: 'rt_deviation', interval_start: t, duration_h: 1, mw: dev, price_usd_per_mwh: price, amount_usd: dev * price * 1.1 });
          deliveries.push({ asset_id: a.id, iso: a.iso, market_date: day, interval_start: t, duration_h: 1, delivered_mw: mw + dev });
          if (a.id !== 'solar' && h % 4 === 0) ancillary.push({ asset_id: a.id, iso: a.iso, market_date: day, product: h % 8 === 0 ? 'REGUP' : 'RRS', amount_usd: r() * 50 });
        }
    // An asset with AS revenue and nothing else, and one whose only line is a cost.
    ancillary.push({ asset_id: 'as-only', iso: 'ERCOT', market_date: '2026-03-08', product: 'ECRS', amount_usd: 12.5 });
    lines.push({ asset_id: 'cost-only', iso: 'PJM', market_date: '2026-03-10', kind: 'da_energy', interval_start: new Date('2026-03-10T05:00:00Z'), duration_h: 1, mw: -3, price_usd_per_mwh: 20, amount_usd: -60 });
    const batteries = { 'bat-1': { energy_mwh: 80, degradation_cost_usd_per_mwh: 4 }, 'bat-2': { energy_mwh: 20, degradation_cost_usd_per_mwh: 0 } };

    const entries = pnlLedgerEntries({ lines, ancillary_lines: ancillary, deliveries });
    expect(entries.length).toBeLessThan(lines.length / 5);
    expect(entries.filter((e) => e.kind === 'as_capacity').map((e) => e.product)).toContain('ECRS');
    for (const group_by of PNL_GROUP_BYS) {
      const expected = aggregatePnl({ lines, ancillary_lines: ancillary, deliveries, group_by, batteries });
      const got = aggregatePnlLedger({ entries, group_by, batteries });
      expect(got.map((x) => x.key)).toEqual(expected.map((x) => x.key));
      for (let i = 0; i < got.length; i++) {
        const g = got[i]!;
        const e = expected[i]!;
        for (const f of ['revenue_usd', 'cost_usd', 'degradation_cost_usd', 'net_usd', 'mwh_sold', 'mwh_bought', 'net_mwh', 'energy_revenue_usd', 'as_revenue_usd'] as const) {
          expect(g[f], `${group_by} ${g.key} ${f}`).toBeCloseTo(e[f], 6);
        }
        expect(g.cycles === undefined, `${group_by} ${g.key} cycles present`).toBe(e.cycles === undefined);
        if (e.cycles !== undefined) expect(g.cycles).toBeCloseTo(e.cycles, 9);
        expect(Object.keys(g.revenue_by_product)).toEqual(Object.keys(e.revenue_by_product));
        for (const [k, v] of Object.entries(e.revenue_by_product)) expect(g.revenue_by_product[k]).toBeCloseTo(v, 6);
      }
    }
  });

  it('splits revenue and cost line by line, as P&L does, not after netting', () => {
    const t = new Date('2026-03-07T06:00:00Z');
    const base = { asset_id: 'a', iso: 'ERCOT' as IsoId, market_date: '2026-03-07', interval_start: t, duration_h: 1, mw: 1, price_usd_per_mwh: 1 };
    const [e] = pnlLedgerEntries({ lines: [{ ...base, kind: 'da_energy', amount_usd: 100 }, { ...base, kind: 'da_energy', amount_usd: -30 }], deliveries: [] });
    expect(e).toMatchObject({ kind: 'da_energy', revenue_usd: 100, cost_usd: 30, amount_usd: 70, count: 2 });
  });
});
