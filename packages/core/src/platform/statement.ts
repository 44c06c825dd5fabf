/**
 * Monthly statement from the plan and the usage recorded per UTC day. Limits
 * are hard, so nothing is charged per unit: the fee is the plan price prorated
 * over the days of the month the subscription covered, and usage is listed
 * with its peak day against the daily limit.
 */
import type { PlanLimits } from './plans.js';

export interface StatementPlan {
  id: string;
  name: string;
  price_usd_per_month: number;
}

export interface UsageDayRow {
  day: string;
  metric: string;
  count: number;
}

export interface StatementUsageLine {
  metric: string;
  total: number;
  peak_day: string | null;
  peak_count: number;
  daily_limit: number | null;
}

export interface MonthlyStatement {
  month: string;
  period_start: string;
  period_end: string;
  plan: StatementPlan;
  days_in_month: number;
  days_billed: number;
  fee_usd: number;
  usage: StatementUsageLine[];
  total_usd: number;
}

const DAILY_LIMIT_OF: Record<string, keyof PlanLimits> = {
  api_requests: 'api_requests_per_day',
  bids: 'bids_per_day',
  backtests: 'backtests_per_day',
};

export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * fee = price × days_billed / days_in_month, rounded to cents, where
 * days_billed counts the month's days from the later of the month's first day
 * and the subscription's start day.
 */
export function computeMonthlyStatement(input: {
  month: string;
  plan: StatementPlan;
  limits: PlanLimits;
  subscribed_since: Date;
  usage: UsageDayRow[];
}): MonthlyStatement {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(input.month)) throw new Error(`month must be YYYY-MM, got ${input.month}`);
  const dim = daysInMonth(input.month);
  const first = `${input.month}-01`;
  const last = `${input.month}-${String(dim).padStart(2, '0')}`;
  const since = input.subscribed_since.toISOString().slice(0, 10);
  let daysBilled: number;
  if (since <= first) daysBilled = dim;
  else if (since > last) daysBilled = 0;
  else daysBilled = dim - Number(since.slice(8, 10)) + 1;
  const fee = Math.round(((input.plan.price_usd_per_month * daysBilled) / dim) * 100) / 100;

  const byMetric = new Map<string, { total: number; peak_day: string | null; peak_count: number }>();
  for (const metric of Object.keys(DAILY_LIMIT_OF)) byMetric.set(metric, { total: 0, peak_day: null, peak_count: 0 });
  for (const row of input.usage) {
    if (row.day < first || row.day > last) continue;
    const agg = byMetric.get(row.metric) ?? { total: 0, peak_day: null, peak_count: 0 };
    agg.total += row.count;
    if (row.count > agg.peak_count) {
      agg.peak_count = row.count;
      agg.peak_day = row.day;
    }
    byMetric.set(row.metric, agg);
  }
  const usage = [...byMetric].map(([metric, a]) => ({
    metric,
    ...a,
    daily_limit: DAILY_LIMIT_OF[metric] ? input.limits[DAILY_LIMIT_OF[metric]!] : null,
  }));
  return {
    month: input.month,
    period_start: first,
    period_end: last,
    plan: input.plan,
    days_in_month: dim,
    days_billed: daysBilled,
    fee_usd: fee,
    usage,
    total_usd: fee,
  };
}
