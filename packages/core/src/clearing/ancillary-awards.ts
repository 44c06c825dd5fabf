/**
 * Price-taker clearing of AS capacity offers, then the deliverability rule that keeps an
 * award set physically possible beside the energy awards.
 *
 * Price-taker: an offer of product k in period t clears when its price is at or below the
 * product's clearing price (MCPC_{k,t}, ties clear), and is then awarded its whole MW.
 *
 * Deliverability (storage). The energy awards come first (they are already
 * state-of-charge feasible: see `clearStorageWithSoc`); AS capacity must fit around them.
 * With c_t, d_t the charge/discharge MW awarded in t, s_{t−1} the state of charge at the
 * start of t from the energy awards alone (AS deployment energy is not modelled, so AS
 * does not move the state of charge), Δt the period length and h_k the hours each MW of
 * k must be sustained: the product's duration rule in force on the market date, Δt when
 * it has none (as in the co-optimisation's `default` model):
 *   up power     d_t − c_t + Σ_up a_k ≤ P_dis
 *   down power   c_t − d_t + Σ_down a_k ≤ P_ch
 *   up energy    (d_t·Δt + Σ_up a_k·h_k) / η_d ≤ s_{t−1} − S_min
 *   down room    s_{t−1} + η_c·(c_t·Δt + Σ_down a_k·h_k) ≤ S_max
 * With h_k = Δt = 1 h these are the rows of the issue's `reference` co-optimisation
 * (`s_{t−1} − (d_t + Σ up_t)/η ≥ 0`, `s_{t−1} + η·(c_t + regdn_t) ≤ E`), so an award set
 * that model produces passes unchanged. An award that does not fit is cut to what fits
 * (ERCOT VARIABLE blocks and CAISO AS bids clear partially), most valuable first: per
 * group (up, down) products are taken by surplus MCPC − offer price, ties by product
 * code, each as far as power and energy allow. Greedy is exact when one row binds or all
 * durations are equal; otherwise it is a deterministic feasible choice.
 * Generator: up power d_t + Σ_up a_k ≤ Pmax, down Σ_down a_k ≤ d_t (it cannot go below 0).
 */
import { ancillaryDurationOn, type AncillaryOffer, type AncillaryServiceRule, type AsDirection } from '../bids/ancillary-offers.js';

export interface AncillaryAward {
  /** Index of the period (the bid's `as_offers` / `curves` index). */
  period: number;
  product: string;
  offered_mw: number;
  offer_price_usd_per_mw: number;
  /** The product's clearing price in the period (MCPC). */
  clearing_price_usd_per_mw: number;
  awarded_mw: number;
  /** Offered MW that cleared on price but did not fit beside the energy awards. */
  curtailed_mw: number;
}

/** MCPC per product code, one value per period. */
export type AncillaryClearingPrices = Readonly<Record<string, readonly number[]>>;

/**
 * Clearing prices per product aligned to a bid's periods, from price rows keyed by their
 * interval start (e.g. the AS price importers' rows). A period with no row is NaN, so
 * clearing an offer there throws rather than awarding nothing silently.
 */
export function ancillaryPricesForPeriods(
  rows: readonly { product: string; interval_start: Date; price_usd_per_mw: number }[],
  periods: readonly { interval_start: Date }[],
): Record<string, number[]> {
  const index = new Map(periods.map((p, k) => [p.interval_start.getTime(), k]));
  const out: Record<string, number[]> = {};
  for (const r of rows) {
    const k = index.get(r.interval_start.getTime());
    if (k === undefined) continue;
    (out[r.product] ??= new Array<number>(periods.length).fill(Number.NaN))[k] = r.price_usd_per_mw;
  }
  return out;
}

/**
 * Price-taker awards: for each period and offer, awarded = offered MW when
 * offer price ≤ MCPC, else 0. Throws when a product with an offer has no finite price in
 * that period (clearing without a price would be a silent zero award).
 */
export function clearAncillaryPriceTaker(offers: readonly (readonly AncillaryOffer[])[], prices: AncillaryClearingPrices): AncillaryAward[] {
  const out: AncillaryAward[] = [];
  offers.forEach((list, period) => {
    for (const o of list) {
      const mcpc = prices[o.product]?.[period];
      if (mcpc === undefined || !Number.isFinite(mcpc)) throw new Error(`no clearing price for ${o.product} in period ${period}`);
      const mw = Math.max(0, o.mw);
      const awarded = o.price_usd_per_mw <= mcpc ? mw : 0;
      out.push({ period, product: o.product, offered_mw: mw, offer_price_usd_per_mw: o.price_usd_per_mw, clearing_price_usd_per_mw: mcpc, awarded_mw: awarded, curtailed_mw: 0 });
    }
  });
  return out;
}

