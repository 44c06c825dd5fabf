'use client';
import { Suspense } from 'react';
import { Loading, Tabs, type TabItem } from '@/components/ui';
import { AuditLog } from '@/components/platform/audit-log';
import { LeaveOrganization, OrgMembers } from '@/components/platform/org-members';
import { OrgApiKeys } from '@/components/platform/org-api-keys';
import { OrgInvitations } from '@/components/platform/org-invitations';
import { OrgSettings } from '@/components/platform/org-settings';
import { UsageCard } from '@/components/platform/usage-quotas';
import { useTabParam } from '@/components/platform/use-tab';
import { hasPermission, useUser } from '@/lib/session';

function OrganizationTabs() {
  const user = useUser();
  const canManage = hasPermission(user, 'org:manage');
  const tabs: TabItem[] = [
    {
      id: 'members',
      label: 'Members',
      content: (
        <div className="stack">
          <OrgMembers />
          <LeaveOrganization />
        </div>
      ),
    },
  ];
  if (canManage) {
    tabs.push({ id: 'invitations', label: 'Invitations', content: <OrgInvitations /> });
    tabs.push({ id: 'api-keys', label: 'API keys', content: <OrgApiKeys /> });
  }
  if (hasPermission(user, 'audit:read')) tabs.push({ id: 'activity', label: 'Activity', content: <AuditLog scope="org" title="Audit log and activity" /> });
  if (hasPermission(user, 'usage:read')) tabs.push({ id: 'usage', label: 'Usage', content: <UsageCard /> });
  tabs.push({ id: 'settings', label: 'Settings', content: <OrgSettings /> });
  const [tab, setTab] = useTabParam(
    tabs.map((t) => t.id),
    'members',
  );
  return <Tabs label="Organisation" tabs={tabs} selected={tab} onSelect={setTab} />;
}

export default function OrganizationPage() {
  const user = useUser();
  return (
    <>
      <div className="page-header">
        <h1>Organisation</h1>
        <span className="muted">{user.organization.name}</span>
      </div>
      <Suspense fallback={<Loading />}>
        <OrganizationTabs />
      </Suspense>
    </>
  );
}
