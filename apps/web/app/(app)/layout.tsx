'use client';
import type { ReactNode } from 'react';
import { AppShell } from '@/components/app-shell';
import { RequireAuth } from '@/components/require-auth';
import { MfaEnrollmentGuard } from '@/components/platform/mfa-guard';
import { RealtimeProvider } from '@/lib/realtime';

/** Every page in the (app) group needs a signed-in user and sits inside the shell, with one live connection per tab. */
export default function AppLayout({ children }: { children: ReactNode }) {
  return (
    <RequireAuth>
      <RealtimeProvider>
        <MfaEnrollmentGuard />
        <AppShell>{children}</AppShell>
      </RealtimeProvider>
    </RequireAuth>
  );
}
