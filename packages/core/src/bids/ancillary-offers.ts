/**
 * Ancillary-service (AS) offers carried by a bid beside its energy curve, and their
 * validation against an ISO's AS rules and the asset's physical limits.
 *
 * A bid's `as_offers[p]` lists, for period p (the same index as `curves[p]`: DA hour of
 * the delivery day, RT interval), at most one offer per product: capacity `mw` at
 * `price_usd_per_mw` ($ per MW per hour of capacity, the unit of an ISO's clearing
 * price for capacity, e.g. ERCOT's MCPC). Capacity is paid, deployment energy is not
 * modelled here.
 *
 * The rules are a parameter (`AncillaryMarketRules`) so the catalogue that owns the
 * figures (per ISO, with effective dates and sources) stays in the markets area.
 */
import type { AssetSpec } from '../assets/types.js';
import type { BidContent, BidSegment } from './types.js';

export const AS_DIRECTIONS = ['up', 'down'] as const;
export type AsDirection = (typeof AS_DIRECTIONS)[number];

/** A dated duration rule: from `effective_from`, `hours` MWh held per MW awarded. */
export interface AncillaryDurationRule {
  effective_from: string;
  hours: number;
}

/**
 * One AS product of one ISO as validation, clearing and export need it. The fields are a
 * structural subset of the markets catalogue's product (`id`, `direction`,
 * `effective_from`, `duration_rules`, `offer_cap_usd_per_mw`), so a catalogue entry is
 * passed as is.
 */
export interface AncillaryServiceRule {
  /** The ISO's own product code, trimmed: `REGUP`, `REGDN`, `RRS`, `NSPIN`, `ECRS`, … */
  id: string;
  /** `up` products need headroom to raise output (or cut consumption), `down` the reverse. */
  direction: AsDirection;
  /** First market-local delivery day the product clears (`YYYY-MM-DD`); unset = always. */
  effective_from?: string;
  /** Energy a storage resource must hold per MW awarded, by date; none in force = no duration rule. */
  duration_rules: readonly AncillaryDurationRule[];
  /** Highest offer price accepted, $ per MW per hour; null = no documented cap. */
  offer_cap_usd_per_mw: number | null;
}

/** An ISO's AS rules (a structural subset of the catalogue's market entry). */
export interface AncillaryMarketRules {
  iso: BidContent['iso'];
  products: readonly AncillaryServiceRule[];
  /** Whether one resource may carry an up and a down product in the same period. */
  up_and_down_together: boolean;
}

/** One product's offer in one period. */
export interface AncillaryOffer {
  product: string;
  mw: number;
  price_usd_per_mw: number;
}

/** A bid with AS offers: `as_offers[p]` belongs to `curves[p]`; omitted = energy only. */
export type BidWithAncillaryOffers = BidContent & { as_offers?: AncillaryOffer[][] };

/**
 * The physical limits AS offers are checked against. Storage: the power each way and the
 * usable energy (soc_max − soc_min); a generator: its maximum output.
 */
export type AncillaryAssetLimits =
  | { type: 'storage'; charge_power_mw: number; discharge_power_mw: number; usable_energy_mwh: number }
  | { type: 'generator'; pmax_mw: number };

export const AS_OFFER_ISSUE_CODES = [
  'as_invalid_number',
  'as_wrong_period_count',
  'as_unknown_product',
  'as_product_not_in_effect',
  'as_duplicate_product',
  'as_negative_mw',
  'as_price_above_cap',
  'as_price_below_zero',
  'as_up_exceeds_power',
  'as_down_exceeds_power',
  'as_duration_up',
  'as_duration_down',
  'as_up_down_together',
  'as_asset_not_eligible',
] as const;
export type AsOfferIssueCode = (typeof AS_OFFER_ISSUE_CODES)[number];

/** One broken rule, shaped like `BidIssue`: `period` indexes `as_offers`, `product` names the offer. */
export interface AsOfferIssue {
  code: AsOfferIssueCode;
  message: string;
  period?: number;
  product?: string;
}

export interface AncillaryValidationContext {
  rules: AncillaryMarketRules;
  /** Null when the asset type cannot provide AS (see `ancillaryAssetLimits`). */
  asset: AncillaryAssetLimits | null;
}

const TOL = 1e-9;

/**
 * AS limits of an asset: battery → storage with usable energy soc_max − soc_min (what the
 * duration rule can draw on); thermal → generator at pmax_mw. Other types return null:
 * renewable, demand-response and load AS participation is not modelled.
 */
