/**
 * A settlement ledger: a delivery day's settlement reduced to one entry per
 * (asset, market, market date, line kind, AS product), the figures P&L adds up,
 * so that P&L over any range, grouped by asset, day or market, is a sum of
 * stored entries instead of a new settlement (the analytics store keeps them).
 *
 * Per entry, over the lines of that kind (or the deliveries, kind `delivery`):
 *   revenue_usd = Σ max(0, amount), cost_usd = Σ max(0, −amount), amount_usd = Σ amount,
 *   mwh_sold = Σ max(0, MW × h), mwh_bought = Σ max(0, −MW × h), net_mwh = Σ MW × h,
 *   count = lines (or deliveries) summed.
 * aggregatePnlLedger(entries) equals aggregatePnl(lines) because every P&L field is
 * such a sum: revenue and cost are split line by line before summing, and a
 * battery's cycles and degradation are its discharged MWh (Σ max(0, MW × h) =
 * mwh_sold of its deliveries) divided by, or multiplied by, its parameters,
 * which the reader supplies at read time as aggregatePnl's caller does.
 */
import type { AncillarySettlementLine } from './ancillary-settlement.js';
import type { PnlBatteryInfo, PnlGroupBy, PnlRow } from './pnl.js';
import type { DeliveryRecord, SettlementLine } from './types.js';

export const PNL_LEDGER_KINDS = ['da_energy', 'rt_deviation', 'as_capacity', 'delivery'] as const;
export type PnlLedgerKind = (typeof PNL_LEDGER_KINDS)[number];

export interface PnlLedgerEntry {
  asset_id: string;
  iso: string;
  market_date: string;
  kind: PnlLedgerKind;
  /** The AS product of an `as_capacity` entry, '' otherwise. */
  product: string;
  revenue_usd: number;
  cost_usd: number;
  amount_usd: number;
  mwh_sold: number;
  mwh_bought: number;
  net_mwh: number;
  /** Lines or deliveries summed into the entry (> 0 for every entry made here). */
  count: number;
}

const keyOf = (e: Pick<PnlLedgerEntry, 'asset_id' | 'iso' | 'market_date' | 'kind' | 'product'>) => `${e.asset_id}\u0000${e.iso}\u0000${e.market_date}\u0000${e.kind}\u0000${e.product}`;

/** The ledger entries of settlement lines, AS lines and deliveries (any number of days and assets). */
export function pnlLedgerEntries(input: {
  lines: readonly SettlementLine[];
  ancillary_lines?: readonly Pick<AncillarySettlementLine, 'asset_id' | 'iso' | 'market_date' | 'product' | 'amount_usd'>[];
  deliveries: readonly DeliveryRecord[];
}): PnlLedgerEntry[] {
  const entries = new Map<string, PnlLedgerEntry>();
  const entry = (e: Pick<PnlLedgerEntry, 'asset_id' | 'iso' | 'market_date' | 'kind' | 'product'>): PnlLedgerEntry => {
    const k = keyOf(e);
    let r = entries.get(k);
    if (!r) {
      r = { asset_id: e.asset_id, iso: e.iso, market_date: e.market_date, kind: e.kind, product: e.product, revenue_usd: 0, cost_usd: 0, amount_usd: 0, mwh_sold: 0, mwh_bought: 0, net_mwh: 0, count: 0 };
      entries.set(k, r);
    }
    return r;
  };
  const money = (r: PnlLedgerEntry, amount: number) => {
    if (amount >= 0) r.revenue_usd += amount;
    else r.cost_usd -= amount;
    r.amount_usd += amount;
    r.count++;
  };
  for (const l of input.lines) money(entry({ ...l, product: '' }), l.amount_usd);
  for (const l of input.ancillary_lines ?? []) money(entry({ ...l, kind: 'as_capacity' }), l.amount_usd);
  for (const d of input.deliveries) {
    const r = entry({ ...d, kind: 'delivery', product: '' });
    const mwh = d.delivered_mw * d.duration_h;
    if (mwh >= 0) r.mwh_sold += mwh;
    else r.mwh_bought -= mwh;
    r.net_mwh += mwh;
    r.count++;
  }
  return [...entries.values()];
}

/** P&L rows from ledger entries: the same rows aggregatePnl makes from the lines the entries were made of. */
export function aggregatePnlLedger(input: {
  entries: readonly PnlLedgerEntry[];
  group_by: PnlGroupBy;
  /** Battery parameters by asset id; assets not listed are not batteries. */
  batteries?: Readonly<Record<string, PnlBatteryInfo>>;
}): PnlRow[] {
  const rows = new Map<string, PnlRow>();
  for (const e of input.entries) {
    if (e.count <= 0) continue;
    const key = input.group_by === 'asset' ? e.asset_id : input.group_by === 'day' ? e.market_date : e.iso;
    let r = rows.get(key);
    if (!r) {
      r = { key, revenue_usd: 0, cost_usd: 0, degradation_cost_usd: 0, net_usd: 0, mwh_sold: 0, mwh_bought: 0, net_mwh: 0, energy_revenue_usd: 0, as_revenue_usd: 0, revenue_by_product: {} };
      rows.set(key, r);
    }
    if (e.kind === 'delivery') {
      r.mwh_sold += e.mwh_sold;
      r.mwh_bought += e.mwh_bought;
      r.net_mwh += e.net_mwh;
      const b = input.batteries?.[e.asset_id];
      if (b) {
        r.cycles = (r.cycles ?? 0) + e.mwh_sold / b.energy_mwh;
        r.degradation_cost_usd += e.mwh_sold * b.degradation_cost_usd_per_mwh;
      }
      continue;
    }
    r.revenue_usd += e.revenue_usd;
    r.cost_usd += e.cost_usd;
    if (e.kind === 'as_capacity') {
      r.as_revenue_usd += e.amount_usd;
      r.revenue_by_product[e.product] = (r.revenue_by_product[e.product] ?? 0) + e.amount_usd;
    } else r.energy_revenue_usd += e.amount_usd;
  }
  for (const r of rows.values()) {
    r.revenue_by_product = Object.fromEntries(Object.entries(r.revenue_by_product).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    r.cost_usd += r.degradation_cost_usd;
    r.net_usd = r.revenue_usd - r.cost_usd;
  }
  return [...rows.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