/** The storage physics the deliverability rule needs (field names as in `BatteryAssetParams`). */
export interface StorageHeadroomParams {
  charge_power_mw: number;
  discharge_power_mw: number;
  charge_efficiency: number;
  discharge_efficiency: number;
  soc_min_mwh: number;
  soc_max_mwh: number;
}

/** Energy awards per period beside which AS must fit. */
export interface EnergyAwardsForAs {
  charge_mw: readonly number[];
  discharge_mw: readonly number[];
  interval_hours: number;
}

export type DeliverabilityAsset =
  | { type: 'storage'; params: StorageHeadroomParams; soc_initial_mwh: number }
  | { type: 'generator'; pmax_mw: number };

const TOL = 1e-9;

interface Headroom {
  power_mw: number;
  /** Energy (MWh at the grid side, already divided by efficiency where needed) the group may still use. */
  energy_mwh: number;
}

function takeGreedy(awards: AncillaryAward[], room: Headroom, hoursOf: (product: string) => number): void {
  const sorted = [...awards].sort(
    (a, b) => b.clearing_price_usd_per_mw - b.offer_price_usd_per_mw - (a.clearing_price_usd_per_mw - a.offer_price_usd_per_mw) || (a.product < b.product ? -1 : a.product > b.product ? 1 : 0),
  );
  let power = Math.max(0, room.power_mw);
  let energy = Math.max(0, room.energy_mwh);
  for (const a of sorted) {
    if (a.awarded_mw <= 0) continue;
    const h = hoursOf(a.product);
    const fit = Math.max(0, Math.min(a.awarded_mw, power, h > 0 ? energy / h : Infinity));
    const kept = a.awarded_mw - fit <= TOL ? a.awarded_mw : fit;
    a.curtailed_mw = a.awarded_mw - kept;
    a.awarded_mw = kept;
    power -= kept;
    energy -= kept * h;
  }
}

/**
 * Cuts AS awards to what the asset can deliver beside its energy awards (rule above).
 * Returns new award objects; the input is not changed. `rules` (catalogue products) give
 * each product's direction and duration; an award for a product missing from them throws.
 */
export function enforceAncillaryDeliverability(
  awards: readonly AncillaryAward[],
  rules: readonly AncillaryServiceRule[],
  energy: EnergyAwardsForAs,
  asset: DeliverabilityAsset,
  /** Market-local delivery date (`YYYY-MM-DD`) that selects each product's duration rule. */
  marketDate: string,
): AncillaryAward[] {
  const rule = new Map(rules.map((r) => [r.id, r]));
  const out = awards.map((a) => ({ ...a }));
  const byPeriod = new Map<number, AncillaryAward[]>();
  for (const a of out) {
    if (!rule.has(a.product)) throw new Error(`no AS rule for product ${a.product}`);
    const list = byPeriod.get(a.period) ?? [];
    list.push(a);
    byPeriod.set(a.period, list);
  }
  const dt = energy.interval_hours;
  const T = energy.charge_mw.length;
  if (energy.discharge_mw.length !== T) throw new Error(`energy awards: ${T} charge values but ${energy.discharge_mw.length} discharge values`);
  const socStart: number[] = [];
  if (asset.type === 'storage') {
    let s = asset.soc_initial_mwh;
    for (let t = 0; t < T; t++) {
      socStart.push(s);
      s += asset.params.charge_efficiency * energy.charge_mw[t]! * dt - (energy.discharge_mw[t]! * dt) / asset.params.discharge_efficiency;
    }
  }
  const group = (list: AncillaryAward[], dir: AsDirection) => list.filter((a) => rule.get(a.product)!.direction === dir);
  for (const [t, list] of byPeriod) {
    if (t < 0 || t >= T) throw new Error(`AS award for period ${t} but energy awards cover ${T} periods`);
    const c = energy.charge_mw[t]!;
    const d = energy.discharge_mw[t]!;
    if (asset.type === 'storage') {
      const b = asset.params;
      const s0 = socStart[t]!;
      const hours = (product: string) => ancillaryDurationOn(rule.get(product)!, marketDate) ?? dt;
      // Energy rows divided through so that Σ a_k·h_k ≤ energy_mwh.
      takeGreedy(group(list, 'up'), { power_mw: b.discharge_power_mw - d + c, energy_mwh: b.discharge_efficiency * (s0 - b.soc_min_mwh) - d * dt }, hours);
      takeGreedy(group(list, 'down'), { power_mw: b.charge_power_mw - c + d, energy_mwh: (b.soc_max_mwh - s0) / b.charge_efficiency - c * dt }, hours);
    } else {
      takeGreedy(group(list, 'up'), { power_mw: asset.pmax_mw - d, energy_mwh: Infinity }, () => 0);
      takeGreedy(group(list, 'down'), { power_mw: d, energy_mwh: Infinity }, () => 0);
    }
  }
  return out;
}
