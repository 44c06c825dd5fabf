/**
 * Running the platform: plans and quotas, feature flags, alerts and
 * notifications, and the platform admin console. Registered on the root
 * instance, so its hooks (API request quota, error log) apply to every route.
 * The services are built by the composition root (src/services.ts).
 */
import type { ServerContext } from '../../context.js';
import type { PlatformRepositories } from '../../db/repositories/platform/index.js';
import type { App } from '../../http/types.js';
import type { Mailer, MailLog } from '../../mail/mailer.js';
import type { AdminBillingService } from './admin-billing-service.js';
import { adminBillingRoutes } from './admin-billing-routes.js';
import { adminRoutes } from './admin-routes.js';
import type { AdminService } from './admin-service.js';
import type { AlertEvaluator } from './alerts/alert-evaluator.js';
import { alertRoutes } from './alerts/alert-routes.js';
import type { AlertService } from './alerts/alert-service.js';
import type { FlagService } from './flag-service.js';
import type { QuotaService } from './quota-service.js';
import { BusRate, RecentErrors } from './recent-errors.js';
import { usageRoutes } from './usage-routes.js';

export type { FeatureFlags, QuotaGate } from './gates.js';
export { AdminBillingService } from './admin-billing-service.js';
export { AdminService, auditEntries } from './admin-service.js';
export { AlertEvaluator } from './alerts/alert-evaluator.js';
export { AlertService } from './alerts/alert-service.js';
export { FlagService } from './flag-service.js';
export { QuotaService } from './quota-service.js';

export interface PlatformServices {
  repos: PlatformRepositories;
  mailer: Mailer;
  quotas: QuotaService;
  flags: FlagService;
  alerts: AlertEvaluator;
  alertRules: AlertService;
  admin: AdminService;
  adminBilling: AdminBillingService;
  log: MailLog & { error(obj: object, msg?: string): void };
}

/** Routes that stay usable when the day's API request quota is used up (sign-in, usage, the admin console). */
const UNMETERED = ['/api/auth/', '/api/usage', '/api/admin/'];

export async function registerPlatform(app: App, ctx: ServerContext, services: PlatformServices): Promise<void> {
  const { quotas, alerts } = services;

  // Runs after the auth hook (registered earlier), so the caller is known.
  app.addHook('preHandler', async (req) => {
    if (!req.auth || req.is404) return;
    const url = req.routeOptions.url ?? req.url;
    if (!url.startsWith('/api/') || UNMETERED.some((p) => url.startsWith(p))) return;
    await quotas.countApiRequest(req.auth.organization_id);
  });

  const errors = new RecentErrors();
  errors.install(app);
  const busRate = new BusRate();
  const unsubscribeRate = ctx.bus.subscribe('*', () => busRate.count());

  await alerts.start();
  app.addHook('onClose', async () => {
    unsubscribeRate();
    await alerts.stop();
    await quotas.flush().catch(() => undefined);
  });

  usageRoutes(app, services);
  alertRoutes(app, services.alertRules);
  adminRoutes(app, services.admin, {
    recentErrors: () => errors.list(),
    messagesPerSecond: () => busRate.perSecond(),
    evaluatorInfo: () => alerts.info(),
  });
  adminBillingRoutes(app, services.adminBilling);
}
