/**
 * Trading loop on the wire: assets, bids, clearing, awards, settlement and P&L,
 * and the realtime events published on `org:<organization_id>`.
 * Instants are ISO 8601 UTC strings; delivery dates are market-local `YYYY-MM-DD`.
 */
import { Type, type Static } from 'typebox';
import { IsoDate, IsoDateTime, Nullable, PageOffset, Uuid } from './common.js';

export const AssetCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: Type.String({ minLength: 1, maxLength: 40, description: 'battery, thermal, solar, wind, demand_response or load' }),
    market: Type.String({ minLength: 2, maxLength: 10, description: 'ISO id, any case' }),
    location: Type.String({ minLength: 1, maxLength: 100, description: 'catalogue location id, name or alias, e.g. HB_HOUSTON' }),
    params: Type.Unknown({ description: "the type's parameters (see the asset types in the docs); every problem is reported as {field, message}" }),
  },
  { additionalProperties: false },
);
export type AssetCreateBody = Static<typeof AssetCreateBody>;

export const AssetPatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    location: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    params: Type.Optional(Type.Unknown()),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type AssetPatchBody = Static<typeof AssetPatchBody>;

export const AssetView = Type.Object({
  id: Uuid,
  organization_id: Uuid,
  name: Type.String(),
  type: Type.String(),
  market: Type.String(),
  location: Type.String(),
  params: Type.Unknown(),
  active: Type.Boolean(),
  bid_limits: Type.Object({ min_mw: Type.Number(), max_mw: Type.Number() }),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type AssetView = Static<typeof AssetView>;

export const AssetListQuery = Type.Object(
  {
    type: Type.Optional(Type.String({ maxLength: 40 })),
    market: Type.Optional(Type.String({ maxLength: 10 })),
    location: Type.Optional(Type.String({ maxLength: 100 })),
    active: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    offset: Type.Optional(PageOffset),
  },
  { additionalProperties: false },
);
export const AssetList = Type.Object({ items: Type.Array(AssetView), total: Type.Integer() });

export const TelemetryBody = Type.Object(
  {
    points: Type.Array(Type.Object({ interval_start: IsoDateTime, delivered_mw: Type.Number() }, { additionalProperties: false }), { minItems: 1, maxItems: 10000 }),
  },
  { additionalProperties: false },
);

export const BidSegmentSchema = Type.Object(
  {
    mw: Type.Number({ description: 'signed block width: > 0 sells, < 0 buys' }),
    price_usd_per_mwh: Type.Number(),
  },
  { additionalProperties: false },
);
export const BidCurves = Type.Array(Type.Array(BidSegmentSchema, { maxItems: 100 }), {
  minItems: 1,
  maxItems: 400,
  description: 'DA: one curve per hour of the delivery day (23/24/25); RT: one per interval from interval_start',
});
export const AncillaryOfferSchema = Type.Object(
  {
    product: Type.String({ minLength: 1, maxLength: 20, description: "the ISO's AS product code, e.g. REGUP, REGDN, RRS, NSPIN, ECRS" }),
    mw: Type.Number({ description: 'capacity offered, MW (≥ 0)' }),
    price_usd_per_mw: Type.Number({ description: 'offer price, $ per MW per hour of capacity' }),
  },
  { additionalProperties: false },
);
export type AncillaryOfferBody = Static<typeof AncillaryOfferSchema>;
export const BidAsOffers = Type.Array(Type.Array(AncillaryOfferSchema, { maxItems: 20 }), {
  maxItems: 400,
  description: 'ancillary-service offers: one list per period, indexed like curves (empty list = none that period); validated against the ISO rules and the asset',
});
export const BidRunSchema = Type.Union([Type.Literal('DA'), Type.Literal('RT')]);
export const BidSideSchema = Type.Union([Type.Literal('supply'), Type.Literal('demand'), Type.Literal('storage')]);

export const BidCreateBody = Type.Object(
  {
    asset_id: Uuid,
    run: BidRunSchema,
    delivery_date: Type.Optional(IsoDate),
    interval_start: Type.Optional(IsoDateTime),
    interval_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
    side: Type.Optional(BidSideSchema),
    cost_verified: Type.Optional(Type.Boolean()),
    curves: BidCurves,
    as_offers: Type.Optional(BidAsOffers),
  },
  { additionalProperties: false },
);
export type BidCreateBody = Static<typeof BidCreateBody>;

export const BidPatchBody = Type.Object(
  {
    delivery_date: Type.Optional(IsoDate),
    interval_start: Type.Optional(IsoDateTime),
    interval_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
    side: Type.Optional(BidSideSchema),
    cost_verified: Type.Optional(Type.Boolean()),
    curves: Type.Optional(BidCurves),
    as_offers: Type.Optional(Nullable(BidAsOffers)),
  },
  { additionalProperties: false },
);
export type BidPatchBody = Static<typeof BidPatchBody>;

export const BidIssueView = Type.Object({
  code: Type.String(),
  message: Type.String(),
  period: Type.Optional(Type.Integer()),
  segment: Type.Optional(Type.Integer()),
  product: Type.Optional(Type.String({ description: 'the AS product an AS-offer issue is about' })),
});

export const AwardView = Type.Object({
  period: Type.Integer(),
  interval_start: IsoDateTime,
  duration_h: Type.Number(),
  awarded_mw: Type.Number(),
  price_usd_per_mwh: Type.Number(),
});

export const BidView = Type.Object({
  id: Uuid,
  organization_id: Uuid,
  asset_id: Uuid,
  market: Type.String(),
  location: Type.String(),
  run: Type.String(),
  side: Type.String(),
  delivery_date: Type.String(),
  interval_start: Nullable(IsoDateTime),
  interval_minutes: Nullable(Type.Integer()),
  cost_verified: Type.Boolean(),
  curves: Type.Array(Type.Array(Type.Object({ mw: Type.Number(), price_usd_per_mwh: Type.Number() }))),
  as_offers: Nullable(Type.Array(Type.Array(AncillaryOfferSchema))),
  status: Type.String(),
  version: Type.Integer(),
  issues: Type.Array(BidIssueView),
  gate_closure: IsoDateTime,
  gate_closure_local: Type.String({ description: "gate closure on the market's clock, e.g. 10:00 CST on 2026-11-25" }),
  submitted_at: Nullable(IsoDateTime),
  cleared_at: Nullable(IsoDateTime),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
  awards: Type.Optional(Type.Array(AwardView)),
});
export type BidView = Static<typeof BidView>;

export const BidListQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ maxLength: 200, description: 'one status or a comma-separated list' })),
    market: Type.Optional(Type.String({ maxLength: 10 })),
    run: Type.Optional(BidRunSchema),
    asset_id: Type.Optional(Uuid),
    start: Type.Optional(IsoDate),
    end: Type.Optional(IsoDate),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    offset: Type.Optional(PageOffset),
  },
  { additionalProperties: false },
);
export const BidList = Type.Object({ items: Type.Array(BidView), total: Type.Integer() });

