/**
 * The environment is read once, here, validated, and handed to everything else
 * as a frozen, typed object. A bad value stops the process with the full list
 * of what is wrong, so an operator fixes them all in one go.
 */
import path from 'node:path';
import { loadImportLimits, type ImportLimits } from './imports.js';
import { loadMarketFeedConfig, type MarketFeedConfig } from './market-feed.js';

export { IMPORT_LIMIT_ENV, type ImportLimits } from './imports.js';

export type Environment = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly env: Environment;
  /** Demo mode: demo organisation and users, DEMO badge, simulated feed. Never in production. */
  readonly demoMode: boolean;
  readonly dataDir: string;
  readonly databaseUrl: string | null;
  readonly redisUrl: string | null;
  /** NATS JetStream for the bus and its event log (`nats://…`); null keeps the bus on Redis or in memory. */
  readonly busUrl: string | null;
  /**
   * The analytics store: ClickHouse's HTTP interface (`http://[user:password@]host:8123[/database]`,
   * database `optibid` when the path names none); null serves every statistic from PostgreSQL.
   */
  readonly analyticsUrl: string | null;
  readonly jwtSecret: string;
  readonly accessTokenTtlS: number;
  readonly refreshTokenTtlS: number;
  readonly logLevel: LogLevel;
  readonly simulationMode: boolean;
  readonly publicMarketData: boolean;
  readonly corsOrigins: readonly string[];
  readonly feedIntervalS: number;
  /** SIGTERM: how long the instance may take to drain (jobs handed back, sockets closed, connections closed) before it exits anyway. */
  readonly shutdownGraceMs: number;
  /** Lease of a claimed durable job, renewed by heartbeat every third of it; a dead instance's job is taken over once it expires. */
  readonly jobLeaseMs: number;
  /** Lease of a singleton role (simulated feed) in Redis; a dead leader is replaced within it. */
  readonly leaderLeaseMs: number;
  /** Durable jobs this instance runs at once. */
  readonly jobConcurrency: number;
  /** How often an idle instance looks for due jobs (one enqueued on this instance is claimed at once). */
  readonly jobPollMs: number;
  /** NATS subject root and stream-name prefix, and the Redis lease keys' prefix beyond `optibid`: several deployments (or test runs) on one NATS and Redis. */
  readonly busNamespace: string;
  readonly loginRateLimit: { readonly perIpPerMinute: number; readonly perEmailPerMinute: number };
  readonly smtpUrl: string | null;
  readonly smtpFrom: string;
  readonly webDir: string | null;
  /**
   * Which proxies' X-Forwarded-* headers to believe, as Fastify's `trustProxy` takes it:
   * false (the default: the socket's address is the client), a hop count, or addresses/CIDRs.
   */
  readonly trustProxy: boolean | number | readonly string[];
  /** The server's public origin (https://optibid.example.com) for every link it writes; null → http://localhost:PORT. */
  readonly publicUrl: string | null;
  /** Offer-limit overrides for figures the research could not verify (JSON: {"ISO": {"floor_usd_per_mwh": ...}}). */
  readonly marketOverrides: Readonly<Record<string, Record<string, unknown>>>;
  /** ISO data clients (config/market-feed.ts). */
  readonly marketFeed: MarketFeedConfig;
  /** Price-file import limits (config/imports.ts). */
  readonly imports: ImportLimits;
  /** Bearer token a Prometheus scraper sends to GET /metrics (platform admins' tokens work too); null: admins only. */
  readonly metricsToken: string | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The development default; production refuses it. */
export const DEFAULT_JWT_SECRET = 'optibid-dev-secret-change-me-0123456789abcdef';

