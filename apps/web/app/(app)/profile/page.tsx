'use client';
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { UserView } from '@optibid/contracts';
import { Button, Card, ErrorMessage, Field, Input, useToast } from '@/components/ui';
import { api, fieldErrors } from '@/lib/api';
import { useSession, useUser } from '@/lib/session';
import { PASSWORD_MIN_LENGTH, compactErrors, validateConfirmation, validateNewPassword, validateRequired } from '@/lib/validation';

function NameForm() {
  const user = useUser();
  const { setUser } = useSession();
  const toast = useToast();
  const [name, setName] = useState(user.name);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => setName(user.name), [user.name]);

  const save = useMutation({
    mutationFn: (n: string) => api.patch<UserView>('/api/auth/me', { name: n }),
    onSuccess: (u) => {
      setUser(u);
      toast.show({ title: 'Name saved', tone: 'success' });
    },
    onError: (err) => setError(fieldErrors(err).name),
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const err = validateRequired(name, 'your name') ?? (name.trim().length > 200 ? 'Use at most 200 characters.' : undefined);
    setError(err);
    if (!err) save.mutate(name.trim());
  }

  return (
    <Card title="Profile">
      <ErrorMessage error={save.error} />
      <form onSubmit={onSubmit} noValidate aria-label="Profile">
        <Field label="Email" hint="Your sign-in address cannot be changed here.">
          {(p) => <Input {...p} value={user.email} disabled readOnly />}
        </Field>
        <Field label="Name" error={error}>
          {(p) => <Input {...p} name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Button type="submit" loading={save.isPending} disabled={name.trim() === user.name}>
          Save name
        </Button>
      </form>
    </Card>
  );
}

type PwErrors = Partial<Record<'current_password' | 'new_password' | 'confirm', string>>;

function PasswordForm() {
  const toast = useToast();
  const [form, setForm] = useState({ current_password: '', new_password: '', confirm: '' });
  const [errors, setErrors] = useState<PwErrors>({});
  const change = useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) => api.post('/api/auth/password', body),
    onSuccess: () => {
      setForm({ current_password: '', new_password: '', confirm: '' });
      setErrors({});
      toast.show({ title: 'Password changed', tone: 'success' });
    },
    onError: (err) => setErrors(fieldErrors(err) as PwErrors),
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const next = compactErrors({
      current_password: form.current_password ? undefined : 'Enter your current password.',
      new_password:
        validateNewPassword(form.new_password) ??
        (form.new_password === form.current_password ? 'Choose a password different from the current one.' : undefined),
      confirm: validateConfirmation(form.new_password, form.confirm),
    });
    setErrors(next);
    if (Object.keys(next).length === 0) change.mutate({ current_password: form.current_password, new_password: form.new_password });
  }

  return (
    <Card title="Change password">
      <ErrorMessage error={change.error} />
      <form onSubmit={onSubmit} noValidate aria-label="Change password">
        <Field label="Current password" error={errors.current_password}>
          {(p) => (
            <Input {...p} name="current_password" type="password" autoComplete="current-password" value={form.current_password} onChange={set('current_password')} />
          )}
        </Field>
        <Field label="New password" error={errors.new_password} hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}>
          {(p) => <Input {...p} name="new_password" type="password" autoComplete="new-password" value={form.new_password} onChange={set('new_password')} />}
        </Field>
        <Field label="Repeat new password" error={errors.confirm}>
          {(p) => <Input {...p} name="confirm" type="password" autoComplete="new-password" value={form.confirm} onChange={set('confirm')} />}
        </Field>
        <Button type="submit" loading={change.isPending}>
          Change password
        </Button>
      </form>
    </Card>
  );
}

export default function ProfilePage() {
  return (
    <>
      <div className="page-header">
        <h1>Profile</h1>
      </div>
      <div className="grid" style={{ maxWidth: 960 }}>
        <NameForm />
        <PasswordForm />
      </div>
    </>
  );
}
