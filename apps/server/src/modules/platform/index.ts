/**
 * Running the platform: organisation administration (members, invitations,
 * API keys, settings), account security (MFA, password reset, sessions),
 * plans and quotas, feature flags, alerts and notifications, and the platform
 * admin console. Registered on the root instance, so its hooks (API request
 * quota, error log) apply to every route.
 */
import type { ServerContext } from '../../context.js';
import type { App } from '../../http/types.js';
import { securityRoutes } from '../auth/security-routes.js';
import { SecurityService } from '../auth/security-service.js';
import { ApiKeyService } from '../org/api-key-service.js';
import { MemberService } from '../org/member-service.js';
import { orgAdminRoutes } from '../org/org-admin-routes.js';
import { adminBillingRoutes } from './admin-billing-routes.js';
import { adminRoutes } from './admin-routes.js';
import { AlertEvaluator } from './alerts/alert-evaluator.js';
import { alertRoutes } from './alerts/alert-routes.js';
import { BusRate, RecentErrors } from './recent-errors.js';
import { platformServices } from './services.js';
import { usageRoutes } from './usage-routes.js';

export { checkQuota, recordUsage } from './quotas.js';
export { isFeatureEnabled } from './flags.js';

/** Routes that stay usable when the day's API request quota is used up (sign-in, usage, the admin console). */
const UNMETERED = ['/api/auth/', '/api/usage', '/api/admin/'];

/** Evaluators per context, so tests can wait for deliveries to finish. */
const evaluators = new WeakMap<ServerContext, AlertEvaluator>();
export function alertEvaluatorOf(ctx: ServerContext): AlertEvaluator | undefined {
  return evaluators.get(ctx);
}

export async function registerPlatform(app: App, ctx: ServerContext): Promise<void> {
  const services = platformServices(ctx, app.log);
  const { repos, mailer, quotas } = services;

  const security = new SecurityService(ctx.repos, repos.security, ctx.cache, mailer, app.log);
  const apiKeys = new ApiKeyService(ctx.repos, repos.orgAdmin);
  ctx.auth.extend({
    resolveApiKey: (key) => apiKeys.resolve(key),
    checkSecondFactor: (user, org, code, meta) => security.checkSecondFactor(user, org, code, meta),
    mfaEnrollmentPending: (userId, org) => security.mfaEnrollmentPending(userId, org),
  });
  const members = new MemberService(ctx.repos, repos, ctx.auth, mailer, quotas, app.log);

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

  const evaluator = new AlertEvaluator(ctx, repos, mailer, app.log);
  await evaluator.start();
  evaluators.set(ctx, evaluator);
  app.addHook('onClose', async () => {
    unsubscribeRate();
    await evaluator.stop();
    evaluators.delete(ctx);
    await quotas.flush().catch(() => undefined);
  });

  securityRoutes(app, security);
  orgAdminRoutes(app, { repos: ctx.repos, platform: repos, members, apiKeys, quotas });
  usageRoutes(app, services);
  alertRoutes(app, ctx, repos);
  adminRoutes(app, ctx, services, {
    errors,
    busRate,
    evaluatorInfo: () => evaluator.info(),
  });
  adminBillingRoutes(app, ctx, services);
}