const DURATION = /^(\d+)\s*(s|m|h|d)?$/;
const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `900`, `15m`, `12h`, `30d` into seconds. */
export function parseDurationS(raw: string): number | null {
  const m = DURATION.exec(raw.trim());
  if (!m) return null;
  return Number(m[1]) * UNIT_S[m[2] ?? 's']!;
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${raw}: expected an integer from ${min} to ${max}`);
      return def;
    }
    return n;
  };
  const bool = (name: string, def: boolean): boolean => {
    const raw = str(name);
    if (raw === undefined) return def;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${name}=${raw}: expected true or false`);
    return def;
  };
  const duration = (name: string, def: string): number => {
    const raw = str(name) ?? def;
    const s = parseDurationS(raw);
    if (s === null || s <= 0) {
      problems.push(`${name}=${raw}: expected a duration such as 900, 15m, 12h or 30d`);
      return parseDurationS(def)!;
    }
    return s;
  };
  const oneOf = <T extends string>(name: string, values: readonly T[], def: T): T => {
    const raw = str(name);
    if (raw === undefined) return def;
    if (!(values as readonly string[]).includes(raw)) {
      problems.push(`${name}=${raw}: expected one of ${values.join(', ')}`);
      return def;
    }
    return raw as T;
  };
  const namespace = (name: string, def: string): string => {
    const raw = str(name) ?? def;
    if (/^[a-z0-9_-]{1,32}$/.test(raw)) return raw;
    problems.push(`${name}=${raw}: expected 1–32 lower-case letters, digits, '_' or '-'`);
    return def;
  };
  const url = (name: string, protocols: string[]): string | null => {
    const raw = str(name);
    if (raw === undefined) return null;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) throw new Error('protocol');
      return raw;
    } catch {
      problems.push(`${name}=${redact(raw)}: expected a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`);
      return null;
    }
  };

  const env_ = oneOf<Environment>('OPTIBID_ENV', ['development', 'production', 'test'], 'development');
  const production = env_ === 'production';
  const demoMode = production ? false : bool('DEMO_MODE', true);
  if (production && bool('DEMO_MODE', false)) problems.push('DEMO_MODE=true: demo mode is not allowed when OPTIBID_ENV=production');

  const jwtSecret = str('JWT_SECRET') ?? (production ? '' : DEFAULT_JWT_SECRET);
  if (production) {
    if (!jwtSecret) problems.push('JWT_SECRET: required in production (at least 32 random characters)');
    else if (jwtSecret === DEFAULT_JWT_SECRET) problems.push('JWT_SECRET: the default development secret cannot be used in production');
    else if (jwtSecret.length < 32) problems.push('JWT_SECRET: must be at least 32 characters in production');
  } else if (jwtSecret.length < 16) {
    problems.push('JWT_SECRET: must be at least 16 characters');
  }

  const dataDir = path.resolve(cwd, str('DATA_DIR') ?? './data');
  const cors = (str('CORS_ORIGINS') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const origin of cors) {
    if (origin !== '*' && !/^https?:\/\/[^/]+$/.test(origin)) problems.push(`CORS_ORIGINS: "${origin}" is not an origin like https://app.example.com`);
  }
  let marketOverrides: Record<string, Record<string, unknown>> = {};
  const rawOverrides = str('MARKET_OVERRIDES');
  if (rawOverrides) {
    try {
      const parsed: unknown = JSON.parse(rawOverrides);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      marketOverrides = parsed as Record<string, Record<string, unknown>>;
    } catch {
      problems.push('MARKET_OVERRIDES: expected a JSON object such as {"PJM": {"floor_usd_per_mwh": -150}}');
    }
  }

  const trustProxy = parseTrustProxy(str('TRUST_PROXY'), problems);
  const publicUrlRaw = url('PUBLIC_URL', ['http:', 'https:']);
  const publicUrl = publicUrlRaw ? publicUrlRaw.replace(/\/+$/, '') : null;

  const metricsToken = str('METRICS_TOKEN') ?? null;
  if (metricsToken !== null && (metricsToken.length < 16 || /\s/.test(metricsToken))) problems.push('METRICS_TOKEN: must be at least 16 characters, without spaces');

  const simulationMode = bool('SIMULATION_MODE', demoMode);
  const config: Config = {
    port: int('PORT', 8000, 0, 65535),
    host: str('HOST') ?? '0.0.0.0',
    env: env_,
    demoMode,
    dataDir,
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    busUrl: url('BUS_URL', ['nats:']),
    analyticsUrl: analyticsUrl(url('ANALYTICS_URL', ['http:', 'https:']), problems),
    jwtSecret,
    accessTokenTtlS: duration('ACCESS_TOKEN_TTL', '15m'),
    refreshTokenTtlS: duration('REFRESH_TOKEN_TTL', '30d'),
    logLevel: oneOf<LogLevel>('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], env_ === 'test' ? 'silent' : 'info'),
    simulationMode,
    publicMarketData: bool('PUBLIC_MARKET_DATA', demoMode),
    corsOrigins: Object.freeze(cors),
    feedIntervalS: int('FEED_INTERVAL_S', 5, 1, 3600),
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 10_000, 500, 600_000),
    jobLeaseMs: int('JOB_LEASE_MS', 30_000, 1_000, 3_600_000),
    leaderLeaseMs: int('LEADER_LEASE_MS', 15_000, 1_000, 600_000),
    jobConcurrency: int('JOB_CONCURRENCY', 1, 1, 32),
    jobPollMs: int('JOB_POLL_MS', 1_000, 50, 60_000),
    busNamespace: namespace('BUS_NAMESPACE', 'optibid'),
    loginRateLimit: Object.freeze({
      perIpPerMinute: int('LOGIN_RATE_LIMIT_PER_IP', 20, 1, 100000),
      perEmailPerMinute: int('LOGIN_RATE_LIMIT_PER_EMAIL', 5, 1, 100000),
    }),
    smtpUrl: url('SMTP_URL', ['smtp:', 'smtps:']),
    smtpFrom: str('SMTP_FROM') ?? 'OptiBid <no-reply@optibid.local>',
    webDir: str('WEB_DIR') ? path.resolve(cwd, str('WEB_DIR')!) : null,
    trustProxy,
    publicUrl,
    marketOverrides: Object.freeze(marketOverrides),
    marketFeed: loadMarketFeedConfig(env, problems, simulationMode),
    imports: loadImportLimits(env, problems),
    metricsToken,
  };
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(config);
}

