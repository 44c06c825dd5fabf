'use client';
import Link from 'next/link';
import { Card } from '@/components/ui';
import { MfaCard } from '@/components/platform/mfa-card';
import { SessionsCard } from '@/components/platform/sessions-card';

export default function SecurityPage() {
  return (
    <>
      <div className="page-header">
        <h1>Security</h1>
        <span className="muted">Two-factor authentication, where you are signed in, and your password.</span>
      </div>
      <div className="stack" style={{ maxWidth: 1100 }}>
        <MfaCard />
        <SessionsCard />
        <Card title="Password">
          <p style={{ margin: 0 }}>
            Change it on your <Link href="/profile">profile</Link>. Forgot it? Sign out and use <Link href="/forgot-password">reset by email</Link>: a reset ends
            every session.
          </p>
        </Card>
      </div>
    </>
  );
}
