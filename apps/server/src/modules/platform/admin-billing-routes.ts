/** Admin console: plans, subscriptions, statements and feature flags. Platform admins only. */
import { Type } from 'typebox';
import { computeMonthlyStatement, daysInMonth, effectiveLimits } from '@optibid/core';
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
import type { ServerContext } from '../../context.js';
import type { FlagOverrideRow, FlagRow, SubscriptionRow } from '../../db/repositories/platform/index.js';
import { authOf, requestMeta } from '../../http/auth-hook.js';
import { conflict, notFound, validationFailed } from '../../http/errors.js';
import type { App } from '../../http/types.js';
import type { PlatformServices } from './index.js';
import { planView } from './usage-routes.js';

const access = { access: 'platform_admin' as const };
const tags = ['admin'];
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 50 }) });

const subscriptionView = (s: SubscriptionRow) => ({
  organization_id: s.organization_id,
  organization_name: s.organization_name,
  plan_id: s.plan_id ?? (s.is_demo ? 'enterprise' : 'free'),
  status: s.status ?? 'active',
  limit_overrides: s.limit_overrides,
  started_at: s.started_at.toISOString(),
});

const flagView = (f: FlagRow, overrides: FlagOverrideRow[]) => ({
  key: f.key,
  description: f.description,
  enabled: f.enabled,
  rollout_percentage: f.rollout_percentage,
  overrides: overrides
    .filter((o) => o.flag_key === f.key)
    .map((o) => ({ organization_id: o.organization_id, organization_name: o.organization_name, enabled: o.enabled, updated_at: o.updated_at.toISOString() })),
  created_at: f.created_at.toISOString(),
  updated_at: f.updated_at.toISOString(),
});

