/**
 * Plans, limits and usage as it happens. API requests are counted per
 * organisation and UTC day in the cache (shared through Redis) on every
 * authenticated request and persisted to usage_daily in batches; bids and
 * backtests are recorded per event; assets and members are counted live.
 */
import { QUOTA_METRICS, effectiveLimits, fitsQuota, nextUtcMidnight, quotaStatus, usageDay, type PlanLimits, type QuotaMetric, type QuotaStatus } from '@optibid/core';
import type { ServerContext } from '../../context.js';
import type { PlanRow, PlatformRepositories } from '../../db/repositories/platform/index.js';
import { AppError } from '../../http/errors.js';

/** Metrics persisted per day and the quota each one is limited by. */
export type UsageMetric = 'api_requests' | 'bids' | 'backtests';
const DAILY_METRIC: Partial<Record<QuotaMetric, UsageMetric>> = {
  api_requests_per_day: 'api_requests',
  bids_per_day: 'bids',
  backtests_per_day: 'backtests',
};

const DEFAULT_PLAN = 'free';
const DEMO_PLAN = 'enterprise';
const LIMITS_TTL_MS = 10_000;
const FLUSH_EVERY_MS = 10_000;

export interface OrgPlan {
  plan: PlanRow;
  limits: PlanLimits;
}

export class QuotaService {
  private readonly limitsCache = new Map<string, { value: OrgPlan; expires: number }>();
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: ServerContext,
    private readonly repos: PlatformRepositories,
  ) {}

  async planOf(organizationId: string): Promise<OrgPlan> {
    const hit = this.limitsCache.get(organizationId);
    if (hit && hit.expires > Date.now()) return hit.value;
    const sub = await this.repos.billing.findSubscription(organizationId);
    const planId = sub?.plan_id ?? (sub?.is_demo ? DEMO_PLAN : DEFAULT_PLAN);
    const plan = (await this.repos.billing.findPlan(planId)) ?? (await this.repos.billing.findPlan(DEFAULT_PLAN));
    if (!plan) throw new Error(`plan ${planId} is missing: the platform migration seeds it`);
    const value = { plan, limits: effectiveLimits(plan.limits, sub?.limit_overrides ?? {}) };
    this.limitsCache.set(organizationId, { value, expires: Date.now() + LIMITS_TTL_MS });
    return value;
  }

  /** Forget cached limits (after a plan or subscription change). */
  invalidate(organizationId?: string): void {
    if (organizationId) this.limitsCache.delete(organizationId);
    else this.limitsCache.clear();
  }

  private apiKey(organizationId: string, day: string): string {
    return `quota:api:${organizationId}:${day}`;
  }

  /** Counts one API request; throws 429 once the day's limit is used up. */
  async countApiRequest(organizationId: string, now = new Date()): Promise<void> {
    const { limits } = await this.planOf(organizationId);
    const day = usageDay(now);
    const resetS = Math.ceil((nextUtcMidnight(now).getTime() - now.getTime()) / 1000);
    const limit = limits.api_requests_per_day;
    const hit = await this.ctx.cache.hit(this.apiKey(organizationId, day), limit ?? Number.MAX_SAFE_INTEGER, resetS + 60);
    if (!hit.allowed) throw this.exceeded('api_requests_per_day', limit, hit.count - 1, now);
    const k = `${organizationId}|${day}`;
    this.pending.set(k, (this.pending.get(k) ?? 0) + 1);
    this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), FLUSH_EVERY_MS).unref();
  }

  /** Writes the API request counts gathered since the last flush. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = new Map();
    for (const [k, n] of batch) {
      const [org, day] = k.split('|') as [string, string];
      await this.repos.billing.addUsage(org, day, 'api_requests', n).catch(() => {
        // The organisation may have been deleted meanwhile; nothing to keep.
      });
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  async recordUsage(organizationId: string, metric: Exclude<UsageMetric, 'api_requests'>, n = 1, now = new Date()): Promise<void> {
    await this.repos.billing.addUsage(organizationId, usageDay(now), metric, n);
  }

  async used(organizationId: string, metric: QuotaMetric, now = new Date()): Promise<number> {
    switch (metric) {
      case 'assets':
        return this.repos.orgAdmin.countActiveAssets(organizationId);
      case 'members':
        return (await this.repos.orgAdmin.countActiveMembers(organizationId)) + (await this.repos.orgAdmin.countPendingInvitations(organizationId, now));
      case 'api_requests_per_day': {
        const day = usageDay(now);
        const counted = await this.ctx.cache.peek(this.apiKey(organizationId, day));
        const persisted = (await this.repos.billing.usageOn(organizationId, day)).api_requests ?? 0;
        return Math.max(counted, persisted + (this.pending.get(`${organizationId}|${day}`) ?? 0));
      }
      default:
        return (await this.repos.billing.usageOn(organizationId, usageDay(now)))[DAILY_METRIC[metric]!] ?? 0;
    }
  }

  /**
   * Throws when `adding` more units would pass the limit: 429 for per-day
   * rates (with Retry-After until 00:00 UTC), 403 for counts.
   */
  async check(organizationId: string, metric: QuotaMetric, adding = 1, now = new Date()): Promise<QuotaStatus> {
    const { limits } = await this.planOf(organizationId);
    const used = await this.used(organizationId, metric, now);
    if (!fitsQuota(limits[metric], used, adding)) throw this.exceeded(metric, limits[metric], used, now);
    return quotaStatus(metric, limits[metric], used, now);
  }

  async statuses(organizationId: string, now = new Date()): Promise<{ plan: PlanRow; limits: PlanLimits; quotas: QuotaStatus[] }> {
    const { plan, limits } = await this.planOf(organizationId);
    const quotas = await Promise.all(QUOTA_METRICS.map(async (m) => quotaStatus(m, limits[m], await this.used(organizationId, m, now), now)));
    return { plan, limits, quotas };
  }

  private exceeded(metric: QuotaMetric, limit: number | null, used: number, now: Date): AppError {
    const status = quotaStatus(metric, limit, used, now);
    const details = [{ metric, limit, used, resets_at: status.resets_at }];
    if (status.kind === 'rate') {
      const retryS = Math.max(1, Math.ceil((nextUtcMidnight(now).getTime() - now.getTime()) / 1000));
      return new AppError(429, 'quota_exceeded', `${metric} limit of ${limit} reached (${used} used); it resets at ${status.resets_at}`, details, {
        'retry-after': String(retryS),
      });
    }
    return new AppError(403, 'quota_exceeded', `${metric} limit of ${limit} reached (${used} in use); upgrade the plan or remove some first`, details);
  }
}
