/**
 * The composition root: every repository and service of a server is built
 * here, once, in dependency order (configuration → database → cache and bus →
 * repositories → services), and returned as one typed object. The HTTP app
 * (app.ts) hands each module only the services it registers routes for; the
 * jobs, the demo seeding, the CLI and the benches take the same object.
 * Closing runs the closers in reverse order of opening.
 */
import { createContext, type ContextOptions, type ServerContext } from './context.js';
import { sharedSolver } from './compute/solver.js';
import type { Config } from './config/index.js';
import { EventOutbox } from './bus/outbox.js';
import { BusContactRepository } from './db/repositories/bus-contacts.js';
import { ForecastingRepository } from './db/repositories/forecasting.js';
import { ModelChoiceRepository } from './db/repositories/model-choices.js';
import { OptimizationRepository } from './db/repositories/optimization.js';
import { OutboxRepository } from './db/repositories/outbox.js';
import { createPlatformRepositories } from './db/repositories/platform/index.js';
import { createTradingRepositories } from './db/repositories/trading/index.js';
import { Mailer } from './mail/mailer.js';
import { analyticsHealth, analyticsServicesOn, type AnalyticsServices, type AnalyticsWiring } from './modules/analytics/index.js';
import { AuthService, SecurityService } from './modules/auth/index.js';
import { forecastingServicesOn, ModelChooser, type ForecastingServices } from './modules/forecasting/index.js';
import { ImportService, MarketService, PriceReads, type ReadCacheOptions } from './modules/market-data/index.js';
import { marketFeedOn, type MarketFeed } from './modules/market-feed/index.js';
import { optimizationServicesOn, type OptimizationModule } from './modules/optimization/index.js';
import { ApiKeyService, MemberService, OrganizationService, type OrgServices } from './modules/org/index.js';
import { AdminBillingService, AdminService, AlertEvaluator, AlertService, FlagService, QuotaService, type PlatformServices } from './modules/platform/index.js';
import { tradingServicesOn, type Clock, type TradingServices } from './modules/trading/index.js';
import { SystemService } from './modules/system/index.js';
import { RealtimeHub, SessionEnds } from './realtime/index.js';
import { registerMetricCollectors } from './observability.js';