export const BidExportQuery = Type.Object(
  {
    market: Type.String({ minLength: 2, maxLength: 10, description: 'ISO id; ERCOT only (EWS BidSet)' }),
    delivery_date: IsoDate,
    transaction: Type.Optional(
      Type.Union([Type.Literal('ThreePartOffer'), Type.Literal('EnergyBid'), Type.Literal('ASOffer')], { description: 'return only this BidSet, as application/xml' }),
    ),
  },
  { additionalProperties: false },
);
export type BidExportQuery = Static<typeof BidExportQuery>;

export const BidExportView = Type.Object({
  market: Type.String(),
  delivery_date: Type.String(),
  form: Type.String({ description: 'generation_and_load_resource before RTC+B (2025-12-05), energy_storage_resource from it' }),
  documents: Type.Array(Type.Object({ transaction: Type.String(), xml: Type.String({ description: 'a whole XML document whose root is the BidSet' }) })),
  issues: Type.Array(Type.Object({ code: Type.String(), severity: Type.String(), message: Type.String(), asset_id: Type.Optional(Type.String()), hour_ending: Type.Optional(Type.String()) })),
  resources: Type.Array(
    Type.Object({
      asset_id: Uuid,
      bid_id: Uuid,
      resource: Type.String(),
      load_resource: Nullable(Type.String()),
      derived_name: Type.Boolean({ description: "true when a name was derived from the asset's name (set resource_name / load_resource_name in the battery's params)" }),
    }),
  ),
  skipped: Type.Array(Type.Object({ bid_id: Uuid, asset_id: Uuid, reason: Type.String() })),
});
export type BidExportView = Static<typeof BidExportView>;

