import { Type, type Static } from 'typebox';

export const IsoParam = Type.String({ minLength: 2, maxLength: 10, description: 'ISO id, any case: pjm, caiso, ercot, nyiso, miso, spp, isone' });
export const PriceRunSchema = Type.Union([Type.Literal('DA'), Type.Literal('RT5'), Type.Literal('RT15'), Type.Literal('RTH')]);

export const LocationView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  iso_node_id: Type.Optional(Type.String()),
  aliases: Type.Optional(Type.Array(Type.String())),
});
export type LocationView = Static<typeof LocationView>;

/** GET /api/markets/:iso/locations: a location with which runs have stored prices. */
export const MarketLocationView = Type.Intersect([LocationView, Type.Object({ has_data: Type.Boolean(), runs: Type.Array(Type.String()) })]);
export type MarketLocationView = Static<typeof MarketLocationView>;
export const MarketLocationList = Type.Object({ market: Type.String(), items: Type.Array(MarketLocationView) });
export type MarketLocationList = Static<typeof MarketLocationList>;

export const GateClosureView = Type.Object({ effective_from: Type.String(), close_local_time: Type.String(), timezone: Type.Optional(Type.String()), source: Type.String() });

export const MarketView = Type.Object({
  iso: Type.String(),
  name: Type.String(),
  timezone: Type.String(),
  display_timezone: Type.String(),
  da_gate_closures: Type.Array(GateClosureView),
  next_da_gate_closure: Type.Object({ delivery_date: Type.String(), closes_at: Type.String({ format: 'date-time' }) }),
  rt_bid_close_minutes_before: Type.Integer(),
  rt_pricing_interval_min: Type.Integer(),
  rt_settlement_interval_min: Type.Integer(),
  offer_limits: Type.Object({ floor_usd_per_mwh: Type.Number(), soft_cap_usd_per_mwh: Type.Number(), hard_cap_usd_per_mwh: Type.Number() }),
  max_segments: Type.Integer(),
  default_location: Type.String(),
  location_count: Type.Integer(),
  unverified: Type.Array(Type.String()),
  sources: Type.Array(Type.String()),
});
export type MarketView = Static<typeof MarketView>;

export const PriceView = Type.Object({
  market: Type.String(),
  location: Type.String(),
  run: PriceRunSchema,
  interval_start: Type.String({ format: 'date-time' }),
  interval_end: Type.String({ format: 'date-time' }),
  lmp_usd_per_mwh: Type.Number(),
  energy_usd_per_mwh: Type.Union([Type.Number(), Type.Null()]),
  congestion_usd_per_mwh: Type.Union([Type.Number(), Type.Null()]),
  loss_usd_per_mwh: Type.Union([Type.Number(), Type.Null()]),
});
export type PriceView = Static<typeof PriceView>;

/** Whose series: the platform's shared market (the default) or the caller's organisation's own imports. Never merged. */
export const PriceScope = Type.Union([Type.Literal('shared'), Type.Literal('own')], { description: "shared: the platform's market that clearing and every organisation read (default); own: your organisation's imported series" });
export type PriceScope = Static<typeof PriceScope>;

