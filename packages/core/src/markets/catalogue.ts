import { assertTimeZone, isYmd, toMinutesOfDay } from '../time/zoned.js';
import { DEFAULT_LOCATIONS } from './locations.js';
import { ISO_IDS, type GateClosureRule, type IsoId, type MarketDefinition, type MarketLocation, type OfferLimits } from './types.js';

/**
 * The seven ISOs. Figures and their sources come from the project's domain research
 * (docs: domain.md §1); every value the research could not verify in the ISO's own
 * documents is listed in `unverified` and can be replaced through `createMarketCatalogue`.
 */

const FERC_831 = 'FERC Order 831: offers capped at max($1,000, verified cost); verified offers hard-capped at $2,000 for LMP setting';
const FERC_825 = 'FERC Order 825 (effective 2016-09-13): RT energy settles at the dispatch interval';

const DEFAULT_MARKETS: MarketDefinition[] = [
  {
    iso: 'PJM',
    name: 'PJM Interconnection',
    timezone: 'America/New_York',
    display_timezone: 'America/New_York',
    da_gate_closures: [
      { effective_from: '2000-01-01', close_local_time: '12:00', source: 'PJM pre-2016 day-ahead timeline (noon close)' },
      {
        effective_from: '2016-04-01',
        close_local_time: '10:30',
        source: 'https://insidelines.pjm.com/tariff-changes-align-gas-and-electric-day-ahead-markets/',
      },
    ],
    rt_bid_close_minutes_before: 65,
    rt_pricing_interval_min: 5,
    rt_settlement_interval_min: 5,
    offer_limits: { floor_usd_per_mwh: -1000, soft_cap_usd_per_mwh: 1000, hard_cap_usd_per_mwh: 2000 },
    max_segments: 10,
    locations: DEFAULT_LOCATIONS.PJM,
    default_location: 'WESTERN HUB',
    unverified: ['offer_limits.floor_usd_per_mwh', 'max_segments'],
    sources: ['https://insidelines.pjm.com/pjm-moves-to-intraday-offers/ (hourly offers to T-65 min since 2017-11-01)', FERC_831, FERC_825],
  },
  {
    iso: 'CAISO',
    name: 'California ISO',
    timezone: 'America/Los_Angeles',
    display_timezone: 'America/Los_Angeles',
    da_gate_closures: [
      { effective_from: '2000-01-01', close_local_time: '10:00', source: 'CAISO market processes: DAM closes D-1, results 13:00 PT (close time not verified)' },
    ],
    rt_bid_close_minutes_before: 75,
    rt_pricing_interval_min: 5,
    rt_settlement_interval_min: 5,
    offer_limits: { floor_usd_per_mwh: -150, soft_cap_usd_per_mwh: 1000, hard_cap_usd_per_mwh: 2000 },
    max_segments: 10,
    locations: DEFAULT_LOCATIONS.CAISO,
    default_location: 'TH_SP15_GEN-APND',
    unverified: ['da_gate_closures[0].close_local_time'],
    sources: [
      'http://www.caiso.com/market/Pages/MarketProcesses.aspx',
      'https://www.caiso.com/Documents/FERCOrder831ComplianceInitiativeDeploymentEffective-TradeDate032021.html (soft $1,000 / hard $2,000 from trade date 2021-03-20)',
      'Spring 2014 release: bid floor -$150 (was -$30)',
      'Default Energy Bid: monotonic staircase of at most 10 segments (IEC CIM DefaultBid)',
      'RT bids close 75 min before the hour (CAISO BPM for market operations)',
    ],
  },
  {
    iso: 'ERCOT',
    name: 'Electric Reliability Council of Texas',
    timezone: 'America/Chicago',
    display_timezone: 'America/Chicago',
    da_gate_closures: [{ effective_from: '2000-01-01', close_local_time: '10:00', source: 'https://www.ercot.com/mktrules/issues/NPRR903' }],
    rt_bid_close_minutes_before: 60,
    rt_pricing_interval_min: 5,
    rt_settlement_interval_min: 15,
    // ERCOT has no cost-verified tier: the system-wide offer cap (HCAP) is the single cap.
    offer_limits: { floor_usd_per_mwh: -250, soft_cap_usd_per_mwh: 5000, hard_cap_usd_per_mwh: 5000 },
    max_segments: 10,
    locations: DEFAULT_LOCATIONS.ERCOT,
    default_location: 'HB_HOUSTON',
    unverified: ['offer_limits.floor_usd_per_mwh', 'rt_bid_close_minutes_before', 'max_segments'],
    sources: [
      'https://www.ercot.com/mktrules/issues/NPRR903 (DAM submission 10:00 CPT, results 13:30)',
      'HCAP $5,000 from 2024-01-01 replacing $9,000; LCAP $2,000',
      'SCED every <=5 min; 15-minute settlement interval (NP6-905 SPP files)',
    ],
  },
  {
    iso: 'NYISO',
    name: 'New York ISO',
    timezone: 'America/New_York',
    display_timezone: 'America/New_York',
    da_gate_closures: [
      {
        effective_from: '2000-01-01',
        close_local_time: '05:00',
        source: 'NYISO MST 4.2 (DAM bids due 05:00 ET D-1)',
      },
    ],
    rt_bid_close_minutes_before: 75,
    rt_pricing_interval_min: 5,
    rt_settlement_interval_min: 5,
    offer_limits: { floor_usd_per_mwh: -1000, soft_cap_usd_per_mwh: 1000, hard_cap_usd_per_mwh: 2000 },
    max_segments: 10,
    locations: DEFAULT_LOCATIONS.NYISO,
    default_location: 'N.Y.C.',
    unverified: ['offer_limits.floor_usd_per_mwh', 'offer_limits.hard_cap_usd_per_mwh', 'rt_bid_close_minutes_before', 'max_segments'],
    sources: ['MST Attachment F bid restriction +/-$1,000/MWh', FERC_831, FERC_825],
  },
  {
    iso: 'MISO',
    name: 'Midcontinent ISO',
    // MISO's market clock is Eastern Standard Time all year (no DST).
    timezone: 'Etc/GMT+5',
    display_timezone: 'America/New_York',
    da_gate_closures: [
      {
        effective_from: '2000-01-01',
        close_local_time: '10:30',
        source: 'https://help.misoenergy.org/knowledgebase/article/KA-01016/en-us (10:30; market time is EST all year, KA-01025)',
      },
    ],
    rt_bid_close_minutes_before: 30,
    rt_pricing_interval_min: 5,
    rt_settlement_interval_min: 5,
    offer_limits: { floor_usd_per_mwh: -500, soft_cap_usd_per_mwh: 1000, hard_cap_usd_per_mwh: 2000 },
    max_segments: 10,
    locations: DEFAULT_LOCATIONS.MISO,
    default_location: 'INDIANA.HUB',
    // KA-01016 writes "EPT"; we read the close on the EST market clock. Override with
    // `{ timezone: 'America/New_York' }` on the rule if MISO confirms prevailing time.
    unverified: ['da_gate_closures[0].timezone', 'offer_limits.floor_usd_per_mwh', 'rt_bid_close_minutes_before', 'max_segments'],
    sources: ['https://rtowww.com/20683-ferc-oks-miso-s-doubled-offer-cap-orders-alterations', FERC_825],
  },
  {
    iso: 'SPP',
    name: 'Southwest Power Pool',
    timezone: 'America/Chicago',
    display_timezone: 'America/Chicago',
    da_gate_closures: [
      { effective_from: '2000-01-01', close_local_time: '09:30', source: 'https://rtowww.com/24495-spp-moving-to-9-30-day-ahead-close (adoption date not verified)' },
    ],
    rt_bid_close_minutes_before: 30,
    rt_pricing_interval_min: 5,
    rt_settlement_interval_min: 5,
    offer_limits: { floor_usd_per_mwh: -500, soft_cap_usd_per_mwh: 1000, hard_cap_usd_per_mwh: 2000 },
    max_segments: 10,
    locations: DEFAULT_LOCATIONS.SPP,
    default_location: 'SPPNORTH_HUB',
    unverified: ['da_gate_closures[0]', 'offer_limits.floor_usd_per_mwh', 'rt_bid_close_minutes_before'],
    sources: [
      'https://www.pcienergysolutions.com/2025/02/22/understanding-the-maximum-offer-limit-mol-in-spp/ ($1,000, up to $2,000 verified)',
      'https://www.spp.org/markets-operations/integrated-marketplace/eis-offer-curve/ (MW1..MW10 / Price1..Price10)',
      'Virtual offers: floor -$500, cap $2,000',
      FERC_825,
    ],
  },
  {
    iso: 'ISONE',
    name: 'ISO New England',
    timezone: 'America/New_York',
    display_timezone: 'America/New_York',
    da_gate_closures: [
      { effective_from: '2000-01-01', close_local_time: '10:00', source: 'ISO-NE day-ahead offer deadline before the 2020 change (not verified)' },
      {
        effective_from: '2020-10-01',
        close_local_time: '10:30',
        source: 'ISO-NE filing 2020-07-27: close moved 30 min later (effective date not verified)',
      },
    ],
    rt_bid_close_minutes_before: 30,
    rt_pricing_interval_min: 5,
    rt_settlement_interval_min: 5,
    offer_limits: { floor_usd_per_mwh: -150, soft_cap_usd_per_mwh: 1000, hard_cap_usd_per_mwh: 2000 },
    max_segments: 10,
    locations: DEFAULT_LOCATIONS.ISONE,
    default_location: '.H.INTERNAL_HUB',
    unverified: [
      'da_gate_closures',
      'offer_limits.floor_usd_per_mwh',
      'rt_bid_close_minutes_before',
      'max_segments',
      'locations[*].iso_node_id (load zones 4001-4008)',
    ],
    sources: [FERC_831, FERC_825],
  },
];

