'use client';
import { Suspense } from 'react';
import { Loading, Tabs } from '@/components/ui';
import { AdminBilling } from '@/components/platform/admin-billing';
import { AdminDirectory } from '@/components/platform/admin-directory';
import { AdminFeatures } from '@/components/platform/admin-features';
import { AdminOverview } from '@/components/platform/admin-overview';
import { AdminSystem } from '@/components/platform/admin-system';
import { AuditLog } from '@/components/platform/audit-log';
import { NeedsPermission } from '@/components/platform/common';
import { useTabParam } from '@/components/platform/use-tab';
import { useUser } from '@/lib/session';

const TABS = [
  { id: 'overview', label: 'Overview', content: <AdminOverview /> },
  { id: 'directory', label: 'Users and organisations', content: <AdminDirectory /> },
  { id: 'billing', label: 'Billing', content: <AdminBilling /> },
  { id: 'features', label: 'Features', content: <AdminFeatures /> },
  { id: 'system', label: 'System', content: <AdminSystem /> },
  { id: 'audit', label: 'Audit log', content: <AuditLog scope="admin" title="Audit log (every organisation)" /> },
];

function AdminTabs() {
  const [tab, setTab] = useTabParam(
    TABS.map((t) => t.id),
    'overview',
  );
  return <Tabs label="Admin console" tabs={TABS} selected={tab} onSelect={setTab} />;
}

export default function AdminPage() {
  const user = useUser();
  return (
    <>
      <div className="page-header">
        <h1>Admin console</h1>
        <span className="muted">Runs the whole platform: every organisation and user.</span>
      </div>
      {user.is_platform_admin ? (
        <Suspense fallback={<Loading />}>
          <AdminTabs />
        </Suspense>
      ) : (
        <NeedsPermission>
          <strong>This console needs a platform administrator.</strong> Your account ({user.email}) is not one. To manage your own organisation&apos;s members,
          invitations and API keys, use <a href="/organization">Organisation</a>.
        </NeedsPermission>
      )}
    </>
  );
}
