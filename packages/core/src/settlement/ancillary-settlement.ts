/**
 * Capacity settlement of AS awards: amount = awarded MW × clearing price ($/MW per hour) × hours.
 * Only capacity is paid; deployment energy settles with energy (not modelled here).
 * ERCOT pays DAM AS awards the product's MCPC, published in $/MW per hour (NP4-181-ER).
 */
import type { AncillaryAward } from '../clearing/ancillary-awards.js';
import type { IsoId } from '../markets/types.js';

export interface AncillarySettlementLine {
  asset_id: string;
  iso: IsoId;
  market_date: string;
  kind: 'as_capacity';
  product: string;
  interval_start: Date;
  duration_h: number;
  mw: number;
  price_usd_per_mw: number;
  /** > 0 paid to the participant. */
  amount_usd: number;
}

export interface AncillarySettlementContext {
  asset_id: string;
  iso: IsoId;
  market_date: string;
  /** Start and length of each period, indexed like the awards' `period` (e.g. `bidPeriods`). */
  periods: readonly { interval_start: Date; duration_h: number }[];
}

/** One line per award with MW > 0, in award order. Throws when an award's period is unknown. */
export function settleAncillaryAwards(awards: readonly AncillaryAward[], ctx: AncillarySettlementContext): AncillarySettlementLine[] {
  const out: AncillarySettlementLine[] = [];
  for (const a of awards) {
    if (a.awarded_mw <= 0) continue;
    const p = ctx.periods[a.period];
    if (!p) throw new Error(`AS award for period ${a.period} but ${ctx.periods.length} periods were given`);
    out.push({
      asset_id: ctx.asset_id,
      iso: ctx.iso,
      market_date: ctx.market_date,
      kind: 'as_capacity',
      product: a.product,
      interval_start: p.interval_start,
      duration_h: p.duration_h,
      mw: a.awarded_mw,
      price_usd_per_mw: a.clearing_price_usd_per_mw,
      amount_usd: a.awarded_mw * a.clearing_price_usd_per_mw * p.duration_h,
    });
  }
  return out;
}

/** Σ amount_usd per product; products with no line are absent. Keys sorted for stable output. */
export function ancillaryRevenueByProduct(lines: readonly Pick<AncillarySettlementLine, 'product' | 'amount_usd'>[]): Record<string, number> {
  const sums = new Map<string, number>();
  for (const l of lines) sums.set(l.product, (sums.get(l.product) ?? 0) + l.amount_usd);
  const out: Record<string, number> = {};
  for (const k of [...sums.keys()].sort()) out[k] = sums.get(k)!;
  return out;
}
