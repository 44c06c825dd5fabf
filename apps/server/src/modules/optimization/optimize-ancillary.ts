/**
 * A battery's day co-optimised over energy and ancillary services (core `optimizeBatteryAs`,
 * `default` model: the ISO's duration rule per product on the delivery day, expected
 * regulation deployment, degradation, the daily cycle cap, end of day at the requested
 * state of charge), and the bid that carries it: the energy curves self-schedule the
 * planned charge/discharge (floor/cap prices, so the plan clears whatever the price, see
 * core `buildBatteryBidCurves`) and the AS offers are the planned MW, offered price-taker
 * at $0/MW (they clear at the product's clearing price). With only the scheduled MW on the
 * energy curve, the AS offers always fit the headroom core `validateAncillaryOffers` checks.
 *
 * AS prices come from the request (`as_prices`) or, for a battery without them, from the
 * market's stored AS prices (stored-as-prices.ts).
 */
import {
  ancillaryProductsOn,
  buildBatteryBidCurves,
  curveExtentsMw,
  durationHoursOn,
  optimizeBatteryAs,
  type AncillaryOffer,
  type AsProductInput,
  type BatteryParams,
  type BidCurveSet,
  type IsoId,
  type SolveFn,
} from '@optibid/core';
import { validationFailed } from '../../http/errors.js';

/** The price a planned AS MW is offered at: price-taker, it clears at the product's clearing price. */
export const AS_OFFER_PRICE_USD_PER_MW = 0;

export interface CoOptimized {
  intervals: { charge_mw: number; discharge_mw: number; soc_mwh: number; as_mw: Record<string, number>; price_usd_per_mwh: number }[];
  energy_revenue_usd: number;
  as_revenue_by_product: Record<string, number>;
  degradation_usd: number;
  objective_usd: number;
  solve_time_ms: number;
  as_offers: AncillaryOffer[][];
  curves: BidCurveSet;
}

/** The catalogue products the request prices, checked: known, in effect that day, one price per interval. */
export function asProductInputs(iso: IsoId, date: string, asPrices: Record<string, number[]>, intervals: number): AsProductInput[] {
  const products = ancillaryProductsOn(iso, date);
  const known = products.map((p) => p.id);
  const issues: { field: string; message: string }[] = [];
  const out: AsProductInput[] = [];
  for (const [id, prices] of Object.entries(asPrices)) {
    const p = products.find((x) => x.id === id);
    if (!p) {
      issues.push({ field: `as_prices.${id}`, message: `${iso} has no AS product ${id} on ${date} (known: ${known.join(', ') || 'none'})` });
      continue;
    }
    if (prices.length !== intervals) {
      issues.push({ field: `as_prices.${id}`, message: `${id} has ${prices.length} prices; the delivery day has ${intervals} intervals` });
      continue;
    }
    if (prices.some((x) => !Number.isFinite(x))) {
      issues.push({ field: `as_prices.${id}`, message: `${id} prices must be finite numbers` });
      continue;
    }
    const hours = durationHoursOn(p, date);
    out.push({ id, direction: p.direction, prices_usd_per_mw: prices, duration_h: prices.map(() => hours), deployment_fraction: p.expected_deployment_fraction });
  }
  if (issues.length) throw validationFailed(`as_prices refused: ${issues.map((i) => i.message).join('; ')}`, issues);
  return out;
}

export async function coOptimizeBattery(
  solve: SolveFn,
  a: {
    params: BatteryParams;
    products: AsProductInput[];
    prices_usd_per_mwh: number[];
    soc_initial_mwh: number;
    soc_terminal_min_mwh: number;
    curve: Omit<Parameters<typeof buildBatteryBidCurves>[0], 'params' | 'schedule' | 'forecast_usd_per_mwh' | 'scheduled_pricing'>;
  },
): Promise<CoOptimized | { status: string; message: string }> {
  const T = a.prices_usd_per_mwh.length;
  const r = await optimizeBatteryAs(solve, {
    params: a.params,
    model: 'default',
    prices_usd_per_mwh: a.prices_usd_per_mwh,
    products: a.products,
    interval_hours: 1,
    soc_initial_mwh: a.soc_initial_mwh,
    soc_terminal_min_mwh: a.soc_terminal_min_mwh,
    cycle_blocks: [{ start: 0, end: T }],
  });
  if (r.status !== 'optimal') return { status: r.status, message: r.message };
  const intervals = r.intervals.map((iv, t) => ({ ...iv, price_usd_per_mwh: a.prices_usd_per_mwh[t]! }));
  // The curve builder reads only the scheduled MW and the price when self-scheduling.
  const schedule = { status: 'optimal', intervals: intervals.map((iv) => ({ ...iv, net_mw: iv.discharge_mw - iv.charge_mw })) } as unknown as Parameters<typeof buildBatteryBidCurves>[0]['schedule'];
  const curves = buildBatteryBidCurves({ ...a.curve, params: a.params, schedule, forecast_usd_per_mwh: a.prices_usd_per_mwh, scheduled_pricing: 'self_schedule' });
  const offered = offeredAsMw(r.intervals.map((iv) => iv.as_mw), curves, a.params, a.products);
  const as_offers = offered.map((hour) =>
    Object.entries(hour)
      .filter(([, mw]) => mw > 1e-6)
      .map(([product, mw]) => ({ product, mw: Math.round(mw * 1e4) / 1e4, price_usd_per_mw: AS_OFFER_PRICE_USD_PER_MW })),
  );
  const as_revenue_by_product: Record<string, number> = {};
  for (const p of a.products) as_revenue_by_product[p.id] = offered.reduce((sum, hour, t) => sum + (hour[p.id] ?? 0) * (p.prices_usd_per_mw[t] ?? 0), 0);
  return {
    intervals,
    energy_revenue_usd: r.energy_revenue_usd,
    as_revenue_by_product,
    degradation_usd: r.degradation_usd,
    objective_usd: r.objective_usd,
    solve_time_ms: r.solve_time_ms,
    as_offers,
    curves,
  };
}

/**
 * The AS MW the bid offers per hour: the plan's MW within the headroom the bid's own energy
 * curve leaves in the worst case, the rule core's validateAncillaryOffers applies (Σ up ≤
 * discharge power − the most the curve can sell; Σ down ≤ charge power − the most it can buy).
 * The LP may count a scheduled charge as up headroom (stopping it is upward); a submitted bid
 * is checked without trusting that the charge clears, so such hours offer less, the most
 * valuable product first, and the expected AS revenue is what is offered.
 */
function offeredAsMw(planned: Record<string, number>[], curves: BidCurveSet, params: BatteryParams, products: readonly AsProductInput[]): Record<string, number>[] {
  return planned.map((hour, t) => {
    const ext = curveExtentsMw(curves.curves[t]?.segments ?? []);
    const room = { up: Math.max(0, params.discharge_power_mw - ext.sell_mw), down: Math.max(0, params.charge_power_mw - ext.buy_mw) };
    const byValue = [...products].sort((x, y) => (y.prices_usd_per_mw[t] ?? 0) - (x.prices_usd_per_mw[t] ?? 0));
    const out: Record<string, number> = {};
    for (const p of byValue) {
      const mw = Math.min(hour[p.id] ?? 0, room[p.direction]);
      if (mw <= 1e-6) continue;
      out[p.id] = mw;
      room[p.direction] -= mw;
    }
    return out;
  });
}
