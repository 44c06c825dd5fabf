/**
 * Markets and prices: resolving ISO and location names (404 naming what was
 * not found), time ranges in the market's own calendar, paged queries and
 * stats. Imports of price files are import-service.ts.
 */
import { isYmd, localDayBoundsUtc, nextDayAheadGateClosure, type IsoId, type MarketCatalogue, type MarketDefinition, type PriceRun } from '@optibid/core';
import type { AncillaryPricePage, MarketView, PriceStatsView, PriceView } from '@optibid/contracts';
import type { AncillaryPricePoint, PricePoint, Repositories } from '../../db/repositories/index.js';
import type { PriceAnalytics } from '../analytics/index.js';
import { badRequest, notFound } from '../../http/errors.js';

/** Longest range one AS price request may span (a year of hourly products fits with room). */
const MAX_AS_RANGE_DAYS = 400;

/**
 * Whose series an import or a query touches: null is the platform's shared
 * market, an organisation id that organisation's own series.
 */
export type PriceOwner = string | null;

export class MarketService {
  constructor(
    private readonly repos: Repositories,
    readonly catalogue: MarketCatalogue,
    /** The analytics store (ANALYTICS_URL): shared-market stats and hourly/daily series when it can answer, else null and PostgreSQL answers. */
    private readonly analytics: PriceAnalytics | null = null,
  ) {}

  /**
   * Whether a read may be answered by the analytics store, which trails PostgreSQL by its sync:
   * shared statistics, and shared hourly or daily series, when ANALYTICS_URL is set.
   */
  mayUseAnalytics(owner: PriceOwner, kind: 'stats' | 'series', resolution: string | undefined = 'native'): boolean {
    return owner === null && this.analytics !== null && (kind === 'stats' || resolution !== 'native');
  }

  market(isoRaw: string): MarketDefinition {
    const iso = isoRaw.toUpperCase().replace(/[-_ ]/g, '') as IsoId;
    const found = this.catalogue.listMarkets().find((m) => m.iso === iso);
    if (!found) throw notFound(`market ${isoRaw} (known markets: ${this.catalogue.listMarkets().map((m) => m.iso.toLowerCase()).join(', ')})`);
    return found;
  }

  view(m: MarketDefinition, now = new Date()): MarketView {
    const next = nextDayAheadGateClosure(m.iso, now, m);
    return {
      iso: m.iso,
      name: m.name,
      timezone: m.timezone,
      display_timezone: m.display_timezone,
      da_gate_closures: m.da_gate_closures.map((g) => ({ ...g })),
      next_da_gate_closure: { delivery_date: next.delivery_date, closes_at: next.closes_at.toISOString() },
      rt_bid_close_minutes_before: m.rt_bid_close_minutes_before,
      rt_pricing_interval_min: m.rt_pricing_interval_min,
      rt_settlement_interval_min: m.rt_settlement_interval_min,
      offer_limits: { ...m.offer_limits },
      max_segments: m.max_segments,
      default_location: m.default_location,
      location_count: m.locations.length,
      unverified: [...m.unverified],
      sources: [...m.sources],
    };
  }

  /** A catalogue location (by id, name, node id or alias), or a location the stored data has. */
  async location(m: MarketDefinition, raw: string, owner: PriceOwner = null): Promise<string> {
    const known = this.catalogue.findLocation(m.iso, raw);
    if (known) return known.id;
    const stored = await this.repos.prices.series(m.iso, owner);
    const hit = stored.find((s) => s.location.toUpperCase() === raw.trim().toUpperCase());
    if (hit) return hit.location;
    throw notFound(`location ${raw} in ${m.iso}`);
  }

  /** `start` inclusive and `end` exclusive: instants, or market-local calendar dates. */
  range(m: MarketDefinition, start: string, end: string): { start: Date; end: Date } {
    const s = this.instant(m, start, 'start');
    const e = this.instant(m, end, 'end');
    if (s.getTime() >= e.getTime()) throw badRequest(`start (${start}) must be before end (${end})`, [{ field: 'start', message: 'must be before end' }]);
    return { start: s, end: e };
  }