const ADDRESS_OR_CIDR = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)(\/\d{1,3})?$/i;

/** TRUST_PROXY: off (default), true, a hop count, or a comma-separated list of addresses/CIDRs (loopback, linklocal, uniquelocal too). */
function parseTrustProxy(raw: string | undefined, problems: string[]): boolean | number | readonly string[] {
  if (raw === undefined || /^(0|false|no|off)$/i.test(raw)) return false;
  if (/^(true|yes|on)$/i.test(raw)) return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !ADDRESS_OR_CIDR.test(s) && !['loopback', 'linklocal', 'uniquelocal'].includes(s));
  if (bad.length || !list.length) {
    problems.push(`TRUST_PROXY=${raw}: expected false, true, a number of hops, or comma-separated addresses/CIDRs (bad: ${bad.join(', ') || 'empty'})`);
    return false;
  }
  return Object.freeze(list);
}

/** ANALYTICS_URL's path names at most one database, of ClickHouse identifier characters. */
function analyticsUrl(raw: string | null, problems: string[]): string | null {
  if (raw === null) return null;
  const db = new URL(raw).pathname.replace(/^\/+|\/+$/g, '');
  if (db && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(db)) {
    problems.push(`ANALYTICS_URL=${redact(raw)}: the path is the ClickHouse database and must be one name of letters, digits and _ (got "${db}")`);
    return null;
  }
  return raw;
}

function redact(raw: string): string {
  return raw.replace(/\/\/([^@/]*)@/, '//***@');
}

/** What the admin console may show: everything but secrets. */
export function configSummary(c: Config): Record<string, unknown> {
  return {
    port: c.port,
    host: c.host,
    env: c.env,
    demo_mode: c.demoMode,
    data_dir: c.dataDir,
    database: c.databaseUrl ? redact(c.databaseUrl) : 'pglite (embedded)',
    redis: c.redisUrl ? redact(c.redisUrl) : 'in-memory',
    bus: c.busUrl ? redact(c.busUrl) : c.redisUrl ? 'redis' : 'in-memory',
    analytics: c.analyticsUrl ? `clickhouse ${redact(c.analyticsUrl)}` : 'postgresql (no ANALYTICS_URL)',
    jwt_secret: c.jwtSecret === DEFAULT_JWT_SECRET ? 'default (development only)' : 'set',
    access_token_ttl_s: c.accessTokenTtlS,
    refresh_token_ttl_s: c.refreshTokenTtlS,
    log_level: c.logLevel,
    simulation_mode: c.simulationMode,
    public_market_data: c.publicMarketData,
    cors_origins: c.corsOrigins,
    trust_proxy: c.trustProxy,
    public_url: c.publicUrl,
    feed_interval_s: c.feedIntervalS,
    shutdown_grace_ms: c.shutdownGraceMs,
    job_lease_ms: c.jobLeaseMs,
    job_concurrency: c.jobConcurrency,
    job_poll_ms: c.jobPollMs,
    bus_namespace: c.busNamespace,
    leader_lease_ms: c.leaderLeaseMs,
    smtp: c.smtpUrl ? 'configured' : 'not configured (mail is logged)',
    market_data_source: c.marketFeed.source,
    import_limits: {
      max_files: c.imports.maxFiles,
      max_file_bytes: c.imports.maxFileBytes,
      max_request_bytes: c.imports.maxRequestBytes,
      max_decompressed_bytes: c.imports.maxDecompressedBytes,
      max_compression_ratio: c.imports.maxCompressionRatio,
    },
    metrics_token: c.metricsToken ? 'set' : 'not set (platform admins only)',
  };
}
