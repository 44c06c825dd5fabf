/**
 * A stored backtest's config and result (core's BacktestReport as JSON). The response
 * serialiser drops any field not named here and throws on a missing required one, so every
 * field the server stores is declared, and those that rows from older versions lack are
 * optional.
 */
import { Type, type Static } from 'typebox';
import { IsoDate, IsoDateTime, Nullable, Uuid } from './common.js';
import { PriceRunSchema, PriceScope } from './markets.js';

const AsModel = Type.Union([Type.Literal('reference'), Type.Literal('default')], { description: 'co-optimisation model (core battery-as)' });
const RevenueByProduct = Type.Record(Type.String(), Type.Number(), { description: 'AS capacity revenue per product, as the ISO names it' });

/** The money and energy a day and a whole backtest both report (core's BacktestTotals but cycles). */
const Totals = {
  revenue_usd: Type.Number(),
  cost_usd: Type.Number(),
  degradation_usd: Type.Number(),
  net_usd: Type.Number(),
  discharged_mwh: Type.Number(),
  charged_mwh: Type.Number(),
};

/** One delivery day (a rolling window: its first kept day) of core's DailyPnl. */
export const BacktestDay = Type.Object({
  date: IsoDate,
  ...Totals,
  soc_end_mwh: Type.Number(),
  status: Type.String({ description: 'solver outcome; anything but optimal means the battery idled (no_history: a forecast strategy with nothing before its first gate)' }),
  undeliverable_mwh: Type.Number({ description: 'awarded energy the battery could not deliver, not settled' }),
  bid_violations: Type.Integer(),
  energy_revenue_usd: Type.Optional(Type.Number({ description: 'with ancillary services: net energy, plus deployed regulation energy in the default model' })),
  as_revenue_usd: Type.Optional(Type.Number()),
  revenue_by_product: Type.Optional(RevenueByProduct),
});
export type BacktestDay = Static<typeof BacktestDay>;

export const BacktestResult = Type.Object({
  strategy: Type.String(),
  start: IsoDateTime,
  end: IsoDateTime,
  timezone: Type.String(),
  interval_hours: Type.Number(),
  intervals: Type.Integer(),
  traded_intervals: Type.Integer(),
  ...Totals,
  cycles: Type.Number({ description: 'discharged MWh ÷ energy_mwh' }),
  perfect_foresight_net_usd: Nullable(Type.Number()),
  capture_rate: Nullable(Type.Number({ description: 'net ÷ perfect-foresight net; null when that is ≤ 0' })),
  persistence_net_usd: Nullable(Type.Number()),
  margin_over_persistence_usd: Nullable(Type.Number()),
  solve_time_ms_median: Type.Number(),
  solves: Type.Integer(),
  daily: Type.Optional(Type.Array(BacktestDay, { description: 'on the detail only, not on the list' })),
  interpolated_intervals: Type.Array(IsoDateTime, { description: 'intervals whose price was missing and was interpolated' }),
  undeliverable_mwh: Type.Number(),
  bid_violations: Type.Integer(),
  failed_days: Type.Array(Type.Object({ date: Type.String(), status: Type.String() }), { description: 'days or windows where the optimisation did not reach an optimum (the battery idled)' }),
  no_history_days: Type.Optional(Type.Integer({ description: 'days a forecast strategy idled because no history preceded their gate' })),
  energy_revenue_usd: Type.Optional(Type.Number({ description: 'net energy: Σ price × (discharge − charge), plus deployed regulation energy in the default AS model' })),
  as_revenue_usd: Type.Optional(Type.Number()),
  revenue_by_product: Type.Optional(RevenueByProduct),
  as_model: Type.Optional(Nullable(AsModel)),
  as_missing_intervals: Type.Optional(Type.Integer({ description: 'intervals with no price for some AS product (that product is not offered there)' })),
});
export type BacktestResult = Static<typeof BacktestResult>;

/** The battery the backtest ran (the asset's normalised params when asset_id was given, which may hold more fields). */
const BacktestBattery = Type.Object(
  {
    charge_power_mw: Type.Number(),
    discharge_power_mw: Type.Number(),
    energy_mwh: Type.Number(),
    charge_efficiency: Type.Number(),
    discharge_efficiency: Type.Number(),
    soc_min_mwh: Type.Number(),
    soc_max_mwh: Type.Number(),
    soc_initial_mwh: Type.Number(),
    degradation_cost_usd_per_mwh: Type.Number(),
    max_cycles_per_day: Type.Optional(Nullable(Type.Number())),
  },
  { additionalProperties: true },
);

export const BacktestConfig = Type.Object({
  market: Type.String(),
  location: Type.String(),
  run: PriceRunSchema,
  start: IsoDate,
  end: IsoDate,
  strategy: Type.String(),
  horizon_hours: Type.Integer(),
  battery: BacktestBattery,
  asset_id: Nullable(Uuid),
  /** Absent on backtests from before the choice existed: they ran on the shared market. */
  price_scope: Type.Optional(PriceScope),
  ancillary: Type.Optional(
    Type.Object({ as_model: AsModel, zone: Type.String(), products: Type.Array(Type.String()) }, { description: 'present when the backtest also sold ancillary services on the stored AS prices' }),
  ),
});
export type BacktestConfig = Static<typeof BacktestConfig>;
