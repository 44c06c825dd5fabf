'use client';
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Card, ErrorMessage, Field, Input, Loading, Notice, Select, Table, type Column, type Tone } from '@/components/ui';
import { api, fieldErrors } from '@/lib/api';
import { ROLE_OPTIONS, platformKeys, useInvitations, type CreatedInvitation, type InvitationView } from '@/lib/platform-queries';
import { validateEmail } from '@/lib/validation';
import { ConfirmButton, CopyValue, When } from './common';

const STATUS_TONE: Record<InvitationView['status'], Tone> = { pending: 'info', accepted: 'success', revoked: 'neutral', expired: 'warning' };

/** Invite by email with a role; when no mail server is configured the link is shown here once. */
export function OrgInvitations() {
  const qc = useQueryClient();
  const invitations = useInvitations();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('trader');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<CreatedInvitation | null>(null);

  const invite = useMutation({
    mutationFn: (body: { email: string; role: string }) => api.post<CreatedInvitation>('/api/org/invitations', body),
    onSuccess: (inv) => {
      setCreated(inv);
      setEmail('');
      qc.invalidateQueries({ queryKey: platformKeys.invitations });
    },
    onError: (err) => setErrors(fieldErrors(err)),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/api/org/invitations/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: platformKeys.invitations }),
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const err = validateEmail(email.trim());
    setErrors(err ? { email: err } : {});
    setCreated(null);
    if (!err) invite.mutate({ email: email.trim(), role });
  }

  const columns: Column<InvitationView>[] = [
    { key: 'email', header: 'Email', render: (i) => i.email },
    { key: 'role', header: 'Role', render: (i) => <Badge tone="info">{i.role}</Badge> },
    { key: 'status', header: 'Status', render: (i) => <Badge tone={STATUS_TONE[i.status]}>{i.status}</Badge> },
    { key: 'created', header: 'Sent', render: (i) => <When at={i.created_at} /> },
    { key: 'expires', header: 'Expires', render: (i) => <When at={i.expires_at} /> },
    {
      key: 'actions',
      header: '',
      render: (i) =>
        i.status === 'pending' ? (
          <ConfirmButton aria-label={`Revoke the invitation of ${i.email}`} confirmLabel="Confirm revoke" onConfirm={() => revoke.mutate(i.id)}>
            Revoke
          </ConfirmButton>
        ) : null,
    },
  ];

  const inviteUrl = created?.accept_url ?? (created?.token ? `${window.location.origin}/invite?token=${encodeURIComponent(created.token)}` : null);

  return (
    <div className="stack">
      <Card title="Invite a member">
        <ErrorMessage error={invite.error} />
        <form onSubmit={onSubmit} noValidate aria-label="Invite a member" className="row" style={{ alignItems: 'flex-end' }}>
          <div style={{ flex: '2 1 260px' }}>
            <Field label="Email address" error={errors.email}>
              {(p) => <Input {...p} name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
            </Field>
          </div>
          <div style={{ flex: '1 1 140px' }}>
            <Field label="Role" error={errors.role}>
              {(p) => <Select {...p} name="role" options={ROLE_OPTIONS} value={role} onChange={(e) => setRole(e.target.value)} />}
            </Field>
          </div>
          <div style={{ marginBottom: '0.9rem' }}>
            <Button type="submit" loading={invite.isPending}>
              Send invitation
            </Button>
          </div>
        </form>
        {created ? (
          created.emailed ? (
            <Notice tone="success">Invitation emailed to {created.email}. It expires on <When at={created.expires_at} />.</Notice>
          ) : (
            <div data-testid="invitation-created" className="stack" style={{ gap: '0.5rem' }}>
              <Notice tone="warning">
                No mail server is configured, so nothing was sent: give {created.email} this link yourself (shown only now). It expires on{' '}
                <When at={created.expires_at} />.
              </Notice>
              {inviteUrl ? <CopyValue value={inviteUrl} label="Invitation link" testId="invitation-link" /> : null}
              {created.token ? <CopyValue value={created.token} label="Invitation token" testId="invitation-token" /> : null}
            </div>
          )
        ) : null}
      </Card>
      <Card title="Invitations">
        <ErrorMessage error={invitations.error ?? revoke.error} />
        {invitations.isPending ? <Loading /> : null}
        {invitations.data ? (
          <Table
            columns={columns}
            rows={invitations.data.items}
            rowKey={(i) => i.id}
            empty={<p className="muted">No invitations yet.</p>}
          />
        ) : null}
      </Card>
    </div>
  );
}
