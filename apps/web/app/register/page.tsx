'use client';
import { useEffect, useState, type FormEvent } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { Button, Card, ErrorMessage, Field, Input } from '@/components/ui';
import { PublicLayout } from '@/components/app-shell';
import { fieldErrors } from '@/lib/api';
import { useSession, type RegisterInput } from '@/lib/session';
import { PASSWORD_MIN_LENGTH, compactErrors, validateConfirmation, validateEmail, validateNewPassword, validateRequired } from '@/lib/validation';

type FormErrors = Partial<Record<keyof RegisterInput | 'confirm', string>>;

export default function RegisterPage() {
  const { status, register } = useSession();
  const router = useRouter();
  const [form, setForm] = useState({ name: '', email: '', organization_name: '', password: '', confirm: '' });
  const [errors, setErrors] = useState<FormErrors>({});
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    if (status === 'authenticated' && !submitting) router.replace('/');
  }, [status, submitting, router]);

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const next = compactErrors({
      name: validateRequired(form.name, 'your name'),
      email: validateEmail(form.email),
      organization_name: validateRequired(form.organization_name, 'the organisation name'),
      password: validateNewPassword(form.password),
      confirm: validateConfirmation(form.password, form.confirm),
    });
    setErrors(next);
    if (Object.keys(next).length) return;
    setSubmitting(true);
    setSubmitError(null);
    try {
      await register({ name: form.name.trim(), email: form.email.trim(), organization_name: form.organization_name.trim(), password: form.password });
      router.replace('/');
    } catch (err) {
      setErrors(fieldErrors(err) as FormErrors);
      setSubmitError(err);
      setSubmitting(false);
    }
  }

  return (
    <PublicLayout>
      <div className="auth-card">
        <Card title="Create an organisation">
          <ErrorMessage error={submitError} />
          <form onSubmit={onSubmit} noValidate aria-label="Register">
            <Field label="Your name" error={errors.name}>
              {(p) => <Input {...p} name="name" autoComplete="name" value={form.name} onChange={set('name')} autoFocus />}
            </Field>
            <Field label="Email" error={errors.email}>
              {(p) => <Input {...p} name="email" type="email" autoComplete="email" value={form.email} onChange={set('email')} />}
            </Field>
            <Field label="Organisation" error={errors.organization_name} hint="You become its owner and can invite colleagues later.">
              {(p) => <Input {...p} name="organization_name" autoComplete="organization" value={form.organization_name} onChange={set('organization_name')} />}
            </Field>
            <Field label="Password" error={errors.password} hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}>
              {(p) => <Input {...p} name="password" type="password" autoComplete="new-password" value={form.password} onChange={set('password')} />}
            </Field>
            <Field label="Repeat password" error={errors.confirm}>
              {(p) => <Input {...p} name="confirm" type="password" autoComplete="new-password" value={form.confirm} onChange={set('confirm')} />}
            </Field>
            <Button type="submit" block loading={submitting}>
              Create account
            </Button>
          </form>
          <p className="muted" style={{ marginBottom: 0 }}>
            Already have an account? <Link href="/login">Sign in</Link>
          </p>
        </Card>
      </div>
    </PublicLayout>
  );
}