export function adminBillingRoutes(app: App, ctx: ServerContext, services: PlatformServices): void {
  const { repos } = services;
  const audit = (req: Parameters<typeof requestMeta>[0], action: string, target_type: string, target_id: string, details: Record<string, unknown> = {}, organization_id: string | null = null) =>
    ctx.repos.audit.record({ organization_id, actor_user_id: authOf(req).user_id, action, target_type, target_id, details, ...requestMeta(req) });

  app.get('/api/admin/plans', {
    config: access,
    schema: { tags, summary: 'Plans and their limits', response: { 200: Type.Object({ items: Type.Array(PlanView) }), ...errorResponses } },
    handler: async () => ({ items: (await repos.billing.listPlans()).map((p) => planView(p, effectiveLimits(p.limits))) }),
  });

  app.patch('/api/admin/plans/:id', {
    config: access,
    schema: { tags, summary: "Change a plan's name, price or limits (null = unlimited)", params: Params, body: PlanPatch, response: { 200: PlanView, ...errorResponses } },
    handler: async (req) => {
      const row = await repos.billing.updatePlan(req.params.id, req.body);
      if (!row) throw notFound('plan');
      services.quotas.invalidate();
      await audit(req, 'admin.plan_changed', 'plan', row.id, { ...req.body });
      return planView(row, effectiveLimits(row.limits));
    },
  });

  app.get('/api/admin/subscriptions', {
    config: access,
    schema: { tags, summary: "Every organisation's plan", querystring: SearchQuery, response: { 200: Type.Object({ items: Type.Array(SubscriptionView) }), ...errorResponses } },
    handler: async (req) => ({ items: (await repos.billing.listSubscriptions(req.query.limit ?? 50, req.query.offset ?? 0)).map(subscriptionView) }),
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
    handler: async (req) => {
      const org = req.params.organization_id;
      if (!(await ctx.repos.accounts.findOrganization(org))) throw notFound('organization');
      if (!(await repos.billing.findPlan(req.body.plan_id))) throw validationFailed(`plan ${req.body.plan_id} does not exist`, [{ field: 'plan_id', message: 'is not a plan' }]);
      await repos.billing.putSubscription(org, req.body.plan_id, req.body.limit_overrides, new Date());
      services.quotas.invalidate(org);
      await audit(req, 'admin.subscription_changed', 'organization', org, { ...req.body }, org);
      return subscriptionView((await repos.billing.findSubscription(org))!);
    },
  });

  const statementFor = async (organizationId: string, month: string) => {
    const sub = await repos.billing.findSubscription(organizationId);
    if (!sub) throw notFound('organization');
    const { plan, limits } = await services.quotas.planOf(organizationId);
    const usage = await repos.billing.usageBetween(organizationId, `${month}-01`, `${month}-${String(daysInMonth(month)).padStart(2, '0')}`);
    const s = computeMonthlyStatement({
      month,
      plan: { id: plan.id, name: plan.name, price_usd_per_month: Number(plan.price_usd_per_month) },
      limits,
      subscribed_since: sub.started_at,
      usage,
    });
    return { organization_id: organizationId, organization_name: sub.organization_name, ...s };
  };

  app.get('/api/admin/statements', {
    config: access,
    schema: {
      tags,
      summary: "Monthly statements from each organisation's plan and usage (the current month when month is absent)",
      querystring: StatementQuery,
      response: { 200: Type.Object({ items: Type.Array(StatementView) }), ...errorResponses },
    },
    handler: async (req) => {
      await services.quotas.flush();
      const month = req.query.month ?? new Date().toISOString().slice(0, 7);
      if (req.query.organization_id) return { items: [await statementFor(req.query.organization_id, month)] };
      const subs = await repos.billing.listSubscriptions(500, 0);
      const items = [];
      for (const s of subs) items.push(await statementFor(s.organization_id, month));
      return { items };
    },
  });

  const flagOr404 = async (key: string) => {
    const f = await repos.flags.find(key);
    if (!f) throw notFound(`feature flag ${key}`);
    return flagView(f, await repos.flags.listOverrides(key));
  };

  app.get('/api/admin/features', {
    config: access,
    schema: { tags, summary: 'Feature flags with their overrides', response: { 200: Type.Object({ items: Type.Array(FeatureFlagView) }), ...errorResponses } },
    handler: async () => {
      const [flags, overrides] = await Promise.all([repos.flags.list(), repos.flags.listOverrides()]);
      return { items: flags.map((f) => flagView(f, overrides)) };
    },
  });

  app.post('/api/admin/features', {
    config: access,
    schema: { tags, summary: 'Create a feature flag', body: CreateFeatureFlagBody, response: { 201: FeatureFlagView, ...errorResponses } },
    handler: async (req, reply) => {
      const row = await repos.flags.create({
        key: req.body.key,
        description: req.body.description ?? '',
        enabled: req.body.enabled ?? false,
        rollout_percentage: req.body.rollout_percentage ?? 100,
      });
      if (!row) throw conflict(`feature flag ${req.body.key} already exists`);
      services.flags.invalidate();
      await audit(req, 'admin.feature_created', 'feature_flag', row.key, { ...req.body });
      return reply.code(201).send(flagView(row, []));
    },
  });

  app.patch('/api/admin/features/:key', {
    config: access,
    schema: { tags, summary: 'Switch a flag or change its rollout percentage', params: KeyParams, body: PatchFeatureFlagBody, response: { 200: FeatureFlagView, ...errorResponses } },
    handler: async (req) => {
      const before = await repos.flags.find(req.params.key);
      if (!before) throw notFound(`feature flag ${req.params.key}`);
      await repos.flags.update(req.params.key, req.body);
      services.flags.invalidate();
      await audit(req, 'admin.feature_changed', 'feature_flag', req.params.key, {
        before: { enabled: before.enabled, rollout_percentage: before.rollout_percentage },
        after: { ...req.body },
      });
      return flagOr404(req.params.key);
    },
  });

  app.delete('/api/admin/features/:key', {
    config: access,
    schema: { tags, summary: 'Delete a feature flag and its overrides', params: KeyParams, response: { 200: OkBody, ...errorResponses } },
    handler: async (req) => {
      if (!(await repos.flags.remove(req.params.key))) throw notFound(`feature flag ${req.params.key}`);
      services.flags.invalidate();
      await audit(req, 'admin.feature_deleted', 'feature_flag', req.params.key);
      return { ok: true };
    },
  });

  app.put('/api/admin/features/:key/overrides/:organization_id', {
    config: access,
    schema: { tags, summary: 'Force a flag on or off for one organisation', params: FlagOverrideParams, body: FlagOverrideBody, response: { 200: FeatureFlagView, ...errorResponses } },
    handler: async (req) => {
      const { key, organization_id } = req.params;
      await flagOr404(key);
      if (!(await ctx.repos.accounts.findOrganization(organization_id))) throw notFound('organization');
      await repos.flags.setOverride(key, organization_id, req.body.enabled);
      services.flags.invalidate();
      await audit(req, 'admin.feature_override_set', 'feature_flag', key, { enabled: req.body.enabled }, organization_id);
      return flagOr404(key);
    },
  });

  app.delete('/api/admin/features/:key/overrides/:organization_id', {
    config: access,
    schema: { tags, summary: "Remove an organisation's override (the flag's rollout applies again)", params: FlagOverrideParams, response: { 200: FeatureFlagView, ...errorResponses } },
    handler: async (req) => {
      const { key, organization_id } = req.params;
      if (!(await repos.flags.removeOverride(key, organization_id))) throw notFound('override');
      services.flags.invalidate();
      await audit(req, 'admin.feature_override_removed', 'feature_flag', key, {}, organization_id);
      return flagOr404(key);
    },
  });
}
