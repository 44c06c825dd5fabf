/** What the caller's organisation may use (plan, limits, usage) and which features are on for it. */
import { usageDay, type PlanLimits } from '@optibid/core';
import { FeaturesResponse, UsageView, errorResponses } from '@optibid/contracts';
import type { PlanRow } from '../../db/repositories/platform/index.js';
import { authOf } from '../../http/auth-hook.js';
import type { App } from '../../http/types.js';
import type { PlatformServices } from './index.js';

export function planView(plan: PlanRow, limits?: PlanLimits) {
  const l = limits ?? (plan.limits as PlanLimits);
  return {
    id: plan.id,
    name: plan.name,
    price_usd_per_month: Number(plan.price_usd_per_month),
    limits: {
      assets: l.assets ?? null,
      bids_per_day: l.bids_per_day ?? null,
      api_requests_per_day: l.api_requests_per_day ?? null,
      backtests_per_day: l.backtests_per_day ?? null,
      members: l.members ?? null,
    },
  };
}

export async function usageOf(services: PlatformServices, organizationId: string) {
  const now = new Date();
  const { plan, limits, quotas } = await services.quotas.statuses(organizationId, now);
  return { organization_id: organizationId, plan: planView(plan, limits), day: usageDay(now), quotas };
}

export function usageRoutes(app: App, services: PlatformServices): void {
  app.get('/api/usage', {
    config: { access: 'usage:read' },
    schema: {
      tags: ['billing'],
      summary: "Your organisation's plan, limits and usage (per-day quotas reset at 00:00 UTC)",
      response: { 200: UsageView, ...errorResponses },
    },
    handler: async (req) => usageOf(services, authOf(req).organization_id),
  });

  app.get('/api/features', {
    config: { access: 'authenticated' },
    schema: { tags: ['features'], summary: 'Feature flags evaluated for your organisation', response: { 200: FeaturesResponse, ...errorResponses } },
    handler: async (req) => {
      const org = authOf(req).organization_id;
      const details = await services.flags.evaluateAll(org);
      return { organization_id: org, features: Object.fromEntries(details.map((d) => [d.key, d.enabled])), details };
    },
  });
}