export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * The services' logger. The services are built before Fastify creates its
 * logger, so they log through this sink, which forwards to whatever logger is
 * attached (the app's, in a server) and is silent until then.
 */
export class LogSink implements Log {
  private target: Log | null = null;

  attach(log: Log): void {
    this.target = log;
  }

  info(obj: object, msg?: string): void {
    this.target?.info(obj, msg);
  }

  warn(obj: object, msg?: string): void {
    this.target?.warn(obj, msg);
  }

  error(obj: object, msg?: string): void {
    this.target?.error(obj, msg);
  }
}

export interface ServicesOptions extends ContextOptions {
  /** The clock every service reads (tests stand at chosen moments); default the wall clock. */
  now?: Clock;
  /** Read-cache tuning (the read-path bench turns it off with maxBytes 0 to measure the database path). */
  readCache?: ReadCacheOptions;
  /** Analytics store tuning with ANALYTICS_URL (tests shorten the P&L ledger's overlap so a sync's answer is served at once). */
  analytics?: AnalyticsWiring['options'];
}

/** The services whose rules depend on the time. */
export interface ClockedServices {
  trading: TradingServices;
  forecasting: ForecastingServices;
}

export interface Services extends ServerContext, ClockedServices {
  log: LogSink;
  system: SystemService;
  markets: MarketService;
  /** The analytics store (ClickHouse) when ANALYTICS_URL is set; null serves everything from PostgreSQL. */
  analytics: AnalyticsServices | null;
  /** Price-file imports (API and CLI): parsed in the compute pool, each file stored in one transaction. */
  imports: ImportService;
  /** The cached, ETag-carrying reads of prices, latest, stats and locations (invalidated by price writes, across instances by the bus). */
  priceReads: PriceReads;
  /** The ISO data clients, their scheduler and fetch records (MARKET_DATA_SOURCE=iso). */
  marketFeed: MarketFeed;
  auth: AuthService;
  security: SecurityService;
  org: OrgServices;
  platform: PlatformServices;
  optimization: OptimizationModule;
  realtime: RealtimeHub;
  /** Events written in a transaction and published after it (clearing, settlement); swept by jobs/outbox-sweeper.ts. */
  outbox: EventOutbox;
  /**
   * The trading and forecasting services reading another clock, on the same
   * repositories: the clearing and forecast jobs stand each run at one moment,
   * tests at the moment they choose.
   */
  at(now: Clock): ClockedServices;
}

export async function createServices(config: Config, opts: ServicesOptions = {}): Promise<Services> {
  const ctx = await createContext(config, opts);
  const log = new LogSink();
  const now = opts.now ?? (() => new Date());

  const analytics = config.analyticsUrl ? analyticsServicesOn({ url: config.analyticsUrl, database: ctx.database, log, options: opts.analytics }) : null;
  if (analytics) ctx.health.register('analytics', () => analyticsHealth(analytics), { timeoutMs: 4000 });
  const markets = new MarketService(ctx.repos, ctx.catalogue, analytics?.prices ?? null);
  const imports = new ImportService({ repos: ctx.repos, database: ctx.database, compute: ctx.compute, markets, limits: config.imports, log });
  // Every service that ends sessions announces it, so each instance's hub closes their sockets.
  const sessionEnds = new SessionEnds(ctx.bus, log);
  const priceReads = new PriceReads(markets, { publicMarketData: config.publicMarketData, cache: opts.readCache });
  ctx.onClose(priceReads.attach(ctx.repos.prices, ctx.bus));
  const auth = new AuthService(ctx.repos, ctx.cache, config, sessionEnds);

  const platformRepos = createPlatformRepositories(ctx.database);
  const mailer = new Mailer(config, log);
  const quotas = new QuotaService(ctx, platformRepos);
  const flags = new FlagService(platformRepos);
  const alerts = new AlertEvaluator(ctx, platformRepos, mailer, log);
  const platform: PlatformServices = {
    repos: platformRepos,
    mailer,
    quotas,
    flags,
    alerts,
    alertRules: new AlertService(ctx, platformRepos),
    admin: new AdminService(ctx, platformRepos, quotas, sessionEnds),
    adminBilling: new AdminBillingService(ctx, platformRepos, quotas, flags),
    log,
  };
  ctx.onClose(async () => {
    await quotas.flush().catch(() => undefined);
    quotas.stop();
    mailer.close();
  });

  const security = new SecurityService(ctx.repos, platformRepos.security, ctx.cache, mailer, log, sessionEnds);
  const apiKeys = new ApiKeyService(ctx.repos, platformRepos.orgAdmin, sessionEnds);
  auth.extend({
    resolveApiKey: (key) => apiKeys.resolve(key),
    checkSecondFactor: (user, org, code, meta) => security.checkSecondFactor(user, org, code, meta),
    mfaEnrollmentPending: (userId, org) => security.mfaEnrollmentPending(userId, org),
  });
  const members = new MemberService(ctx.repos, platformRepos, auth, mailer, quotas, log, sessionEnds);

  const tradingRepos = createTradingRepositories(ctx.database);
  const outbox = new EventOutbox(new OutboxRepository(ctx.database), ctx.database, ctx.bus, log);
  const solver = sharedSolver({ observe: (outcome, seconds) => ctx.metrics.solverDuration.observe({ outcome }, seconds) });
  ctx.onClose(() => solver.close());
  const solve = () => solver.solve();
  const forecastingRepo = new ForecastingRepository(ctx.database);
  const modelChoice = new ModelChooser({ compute: ctx.compute, repo: new ModelChoiceRepository(ctx.database) });
  // Built before forecasting, whose models read the load forecasts the feed stores.
  const marketFeed = marketFeedOn(ctx, { now });
  const at = (clock: Clock): ClockedServices => ({
    trading: tradingServicesOn({ ctx, markets, quotas, flags, repos: tradingRepos, now: clock, solve, outbox, pnlLedger: analytics?.pnl ?? null }),
    forecasting: forecastingServicesOn({ ctx, markets, flags, repo: forecastingRepo, loadForecasts: marketFeed.loadForecasts, modelChoice, now: clock }),
  });
  const { trading, forecasting } = at(now);
  // The ledger stores exactly what GET /api/pnl settles per request.
  analytics?.pnlSync.attach((organizationId, start, end) => trading.settlement.ledgerEntries(organizationId, start, end));
  forecasting.registry.registerTrainingJobs();
  ctx.onClose(() => forecasting.registry.close());

  const optimization = optimizationServicesOn({
    ctx,
    markets,
    quotas,
    flags,
    trading,
    repo: new OptimizationRepository(ctx.database),
    forecasts: {
      registry: (a) => forecasting.forecasts.forDay(a.organization_id, a),
      model: (a) => forecasting.forecasts.adHoc(a.organization_id, a),
    },
    now,
    solve,
  });
  ctx.onClose(() => optimization.close());

  const services: Services = {
    ...ctx,
    log,
    system: new SystemService(ctx.health, ctx.database, config, {
      bus: ctx.bus,
      contacts: new BusContactRepository(ctx.database),
      analyticsNote: analytics ? () => analytics.prices.readinessNote() : undefined,
    }),
    markets,
    analytics,
    imports,
    priceReads,
    marketFeed,
    auth,
    security,
    org: { orgs: new OrganizationService(ctx.database, ctx.repos, platformRepos, quotas), members, apiKeys },
    platform,
    trading,
    forecasting,
    optimization,
    realtime: new RealtimeHub(ctx.bus),
    outbox,
    at,
  };
  registerMetricCollectors(services);
  return services;
}