export function isIsoId(x: unknown): x is IsoId {
  return typeof x === 'string' && (ISO_IDS as readonly string[]).includes(x);
}

/** Accepts `pjm`, `ISO-NE`, `isone` etc.; returns the canonical id or undefined. */
export function parseIsoId(x: string): IsoId | undefined {
  const k = x.trim().toUpperCase().replace(/[-_ ]/g, '');
  return isIsoId(k) ? k : undefined;
}

/** Normalised key for matching location names: case and repeated spaces ignored. */
export function locationKey(name: string): string {
  return name.trim().toUpperCase().replace(/\s+/g, ' ');
}

/** Per-ISO configuration that replaces catalogue values (typically the unverified ones). */
export interface MarketOverride {
  da_gate_closures?: GateClosureRule[];
  rt_bid_close_minutes_before?: number;
  rt_pricing_interval_min?: 5 | 15;
  rt_settlement_interval_min?: 5 | 15;
  offer_limits?: Partial<OfferLimits>;
  max_segments?: number;
  default_location?: string;
  /** Extra locations appended to the catalogue's (ids must be new). */
  extra_locations?: MarketLocation[];
}

export type MarketOverrides = Partial<Record<IsoId, MarketOverride>>;

export interface MarketCatalogue {
  listMarkets(): MarketDefinition[];
  getMarket(iso: IsoId): MarketDefinition;
  findLocation(iso: IsoId, idOrAlias: string): MarketLocation | undefined;
}