  private instant(m: MarketDefinition, raw: string, field: string): Date {
    if (isYmd(raw)) return localDayBoundsUtc(raw, m.timezone).start;
    const d = new Date(raw);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(d.getTime()) || d.getTime() < CURSOR_MIN_MS || d.getTime() > CURSOR_MAX_MS) {
      throw badRequest(`${field} "${raw}" is neither an ISO 8601 instant nor a YYYY-MM-DD date`, [{ field, message: 'expected an ISO 8601 instant or YYYY-MM-DD' }]);
    }
    return d;
  }

  async prices(q: { market: string; location: string; run?: PriceRun; start: string; end: string; resolution?: 'native' | 'hourly' | 'daily'; limit?: number; cursor?: string }, owner: PriceOwner = null) {
    const m = this.market(q.market);
    const location = await this.location(m, q.location, owner);
    const { start, end } = this.range(m, q.start, q.end);
    const run = q.run ?? 'DA';
    const resolution = q.resolution ?? 'native';
    const limit = q.limit ?? 1000;
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    const q2 = { market: m.iso, location, run, start, end, timezone: m.timezone, after, limit: limit + 1 };
    const fromAnalytics = resolution !== 'native' && owner === null && this.analytics ? await this.analytics.series({ ...q2, resolution }) : null;
    const rows = fromAnalytics ?? (await this.repos.prices.query({ ...q2, resolution, owner }));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      market: m.iso,
      location,
      run,
      resolution,
      timezone: m.timezone,
      scope: owner === null ? ('shared' as const) : ('own' as const),
      items: page.map(priceView),
      next_cursor: rows.length > limit && last ? encodeCursor(last.interval_start) : null,
    };
  }

  async latest(marketRaw: string) {
    const m = this.market(marketRaw);
    const rows = await this.repos.prices.latest(m.iso);
    return {
      market: m.iso,
      items: rows.map((r) => ({
        ...priceView(r),
        previous_lmp_usd_per_mwh: r.previous_lmp_usd_per_mwh,
        change_usd_per_mwh: r.previous_lmp_usd_per_mwh === null ? null : round(r.lmp_usd_per_mwh - r.previous_lmp_usd_per_mwh, 4),
      })),
    };
  }

  async stats(q: { market: string; location: string; run?: PriceRun; start: string; end: string }, owner: PriceOwner = null): Promise<PriceStatsView> {
    const m = this.market(q.market);
    const location = await this.location(m, q.location, owner);
    const { start, end } = this.range(m, q.start, q.end);
    const run = q.run ?? 'DA';
    const q2 = { market: m.iso, location, run, start, end, timezone: m.timezone };
    const s = (owner === null && this.analytics ? await this.analytics.stats(q2) : null) ?? (await this.repos.prices.stats({ ...q2, owner }));
    return { market: m.iso, location, run, start: start.toISOString(), end: end.toISOString(), ...s };
  }

  /** Ancillary-service clearing prices of one zone (every product, or one), for a range. */
  async ancillaryPrices(q: { market: string; zone?: string; product?: string; run?: PriceRun; start: string; end: string }): Promise<AncillaryPricePage> {
    const m = this.market(q.market);
    const { start, end } = this.range(m, q.start, q.end);
    if (end.getTime() - start.getTime() > MAX_AS_RANGE_DAYS * 86_400_000) {
      throw badRequest(`the range spans more than ${MAX_AS_RANGE_DAYS} days; ask for less`, [{ field: 'end', message: `at most ${MAX_AS_RANGE_DAYS} days after start` }]);
    }
    const run = q.run ?? 'DA';
    const series = await this.repos.ancillaryPrices.series(m.iso);
    const zones = [...new Set(series.map((s) => s.zone))];
    let zone: string;
    if (q.zone) {
      const hit = zones.find((z) => z.toUpperCase() === q.zone!.trim().toUpperCase());
      if (!hit) throw notFound(`ancillary-service prices for zone ${q.zone} in ${m.iso} (zones with prices: ${zones.join(', ') || 'none'})`);
      zone = hit;
    } else {
      zone = systemZone(m.iso, zones) ?? m.iso;
    }
    let products: string[] | undefined;
    if (q.product) {
      const stored = [...new Set(series.filter((s) => s.zone === zone).map((s) => s.product))];
      const hit = stored.find((p) => p.toUpperCase() === q.product!.trim().toUpperCase());
      if (!hit) throw notFound(`ancillary-service product ${q.product} in ${m.iso} zone ${zone} (products with prices: ${stored.join(', ') || 'none'})`);
      products = [hit];
    }
    // The range bound keeps a request within hourly products × 400 days; the limit only guards a sub-hourly series.
    const rows = await this.repos.ancillaryPrices.query({ market: m.iso, zone, run, products, start, end, limit: 200_000 });
    return {
      market: m.iso,
      zone,
      run,
      timezone: m.timezone,
      zones,
      products: [...new Set(rows.map((r) => r.product))],
      items: rows.map((r) => ({ product: r.product, interval_start: r.interval_start.toISOString(), interval_end: r.interval_end.toISOString(), price_usd_per_mw: r.price_usd_per_mw })),
    };
  }

  /**
   * The stored day-ahead AS clearing prices the optimiser, backtests and clearing read: the
   * market's system-wide zone (the ISO's own, e.g. ERCOT), else the first stored reserve
   * zone, in [start, end). `zone` is null when the market has no AS prices stored at all.
   * `inZone`: read that zone instead (a backtest reads the zone it was created on).
   */
  async systemAncillaryPrices(iso: string, start: Date, end: Date, inZone?: string): Promise<{ zone: string | null; rows: AncillaryPricePoint[] }> {
    const m = this.market(iso);
    const zones = inZone ? [inZone] : [...new Set((await this.repos.ancillaryPrices.series(m.iso)).map((s) => s.zone))];
    const zone = systemZone(m.iso, zones);
    if (!zone) return { zone: null, rows: [] };
    const rows = await this.repos.ancillaryPrices.query({ market: m.iso, zone, run: 'DA', start, end, limit: 2_000_000 });
    return { zone, rows };
  }

  /** One owner's price series (market, location, run, span): the shared market's of one market, or an organisation's own. */
  async series(owner: PriceOwner, marketRaw?: string) {
    const market = marketRaw ? this.market(marketRaw).iso : undefined;
    if (owner === null && !market) throw badRequest("name a market to list the shared market's series (scope=own lists your organisation's)", [{ field: 'market', message: 'required with scope shared' }]);
    const rows = await this.repos.prices.seriesOf(owner, market);
    return {
      scope: owner === null ? ('shared' as const) : ('own' as const),
      items: rows.map((r) => ({ market: r.market, location: r.location, run: r.run, intervals: r.intervals, first_interval_start: r.first.toISOString(), last_interval_start: r.last.toISOString() })),
    };
  }

  /** An ISO's hubs and zones with the runs stored for each, then the locations only imported files brought (e.g. individual nodes). */
  async locations(iso: string) {
    const m = this.market(iso);
    const stored = await this.repos.prices.series(m.iso);
    const runsOf = (id: string) => stored.filter((s) => s.location === id).map((s) => s.run);
    const known = new Set(m.locations.map((l) => l.id));
    const items = [
      ...m.locations.map((l) => ({ ...l, aliases: l.aliases ? [...l.aliases] : undefined, has_data: runsOf(l.id).length > 0, runs: runsOf(l.id) })),
      ...[...new Set(stored.map((s) => s.location))].filter((id) => !known.has(id)).map((id) => ({ id, name: id, type: 'node', has_data: true, runs: runsOf(id) })),
    ];
    return { market: m.iso, items };
  }
}

