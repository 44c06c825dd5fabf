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
