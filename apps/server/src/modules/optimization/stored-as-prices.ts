/**
 * The AS prices a battery's optimisation runs on when the request gives none: the market's
 * stored day-ahead AS clearing prices (system-wide zone), chosen by the same source logic as
 * the energy prices:
 *  - `historical` (stored energy prices of the delivery day) → the delivery day's stored AS prices;
 *  - `forecast` → the previous day's stored AS prices at the same clock time (persistence, as the
 *    demo's bids and the AS backtests plan; the day before is published before the gate);
 *  - `explicit` energy prices → none (a what-if on given prices; give `as_prices` to add AS).
 * A product is used only when its prices cover every hour it needs (the delivery day, or the
 * whole previous day) and it is in the ISO's catalogue on the delivery date. `ancillary: 'none'`
 * in the request turns this off.
 */
import { addDaysYmd, ancillaryProductsOn, backtestLocalDateTime, localDayBoundsUtc, persistenceForecaster, type MarketDefinition, type SeriesPoint } from '@optibid/core';
import type { OptimizeBody, OptimizeResult } from '@optibid/contracts';
import type { AssetRow } from '../../db/repositories/trading/index.js';
import type { MarketService } from '../market-data/index.js';
import type { TradingServices } from '../trading/index.js';

export interface StoredAsPrices {
  prices: Record<string, number[]>;
  /** `stored`: the delivery day's; `stored_previous_day`: the day before's, as a persistence forecast. */
  source: 'stored' | 'stored_previous_day';
  zone: string;
  /** The delivery day whose AS clearing prices were read. */
  date: string;
}

const H = 3_600_000;

export async function storedAsPricesForDay(
  markets: MarketService,
  m: MarketDefinition,
  date: string,
  energySource: string,
  intervalStarts: readonly Date[],
): Promise<StoredAsPrices | { note: string }> {
  if (energySource === 'explicit') return { note: 'explicit energy prices: AS prices only from the request (as_prices)' };
  const products = ancillaryProductsOn(m.iso, date).map((p) => p.id);
  if (products.length === 0) return { note: `${m.iso} has no ancillary-service products in the catalogue on ${date}` };
  const source = energySource === 'historical' ? 'stored' : 'stored_previous_day';
  const read = source === 'stored' ? date : addDaysYmd(date, -1);
  const bounds = localDayBoundsUtc(read, m.timezone);
  const { zone, rows } = await markets.systemAncillaryPrices(m.iso, bounds.start, bounds.end);
  const byProduct = new Map<string, Map<number, number>>();
  for (const r of rows) {
    if (!products.includes(r.product)) continue;
    let series = byProduct.get(r.product);
    if (!series) byProduct.set(r.product, (series = new Map()));
    series.set(r.interval_start.getTime(), r.price_usd_per_mw);
  }
  const hours = Math.round((bounds.end.getTime() - bounds.start.getTime()) / H);
  const prices: Record<string, number[]> = {};
  for (const [product, series] of byProduct) {
    if (source === 'stored') {
      const day = intervalStarts.map((s) => series.get(s.getTime()));
      if (day.every((v): v is number => v !== undefined && Number.isFinite(v))) prices[product] = day;
      continue;
    }
    if (series.size < hours) continue;
    // Yesterday at the same clock time (a 23- or 25-hour day maps hour by hour on the clock).
    const history: SeriesPoint[] = [...series].sort((a, b) => a[0] - b[0]).map(([t, v]) => {
      const local = backtestLocalDateTime(new Date(t), m.timezone);
      return { interval_start: new Date(t), price_usd_per_mwh: v, local_date: local.date, local_time: local.time };
    });
    const local = intervalStarts.map((s) => backtestLocalDateTime(s, m.timezone).time);
    prices[product] = persistenceForecaster(history, { date, interval_starts: [...intervalStarts], local_times: local, timezone: m.timezone, interval_hours: 1 }).point;
  }
  if (Object.keys(prices).length === 0) {
    return { note: zone ? `no complete stored ${m.iso} AS prices (zone ${zone}) for ${read}: energy only` : `no ${m.iso} AS prices are stored: energy only` };
  }
  return { prices, source, zone: zone!, date: read };
}

/** What a battery's optimisation adds to the request: where its day starts and which AS prices it runs on. */
export interface BatteryDayInputs {
  /** The request with `options.soc_initial_mwh` and `as_prices` filled in. */
  body: OptimizeBody;
  soc_initial: NonNullable<OptimizeResult['soc_initial']>;
  stored?: StoredAsPrices;
  note?: string;
}

export async function batteryDayInputs(
  markets: MarketService,
  trading: TradingServices,
  asset: AssetRow,
  m: MarketDefinition,
  body: OptimizeBody,
  prices: { interval_starts: Date[]; source: { type: string } },
): Promise<BatteryDayInputs> {
  const given = body.options?.soc_initial_mwh;
  // The clearing starts the day where the asset's latest earlier cleared day ends; plan from the same state.
  const start = given === undefined ? await trading.clearing.storage.startOf(asset, body.delivery_date) : null;
  const soc_initial = start ? { mwh: start.soc_mwh, source: start.source, ...(start.date ? { date: start.date } : {}) } : { mwh: given!, source: 'request' as const };
  const withStart: OptimizeBody = { ...body, options: { ...body.options, soc_initial_mwh: soc_initial.mwh } };
  if (body.as_prices || body.ancillary === 'none') return { body: withStart, soc_initial };
  const stored = await storedAsPricesForDay(markets, m, body.delivery_date, prices.source.type, prices.interval_starts);
  if ('note' in stored) return { body: withStart, soc_initial, note: stored.note };
  return { body: { ...withStart, as_prices: stored.prices }, soc_initial, stored };
}
