'use client';
import { useQuery } from '@tanstack/react-query';
import type { DatasetFreshness, MarketDataStatusBody } from '@optibid/contracts';
import { Badge, Card, ErrorMessage, Loading, Table, type Column } from '@/components/ui';
import { api } from '@/lib/api';
import { formatDateTime } from '@/lib/format';
import { useDisplayTimeZone } from '@/lib/preferences';
import { HEALTH_POLL_MS } from '@/lib/queries';

/** Freshness of each ISO dataset the server fetches (MARKET_DATA_SOURCE=iso). */
export function MarketDataFreshness() {
  const tz = useDisplayTimeZone();
  const q = useQuery({
    queryKey: ['system-status', 'market-data'],
    queryFn: ({ signal }) => api.get<MarketDataStatusBody>('/api/system-status/market-data', { auth: false, signal }),
    refetchInterval: HEALTH_POLL_MS,
  });
  const columns: Column<DatasetFreshness>[] = [
    { key: 'market', header: 'ISO', render: (r) => <strong>{r.market}</strong> },
    { key: 'dataset', header: 'Dataset', render: (r) => <span className="mono">{r.dataset}</span> },
    {
      key: 'state',
      header: 'State',
      render: (r) => (
        <span data-testid={`freshness-${r.market}-${r.dataset}`}>
          <Badge tone={r.stale ? 'warning' : 'success'} dot>
            {r.stale ? 'stale' : 'fresh'}
          </Badge>
        </span>
      ),
    },
    { key: 'newest', header: 'Newest complete day', render: (r) => `${r.newest_complete_day ?? '—'} (expected ${r.expected_day})` },
    { key: 'good', header: 'Last good fetch', render: (r) => (r.last_good_fetch_at ? formatDateTime(r.last_good_fetch_at, tz) : 'never') },
    { key: 'error', header: 'Last error', render: (r) => <span className="muted">{r.last_error ?? ''}</span> },
  ];
  return (
    <Card title="Market data">
      {q.isLoading ? <Loading /> : q.error ? <ErrorMessage error={q.error} /> : q.data ? (
        <div className="stack" style={{ gap: '0.5rem' }}>
          <span className="muted">
            Source: <strong data-testid="market-data-source">{q.data.source}</strong>
            {q.data.source === 'iso' ? '' : ' (prices are not fetched from the ISOs)'}
          </span>
          {q.data.clients.map((c) => (
            <span key={c.market} className="muted">
              {c.market}: {c.problems.join('; ')}
            </span>
          ))}
          <Table columns={columns} rows={q.data.datasets} rowKey={(r) => `${r.market}-${r.dataset}`} empty={<span className="muted">No ISO data fetched.</span>} />
        </div>
      ) : null}
    </Card>
  );
}
