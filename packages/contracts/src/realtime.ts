/**
 * The real-time contract: WebSocket messages (published; paths and shapes are
 * kept exactly as our users script against them) and the /api/ws and
 * /simulate REST bodies. Zones are the lower-case ISO ids (`pjm`, `isone`);
 * instants are ISO 8601 UTC strings; prices are $/MWh.
 */
import { Type, type Static } from 'typebox';

export const MARKET_ZONES = ['pjm', 'caiso', 'ercot', 'nyiso', 'miso', 'spp', 'isone'] as const;
export type MarketZoneId = (typeof MARKET_ZONES)[number];

/** A zone as clients write it (any case); the server answers unknown ones with close code 4404 or a 400. */
export const MarketZoneParam = Type.String({ minLength: 1, maxLength: 40, description: 'pjm, caiso, ercot, nyiso, miso, spp or isone (any case)' });

const Price = Type.Number({ description: '$/MWh' });
const NullablePrice = Type.Union([Type.Number(), Type.Null()], { description: '$/MWh; null where the market publishes no such component' });

// ---- server → client ----

export const ConnectionEstablishedMessage = Type.Object({
  type: Type.Literal('connection_established'),
  connection_id: Type.String({ format: 'uuid' }),
  /** The zone of /market/{zone}, or `all` on /prices. */
  market_zone: Type.String(),
  storage_backend: Type.Union([Type.Literal('redis'), Type.Literal('memory'), Type.Literal('nats')]),
  timestamp: Type.String({ format: 'date-time' }),
  message: Type.String(),
});
export type ConnectionEstablishedMessage = Static<typeof ConnectionEstablishedMessage>;

/**
 * The simulated feed stopped for longer than two tick periods (the instance running it died)
 * and another instance took it over: sent on each zone the feed serves, so a client sees the
 * hole instead of a silently missing stretch of ticks.
 */
export const FeedGapMessage = Type.Object({
  type: Type.Literal('feed_gap'),
  market_zone: Type.String(),
  /** The last tick before the gap and the first after it. */
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  gap_s: Type.Number(),
  reason: Type.String(),
  timestamp: Type.String({ format: 'date-time' }),
});
export type FeedGapMessage = Static<typeof FeedGapMessage>;

export const PriceUpdateMessage = Type.Object({
  type: Type.Literal('price_update'),
  market_zone: Type.String(),
  location: Type.String(),
  interval_start: Type.String({ format: 'date-time' }),
  lmp: Price,
  energy: NullablePrice,
  congestion: NullablePrice,
  loss: NullablePrice,
  timestamp: Type.String({ format: 'date-time' }),
});
export type PriceUpdateMessage = Static<typeof PriceUpdateMessage>;

export const WsAlertSeverity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]);
export type WsAlertSeverity = Static<typeof WsAlertSeverity>;

export const WsAlertMessage = Type.Object({
  type: Type.Literal('alert'),
  alert_id: Type.String({ format: 'uuid' }),
  severity: WsAlertSeverity,
  title: Type.String(),
  message: Type.String(),
  market_zone: Type.Union([Type.String(), Type.Null()]),
  /** What raised it: an administrator's broadcast, a simulated market event, or a later module. */
  category: Type.String(),
  timestamp: Type.String({ format: 'date-time' }),
});
export type WsAlertMessage = Static<typeof WsAlertMessage>;

/** Answers to client actions and errors. */
export const WsSubscriptionMessage = Type.Object({ type: Type.Literal('subscription'), zones: Type.Array(Type.String()), timestamp: Type.String() });
export const WsAuthenticatedMessage = Type.Object({
  type: Type.Literal('authenticated'),
  user_id: Type.String(),
  organization_id: Type.String(),
  timestamp: Type.String(),
});
export const WsPongMessage = Type.Object({ type: Type.Literal('pong'), timestamp: Type.String() });
export const WsErrorMessage = Type.Object({ type: Type.Literal('error'), message: Type.String() });

// ---- client → server ----

export const WsPingClientMessage = Type.Object({ type: Type.Literal('ping') });
export const WsAuthClientMessage = Type.Object({ type: Type.Literal('auth'), token: Type.String({ minLength: 1 }) });
export const WsSubscribeClientMessage = Type.Object({
  action: Type.Union([Type.Literal('subscribe'), Type.Literal('unsubscribe')]),
  zones: Type.Array(Type.String(), { maxItems: 20, description: 'zones, or "all"' }),
});
export const WsClientMessage = Type.Union([WsPingClientMessage, WsAuthClientMessage, WsSubscribeClientMessage]);
export type WsClientMessage = Static<typeof WsClientMessage>;

