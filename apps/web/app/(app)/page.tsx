'use client';
import { Badge, Card } from '@/components/ui';
import { HealthPanel } from '@/components/health-panel';
import { useUser } from '@/lib/session';

export default function DashboardPage() {
  const user = useUser();
  return (
    <>
      <div className="page-header">
        <h1>Dashboard</h1>
        <span className="muted">Welcome, {user.name}</span>
      </div>
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
