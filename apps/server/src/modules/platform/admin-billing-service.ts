/**
 * The admin console's plans, subscriptions, monthly statements and feature
 * flags. Each change and its audit row are written in one transaction; the
 * quota and flag caches are dropped once it has committed.
 */
import { computeMonthlyStatement, daysInMonth, effectiveLimits } from '@optibid/core';
import type { CreateFeatureFlagBody, PatchFeatureFlagBody, PlanPatch, SubscriptionPut } from '@optibid/contracts';
import type { ServerContext } from '../../context.js';
import type { FlagOverrideRow, FlagRow, PlatformRepositories, SubscriptionRow } from '../../db/repositories/platform/index.js';
import { conflict, notFound, validationFailed } from '../../http/errors.js';
import { recordAdminChange, type Actor } from './admin-service.js';
import type { FlagService } from './flag-service.js';
import { planView } from './plan-view.js';
import type { QuotaService } from './quota-service.js';

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

export class AdminBillingService {
  constructor(
    private readonly ctx: ServerContext,
    private readonly repos: PlatformRepositories,
    private readonly quotas: QuotaService,
    private readonly flags: FlagService,
  ) {}

  async plans() {
    return (await this.repos.billing.listPlans()).map((p) => planView(p, effectiveLimits(p.limits)));
  }

  async changePlan(by: Actor, id: string, patch: PlanPatch) {
    const row = await this.ctx.database.transaction(async (tx) => {
      const updated = await this.repos.billing.updatePlan(id, patch, tx);
      if (updated) await recordAdminChange(this.ctx, tx, by, { action: 'admin.plan_changed', target_type: 'plan', target_id: updated.id, details: { ...patch } });
      return updated;
    });
    if (!row) throw notFound('plan');
    this.quotas.invalidate();
    return planView(row, effectiveLimits(row.limits));
  }

  async subscriptions(limit: number, offset: number) {
    return (await this.repos.billing.listSubscriptions(limit, offset)).map(subscriptionView);
  }

  async putSubscription(by: Actor, org: string, body: SubscriptionPut) {
    if (!(await this.ctx.repos.accounts.findOrganization(org))) throw notFound('organization');
    if (!(await this.repos.billing.findPlan(body.plan_id))) throw validationFailed(`plan ${body.plan_id} does not exist`, [{ field: 'plan_id', message: 'is not a plan' }]);
    await this.ctx.database.transaction(async (tx) => {
      await this.repos.billing.putSubscription(org, body.plan_id, body.limit_overrides, new Date(), tx);
      await recordAdminChange(this.ctx, tx, by, { action: 'admin.subscription_changed', target_type: 'organization', target_id: org, details: { ...body }, organization_id: org });
    });
    this.quotas.invalidate(org);
    return subscriptionView((await this.repos.billing.findSubscription(org))!);
  }

  private async statementFor(organizationId: string, month: string) {
    const sub = await this.repos.billing.findSubscription(organizationId);
    if (!sub) throw notFound('organization');
    const { plan, limits } = await this.quotas.planOf(organizationId);
    const usage = await this.repos.billing.usageBetween(organizationId, `${month}-01`, `${month}-${String(daysInMonth(month)).padStart(2, '0')}`);
    const s = computeMonthlyStatement({
      month,
      plan: { id: plan.id, name: plan.name, price_usd_per_month: Number(plan.price_usd_per_month) },
      limits,
      subscribed_since: sub.started_at,
      usage,
    });
    return { organization_id: organizationId, organization_name: sub.organization_name, ...s };
  }

  /** One organisation's statement for the month, or every organisation's (the current month when absent). */
  async statements(month: string | undefined, organizationId: string | undefined) {
    await this.quotas.flush();
    const m = month ?? new Date().toISOString().slice(0, 7);
    if (organizationId) return [await this.statementFor(organizationId, m)];
    const items = [];
    for (const s of await this.repos.billing.listSubscriptions(500, 0)) items.push(await this.statementFor(s.organization_id, m));
    return items;
  }

  async flag(key: string) {
    const f = await this.repos.flags.find(key);
    if (!f) throw notFound(`feature flag ${key}`);
    return flagView(f, await this.repos.flags.listOverrides(key));
  }

  async listFlags() {
    const [flags, overrides] = await Promise.all([this.repos.flags.list(), this.repos.flags.listOverrides()]);
    return flags.map((f) => flagView(f, overrides));
  }

  async createFlag(by: Actor, body: CreateFeatureFlagBody) {
    const row = await this.ctx.database.transaction(async (tx) => {
      const created = await this.repos.flags.create(
        { key: body.key, description: body.description ?? '', enabled: body.enabled ?? false, rollout_percentage: body.rollout_percentage ?? 100 },
        tx,
      );
      if (created) await recordAdminChange(this.ctx, tx, by, { action: 'admin.feature_created', target_type: 'feature_flag', target_id: created.key, details: { ...body } });
      return created;
    });
    if (!row) throw conflict(`feature flag ${body.key} already exists`);
    this.flags.invalidate();
    return flagView(row, []);
  }

  async changeFlag(by: Actor, key: string, patch: PatchFeatureFlagBody) {
    const before = await this.repos.flags.find(key);
    if (!before) throw notFound(`feature flag ${key}`);
    await this.ctx.database.transaction(async (tx) => {
      await this.repos.flags.update(key, patch, tx);
      await recordAdminChange(this.ctx, tx, by, {
        action: 'admin.feature_changed',
        target_type: 'feature_flag',
        target_id: key,
        details: { before: { enabled: before.enabled, rollout_percentage: before.rollout_percentage }, after: { ...patch } },
      });
    });
    this.flags.invalidate();
    return this.flag(key);
  }

  async removeFlag(by: Actor, key: string): Promise<void> {
    const removed = await this.ctx.database.transaction(async (tx) => {
      const gone = await this.repos.flags.remove(key, tx);
      if (gone) await recordAdminChange(this.ctx, tx, by, { action: 'admin.feature_deleted', target_type: 'feature_flag', target_id: key });
      return gone;
    });
    if (!removed) throw notFound(`feature flag ${key}`);
    this.flags.invalidate();
  }

  async setOverride(by: Actor, key: string, organizationId: string, enabled: boolean) {
    await this.flag(key);
    if (!(await this.ctx.repos.accounts.findOrganization(organizationId))) throw notFound('organization');
    await this.ctx.database.transaction(async (tx) => {
      await this.repos.flags.setOverride(key, organizationId, enabled, tx);
      await recordAdminChange(this.ctx, tx, by, { action: 'admin.feature_override_set', target_type: 'feature_flag', target_id: key, details: { enabled }, organization_id: organizationId });
    });
    this.flags.invalidate();
    return this.flag(key);
  }

  async removeOverride(by: Actor, key: string, organizationId: string) {
    const removed = await this.ctx.database.transaction(async (tx) => {
      const gone = await this.repos.flags.removeOverride(key, organizationId, tx);
      if (gone) await recordAdminChange(this.ctx, tx, by, { action: 'admin.feature_override_removed', target_type: 'feature_flag', target_id: key, organization_id: organizationId });
      return gone;
    });
    if (!removed) throw notFound('override');
    this.flags.invalidate();
    return this.flag(key);
  }
}
