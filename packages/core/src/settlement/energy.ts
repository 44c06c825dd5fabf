/**
 * Day-ahead and real-time energy settlement (two-settlement system):
 *   DA amount  = P_DA × λ_DA × Δt_DA
 *   RT amount  = (P_delivered − P_DA) × λ_RT × Δt_RT
 * with P in MW (supply positive), λ in $/MWh, Δt in hours; P_delivered = P_DA
 * unless telemetry is given. This is the two-settlement design of the US ISOs
 * (e.g. PJM Manual 28, Operating Agreement Accounting): the DA position is paid at
 * the DA price and only the deviation from it at the RT settlement-interval price.
 */
import { getMarket } from '../markets/catalogue.js';
import type { IsoId } from '../markets/types.js';
import { localDateOf } from '../time/zoned.js';
import type {
  AwardInterval,
  DeliveryRecord,
  SettlementPriceInterval,
  PricedAwardInterval,
  SettlementLine,
  TelemetryPoint,
} from './types.js';

interface AssetMarket {
  asset_id: string;
  iso: IsoId;
  /** Market clock used for `market_date`; defaults to the catalogue's zone for `iso`. */
  timezone?: string;
}

const H = 3_600_000;

/** DA settlement lines: awarded MW × DA LMP × duration, one per awarded interval. */
export function settleDayAhead(input: AssetMarket & { intervals: readonly PricedAwardInterval[] }): SettlementLine[] {
  const tz = input.timezone ?? getMarket(input.iso).timezone;
  return input.intervals.map((a) => ({
    asset_id: input.asset_id,
    iso: input.iso,
    market_date: localDateOf(a.interval_start, tz),
    kind: 'da_energy',
    interval_start: a.interval_start,
    duration_h: a.duration_h,
    mw: a.awarded_mw,
    price_usd_per_mwh: a.price_usd_per_mwh,
    amount_usd: a.awarded_mw * a.price_usd_per_mwh * a.duration_h,
  }));
}

/** The DA award in force at `t`: the award interval containing it, 0 MW if none. */
function awardAt(awards: readonly AwardInterval[], t: number): number {
  // Awards are few (hourly) so a scan is fine; a sorted search would not change results.
  for (const a of awards) {
    const s = a.interval_start.getTime();
    if (t >= s && t < s + a.duration_h * H) return a.awarded_mw;
  }
  return 0;
}

/**
 * RT deviation lines, one per RT price interval: (delivered − DA award) × RT price × duration.
 * The DA award of an RT interval is the hourly award containing its start; delivered is the
 * telemetry point with the same `interval_start`, or the award when there is none.
 * Returns the lines and the resulting delivery records (for MWh and battery cycles in P&L).
 */
export function settleRealTime(
  input: AssetMarket & {
    da_awards: readonly AwardInterval[];
    rt_prices: readonly SettlementPriceInterval[];
    telemetry?: readonly TelemetryPoint[];
  },
): { lines: SettlementLine[]; deliveries: DeliveryRecord[] } {
  const tz = input.timezone ?? getMarket(input.iso).timezone;
  const metered = new Map<number, number>();
  for (const m of input.telemetry ?? []) metered.set(m.interval_start.getTime(), m.delivered_mw);
  const lines: SettlementLine[] = [];
  const deliveries: DeliveryRecord[] = [];
  for (const rt of input.rt_prices) {
    const t = rt.interval_start.getTime();
    const da = awardAt(input.da_awards, t);
    const delivered = metered.get(t) ?? da;
    const market_date = localDateOf(rt.interval_start, tz);
    const deviation = delivered - da;
    lines.push({
      asset_id: input.asset_id,
      iso: input.iso,
      market_date,
      kind: 'rt_deviation',
      interval_start: rt.interval_start,
      duration_h: rt.duration_h,
      mw: deviation,
      price_usd_per_mwh: rt.price_usd_per_mwh,
      amount_usd: deviation * rt.price_usd_per_mwh * rt.duration_h,
    });
    deliveries.push({
      asset_id: input.asset_id,
      iso: input.iso,
      market_date,
      interval_start: rt.interval_start,
      duration_h: rt.duration_h,
      delivered_mw: delivered,
    });
  }
  return { lines, deliveries };
}

/** Delivery records when there is no RT settlement: delivered = DA award. */
export function deliveriesFromAwards(input: AssetMarket & { awards: readonly AwardInterval[] }): DeliveryRecord[] {
  const tz = input.timezone ?? getMarket(input.iso).timezone;
  return input.awards.map((a) => ({
    asset_id: input.asset_id,
    iso: input.iso,
    market_date: localDateOf(a.interval_start, tz),
    interval_start: a.interval_start,
    duration_h: a.duration_h,
    delivered_mw: a.awarded_mw,
  }));
}
