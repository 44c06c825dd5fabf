'use client';
import { Badge, Card, ErrorMessage, Loading, ProgressBar } from '@/components/ui';
import { formatUsd } from '@/lib/format';
import { metricLabel, useUsage, type Quota, type UsageView } from '@/lib/platform-queries';
import { When } from './common';

function tone(q: Quota): 'success' | 'warning' | 'danger' {
  if (q.limit === null || q.limit === 0) return q.limit === 0 && q.used > 0 ? 'danger' : 'success';
  const r = q.used / q.limit;
  return r >= 1 ? 'danger' : r >= 0.8 ? 'warning' : 'success';
}

/** One row per quota: used against the limit, with when a daily quota resets. */
export function QuotaList({ usage }: { usage: UsageView }) {
  return (
    <div className="stack" style={{ gap: '0.9rem' }} data-testid="usage-quotas">
      {usage.quotas.map((q) => (
        <div key={q.metric} data-testid={`quota-${q.metric}`}>
          <div className="row" style={{ justifyContent: 'space-between' }}>
            <strong>{metricLabel(q.metric)}</strong>
            <span className="mono">
              {q.used.toLocaleString('en-US')} / {q.limit === null ? 'unlimited' : q.limit.toLocaleString('en-US')}
            </span>
          </div>
          <ProgressBar value={q.limit === null ? 0 : q.limit === 0 ? 100 : Math.min(q.used, q.limit)} max={q.limit || 100} label={`${metricLabel(q.metric)} used`} tone={tone(q)} />
          <div className="muted" style={{ fontSize: '0.8rem' }}>
            {q.kind === 'rate' ? 'per day' : 'in total'}
            {q.remaining !== null ? ` · ${q.remaining.toLocaleString('en-US')} left` : ''}
            {q.resets_at ? (
              <>
                {' · resets '}
                <When at={q.resets_at} />
              </>
            ) : null}
          </div>
        </div>
      ))}
    </div>
  );
}

/** The organisation's plan and its usage against the plan's limits. */
export function UsageCard() {
  const usage = useUsage();
  return (
    <Card
      title="Plan and usage"
      actions={usage.data ? <Badge tone="info">{usage.data.plan.name} · {formatUsd(usage.data.plan.price_usd_per_month)}/month</Badge> : null}
    >
      <ErrorMessage error={usage.error} />
      {usage.isPending ? <Loading /> : null}
      {usage.data ? (
        <>
          <QuotaList usage={usage.data} />
          <p className="muted" style={{ fontSize: '0.85rem', marginBottom: 0 }}>
            Daily quotas count the UTC day {usage.data.day}. Over a limit the API answers 429 (daily rate) or 403 (count) with the limit and when it resets; a
            platform administrator changes plans.
          </p>
        </>
      ) : null}
    </Card>
  );
}