export const BidVersionView = Type.Object({
  version: Type.Integer(),
  side: Type.String(),
  delivery_date: Type.String(),
  interval_start: Nullable(IsoDateTime),
  interval_minutes: Nullable(Type.Integer()),
  cost_verified: Type.Boolean(),
  curves: Type.Array(Type.Array(Type.Object({ mw: Type.Number(), price_usd_per_mwh: Type.Number() }))),
  as_offers: Nullable(Type.Array(Type.Array(AncillaryOfferSchema))),
  status: Type.String({ description: 'status of the bid when this version was written' }),
  created_by: Nullable(Type.String()),
  created_at: IsoDateTime,
});
export type BidVersionView = Static<typeof BidVersionView>;
export const BidVersionList = Type.Object({ bid_id: Uuid, items: Type.Array(BidVersionView) });
export type BidVersionList = Static<typeof BidVersionList>;

export const ClearingModeSchema = Type.Union([Type.Literal('price_taker'), Type.Literal('auction')]);
const Curve = Type.Array(BidSegmentSchema, { maxItems: 200 });

export const ClearBody = Type.Object(
  {
    run: BidRunSchema,
    delivery_date: IsoDate,
    mode: Type.Optional(ClearingModeSchema),
    residual_demand: Type.Optional(Type.Array(Curve, { description: 'auction: buy blocks (negative MW), one curve for all hours or one per hour' })),
    rest_of_market_supply: Type.Optional(Type.Array(Curve, { description: 'auction: sell blocks (positive MW), one curve for all hours or one per hour' })),
  },
  { additionalProperties: false },
);
export type ClearBody = Static<typeof ClearBody>;

export const ClearingView = Type.Object({
  market: Type.String(),
  run: Type.String(),
  delivery_date: Type.String(),
  mode: Type.String(),
  status: Type.String({ description: 'complete, or partial when some bids had no price to clear against' }),
  bids_cleared: Type.Integer(),
  newly_cleared: Type.Integer(),
  unpriced: Type.Array(Type.Object({ bid_id: Uuid, location: Type.String(), missing_periods: Type.Array(Type.Integer()) })),
  simulated_prices: Type.Array(Type.Object({ location: Type.String(), hours: Type.Integer() })),
  prices: Type.Optional(Type.Array(Type.Object({ period: Type.Integer(), price_usd_per_mwh: Type.Number(), cleared_mw: Type.Number() }))),
  storage: Type.Optional(
    Type.Array(
      Type.Object({
        bid_id: Uuid,
        asset_id: Uuid,
        soc_initial_mwh: Type.Number({ description: 'state of charge the day starts at' }),
        soc_initial_source: Type.Union([Type.Literal('asset'), Type.Literal('previous_day')], { description: "asset: its soc_initial_mwh; previous_day: the end of its latest earlier cleared day" }),
        soc_initial_date: Type.Optional(Type.String({ description: 'previous_day: that delivery day' })),
        soc_end_mwh: Type.Number(),
        cut_mwh: Type.Number({ description: 'MWh of energy awards removed because the battery could not deliver them' }),
        enforced: Type.Boolean({ description: 'true when the hour-by-hour awards broke the state of charge and were re-cleared jointly over the day' }),
      }),
      { description: 'DA storage bids: energy awards cleared under the state of charge (every award deliverable)' },
    ),
  ),
  cleared_at: IsoDateTime,
});
export type ClearingView = Static<typeof ClearingView>;

export const SettlementQuery = Type.Object(
  {
    start: IsoDate,
    end: IsoDate,
    asset_id: Type.Optional(Uuid),
    market: Type.Optional(Type.String({ maxLength: 10 })),
  },
  { additionalProperties: false },
);

