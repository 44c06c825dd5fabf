/**
 * What other modules call: a quota check before creating things and a usage
 * record after. Each takes the ServerContext.
 */
import type { QuotaMetric, QuotaStatus } from '@optibid/core';
import type { ServerContext } from '../../context.js';
import { platformServices } from './services.js';

/**
 * Throws 403 (assets, members) or 429 (bids_per_day, backtests_per_day,
 * api_requests_per_day) when adding `adding` units would pass the
 * organisation's limit; the error carries the limit, the usage and the reset time.
 */
export function checkQuota(ctx: ServerContext, organizationId: string, metric: QuotaMetric, adding = 1): Promise<QuotaStatus> {
  return platformServices(ctx).quotas.check(organizationId, metric, adding);
}

/** Records bids created or backtests run (call after the action succeeded); they count toward the day's quota and the statement. */
export function recordUsage(ctx: ServerContext, organizationId: string, metric: 'bids' | 'backtests', n = 1): Promise<void> {
  return platformServices(ctx).quotas.recordUsage(organizationId, metric, n);
}