export function ancillaryAssetLimits(asset: AssetSpec): AncillaryAssetLimits | null {
  if (asset.type === 'battery') {
    const p = asset.params;
    return {
      type: 'storage',
      charge_power_mw: p.charge_power_mw,
      discharge_power_mw: p.discharge_power_mw,
      usable_energy_mwh: Math.max(0, Math.min(p.soc_max_mwh, p.energy_mwh) - p.soc_min_mwh),
    };
  }
  if (asset.type === 'thermal') return { type: 'generator', pmax_mw: asset.params.pmax_mw };
  return null;
}

/** The products that clear on `date` (all of them when `date` is undefined). */
export function ancillaryRulesOn(rules: readonly AncillaryServiceRule[], date?: string): AncillaryServiceRule[] {
  if (date === undefined) return [...rules];
  return rules.filter((r) => r.effective_from === undefined || r.effective_from <= date);
}

/** Hours of energy per MW the product's duration rule asks on `date` (latest rule in force), null when none. */
export function ancillaryDurationOn(rule: AncillaryServiceRule, date: string | undefined): number | null {
  let hours: number | null = null;
  for (const r of rule.duration_rules) if (date === undefined || r.effective_from <= date) hours = r.hours;
  return hours;
}

/** Widest discharge (sell) and charge (buy) extents a curve can clear at: Σ positive / Σ |negative| widths. */
export function curveExtentsMw(curve: readonly BidSegment[]): { sell_mw: number; buy_mw: number } {
  let sell = 0;
  let buy = 0;
  for (const s of curve) {
    if (!Number.isFinite(s.mw)) continue;
    if (s.mw > 0) sell += s.mw;
    else buy -= s.mw;
  }
  return { sell_mw: sell, buy_mw: buy };
}

const fmt = (x: number) => Number(x.toFixed(4)).toString();

function periodLabel(bid: Pick<BidContent, 'run'>, p: number): string {
  return bid.run === 'DA' ? `hour ${p} (HE${String(p + 1).padStart(2, '0')})` : `interval ${p}`;
}

/**
 * Every broken AS rule of a bid; empty when its AS offers are valid (or it has none).
 *
 * Per period p, with S = the most the energy curve can sell and B = the most it can buy
 * (`curveExtentsMw`), U = Σ MW of up products, D = Σ MW of down products:
 * - storage: S + U ≤ discharge_power_mw and B + D ≤ charge_power_mw, because any price may
 *   clear the whole energy curve and the AS capacity must still fit (the reference
 *   co-optimisation's headroom rows `d − c + Σ up ≤ P`, `c − d + regdn ≤ P` at their worst);
 *   duration: Σ_up MW_k · duration_k ≤ usable_energy_mwh and the same for down (room to absorb),
 *   duration_k the product's rule in force on the delivery day (none: no requirement);
 * - generator: S + U ≤ pmax_mw and D ≤ pmax_mw (down capacity comes from output above 0).
 * Up and down in the same period are refused when the market says `up_and_down_together: false`.
 */
