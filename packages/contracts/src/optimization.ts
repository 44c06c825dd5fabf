import { Type, type Static } from 'typebox';
import { BacktestConfig, BacktestResult } from './backtest.js';
import { IsoDate, Nullable, Uuid } from './common.js';
import { ExogenousSeriesView } from './forecasting.js';
import { PriceRunSchema, PriceScope } from './markets.js';

const Segment = Type.Object({ mw: Type.Number(), price_usd_per_mwh: Type.Number() });

export const PriceSource = Type.Union([
  Type.Object(
    {
      type: Type.Literal('forecast'),
      model_version_id: Type.Optional(Uuid),
      model: Type.Optional(Type.String({ description: 'a model name (naive, weekly-naive, lear:56, lear-ensemble …) run on stored history when no model version is named' })),
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('historical') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('explicit'), prices: Type.Array(Type.Number(), { minItems: 23, maxItems: 25, description: 'one $/MWh price per hour of the market-local delivery day' }) }, { additionalProperties: false }),
]);

export const OptimizeBody = Type.Object(
  {
    asset_id: Uuid,
    run: Type.Literal('DA', { description: 'day-ahead (real-time optimisation is not offered yet)' }),
    delivery_date: IsoDate,
    price_source: PriceSource,
    price_scope: Type.Optional(PriceScope),
    as_prices: Type.Optional(
      Type.Record(Type.String({ maxLength: 20 }), Type.Array(Type.Number(), { minItems: 1, maxItems: 100 }), {
        description:
          "battery: ancillary-service clearing prices for the day, $/MW per hour, by the ISO's product code (e.g. REGUP, REGDN, RRS, NSPIN), one per interval; given, energy and these products are co-optimised (core battery-as `default` model) and the run plans AS offers. Without it, a battery runs on the market's stored AS prices (see `ancillary`)",
      }),
    ),
    ancillary: Type.Optional(
      Type.Union([Type.Literal('auto'), Type.Literal('none')], {
        description:
          "battery without as_prices: `auto` (default) co-optimises with the market's stored day-ahead AS clearing prices (system-wide zone) chosen like the energy prices: price_source historical → the delivery day's, forecast → the previous day's (persistence), explicit → none; `none` optimises energy only",
      }),
    ),
    options: Type.Optional(
      Type.Object(
        {
          soc_initial_mwh: Type.Optional(Type.Number({ minimum: 0 })),
          soc_terminal_min_mwh: Type.Optional(Type.Number({ minimum: 0, description: 'battery: energy that must remain at the end of the day (default: the initial state of charge)' })),
          force_milp: Type.Optional(Type.Boolean()),
          time_limit_s: Type.Optional(Type.Number({ minimum: 0.1, maximum: 120 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type OptimizeBody = Static<typeof OptimizeBody>;

export const ScheduleInterval = Type.Object({
  interval_start: Type.String({ format: 'date-time' }),
  interval_end: Type.String({ format: 'date-time' }),
  price_usd_per_mwh: Type.Number(),
  price_p10_usd_per_mwh: Type.Optional(Type.Number()),
  price_p90_usd_per_mwh: Type.Optional(Type.Number()),
  power_mw: Type.Number({ description: 'net injection: positive sells, negative buys' }),
  charge_mw: Type.Optional(Type.Number()),
  discharge_mw: Type.Optional(Type.Number()),
  soc_mwh: Type.Optional(Type.Number()),
  on: Type.Optional(Type.Boolean()),
  curtailed_mw: Type.Optional(Type.Number()),
  reduction_mw: Type.Optional(Type.Number()),
  as_mw: Type.Optional(Type.Record(Type.String(), Type.Number(), { description: 'battery with AS prices: planned capacity per AS product' })),
});

export const OptimizeResult = Type.Object({
  run_id: Uuid,
  asset_id: Uuid,
  asset_type: Type.String(),
  market: Type.String(),
  location: Type.String(),
  run: Type.String(),
  delivery_date: Type.String(),
  timezone: Type.String(),
  price_source: Type.Object({
    type: Type.String(),
    model: Type.Optional(Type.String()),
    model_version_id: Type.Optional(Type.String()),
    exogenous: Type.Optional(Type.Array(ExogenousSeriesView, { description: 'forecast: the exogenous series the forecast used' })),
    exogenous_note: Type.Optional(Type.String({ description: 'forecast: why it ran on prices alone' })),
  }),
  price_scope: PriceScope,
  schedule: Type.Array(ScheduleInterval),
  expected_revenue_usd: Type.Number(),
  expected_cost_usd: Type.Number(),
  expected_net_usd: Type.Number(),
  bid_curves: Type.Array(Type.Object({ hour_index: Type.Integer(), interval_start: Type.String({ format: 'date-time' }), segments: Type.Array(Segment) })),
  bid_issues: Type.Array(Type.Object({ hour_index: Type.Optional(Type.Integer()), code: Type.Optional(Type.String()), message: Type.String() })),
  ancillary: Type.Optional(
    Type.Object({
      model: Type.String({ description: 'co-optimisation model (core battery-as)' }),
      price_source: Type.String({ description: "explicit: the request's as_prices; stored: the delivery day's stored AS prices; stored_previous_day: the previous day's stored AS prices (persistence)" }),
      as_price_zone: Type.Optional(Type.String({ description: 'stored sources: the AS price zone read' })),
      as_price_date: Type.Optional(Type.String({ description: 'stored sources: the delivery day whose AS prices were read' })),
      expected_energy_revenue_usd: Type.Number(),
      expected_as_revenue_usd: Type.Number(),
      revenue_by_product: Type.Record(Type.String(), Type.Number()),
      as_offers: Type.Array(Type.Array(Type.Object({ product: Type.String(), mw: Type.Number(), price_usd_per_mw: Type.Number() })), {
        description: 'the planned MW per hour and product, offered price-taker at $0/MW',
      }),
    }),
  ),
  ancillary_note: Type.Optional(Type.String({ description: 'battery optimised on energy only: why no AS prices were used' })),
  soc_initial: Type.Optional(
    Type.Object(
      {
        mwh: Type.Number(),
        source: Type.Union([Type.Literal('request'), Type.Literal('asset'), Type.Literal('previous_day')]),
        date: Type.Optional(Type.String({ description: 'previous_day: the delivery day whose cleared end state it is' })),
      },
      { description: "battery: the state of charge the day starts at: the request's options.soc_initial_mwh, else where the asset's latest earlier cleared day ends (the clearing starts there too), else its soc_initial_mwh" },
    ),
  ),
  gate_closure: Type.String({ format: 'date-time' }),
  solver: Type.Object({ status: Type.String(), time_ms: Type.Number(), objective: Type.Number(), formulation: Type.Optional(Type.String()) }),
  created_at: Type.String({ format: 'date-time' }),
});
export type OptimizeResult = Static<typeof OptimizeResult>;

export const BacktestStrategySchema = Type.String({ pattern: '^(perfect|persistence|rolling|forecast:[a-z0-9:_-]+)$', description: 'perfect | persistence | rolling | forecast:<model>' });

export const BacktestAncillaryOption = Type.Object(
  {
    as_model: Type.Optional(
      Type.Union([Type.Literal('reference'), Type.Literal('default')], {
        description: "co-optimisation model (core battery-as): reference (issue 14's LP, capacity payments only) or default (the ISO's duration rules, expected regulation deployment, degradation, cycle cap); default `default`",
      }),
    ),
    products: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { minItems: 1, maxItems: 20, description: "AS products to sell, as the ISO names them (default: every catalogue product with stored prices in the period)" })),
  },
  {
    additionalProperties: false,
    description:
      "sell ancillary services too, co-optimised with energy, on the market's stored day-ahead AS clearing prices (system-wide zone) over the period; persistence and forecast strategies plan on the previous day's AS prices. 422 when the period has no stored AS prices. The result adds energy_revenue_usd, as_revenue_usd and revenue_by_product; net, perfect foresight and capture rate include AS",
  },
);
export type BacktestAncillaryOption = Static<typeof BacktestAncillaryOption>;

export const BacktestCreateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    asset_id: Type.Optional(Uuid),
    battery: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'battery parameters when no asset_id is given' })),
    market: Type.String(),
    location: Type.String(),
    run: Type.Optional(PriceRunSchema),
    start: IsoDate,
    end: Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'last delivery day, inclusive' }),
    strategy: BacktestStrategySchema,
    horizon_hours: Type.Optional(Type.Integer({ minimum: 24, maximum: 168 })),
    ancillary: Type.Optional(BacktestAncillaryOption),
    price_scope: Type.Optional(PriceScope),
  },
  { additionalProperties: false },
);
export type BacktestCreateBody = Static<typeof BacktestCreateBody>;

export const BacktestView = Type.Object({
  id: Uuid,
  name: Type.String(),
  status: Type.String(),
  config: BacktestConfig,
  progress: Type.Object({ done: Type.Integer(), total: Type.Integer(), fraction: Type.Number() }),
  result: Nullable(BacktestResult),
  error: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  started_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type BacktestView = Static<typeof BacktestView>;