export const SettlementLineView = Type.Object({
  bid_id: Nullable(Type.String()),
  asset_id: Type.String(),
  market: Type.String(),
  location: Type.String(),
  market_date: Type.String(),
  kind: Type.String({ description: 'da_energy (award × DA LMP × h), rt_deviation ((delivered − DA award) × RT price × h) or as_capacity (AS award MW × clearing price × h)' }),
  product: Type.Optional(Type.String({ description: 'as_capacity lines: the AS product as the ISO names it' })),
  interval_start: IsoDateTime,
  duration_h: Type.Number(),
  mw: Type.Number(),
  price_usd_per_mwh: Nullable(Type.Number({ description: 'energy lines; null on as_capacity lines' })),
  price_usd_per_mw: Type.Optional(Type.Number({ description: 'as_capacity lines: the clearing price, USD per MW per hour' })),
  amount_usd: Type.Number(),
});

export const SettlementAssetView = Type.Object({
  asset_id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  da_usd: Type.Number(),
  rt_usd: Type.Number(),
  as_usd: Type.Number({ description: 'AS capacity payments' }),
  total_usd: Type.Number(),
  battery: Type.Optional(
    Type.Object({
      soc_mwh: Type.Array(Type.Number()),
      charged_mwh: Type.Number(),
      discharged_mwh: Type.Number(),
      cycles: Type.Number(),
      violations: Type.Array(Type.Object({ kind: Type.String(), index: Type.Integer(), message: Type.String() })),
    }),
  ),
});

export const SettlementView = Type.Object({
  start: Type.String(),
  end: Type.String(),
  lines: Type.Array(SettlementLineView),
  assets: Type.Array(SettlementAssetView),
  total_usd: Type.Number(),
});
export type SettlementView = Static<typeof SettlementView>;

export const PnlQuery = Type.Object(
  {
    group_by: Type.Optional(Type.Union([Type.Literal('asset'), Type.Literal('day'), Type.Literal('market')], { default: 'asset' })),
    start: IsoDate,
    end: IsoDate,
    asset_id: Type.Optional(Uuid),
    market: Type.Optional(Type.String({ maxLength: 10 })),
  },
  { additionalProperties: false },
);

export const PnlRowView = Type.Object({
  key: Type.String(),
  revenue_usd: Type.Number(),
  cost_usd: Type.Number(),
  degradation_cost_usd: Type.Number(),
  net_usd: Type.Number(),
  mwh_sold: Type.Number(),
  mwh_bought: Type.Number(),
  net_mwh: Type.Number(),
  energy_revenue_usd: Type.Number({ description: 'net energy settlement (DA + RT), USD' }),
  as_revenue_usd: Type.Number({ description: 'AS capacity payments, USD' }),
  revenue_by_product: Type.Record(Type.String(), Type.Number(), { description: 'AS capacity payments per product (as the ISO names it), USD' }),
  cycles: Type.Optional(Type.Number()),
});

export const PnlView = Type.Object({
  group_by: Type.String(),
  start: Type.String(),
  end: Type.String(),
  rows: Type.Array(PnlRowView),
  totals: PnlRowView,
});
export type PnlView = Static<typeof PnlView>;

/**
 * Set on events announced through the transactional outbox (clearing, settlement): the same on
 * every delivery of one event, which is delivered at least once; a receiver drops ids it has seen.
 */
const OutboxEventId = Type.String({ format: 'uuid', description: 'Stable id of this event: a redelivery carries the same id; drop duplicates by it.' });

/** Published on `org:<organization_id>` at every bid transition (and when a draft misses its gate). */
export const BidStatusEvent = Type.Object({
  type: Type.Literal('bid_status'),
  bid_id: Uuid,
  status: Type.String(),
  previous_status: Nullable(Type.String()),
  asset_id: Uuid,
  market: Type.String(),
  delivery_date: Type.String(),
  version: Type.Integer(),
  issues: Type.Optional(Type.Array(BidIssueView)),
  message: Type.Optional(Type.String()),
  timestamp: IsoDateTime,
  event_id: Type.Optional(OutboxEventId),
});
export type BidStatusEvent = Static<typeof BidStatusEvent>;

/** Published on `org:<organization_id>` when a bid clears. */
export const AwardEvent = Type.Object({
  type: Type.Literal('award'),
  bid_id: Uuid,
  asset_id: Uuid,
  market: Type.String(),
  location: Type.String(),
  run: Type.String(),
  delivery_date: Type.String(),
  mode: Type.String(),
  awards: Type.Array(AwardView),
  total_mwh: Type.Number(),
  timestamp: IsoDateTime,
  event_id: Type.Optional(OutboxEventId),
});
export type AwardEvent = Static<typeof AwardEvent>;
