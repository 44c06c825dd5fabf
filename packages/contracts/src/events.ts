/**
 * Every message that travels on the bus, and from there to WebSocket clients:
 * the events on an organisation's channel, the messages on a market's price
 * channel, administrators' broadcasts, and the platform's own notices.
 * Instants are ISO 8601 UTC strings; prices are $/MWh.
 */
import { Type, type Static } from 'typebox';
import { IsoDate, IsoDateTime, Uuid } from './common.js';
import { AlertEventMessage } from './platform.js';
import { PriceUpdateMessage, WsAlertMessage } from './realtime.js';
import { AwardEvent, BidStatusEvent } from './trading.js';

/** A backtest job's progress on the organisation channel (done/total days; 1/1 once it succeeded). */
export const BacktestProgressEvent = Type.Object({
  type: Type.Literal('backtest_progress'),
  backtest_id: Uuid,
  status: Type.String({ description: 'running, succeeded or failed' }),
  done: Type.Integer({ minimum: 0 }),
  total: Type.Integer({ minimum: 0 }),
  timestamp: IsoDateTime,
});
export type BacktestProgressEvent = Static<typeof BacktestProgressEvent>;

/** A served forecast scored once its delivery day's prices were stored (mean absolute error). */
export const ForecastErrorEvent = Type.Object({
  type: Type.Literal('forecast_error'),
  market_zone: Type.String(),
  location: Type.String(),
  model: Type.String({ description: 'model name and version, e.g. "NYC LEAR v3"' }),
  model_version_id: Uuid,
  delivery_date: IsoDate,
  error_usd_per_mwh: Type.Number(),
  metric: Type.Literal('mae'),
  timestamp: IsoDateTime,
});
export type ForecastErrorEvent = Static<typeof ForecastErrorEvent>;

/** The day-ahead prices of a delivery day, published when the simulated market clears it. */
export const DaPricesMessage = Type.Object({
  type: Type.Literal('da_prices'),
  market: Type.String(),
  location: Type.String(),
  delivery_date: IsoDate,
  source: Type.String(),
  items: Type.Array(Type.Object({ interval_start: IsoDateTime, lmp_usd_per_mwh: Type.Number() })),
  timestamp: IsoDateTime,
});
export type DaPricesMessage = Static<typeof DaPricesMessage>;

/** Tells every instance to reload the alert rules. */
export const AlertRulesChangedMessage = Type.Object({ type: Type.Literal('alert_rules_changed') });
export type AlertRulesChangedMessage = Static<typeof AlertRulesChangedMessage>;

/** What an organisation's channel carries (and its authenticated sockets receive). */
export const OrgEvent = Type.Union([BidStatusEvent, AwardEvent, AlertEventMessage, BacktestProgressEvent, ForecastErrorEvent]);
export type OrgEvent = Static<typeof OrgEvent>;

/** What a market's price channel carries. */
export const PriceChannelMessage = Type.Union([PriceUpdateMessage, DaPricesMessage]);
export type PriceChannelMessage = Static<typeof PriceChannelMessage>;

/** Everything a socket may receive from the bus. */
export type RealtimeEvent = PriceChannelMessage | OrgEvent | WsAlertMessage;
