'use client';
import { AppShell, PublicLayout } from '@/components/app-shell';
import { HealthPanel } from '@/components/health-panel';
import { useSession } from '@/lib/session';

function StatusContent() {
  return (
    <>
      <div className="page-header">
        <h1>System status</h1>
        <span className="muted">Each service is probed by the server; this page needs no sign-in.</span>
      </div>
      <HealthPanel title="Services" />
    </>
  );
}

/** Public page: inside the shell for a signed-in user, with the minimal public header otherwise. */
export default function SystemStatusPage() {
  const { status } = useSession();
  return status === 'authenticated' ? (
    <AppShell>
      <StatusContent />
    </AppShell>
  ) : (
    <PublicLayout>
      <StatusContent />
    </PublicLayout>
  );
}