export function validateAncillaryOffers(
  bid: Pick<BidWithAncillaryOffers, 'iso' | 'run' | 'curves' | 'as_offers' | 'delivery_date'>,
  ctx: AncillaryValidationContext,
): AsOfferIssue[] {
  const out: AsOfferIssue[] = [];
  const offers = bid.as_offers;
  if (!offers || offers.every((o) => o.length === 0)) return out;
  const { rules, asset } = ctx;
  if (bid.iso !== rules.iso) {
    out.push({ code: 'as_unknown_product', message: `the bid is for ${bid.iso} but its AS offers were checked against ${rules.iso} rules` });
    return out;
  }
  if (offers.length !== bid.curves.length) {
    out.push({
      code: 'as_wrong_period_count',
      message: `the bid has ${bid.curves.length} energy curves but AS offers for ${offers.length} periods; give one list per period (empty for none)`,
    });
  }
  if (asset === null) {
    out.push({ code: 'as_asset_not_eligible', message: 'this asset type cannot offer ancillary services (batteries and thermal units can)' });
    return out;
  }
  const byProduct = new Map(rules.products.map((r) => [r.id, r]));
  const date = bid.run === 'DA' ? bid.delivery_date : undefined;
  const inEffect = new Set(ancillaryRulesOn(rules.products, date).map((r) => r.id));

  offers.forEach((list, p) => {
    const where = periodLabel(bid, p);
    const add = (code: AsOfferIssueCode, product: string | undefined, message: string) =>
      out.push(product === undefined ? { code, message, period: p } : { code, message, period: p, product });
    const seen = new Set<string>();
    let up = 0;
    let down = 0;
    let upEnergy = 0;
    let downEnergy = 0;
    const upSold: string[] = [];
    const downSold: string[] = [];
    for (const o of list) {
      const at = `${where}, ${o.product}`;
      if (!Number.isFinite(o.mw) || !Number.isFinite(o.price_usd_per_mw)) {
        add('as_invalid_number', o.product, `${at}: MW and price must be finite numbers`);
        continue;
      }
      const rule = byProduct.get(o.product);
      if (!rule) {
        const known = rules.products.map((r) => r.id).join(', ');
        add('as_unknown_product', o.product, `${at}: ${rules.iso} has no AS product ${JSON.stringify(o.product)} (known: ${known})`);
        continue;
      }
      if (!inEffect.has(o.product))
        add('as_product_not_in_effect', o.product, `${at}: ${o.product} is not offered in ${rules.iso} on ${bid.delivery_date}` +
          (rule.effective_from ? ` (from ${rule.effective_from})` : ''));
      if (seen.has(o.product)) add('as_duplicate_product', o.product, `${at}: the product is offered more than once in this period`);
      seen.add(o.product);
      if (o.mw < -TOL) add('as_negative_mw', o.product, `${at}: offered capacity must not be negative (got ${o.mw} MW)`);
      if (rule.offer_cap_usd_per_mw !== null && o.price_usd_per_mw > rule.offer_cap_usd_per_mw)
        add('as_price_above_cap', o.product, `${at}: price ${o.price_usd_per_mw} $/MW per hour is above the ${rules.iso} ${o.product} offer cap of ${rule.offer_cap_usd_per_mw} $/MW per hour`);
      if (o.price_usd_per_mw < 0) add('as_price_below_zero', o.product, `${at}: price ${o.price_usd_per_mw} $/MW per hour is below 0`);
      const mw = Math.max(0, o.mw);
      if (mw <= TOL) continue;
      if (rule.direction === 'up') {
        up += mw;
        upEnergy += mw * (ancillaryDurationOn(rule, date) ?? 0);
        upSold.push(o.product);
      } else {
        down += mw;
        downEnergy += mw * (ancillaryDurationOn(rule, date) ?? 0);
        downSold.push(o.product);
      }
    }
    if (upSold.length && downSold.length && !rules.up_and_down_together)
      add('as_up_down_together', undefined, `${where}: ${upSold.join(', ')} (up) and ${downSold.join(', ')} (down) are offered together, which ${rules.iso} does not allow`);
    const curve = bid.curves[p] ?? [];
    const { sell_mw: sell, buy_mw: buy } = curveExtentsMw(curve);
    if (asset.type === 'storage') {
      if (sell + up > asset.discharge_power_mw + TOL)
        add('as_up_exceeds_power', undefined, `${where}: discharge offered ${fmt(sell)} MW + up capacity ${fmt(up)} MW exceeds discharge_power_mw ${asset.discharge_power_mw}`);
      if (buy + down > asset.charge_power_mw + TOL)
        add('as_down_exceeds_power', undefined, `${where}: charge bid ${fmt(buy)} MW + down capacity ${fmt(down)} MW exceeds charge_power_mw ${asset.charge_power_mw}`);
      if (upEnergy > asset.usable_energy_mwh + TOL)
        add('as_duration_up', undefined, `${where}: up capacity needs ${fmt(upEnergy)} MWh (Σ MW × duration) but the battery holds ${fmt(asset.usable_energy_mwh)} MWh usable`);
      if (downEnergy > asset.usable_energy_mwh + TOL)
        add('as_duration_down', undefined, `${where}: down capacity needs room for ${fmt(downEnergy)} MWh (Σ MW × duration) but the battery holds ${fmt(asset.usable_energy_mwh)} MWh usable`);
    } else {
      if (sell + up > asset.pmax_mw + TOL)
        add('as_up_exceeds_power', undefined, `${where}: energy offered ${fmt(sell)} MW + up capacity ${fmt(up)} MW exceeds pmax_mw ${asset.pmax_mw}`);
      if (down > asset.pmax_mw + TOL)
        add('as_down_exceeds_power', undefined, `${where}: down capacity ${fmt(down)} MW exceeds pmax_mw ${asset.pmax_mw}`);
    }
  });
  return out;
}
