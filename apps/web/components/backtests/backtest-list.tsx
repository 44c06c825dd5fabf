'use client';
import { Badge, ProgressBar, Table } from '@/components/ui';
import { formatDateTime, formatPercent, formatUsd } from '@/lib/format';
import { ancillaryLabel, isActive, strategyLabel, type Backtest } from '@/lib/backtest-queries';
import { useDisplayTimeZone } from '@/lib/preferences';

export function backtestTone(status: string) {
  return status === 'succeeded' ? 'success' : status === 'failed' ? 'danger' : 'info';
}

/** Progress of a queued or running backtest (indeterminate until the server knows the day count). */
export function BacktestProgress({ b }: { b: Backtest }) {
  const { done, total, fraction } = b.progress;
  const label = b.status === 'queued' ? 'queued' : total > 0 ? `${done} of ${total} days` : 'starting…';
  return (
    <div style={{ minWidth: 140 }} data-testid="backtest-progress" data-status={b.status}>
      <ProgressBar label={`Progress of ${b.name}`} value={b.status === 'queued' || total === 0 ? undefined : fraction * 100} />
      <span className="muted" style={{ fontSize: '0.8rem' }}>
        {label}
      </span>
    </div>
  );
}

/** capture rate = strategy net ÷ perfect-foresight net over the same days (core's backtest report). */
export function formatCapture(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : formatPercent(v * 100, 1);
}

/**
 * The organisation's backtests, newest first, with live progress; ticking rows
 * puts them side by side in the comparison below.
 */
export function BacktestList({ items, compared, onToggle }: { items: Backtest[]; compared: string[]; onToggle: (id: string) => void }) {
  const tz = useDisplayTimeZone();
  return (
    <Table
      columns={[
        {
          key: 'cmp',
          header: <span className="visually-hidden">Compare</span>,
          render: (b) => (
            <input type="checkbox" aria-label={`Compare ${b.name}`} checked={compared.includes(b.id)} disabled={b.status !== 'succeeded'} onChange={() => onToggle(b.id)} />
          ),
        },
        { key: 'strategy', header: 'Strategy', render: (b) => <span title={b.name}>{strategyLabel(b.config.strategy)}{ancillaryLabel(b.config)}</span> },
        { key: 'loc', header: 'Market · location', render: (b) => `${b.config.market} · ${b.config.location}${b.config.price_scope === 'own' ? " · your organisation's prices" : ''}` },
        { key: 'period', header: 'Delivery days', render: (b) => `${b.config.start} – ${b.config.end}` },
        {
          key: 'status',
          header: 'Status',
          render: (b) =>
            isActive(b) ? (
              <BacktestProgress b={b} />
            ) : (
              <span title={b.error ?? undefined}>
                <Badge tone={backtestTone(b.status)}>{b.status}</Badge>
              </span>
            ),
        },
        { key: 'net', header: 'Net P&L', numeric: true, render: (b) => (b.result ? <strong className={b.result.net_usd < 0 ? 'text-danger' : undefined}>{formatUsd(b.result.net_usd)}</strong> : '—') },
        { key: 'cap', header: 'Capture rate', numeric: true, render: (b) => formatCapture(b.result?.capture_rate) },
        { key: 'margin', header: 'Margin over persistence', numeric: true, render: (b) => formatUsd(b.result?.margin_over_persistence_usd) },
        { key: 'at', header: 'Started', render: (b) => formatDateTime(b.created_at, tz, { seconds: false }) },
      ]}
      rows={items}
      rowKey={(b) => b.id}
    />
  );
}
