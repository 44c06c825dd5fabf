/**
 * Shapes of the ISO catalogue. The values live in `catalogue.ts`; everything
 * that needs an ISO rule (bid validation, gate closure, importers, the feed)
 * reads it through these types.
 */
export const ISO_IDS = ['PJM', 'CAISO', 'ERCOT', 'NYISO', 'MISO', 'SPP', 'ISONE'] as const;
export type IsoId = (typeof ISO_IDS)[number];

/** Price runs we store. DA is hourly; RT5/RT15 are 5- and 15-minute real time; RTH is hourly real time. */
export const PRICE_RUNS = ['DA', 'RT5', 'RT15', 'RTH'] as const;
export type PriceRun = (typeof PRICE_RUNS)[number];

/** Bid runs: a bid is for the day-ahead market or for real time. */
export const BID_RUNS = ['DA', 'RT'] as const;
export type BidRun = (typeof BID_RUNS)[number];

export type LocationType = 'hub' | 'zone' | 'node' | 'load_zone' | 'interface';

export interface MarketLocation {
  /** Our identifier: the ISO's own name for the location (e.g. `HB_HOUSTON`, `WESTERN HUB`, `N.Y.C.`). */
  id: string;
  name: string;
  type: LocationType;
  /** The ISO's numeric or alternative id where it has one (PJM pnode_id 51288, NYISO PTID, ISO-NE location id). */
  iso_node_id?: string;
  /** Other spellings seen in published files (EIA column names, gridstatus names), used by importers to map. */
  aliases?: string[];
  /**
   * The load-forecast area (`load_forecasts.area`) whose forecast belongs to this location, where the ISO
   * publishes one finer than its system-wide forecast; unset, the location takes the ISO-wide series.
   */
  load_forecast_area?: string;
}

/** Day-ahead gate closure, versioned by the date it took effect. */
export interface GateClosureRule {
  /** First delivery-eve (YYYY-MM-DD, market-local) this rule applies to. */
  effective_from: string;
  /** Local clock time on the day before delivery, `HH:MM`. */
  close_local_time: string;
  /** Clock the close time is read on when it differs from the market clock (IANA zone). */
  timezone?: string;
  source: string;
}

export interface OfferLimits {
  floor_usd_per_mwh: number;
  /** Offers above this need a cost-verified flag. */
  soft_cap_usd_per_mwh: number;
  /** Nothing above this is accepted. */
  hard_cap_usd_per_mwh: number;
}

export interface MarketDefinition {
  iso: IsoId;
  name: string;
  /**
   * IANA timezone of the market clock. MISO trades on fixed EST all year, which is `Etc/GMT+5`
   * (the sign in Etc zones is inverted by POSIX convention).
   */
  timezone: string;
  /** Prevailing-time zone used for display (MISO: America/Indiana/Indianapolis style EST/EDT is not used). */
  display_timezone: string;
  da_gate_closures: GateClosureRule[];
  /** Minutes before an RT interval starts at which RT bids for it close. */
  rt_bid_close_minutes_before: number;
  rt_pricing_interval_min: 5 | 15;
  rt_settlement_interval_min: 5 | 15;
  offer_limits: OfferLimits;
  /** Maximum price-quantity pairs per hour in one curve. */
  max_segments: number;
  locations: MarketLocation[];
  /** The location used when none is named (the main hub). */
  default_location: string;
  /** Figures the research could not verify from the ISO's own manuals; they are configuration. */
  unverified: string[];
  sources: string[];
}
