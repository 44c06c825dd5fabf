/** Admin console: plans, subscriptions, statements and feature flags. Platform admins only. */
import { Type } from 'typebox';
import {
  CreateFeatureFlagBody,
  FeatureFlagView,
  FlagOverrideBody,
  FlagOverrideParams,
  KeyParams,
  OkBody,
  OrganizationIdParams,
  PatchFeatureFlagBody,
  PlanPatch,
  PlanView,
  SearchQuery,
  StatementQuery,
  StatementView,
  SubscriptionPut,
  SubscriptionView,
  errorResponses,
} from '@optibid/contracts';
import type { App } from '../../http/types.js';
import type { AdminBillingService } from './admin-billing-service.js';
import { actorOf } from './admin-routes.js';

const access = { access: 'platform_admin' as const };
const tags = ['admin'];
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 50 }) });

export function adminBillingRoutes(app: App, billing: AdminBillingService): void {
  app.get('/api/admin/plans', {
    config: access,
    schema: { tags, summary: 'Plans and their limits', response: { 200: Type.Object({ items: Type.Array(PlanView) }), ...errorResponses } },
    handler: async () => ({ items: await billing.plans() }),
  });

  app.patch('/api/admin/plans/:id', {
    config: access,
    schema: { tags, summary: "Change a plan's name, price or limits (null = unlimited)", params: Params, body: PlanPatch, response: { 200: PlanView, ...errorResponses } },
    handler: async (req) => billing.changePlan(actorOf(req), req.params.id, req.body),
  });

  app.get('/api/admin/subscriptions', {
    config: access,
    schema: { tags, summary: "Every organisation's plan", querystring: SearchQuery, response: { 200: Type.Object({ items: Type.Array(SubscriptionView) }), ...errorResponses } },
    handler: async (req) => ({ items: await billing.subscriptions(req.query.limit ?? 50, req.query.offset ?? 0) }),
  });

  app.put('/api/admin/subscriptions/:organization_id', {
    config: access,
    schema: {
      tags,
      summary: "Set an organisation's plan and its limit overrides (replaces both; absent overrides = none)",
      params: OrganizationIdParams,
      body: SubscriptionPut,
      response: { 200: SubscriptionView, ...errorResponses },
    },
    handler: async (req) => billing.putSubscription(actorOf(req), req.params.organization_id, req.body),
  });

  app.get('/api/admin/statements', {
    config: access,
    schema: {
      tags,
      summary: "Monthly statements from each organisation's plan and usage (the current month when month is absent)",
      querystring: StatementQuery,
      response: { 200: Type.Object({ items: Type.Array(StatementView) }), ...errorResponses },
    },
    handler: async (req) => ({ items: await billing.statements(req.query.month, req.query.organization_id) }),
  });

  app.get('/api/admin/features', {
    config: access,
    schema: { tags, summary: 'Feature flags with their overrides', response: { 200: Type.Object({ items: Type.Array(FeatureFlagView) }), ...errorResponses } },
    handler: async () => ({ items: await billing.listFlags() }),
  });

  app.post('/api/admin/features', {
    config: access,
    schema: { tags, summary: 'Create a feature flag', body: CreateFeatureFlagBody, response: { 201: FeatureFlagView, ...errorResponses } },
    handler: async (req, reply) => reply.code(201).send(await billing.createFlag(actorOf(req), req.body)),
  });

  app.patch('/api/admin/features/:key', {
    config: access,
    schema: { tags, summary: 'Switch a flag or change its rollout percentage', params: KeyParams, body: PatchFeatureFlagBody, response: { 200: FeatureFlagView, ...errorResponses } },
    handler: async (req) => billing.changeFlag(actorOf(req), req.params.key, req.body),
  });

  app.delete('/api/admin/features/:key', {
    config: access,
    schema: { tags, summary: 'Delete a feature flag and its overrides', params: KeyParams, response: { 200: OkBody, ...errorResponses } },
    handler: async (req) => {
      await billing.removeFlag(actorOf(req), req.params.key);
      return { ok: true };
    },
  });

  app.put('/api/admin/features/:key/overrides/:organization_id', {
    config: access,
    schema: { tags, summary: 'Force a flag on or off for one organisation', params: FlagOverrideParams, body: FlagOverrideBody, response: { 200: FeatureFlagView, ...errorResponses } },
    handler: async (req) => billing.setOverride(actorOf(req), req.params.key, req.params.organization_id, req.body.enabled),
  });

  app.delete('/api/admin/features/:key/overrides/:organization_id', {
    config: access,
    schema: { tags, summary: "Remove an organisation's override (the flag's rollout applies again)", params: FlagOverrideParams, response: { 200: FeatureFlagView, ...errorResponses } },
    handler: async (req) => billing.removeOverride(actorOf(req), req.params.key, req.params.organization_id),
  });
}
