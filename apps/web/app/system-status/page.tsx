'use client';
import { AppShell, PublicLayout } from '@/components/app-shell';
import { HealthPanel } from '@/components/health-panel';
import { MarketDataFreshness } from '@/components/market-data-freshness';
import { ViewerConnection } from '@/components/platform/viewer-connection';
import { RealtimeProvider } from '@/lib/realtime';
import { useSession } from '@/lib/session';

function StatusContent({ signedIn }: { signedIn: boolean }) {
  return (
    <>
      <div className="page-header">
        <h1>System status</h1>
        <span className="muted">Each service is probed by the server; this page needs no sign-in.</span>
      </div>
      <div className="stack">
        <HealthPanel title="Services" />
        <MarketDataFreshness />
        <ViewerConnection signedIn={signedIn} />
      </div>
    </>
  );
}

/** Public page: inside the shell for a signed-in user, with the minimal public header otherwise. */
export default function SystemStatusPage() {
  const { status } = useSession();
  return status === 'authenticated' ? (
    <RealtimeProvider>
      <AppShell>
        <StatusContent signedIn />
      </AppShell>
    </RealtimeProvider>
  ) : (
    <PublicLayout>
      <StatusContent signedIn={false} />
    </PublicLayout>
  );
}