/**
 * WebSocket close codes: ours (4xxx) and the standard ones the server uses. `serviceRestart`
 * (RFC 6455 1012) means this instance is draining (SIGTERM): reconnect at once, through the
 * load balancer, to another instance; the reason starts with `WS_RESTART_REASON`.
 */
export const WS_CLOSE = { unauthorized: 4401, unknownZone: 4404, tooSlow: 4408, serviceRestart: 1012 } as const;

/** The reason sent with `WS_CLOSE.serviceRestart`. */
export const WS_RESTART_REASON = 'service restart: this instance is shutting down, reconnect now';

// ---- REST ----

export const WsHealthBody = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  connections: Type.Integer(),
  storage_backend: Type.Union([Type.Literal('redis'), Type.Literal('memory'), Type.Literal('nats')]),
  timestamp: Type.String({ format: 'date-time' }),
});
export type WsHealthBody = Static<typeof WsHealthBody>;

export const WsStatsBody = Type.Object({
  total_connections: Type.Integer(),
  authenticated_connections: Type.Integer(),
  by_zone: Type.Record(Type.String(), Type.Integer(), { description: 'sockets receiving each zone (a /prices socket counts once per zone it follows)' }),
  by_endpoint: Type.Object({ market: Type.Integer(), prices: Type.Integer() }),
  messages_sent: Type.Integer(),
  messages_received: Type.Integer(),
  uptime_s: Type.Number(),
  storage_backend: Type.Union([Type.Literal('redis'), Type.Literal('memory'), Type.Literal('nats')]),
  instance_id: Type.String(),
});
export type WsStatsBody = Static<typeof WsStatsBody>;

export const BroadcastPriceBody = Type.Object(
  {
    market_zone: MarketZoneParam,
    location: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "defaults to the market's main hub" })),
    lmp: Type.Number(),
    energy: Type.Optional(NullablePrice),
    congestion: Type.Optional(NullablePrice),
    loss: Type.Optional(NullablePrice),
    interval_start: Type.Optional(Type.String({ format: 'date-time', description: 'defaults to the current 5-minute interval' })),
  },
  { additionalProperties: false },
);
export type BroadcastPriceBody = Static<typeof BroadcastPriceBody>;

export const BroadcastAlertBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    message: Type.String({ minLength: 1, maxLength: 2000 }),
    severity: Type.Optional(WsAlertSeverity),
    market_zone: Type.Optional(MarketZoneParam),
    /** Only this organisation's sockets; absent = every socket. */
    organization_id: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);
export type BroadcastAlertBody = Static<typeof BroadcastAlertBody>;

export const WsPublishedBody = Type.Object({
  published: Type.Integer({ description: 'messages published on the bus' }),
  channel: Type.String(),
  message: Type.Unknown(),
});
export type WsPublishedBody = Static<typeof WsPublishedBody>;

export const SimulatePriceUpdateBody = Type.Object(
  {
    market_zone: Type.Optional(MarketZoneParam),
    location: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    lmp: Type.Optional(Type.Number({ description: 'a fixed price; absent = drawn from the simulated process' })),
  },
  { additionalProperties: false },
);
export type SimulatePriceUpdateBody = Static<typeof SimulatePriceUpdateBody>;

export const MarketEventKind = Type.Union([Type.Literal('price_spike'), Type.Literal('negative_price'), Type.Literal('congestion')]);
export type MarketEventKind = Static<typeof MarketEventKind>;

export const SimulateMarketEventsBody = Type.Object(
  {
    market_zone: Type.Optional(MarketZoneParam),
    events: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 3 })),
    kinds: Type.Optional(Type.Array(MarketEventKind, { minItems: 1, maxItems: 3 })),
  },
  { additionalProperties: false },
);
export type SimulateMarketEventsBody = Static<typeof SimulateMarketEventsBody>;

export const SimulatedUpdatesBody = Type.Object({
  published: Type.Integer(),
  updates: Type.Array(PriceUpdateMessage),
  alerts: Type.Array(WsAlertMessage),
});
export type SimulatedUpdatesBody = Static<typeof SimulatedUpdatesBody>;
