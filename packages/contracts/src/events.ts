/**
 * Every message that travels on the bus, and from there to WebSocket clients:
 * the events on an organisation's channel, the messages on a market's price
 * channel, administrators' broadcasts, and the platform's own notices.
 * Instants are ISO 8601 UTC strings; prices are $/MWh.
 */
import { Type, type Static } from 'typebox';
import { IsoDate, IsoDateTime, Uuid } from './common.js';
import { AlertEventMessage } from './platform.js';
import { FeedGapMessage, PriceUpdateMessage, WsAlertMessage } from './realtime.js';
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

/** Why sessions ended (the WebSocket close reason says it in words). */
export const SessionEndReason = Type.Union([
  Type.Literal('logout'),
  Type.Literal('session_revoked'),
  Type.Literal('refresh_reuse'),
  Type.Literal('account_inactive'),
  Type.Literal('password_changed'),
  Type.Literal('password_reset'),
  Type.Literal('role_changed'),
  Type.Literal('membership_removed'),
  Type.Literal('left_organization'),
  Type.Literal('user_deactivated'),
  Type.Literal('api_key_revoked'),
]);
export type SessionEndReason = Static<typeof SessionEndReason>;

/**
 * Sessions (or a user's access) ended: every instance closes the matching sockets with
 * 4401. A socket matches when its session is in `session_ids`; or, with `user_id`, when it
 * is that user's (signed in with a token; with `with_api_keys` also admitted with an API
 * key the user created, whose rights follow the creator's membership) in `organization_id`
 * (every organisation when absent), except the session `except_session_id`; or when it was
 * admitted with the API key `api_key_id`.
 */
export const SessionsEndedMessage = Type.Object({
  type: Type.Literal('sessions_ended'),
  reason: SessionEndReason,
  session_ids: Type.Optional(Type.Array(Uuid, { description: 'refresh-token families (the access token\'s sid)' })),
  user_id: Type.Optional(Uuid),
  organization_id: Type.Optional(Uuid),
  except_session_id: Type.Optional(Uuid),
  with_api_keys: Type.Optional(Type.Boolean()),
  api_key_id: Type.Optional(Uuid),
  timestamp: IsoDateTime,
});
export type SessionsEndedMessage = Static<typeof SessionsEndedMessage>;

/**
 * Tells every instance which stored prices changed (after the write), so each drops what its
 * in-process read cache holds for them. `locations` null means any location of the market.
 */
export const PricesChangedMessage = Type.Object({
  type: Type.Literal('prices_changed'),
  market: Type.String(),
  owner_organization_id: Type.Union([Uuid, Type.Null()], { description: "null: the shared market; else that organisation's own series" }),
  runs: Type.Array(Type.String()),
  locations: Type.Union([Type.Array(Type.String()), Type.Null()]),
  first_interval_start: IsoDateTime,
  last_interval_start: IsoDateTime,
  /** The instance that wrote (it has already dropped its own entries). */
  origin: Type.String(),
});
export type PricesChangedMessage = Static<typeof PricesChangedMessage>;

/** What an organisation's channel carries (and its authenticated sockets receive). */
export const OrgEvent = Type.Union([BidStatusEvent, AwardEvent, AlertEventMessage, BacktestProgressEvent, ForecastErrorEvent]);
export type OrgEvent = Static<typeof OrgEvent>;

/** What a market's price channel carries. */
export const PriceChannelMessage = Type.Union([PriceUpdateMessage, DaPricesMessage, FeedGapMessage]);
export type PriceChannelMessage = Static<typeof PriceChannelMessage>;

/** Everything a socket may receive from the bus. */
export type RealtimeEvent = PriceChannelMessage | OrgEvent | WsAlertMessage;
