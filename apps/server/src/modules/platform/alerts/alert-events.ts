/**
 * Bus messages as the events alert rules are evaluated on. Each price event
 * carries a mark, [interval_start, message timestamp] in epoch ms, that orders
 * the events of one run: a rule applies an event only if its mark is later than
 * the last one it applied, so a redelivered message, or one overtaken by a
 * later tick another instance already evaluated, leaves the state as it is.
 */
import { localDateOf, parseIsoId, type AlertEvent, type IsoId } from '@optibid/core';

export type PriceEvent = Extract<AlertEvent, { kind: 'price' }>;
export interface MarkedPriceEvent {
  event: PriceEvent;
  mark: [number, number];
}

interface Catalogue {
  getMarket(iso: IsoId): { timezone: string };
}

function timezoneOf(catalogue: Catalogue, iso: IsoId): string {
  try {
    return catalogue.getMarket(iso).timezone;
  } catch {
    return 'UTC';
  }
}

const msOf = (v: unknown): number | null => {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : null;
};

/** The price events of one `prices:<ISO>` message, in interval order; none for anything else. */
export function priceEventsOf(raw: unknown, channel: string, catalogue: Catalogue): MarkedPriceEvent[] {
  const iso = parseIsoId(channel.slice('prices:'.length));
  if (!iso || !raw || typeof raw !== 'object') return [];
  const m = raw as Record<string, unknown>;
  const tz = timezoneOf(catalogue, iso);
  const zone = iso.toLowerCase();
  // A message without a usable timestamp still orders by its interval.
  const sentMs = msOf(m.timestamp) ?? 0;
  if (m.type === 'price_update' && typeof m.location === 'string' && typeof m.interval_start === 'string' && typeof m.lmp === 'number') {
    const startMs = msOf(m.interval_start);
    if (startMs === null) return [];
    const run = typeof m.run === 'string' ? m.run.toUpperCase() : 'RT';
    const event: PriceEvent = { kind: 'price', market_zone: zone, location: m.location, run, interval_start: m.interval_start, lmp: m.lmp, day: localDateOf(startMs, tz) };
    return [{ event, mark: [startMs, sentMs] }];
  }
  if (m.type === 'da_prices' && typeof m.location === 'string' && Array.isArray(m.items)) {
    const out: MarkedPriceEvent[] = [];
    for (const it of m.items as Record<string, unknown>[]) {
      const startMs = msOf(it?.interval_start);
      if (startMs === null || typeof it.lmp_usd_per_mwh !== 'number') continue;
      const day = typeof m.delivery_date === 'string' ? m.delivery_date : localDateOf(startMs, tz);
      out.push({ event: { kind: 'price', market_zone: zone, location: m.location, run: 'DA', interval_start: it.interval_start as string, lmp: it.lmp_usd_per_mwh, day }, mark: [startMs, sentMs] });
    }
    return out.sort((a, b) => a.mark[0] - b.mark[0]);
  }
  return [];
}

/** The event of one `org:<id>` message that bid, award and forecast-error rules listen to; null for the rest. */
export function orgEventOf(raw: unknown): AlertEvent | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  const s = (k: string) => (typeof m[k] === 'string' ? (m[k] as string) : '');
  if (m.type === 'bid_status') {
    return {
      kind: 'bid_status',
      bid_id: s('bid_id'),
      asset_id: s('asset_id'),
      market: s('market'),
      status: s('status'),
      version: typeof m.version === 'number' ? m.version : 0,
      delivery_date: s('delivery_date'),
      message: s('message') || undefined,
    };
  }
  if (m.type === 'award') {
    return {
      kind: 'award',
      bid_id: s('bid_id'),
      asset_id: s('asset_id'),
      market: s('market'),
      location: s('location'),
      run: s('run'),
      delivery_date: s('delivery_date'),
      total_mwh: typeof m.total_mwh === 'number' ? m.total_mwh : 0,
      mode: s('mode'),
    };
  }
  if (m.type === 'forecast_error' && typeof m.error_usd_per_mwh === 'number') {
    return {
      kind: 'forecast_error',
      market_zone: s('market_zone').toLowerCase(),
      location: s('location'),
      model: s('model'),
      delivery_date: s('delivery_date'),
      error_usd_per_mwh: m.error_usd_per_mwh,
      metric: s('metric') || 'mae',
    };
  }
  return null;
}