export function priceView(p: PricePoint): PriceView {
  return {
    market: p.market,
    location: p.location,
    run: p.run,
    interval_start: p.interval_start.toISOString(),
    interval_end: p.interval_end.toISOString(),
    lmp_usd_per_mwh: p.lmp_usd_per_mwh,
    energy_usd_per_mwh: p.energy_usd_per_mwh,
    congestion_usd_per_mwh: p.congestion_usd_per_mwh,
    loss_usd_per_mwh: p.loss_usd_per_mwh,
  };
}

function encodeCursor(d: Date): string {
  return Buffer.from(d.toISOString()).toString('base64url');
}

/** Cursors this server writes are instants between these; anything else was not written by us. */
const CURSOR_MIN_MS = Date.UTC(1900, 0, 1);
const CURSOR_MAX_MS = Date.UTC(9999, 11, 31);

function decodeCursor(c: string): Date {
  const d = new Date(Buffer.from(c, 'base64url').toString('utf8'));
  if (Number.isNaN(d.getTime()) || d.getTime() < CURSOR_MIN_MS || d.getTime() > CURSOR_MAX_MS) throw badRequest('cursor is not valid; use next_cursor from the previous page', [{ field: 'cursor', message: 'invalid' }]);
  return d;
}

const round = (x: number, dp: number) => Math.round(x * 10 ** dp) / 10 ** dp;

/** A market's system-wide AS zone: the ISO's own where it has prices stored (ERCOT), else the first stored reserve zone; null with none. */
function systemZone(iso: string, zones: readonly string[]): string | null {
  return zones.includes(iso) ? iso : (zones[0] ?? null);
}
