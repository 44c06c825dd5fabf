'use client';
import { useState, type FormEvent } from 'react';
import Link from 'next/link';
import { Button, Card, ErrorMessage, Field, Input, Notice } from '@/components/ui';
import { PublicLayout } from '@/components/app-shell';
import { api } from '@/lib/api';
import { validateEmail } from '@/lib/validation';

export default function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const err = validateEmail(email);
    setError(err);
    if (err) return;
    setSubmitting(true);
    setSubmitError(null);
    try {
      await api.post('/api/auth/password-reset/request', { email: email.trim() }, { auth: false });
      setSent(email.trim());
    } catch (e2) {
      setSubmitError(e2);
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <PublicLayout>
      <div className="auth-card">
        <Card title="Reset your password">
          {sent ? (
            <Notice tone="success">
              If {sent} has an account, a single-use reset link is on its way (valid for one hour). Without a configured mail server the link is written to the server
              log.
            </Notice>
          ) : (
            <>
              <p style={{ marginTop: 0 }}>Enter your account&apos;s email address and we will send you a link to choose a new password.</p>
              <ErrorMessage error={submitError} />
              <form onSubmit={onSubmit} noValidate aria-label="Request a password reset">
                <Field label="Email" error={error}>
                  {(p) => <Input {...p} name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />}
                </Field>
                <Button type="submit" block loading={submitting}>
                  Send reset link
                </Button>
              </form>
            </>
          )}
          <p className="muted" style={{ marginBottom: 0 }}>
            <Link href="/login">Back to sign in</Link>
          </p>
        </Card>
      </div>
    </PublicLayout>
  );
}
