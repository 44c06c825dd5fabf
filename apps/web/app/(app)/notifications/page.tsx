'use client';
import { AlertRuleForm } from '@/components/platform/alert-rule-form';
import { AlertRulesTable } from '@/components/platform/alert-rules';
import { NotificationList } from '@/components/platform/notification-list';
import { NeedsPermission } from '@/components/platform/common';
import { hasPermission, useUser } from '@/lib/session';

export default function NotificationsPage() {
  const user = useUser();
  const canManage = hasPermission(user, 'alerts:manage');
  return (
    <>
      <div className="page-header">
        <h1>Notifications</h1>
        <span className="muted">Alerts from your rules arrive live over the connection, stay here, and are emailed when you ask for it.</span>
      </div>
      <div className="stack" style={{ maxWidth: 1200 }}>
        <NotificationList />
        {canManage ? (
          <>
            <AlertRulesTable />
            <AlertRuleForm />
          </>
        ) : (
          <NeedsPermission>Your role cannot manage alert rules.</NeedsPermission>
        )}
      </div>
    </>
  );
}