export const PriceQuery = Type.Object(
  {
    market: IsoParam,
    location: Type.String({ minLength: 1, maxLength: 100 }),
    run: Type.Optional(PriceRunSchema),
    start: Type.String({ description: 'inclusive: an ISO 8601 instant, or a YYYY-MM-DD date in the market-local calendar' }),
    end: Type.String({ description: 'exclusive: an ISO 8601 instant, or a YYYY-MM-DD date in the market-local calendar' }),
    resolution: Type.Optional(Type.Union([Type.Literal('native'), Type.Literal('hourly'), Type.Literal('daily')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
    scope: Type.Optional(PriceScope),
  },
  { additionalProperties: false },
);
export type PriceQuery = Static<typeof PriceQuery>;

export const PricePage = Type.Object({
  market: Type.String(),
  location: Type.String(),
  run: PriceRunSchema,
  resolution: Type.String(),
  timezone: Type.String(),
  scope: PriceScope,
  items: Type.Array(PriceView),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
});
export type PricePage = Static<typeof PricePage>;

/** The price series a scope holds (GET /api/prices/series): which locations and runs, over which span. */
export const PriceSeriesQuery = Type.Object({ scope: Type.Optional(PriceScope), market: Type.Optional(IsoParam) }, { additionalProperties: false });
export const PriceSeriesList = Type.Object({
  scope: PriceScope,
  items: Type.Array(
    Type.Object({
      market: Type.String(),
      location: Type.String(),
      run: PriceRunSchema,
      intervals: Type.Integer(),
      first_interval_start: Type.String({ format: 'date-time' }),
      last_interval_start: Type.String({ format: 'date-time' }),
    }),
  ),
});
export type PriceSeriesList = Static<typeof PriceSeriesList>;

export const LatestPriceView = Type.Intersect([PriceView, Type.Object({ previous_lmp_usd_per_mwh: Type.Union([Type.Number(), Type.Null()]), change_usd_per_mwh: Type.Union([Type.Number(), Type.Null()]) })]);
export type LatestPriceView = Static<typeof LatestPriceView>;
export const LatestPrices = Type.Object({ market: Type.String(), items: Type.Array(LatestPriceView) });
export type LatestPrices = Static<typeof LatestPrices>;

export const PriceStatsQuery = Type.Object(
  { market: IsoParam, location: Type.String({ minLength: 1 }), run: Type.Optional(PriceRunSchema), start: Type.String(), end: Type.String(), scope: Type.Optional(PriceScope) },
  { additionalProperties: false },
);
export const PriceStatsView = Type.Object({
  market: Type.String(),
  location: Type.String(),
  run: PriceRunSchema,
  start: Type.String({ format: 'date-time' }),
  end: Type.String({ format: 'date-time' }),
  intervals: Type.Integer(),
  days: Type.Integer(),
  mean_usd_per_mwh: Type.Union([Type.Number(), Type.Null()]),
  min_usd_per_mwh: Type.Union([Type.Number(), Type.Null()]),
  max_usd_per_mwh: Type.Union([Type.Number(), Type.Null()]),
  std_usd_per_mwh: Type.Union([Type.Number(), Type.Null()]),
  negative_price_hours: Type.Number(),
  mean_daily_spread_usd_per_mwh: Type.Union([Type.Number(), Type.Null()]),
});
export type PriceStatsView = Static<typeof PriceStatsView>;

export const ImportRejection = Type.Object({ file: Type.String(), line: Type.Integer(), reason: Type.String(), sheet: Type.Optional(Type.String()) });
export const ImportFileReport = Type.Object({
  file: Type.String(),
  format: Type.String(),
  rows: Type.Integer(),
  inserted: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  rejected: Type.Integer(),
  markets: Type.Array(Type.String()),
  locations: Type.Array(Type.String(), { description: 'locations; for an ancillary-service price file, the zones' }),
  products: Type.Optional(Type.Array(Type.String(), { description: 'ancillary-service products of the file (AS price files only)' })),
  first_interval: Type.Union([Type.String(), Type.Null()]),
  last_interval: Type.Union([Type.String(), Type.Null()]),
  import_id: Type.Optional(Type.String({ description: 'the import record of the received file this came from (each received file is stored whole, with its own record and audit row)' })),
});
export const ImportReport = Type.Object({
  import_id: Type.Union([Type.String(), Type.Null()], { description: "the first stored file's import record (every stored file has its own: files[].import_id); null when nothing was stored" }),
  scope: Type.Optional(PriceScope),
  files: Type.Array(ImportFileReport),
  inserted: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  rejected: Type.Integer(),
  rejections: Type.Array(ImportRejection, { description: 'the first 1,000 rejections, each with file, line and reason' }),
  refused: Type.Array(Type.Object({ file: Type.String(), reason: Type.String() }), { description: 'files not read at all (unknown format)' }),
});
export type ImportReport = Static<typeof ImportReport>;

export const AncillaryPriceQuery = Type.Object(
  {
    market: IsoParam,
    zone: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: "where the price applies: ERCOT's system-wide `ERCOT`, an SPP reserve zone (`1`…`5`, `SPP`); default: the market's own zone when stored, else the first stored" })),
    product: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: 'the ISO\'s product code (`REGUP`, `RegDN`, …), any case; default: every product' })),
    run: Type.Optional(PriceRunSchema),
    start: Type.String({ description: 'inclusive: an ISO 8601 instant, or a YYYY-MM-DD date in the market-local calendar' }),
    end: Type.String({ description: 'exclusive: an ISO 8601 instant, or a YYYY-MM-DD date in the market-local calendar; at most 400 days after start' }),
  },
  { additionalProperties: false },
);
export type AncillaryPriceQuery = Static<typeof AncillaryPriceQuery>;

export const AncillaryPriceView = Type.Object({
  product: Type.String(),
  interval_start: Type.String({ format: 'date-time' }),
  interval_end: Type.String({ format: 'date-time' }),
  price_usd_per_mw: Type.Number({ description: 'capacity clearing price, USD per MW per hour' }),
});
export type AncillaryPriceView = Static<typeof AncillaryPriceView>;

export const AncillaryPricePage = Type.Object({
  market: Type.String(),
  zone: Type.String(),
  run: PriceRunSchema,
  timezone: Type.String(),
  zones: Type.Array(Type.String(), { description: 'every zone with stored AS prices in this market' }),
  products: Type.Array(Type.String(), { description: 'the products in `items`, in order' }),
  items: Type.Array(AncillaryPriceView, { description: 'ordered by product, then time' }),
});
export type AncillaryPricePage = Static<typeof AncillaryPricePage>;
