/**
 * What other modules may ask of the platform: a quota check before creating
 * things, a usage record after, and feature flags. The composition root hands
 * them the platform's QuotaService and FlagService through these shapes.
 */
import type { QuotaMetric, QuotaStatus } from '@optibid/core';

export interface QuotaGate {
  /**
   * Throws 403 (assets, members) or 429 (bids_per_day, backtests_per_day,
   * api_requests_per_day) when adding `adding` units would pass the
   * organisation's limit; the error carries the limit, the usage and the reset time.
   */
  check(organizationId: string, metric: QuotaMetric, adding?: number): Promise<QuotaStatus>;
  /** Records bids created or backtests run (call after the action succeeded); they count toward the day's quota and the statement. */
  recordUsage(organizationId: string, metric: 'bids' | 'backtests', n?: number): Promise<void>;
}

export interface FeatureFlags {
  /** Whether a feature flag is on for an organisation (override, then global switch and stable rollout). Unknown flags are off. */
  isEnabled(organizationId: string, key: string): Promise<boolean>;
}
