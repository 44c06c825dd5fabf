import { Type, type Static } from 'typebox';

export const ServiceStatus = Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')]);
export type ServiceStatus = Static<typeof ServiceStatus>;

export const ServiceHealth = Type.Object(
  {
    status: ServiceStatus,
    backend: Type.Optional(Type.String()),
    latency_ms: Type.Optional(Type.Number()),
    message: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type ServiceHealth = Static<typeof ServiceHealth>;

export const HealthBody = Type.Object({
  status: ServiceStatus,
  version: Type.String(),
  uptime_s: Type.Number(),
  checked_at: Type.String({ format: 'date-time' }),
  services: Type.Record(Type.String(), ServiceHealth),
  summary: Type.Object({
    available_services: Type.Integer(),
    total_services: Type.Integer(),
    availability_percentage: Type.Number(),
  }),
});
export type HealthBody = Static<typeof HealthBody>;

/** Public facts the web app needs before login (demo badge, demo accounts). */
export const MetaBody = Type.Object({
  name: Type.String(),
  version: Type.String(),
  environment: Type.String(),
  demo_mode: Type.Boolean(),
  simulation_mode: Type.Boolean(),
  public_market_data: Type.Boolean(),
  demo_accounts: Type.Array(Type.Object({ email: Type.String(), password: Type.String(), role: Type.String() })),
});
export type MetaBody = Static<typeof MetaBody>;

/** Freshness of one ISO dataset fetched by the market-data clients. */
export const DatasetFreshness = Type.Object({
  market: Type.String(),
  dataset: Type.String(),
  last_good_fetch_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  last_attempt_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  newest_complete_day: Type.Union([Type.String(), Type.Null()]),
  expected_day: Type.String(),
  stale: Type.Boolean(),
});
export type DatasetFreshness = Static<typeof DatasetFreshness>;

export const MarketDataStatusBody = Type.Object({
  /** MARKET_DATA_SOURCE: iso, simulated or off. */
  source: Type.String(),
  datasets: Type.Array(DatasetFreshness),
  /** ISO clients that cannot run, and why (missing credentials, no importer). */
  clients: Type.Array(Type.Object({ market: Type.String(), problems: Type.Array(Type.String()) })),
});
export type MarketDataStatusBody = Static<typeof MarketDataStatusBody>;
