/**
 * P&L aggregation of settlement lines and deliveries.
 *   revenue = Σ positive amounts, cost = Σ |negative amounts| + degradation,
 *   degradation = discharged MWh × degradation_cost_usd_per_mwh (batteries),
 *   net = revenue − cost,
 *   MWh sold / bought = Σ max(0, ±delivered MW) × Δt,
 *   cycles = discharged MWh / energy_mwh, summed over the group's batteries.
 * Revenue split (the backtests' fields): energy_revenue_usd = Σ energy line amounts (net
 * energy, DA + RT), as_revenue_usd = Σ AS capacity amounts, revenue_by_product = the latter
 * per product (keys as the ISO names them, sorted).
 */
import type { AncillarySettlementLine } from './ancillary-settlement.js';
import type { DeliveryRecord, SettlementLine } from './types.js';

export const PNL_GROUP_BYS = ['asset', 'day', 'market'] as const;
export type PnlGroupBy = (typeof PNL_GROUP_BYS)[number];

export interface PnlRow {
  /** asset_id, market_date or iso, depending on the grouping. */
  key: string;
  revenue_usd: number;
  cost_usd: number;
  degradation_cost_usd: number;
  net_usd: number;
  mwh_sold: number;
  mwh_bought: number;
  net_mwh: number;
  /** Net energy settlement (DA + RT lines), USD. */
  energy_revenue_usd: number;
  /** AS capacity payments, USD. */
  as_revenue_usd: number;
  /** AS capacity payments per product, USD; empty when none. */
  revenue_by_product: Record<string, number>;
  /** Present when the group holds at least one battery. */
  cycles?: number;
}

export interface PnlBatteryInfo {
  energy_mwh: number;
  degradation_cost_usd_per_mwh: number;
}

function keyOf(r: { asset_id: string; market_date: string; iso: string }, by: PnlGroupBy): string {
  return by === 'asset' ? r.asset_id : by === 'day' ? r.market_date : r.iso;
}

export function aggregatePnl(input: {
  lines: readonly SettlementLine[];
  /** AS capacity lines (`settleAncillaryAwards`): revenue beside energy, split by product. */
  ancillary_lines?: readonly Pick<AncillarySettlementLine, 'asset_id' | 'iso' | 'market_date' | 'product' | 'amount_usd'>[];
  deliveries: readonly DeliveryRecord[];
  group_by: PnlGroupBy;
  /** Battery parameters by asset id; assets not listed are not batteries. */
  batteries?: Readonly<Record<string, PnlBatteryInfo>>;
}): PnlRow[] {
  const rows = new Map<string, PnlRow>();
  const row = (key: string): PnlRow => {
    let r = rows.get(key);
    if (!r) {
      r = { key, revenue_usd: 0, cost_usd: 0, degradation_cost_usd: 0, net_usd: 0, mwh_sold: 0, mwh_bought: 0, net_mwh: 0, energy_revenue_usd: 0, as_revenue_usd: 0, revenue_by_product: {} };
      rows.set(key, r);
    }
    return r;
  };
  for (const l of input.lines) {
    const r = row(keyOf(l, input.group_by));
    if (l.amount_usd >= 0) r.revenue_usd += l.amount_usd;
    else r.cost_usd -= l.amount_usd;
    r.energy_revenue_usd += l.amount_usd;
  }
  for (const l of input.ancillary_lines ?? []) {
    const r = row(keyOf(l, input.group_by));
    if (l.amount_usd >= 0) r.revenue_usd += l.amount_usd;
    else r.cost_usd -= l.amount_usd;
    r.as_revenue_usd += l.amount_usd;
    r.revenue_by_product[l.product] = (r.revenue_by_product[l.product] ?? 0) + l.amount_usd;
  }
  for (const d of input.deliveries) {
    const r = row(keyOf(d, input.group_by));
    const mwh = d.delivered_mw * d.duration_h;
    if (mwh >= 0) r.mwh_sold += mwh;
    else r.mwh_bought -= mwh;
    r.net_mwh += mwh;
    const b = input.batteries?.[d.asset_id];
    if (b) {
      const out = Math.max(0, mwh);
      r.cycles = (r.cycles ?? 0) + out / b.energy_mwh;
      r.degradation_cost_usd += out * b.degradation_cost_usd_per_mwh;
    }
  }
  for (const r of rows.values()) {
    r.revenue_by_product = Object.fromEntries(Object.entries(r.revenue_by_product).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    r.cost_usd += r.degradation_cost_usd;
    r.net_usd = r.revenue_usd - r.cost_usd;
  }
  return [...rows.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