function validateMarket(m: MarketDefinition): void {
  const where = `market ${m.iso}`;
  assertTimeZone(m.timezone);
  const { floor_usd_per_mwh: floor, soft_cap_usd_per_mwh: soft, hard_cap_usd_per_mwh: hard } = m.offer_limits;
  if (![floor, soft, hard].every(Number.isFinite) || !(floor < soft && soft <= hard)) {
    throw new RangeError(`${where}: offer limits must satisfy floor < soft cap <= hard cap (got ${floor}, ${soft}, ${hard})`);
  }
  if (!Number.isInteger(m.max_segments) || m.max_segments < 1) throw new RangeError(`${where}: max_segments must be a positive integer`);
  if (!Number.isInteger(m.rt_bid_close_minutes_before) || m.rt_bid_close_minutes_before < 0) {
    throw new RangeError(`${where}: rt_bid_close_minutes_before must be a non-negative integer`);
  }
  for (const v of [m.rt_pricing_interval_min, m.rt_settlement_interval_min]) {
    if (v !== 5 && v !== 15) throw new RangeError(`${where}: RT intervals must be 5 or 15 minutes`);
  }
  if (m.da_gate_closures.length === 0) throw new RangeError(`${where}: at least one gate closure rule is needed`);
  let prev = '';
  for (const r of m.da_gate_closures) {
    if (!isYmd(r.effective_from) || r.effective_from <= prev) {
      throw new RangeError(`${where}: gate closure effective_from must be ascending YYYY-MM-DD dates`);
    }
    prev = r.effective_from;
    const min = toMinutesOfDay(r.close_local_time);
    if (min >= 1440) throw new RangeError(`${where}: close_local_time must be before 24:00`);
    if (r.timezone) assertTimeZone(r.timezone);
  }
  const ids = new Set<string>();
  for (const l of m.locations) {
    if (ids.has(l.id)) throw new RangeError(`${where}: duplicate location ${l.id}`);
    ids.add(l.id);
  }
  if (!ids.has(m.default_location)) throw new RangeError(`${where}: default location ${m.default_location} is not in its locations`);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

function applyOverride(base: MarketDefinition, o: MarketOverride | undefined): MarketDefinition {
  const m: MarketDefinition = structuredClone(base);
  if (!o) return m;
  if (o.da_gate_closures) m.da_gate_closures = structuredClone(o.da_gate_closures);
  if (o.rt_bid_close_minutes_before !== undefined) m.rt_bid_close_minutes_before = o.rt_bid_close_minutes_before;
  if (o.rt_pricing_interval_min !== undefined) m.rt_pricing_interval_min = o.rt_pricing_interval_min;
  if (o.rt_settlement_interval_min !== undefined) m.rt_settlement_interval_min = o.rt_settlement_interval_min;
  if (o.offer_limits) m.offer_limits = { ...m.offer_limits, ...o.offer_limits };
  if (o.max_segments !== undefined) m.max_segments = o.max_segments;
  if (o.extra_locations) m.locations.push(...structuredClone(o.extra_locations));
  if (o.default_location !== undefined) m.default_location = o.default_location;
  return m;
}

/** A catalogue with configuration applied; throws a RangeError naming the bad value. */
export function createMarketCatalogue(overrides: MarketOverrides = {}): MarketCatalogue {
  for (const k of Object.keys(overrides)) {
    if (!isIsoId(k)) throw new RangeError(`unknown market in overrides: ${k} (known: ${ISO_IDS.join(', ')})`);
  }
  const markets = DEFAULT_MARKETS.map((m) => applyOverride(m, overrides[m.iso]));
  markets.forEach(validateMarket);
  markets.forEach(deepFreeze);
  const byIso = new Map(markets.map((m) => [m.iso, m]));
  const index = new Map<IsoId, Map<string, MarketLocation>>();
  for (const m of markets) {
    const idx = new Map<string, MarketLocation>();
    // Ids first so an alias never shadows another location's real id.
    for (const l of m.locations) idx.set(locationKey(l.id), l);
    for (const l of m.locations) {
      for (const a of [l.name, l.iso_node_id, ...(l.aliases ?? [])]) {
        if (a && !idx.has(locationKey(a))) idx.set(locationKey(a), l);
      }
    }
    index.set(m.iso, idx);
  }
  return {
    listMarkets: () => [...markets],
    getMarket: (iso) => {
      const m = byIso.get(iso);
      if (!m) throw new RangeError(`unknown market: ${String(iso)}`);
      return m;
    },
    findLocation: (iso, idOrAlias) => index.get(iso)?.get(locationKey(idOrAlias)),
  };
}

const defaultCatalogue = createMarketCatalogue();

/** The seven markets with default (unconfigured) values. */
export function listMarkets(): MarketDefinition[] {
  return defaultCatalogue.listMarkets();
}

export function getMarket(iso: IsoId): MarketDefinition {
  return defaultCatalogue.getMarket(iso);
}

/** A location by its id, name, ISO node id or alias (case-insensitive). */
export function findLocation(iso: IsoId, idOrAlias: string): MarketLocation | undefined {
  return defaultCatalogue.findLocation(iso, idOrAlias);
}
