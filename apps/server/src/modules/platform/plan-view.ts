/** The plan and usage views shared by the usage routes and the admin console. */
import { usageDay, type PlanLimits } from '@optibid/core';
import type { PlanRow } from '../../db/repositories/platform/index.js';
import type { QuotaService } from './quota-service.js';

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

export async function usageOf(quotaService: QuotaService, organizationId: string) {
  const now = new Date();
  const { plan, limits, quotas } = await quotaService.statuses(organizationId, now);
  return { organization_id: organizationId, plan: planView(plan, limits), day: usageDay(now), quotas };
}
