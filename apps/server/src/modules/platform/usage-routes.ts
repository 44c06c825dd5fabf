/** What the caller's organisation may use (plan, limits, usage) and which features are on for it. */
import { FeaturesResponse, UsageView, errorResponses } from '@optibid/contracts';
import { authOf } from '../../http/auth-hook.js';
import type { App } from '../../http/types.js';
import type { PlatformServices } from './index.js';
import { usageOf } from './plan-view.js';

export function usageRoutes(app: App, services: PlatformServices): void {
  app.get('/api/usage', {
    config: { access: 'usage:read' },
    schema: {
      tags: ['billing'],
      summary: "Your organisation's plan, limits and usage (per-day quotas reset at 00:00 UTC)",
      response: { 200: UsageView, ...errorResponses },
    },
    handler: async (req) => usageOf(services.quotas, authOf(req).organization_id),
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
