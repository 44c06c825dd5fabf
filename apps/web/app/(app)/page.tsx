'use client';
import Link from 'next/link';
import { Badge, Card, EmptyState, ErrorMessage, Loading } from '@/components/ui';
import { HealthPanel } from '@/components/health-panel';
import { MarketTile } from '@/components/market/market-tile';
import { TradingSummary } from '@/components/trading/trading-summary';
import { useMarkets } from '@/lib/market-queries';
import { useUser } from '@/lib/session';
import { useNow } from '@/lib/use-now';

export default function DashboardPage() {
  const user = useUser();
  const markets = useMarkets();
  const now = useNow(1000);
  return (
    <>
      <div className="page-header">
        <h1>Dashboard</h1>
        <span className="muted">Welcome, {user.name}</span>
        <div className="spacer" />
        <Link href="/market">Market detail →</Link>
      </div>
      <h2 className="section-title">Markets</h2>
      {markets.error ? <ErrorMessage error={markets.error} title="Markets could not be loaded" /> : null}
      {markets.isPending ? (
        <Loading label="Loading markets…" />
      ) : markets.data && markets.data.length === 0 ? (
        <EmptyState title="No markets configured" />
      ) : (
        <div className="market-grid" data-testid="market-overview">
          {(markets.data ?? []).map((m) => (
            <MarketTile key={m.iso} market={m} now={now} />
          ))}
        </div>
      )}
      <TradingSummary now={now} />
      <h2 className="section-title">Account and system</h2>
      <div className="grid-1-2">
        <Card title="Signed in">
          <dl className="ui-dl" data-testid="session-details">
            <dt>Name</dt>
            <dd>{user.name}</dd>
            <dt>Email</dt>
            <dd>{user.email}</dd>
            <dt>Organisation</dt>
            <dd data-testid="dashboard-org">{user.organization.name}</dd>
            <dt>Role</dt>
            <dd>
              <Badge tone="info">{user.role}</Badge>
              {user.is_platform_admin ? (
                <>
                  {' '}
                  <Badge tone="warning">platform admin</Badge>
                </>
              ) : null}
            </dd>
            <dt>Permissions</dt>
            <dd className="muted" style={{ fontSize: '0.85rem' }}>
              {user.permissions.length ? user.permissions.join(', ') : 'none'}
            </dd>
          </dl>
        </Card>
        <HealthPanel />
      </div>
    </>
  );
}
