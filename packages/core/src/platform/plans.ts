/**
 * Plans, limits and quotas. A limit of null means unlimited. Rate metrics
 * (per day) reset at 00:00 UTC; count metrics (assets, members) do not reset.
 */
export const QUOTA_METRICS = ['assets', 'bids_per_day', 'api_requests_per_day', 'backtests_per_day', 'members'] as const;
export type QuotaMetric = (typeof QUOTA_METRICS)[number];

export type PlanLimits = Record<QuotaMetric, number | null>;

/** Per-day metrics are rates (over → 429); the others are counts (over → 403). */
export const RATE_METRICS: ReadonlySet<QuotaMetric> = new Set(['bids_per_day', 'api_requests_per_day', 'backtests_per_day']);

export function isQuotaMetric(value: unknown): value is QuotaMetric {
  return typeof value === 'string' && (QUOTA_METRICS as readonly string[]).includes(value);
}

/** The plan's limits with the organisation's overrides on top (an override may be null = unlimited). */
export function effectiveLimits(planLimits: Partial<Record<string, unknown>>, overrides: Partial<Record<string, unknown>> = {}): PlanLimits {
  const out = {} as PlanLimits;
  for (const m of QUOTA_METRICS) {
    const v = m in overrides ? overrides[m] : planLimits[m];
    out[m] = typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : null;
  }
  return out;
}

/** `YYYY-MM-DD` of the UTC day containing `at`. */
export function usageDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The next 00:00 UTC after `at`: when per-day quotas reset. */
export function nextUtcMidnight(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));
}

export interface QuotaStatus {
  metric: QuotaMetric;
  limit: number | null;
  used: number;
  /** Left before the limit (null = unlimited). */
  remaining: number | null;
  /** ISO instant the usage resets, null for count metrics. */
  resets_at: string | null;
  kind: 'rate' | 'count';
}

export function quotaStatus(metric: QuotaMetric, limit: number | null, used: number, now: Date): QuotaStatus {
  const rate = RATE_METRICS.has(metric);
  return {
    metric,
    limit,
    used,
    remaining: limit === null ? null : Math.max(0, limit - used),
    resets_at: rate ? nextUtcMidnight(now).toISOString() : null,
    kind: rate ? 'rate' : 'count',
  };
}

/** Whether `adding` more units fit under the limit given what is already used. */
export function fitsQuota(limit: number | null, used: number, adding = 1): boolean {
  return limit === null || used + adding <= limit;
}
