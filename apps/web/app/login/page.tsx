'use client';
import { useEffect, useState, type FormEvent } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { Button, Card, DemoBadge, ErrorMessage, Field, Input, Notice } from '@/components/ui';
import { PublicLayout } from '@/components/app-shell';
import type { TokenResponse } from '@optibid/contracts';
import { ApiError, SESSION_EXPIRED_MESSAGE, api, sessionFromTokens } from '@/lib/api';
import { useMeta } from '@/lib/queries';
import { readReturnTo } from '@/lib/return-to';
import { useSession } from '@/lib/session';
import { consumeExpiredNotice, setSession } from '@/lib/session-store';

export default function LoginPage() {
  const { status, login } = useSession();
  const router = useRouter();
  const meta = useMeta();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const [expired, setExpired] = useState(false);
  // Second step for accounts with two-factor authentication: the server answered 401 mfa_required.
  const [mfaStep, setMfaStep] = useState(false);
  const [mfaCode, setMfaCode] = useState('');
  const [mfaError, setMfaError] = useState<string | undefined>();

  useEffect(() => {
    setExpired(consumeExpiredNotice());
  }, []);

  // Already signed in (e.g. another tab): go where the user was heading.
  useEffect(() => {
    if (status === 'authenticated' && !submitting) router.replace(readReturnTo(window.location.search));
  }, [status, submitting, router]);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const next: typeof errors = {};
    if (!email.trim()) next.email = 'Enter your email address.';
    else if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) next.email = 'Enter a valid email address.';
    if (!password) next.password = 'Enter your password.';
    setErrors(next);
    if (next.email || next.password) return;
    const code = mfaCode.trim();
    if (mfaStep && code.length < 6) return setMfaError('Enter the 6-digit code from your authenticator app, or a recovery code.');
    setMfaError(undefined);
    setSubmitting(true);
    setSubmitError(null);
    try {
      if (mfaStep) {
        const tokens = await api.post<TokenResponse>('/api/auth/login', { email: email.trim(), password, mfa_code: code }, { auth: false });
        setSession(sessionFromTokens(tokens));
      } else {
        await login(email.trim(), password);
      }
      setExpired(false);
      router.replace(readReturnTo(window.location.search));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'mfa_required') setMfaStep(true);
      else if (err instanceof ApiError && err.code === 'mfa_invalid') setMfaError('That code is not valid: check the time on your device and try the next code.');
      else setSubmitError(err);
      setSubmitting(false);
    }
  }

  const demo = meta.data?.demo_mode ? meta.data.demo_accounts : [];

  return (
    <PublicLayout>
      <div className="auth-card">
        <Card
          title="Sign in to OptiBid"
          actions={meta.data?.demo_mode ? <DemoBadge /> : null}
        >
          {expired ? <Notice tone="warning">{SESSION_EXPIRED_MESSAGE}</Notice> : null}
          <ErrorMessage error={submitError} />
          <form onSubmit={onSubmit} noValidate aria-label="Sign in">
            <Field label="Email" error={errors.email}>
              {(p) => (
                <Input {...p} name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
              )}
            </Field>
            <Field label="Password" error={errors.password}>
              {(p) => (
                <Input
                  {...p}
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              )}
            </Field>
            {mfaStep ? (
              <Field label="Authentication code" error={mfaError} hint="Two-factor authentication is on for this account: enter the code from your app, or a recovery code.">
                {(p) => (
                  <Input {...p} name="mfa_code" inputMode="numeric" autoComplete="one-time-code" value={mfaCode} onChange={(e) => setMfaCode(e.target.value)} autoFocus />
                )}
              </Field>
            ) : null}
            <Button type="submit" block loading={submitting}>
              {mfaStep ? 'Verify and sign in' : 'Sign in'}
            </Button>
          </form>
          <p className="muted" style={{ marginBottom: 0 }}>
            No account? <Link href="/register">Create an organisation</Link> · <Link href="/forgot-password">Forgot your password?</Link>
          </p>
        </Card>
        {demo.length > 0 ? (
          <Card title="Demo accounts" style={{ marginTop: '1rem' }} data-testid="demo-accounts">
            <p className="muted" style={{ margin: 0, fontSize: '0.9rem' }}>
              This server runs in demo mode. Pick an account to fill the form:
            </p>
            <ul className="demo-accounts">
              {demo.map((a) => (
                <li key={a.email}>
                  <Button
                    variant="secondary"
                    size="sm"
                    onClick={() => {
                      setEmail(a.email);
                      setPassword(a.password);
                      setErrors({});
                    }}
                    aria-label={`Use the ${a.role} demo account ${a.email}`}
                  >
                    Use
                  </Button>
                  <span style={{ minWidth: '4.5rem', fontWeight: 600 }}>{a.role}</span>
                  <code>{a.email}</code>
                  <span className="muted">/</span>
                  <code>{a.password}</code>
                </li>
              ))}
            </ul>
          </Card>
        ) : null}
      </div>
    </PublicLayout>
  );
}
