'use client';
import { useEffect, useState, type FormEvent } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useQuery } from '@tanstack/react-query';
import type { TokenResponse } from '@optibid/contracts';
import { Badge, Button, Card, ErrorMessage, Field, Input, Loading, Notice } from '@/components/ui';
import { PublicLayout } from '@/components/app-shell';
import { When } from '@/components/platform/common';
import { api, fieldErrors, sessionFromTokens } from '@/lib/api';
import type { InvitationPreviewBody } from '@/lib/platform-queries';
import { useSession } from '@/lib/session';
import { setSession } from '@/lib/session-store';
import { PASSWORD_MIN_LENGTH, compactErrors, validateConfirmation, validateNewPassword, validateRequired } from '@/lib/validation';

/** The token from `?token=`, read after hydration (the page is static HTML). */
function useTokenParam(): string | null | undefined {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  useEffect(() => setToken(new URLSearchParams(window.location.search).get('token')), []);
  return token;
}

function AcceptForm({ token, preview }: { token: string; preview: InvitationPreviewBody }) {
  const router = useRouter();
  const [form, setForm] = useState({ name: '', password: '', confirm: '' });
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const isNew = !preview.account_exists;
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const next = compactErrors(
      isNew
        ? { name: validateRequired(form.name, 'your name'), password: validateNewPassword(form.password), confirm: validateConfirmation(form.password, form.confirm) }
        : { password: form.password ? undefined : 'Enter your password.' },
    );
    setErrors(next);
    if (Object.keys(next).length) return;
    setSubmitting(true);
    setSubmitError(null);
    try {
      const tokens = await api.post<TokenResponse>(
        '/api/org/invitations/accept',
        { token, password: form.password, ...(isNew ? { name: form.name.trim() } : {}) },
        { auth: false },
      );
      setSession(sessionFromTokens(tokens));
      router.replace('/');
    } catch (err) {
      setErrors(fieldErrors(err));
      setSubmitError(err);
      setSubmitting(false);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Accept the invitation">
      <ErrorMessage error={submitError} />
      <Field label="Email">{(p) => <Input {...p} value={preview.email} readOnly disabled />}</Field>
      {isNew ? (
        <Field label="Your name" error={errors.name}>
          {(p) => <Input {...p} name="name" autoComplete="name" value={form.name} onChange={set('name')} autoFocus />}
        </Field>
      ) : null}
      <Field
        label={isNew ? 'Choose a password' : 'Your password'}
        error={errors.password}
        hint={isNew ? `At least ${PASSWORD_MIN_LENGTH} characters.` : 'You already have an OptiBid account: confirm it is you.'}
      >
        {(p) => (
          <Input {...p} name="password" type="password" autoComplete={isNew ? 'new-password' : 'current-password'} value={form.password} onChange={set('password')} />
        )}
      </Field>
      {isNew ? (
        <Field label="Repeat the password" error={errors.confirm}>
          {(p) => <Input {...p} name="confirm" type="password" autoComplete="new-password" value={form.confirm} onChange={set('confirm')} />}
        </Field>
      ) : null}
      <Button type="submit" block loading={submitting}>
        Join {preview.organization.name}
      </Button>
    </form>
  );
}

export default function InvitePage() {
  const token = useTokenParam();
  const { user } = useSession();
  const preview = useQuery({
    queryKey: ['invitation-preview', token],
    queryFn: ({ signal }) => api.get<InvitationPreviewBody>(`/api/org/invitations/preview?token=${encodeURIComponent(token!)}`, { auth: false, signal }),
    enabled: !!token && token.length >= 10,
    retry: false,
  });
  return (
    <PublicLayout>
      <div className="auth-card">
        <Card title="Invitation to OptiBid">
          {token === undefined ? <Loading /> : null}
          {token === null || (token !== undefined && token.length < 10) ? (
            <ErrorMessage error={new Error('This link has no valid invitation token. Open the link from the invitation email, or ask for a new invitation.')} />
          ) : null}
          {preview.isLoading ? <Loading label="Checking the invitation…" /> : null}
          <ErrorMessage error={preview.error} title="This invitation cannot be used" />
          {preview.data && token ? (
            <>
              <p style={{ marginTop: 0 }} data-testid="invitation-summary">
                You are invited to join <strong>{preview.data.organization.name}</strong> as <Badge tone="info">{preview.data.role}</Badge>. The invitation
                expires on <When at={preview.data.expires_at} />.
              </p>
              {user && user.email.toLowerCase() !== preview.data.email.toLowerCase() ? (
                <Notice tone="warning">You are signed in as {user.email}; accepting signs you in as {preview.data.email} instead.</Notice>
              ) : null}
              <AcceptForm token={token} preview={preview.data} />
            </>
          ) : null}
          <p className="muted" style={{ marginBottom: 0 }}>
            <Link href="/login">Sign in</Link> instead
          </p>
        </Card>
      </div>
    </PublicLayout>
  );
}
