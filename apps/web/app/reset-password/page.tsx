'use client';
import { useEffect, useState, type FormEvent } from 'react';
import Link from 'next/link';
import { Button, Card, ErrorMessage, Field, Input, Notice } from '@/components/ui';
import { PublicLayout } from '@/components/app-shell';
import { api, fieldErrors } from '@/lib/api';
import { useSession } from '@/lib/session';
import { clearSession } from '@/lib/session-store';
import { PASSWORD_MIN_LENGTH, compactErrors, validateConfirmation, validateNewPassword } from '@/lib/validation';

export default function ResetPasswordPage() {
  const { user } = useSession();
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [form, setForm] = useState({ password: '', confirm: '' });
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  useEffect(() => setToken(new URLSearchParams(window.location.search).get('token')), []);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const next = compactErrors({ password: validateNewPassword(form.password), confirm: validateConfirmation(form.password, form.confirm) });
    setErrors(next);
    if (Object.keys(next).length || !token) return;
    setSubmitting(true);
    setSubmitError(null);
    try {
      await api.post('/api/auth/password-reset/confirm', { token, new_password: form.password }, { auth: false });
      // Every session of the account ended on the server; drop this tab's tokens too.
      if (user) clearSession('logout');
      setDone(true);
    } catch (err) {
      const f = fieldErrors(err);
      setErrors({ password: f.new_password });
      setSubmitError(err);
    } finally {
      setSubmitting(false);
    }
  }

  const invalid = token === null || (token !== undefined && token.length < 10);
  return (
    <PublicLayout>
      <div className="auth-card">
        <Card title="Choose a new password">
          {invalid ? (
            <ErrorMessage error={new Error('This link has no valid reset token. Request a new link.')} action={<Link href="/forgot-password">Request a new link</Link>} />
          ) : done ? (
            <Notice tone="success">
              Your password is changed and every session was signed out. <Link href="/login">Sign in</Link> with the new password.
            </Notice>
          ) : (
            <>
              <ErrorMessage error={submitError} action={<Link href="/forgot-password">Request a new link</Link>} />
              <form onSubmit={onSubmit} noValidate aria-label="Choose a new password">
                <Field label="New password" error={errors.password} hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}>
                  {(p) => (
                    <Input {...p} name="new_password" type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm((f) => ({ ...f, password: e.target.value }))} />
                  )}
                </Field>
                <Field label="Repeat new password" error={errors.confirm}>
                  {(p) => <Input {...p} name="confirm" type="password" autoComplete="new-password" value={form.confirm} onChange={(e) => setForm((f) => ({ ...f, confirm: e.target.value }))} />}
                </Field>
                <Button type="submit" block loading={submitting} disabled={token === undefined}>
                  Set new password
                </Button>
              </form>
            </>
          )}
        </Card>
      </div>
    </PublicLayout>
  );
}
