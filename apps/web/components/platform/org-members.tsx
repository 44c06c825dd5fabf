'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { Badge, Button, Card, ErrorMessage, Loading, Select, Table, useToast, type Column } from '@/components/ui';
import { api } from '@/lib/api';
import { ROLE_OPTIONS, platformKeys, useMembers, type MemberView } from '@/lib/platform-queries';
import { hasPermission, useSession, useUser } from '@/lib/session';
import { ActiveBadge, ConfirmButton, When } from './common';

/** Members of the caller's organisation; admins change roles and (de)activate. */
export function OrgMembers() {
  const user = useUser();
  const canManage = hasPermission(user, 'org:manage');
  const members = useMembers();
  const qc = useQueryClient();
  const toast = useToast();

  const change = useMutation({
    mutationFn: ({ id, body }: { id: string; body: { role?: string; active?: boolean } }) => api.patch(`/api/org/members/${id}`, body),
    onSuccess: (_r, v) => {
      qc.invalidateQueries({ queryKey: platformKeys.members });
      toast.show({ title: v.body.role ? `Role changed to ${v.body.role}` : v.body.active ? 'Member reactivated' : 'Member deactivated', tone: 'success' });
    },
  });

  const columns: Column<MemberView>[] = [
    {
      key: 'name',
      header: 'Member',
      render: (m) => (
        <div>
          <strong>{m.name}</strong>
          {m.user_id === user.id ? <span className="muted"> (you)</span> : null}
          <div className="muted" style={{ fontSize: '0.85rem' }}>
            {m.email}
          </div>
        </div>
      ),
    },
    {
      key: 'role',
      header: 'Role',
      render: (m) =>
        canManage && m.user_id !== user.id ? (
          <Select
            aria-label={`Role of ${m.email}`}
            options={ROLE_OPTIONS}
            value={m.role}
            disabled={change.isPending}
            onChange={(e) => change.mutate({ id: m.user_id, body: { role: e.target.value } })}
          />
        ) : (
          <Badge tone="info">{m.role}</Badge>
        ),
    },
    { key: 'status', header: 'Status', render: (m) => <ActiveBadge active={m.active} /> },
    { key: 'joined', header: 'Joined', render: (m) => <When at={m.joined_at} /> },
  ];
  if (canManage) {
    columns.push({
      key: 'actions',
      header: '',
      render: (m) =>
        m.user_id === user.id ? null : m.active ? (
          <ConfirmButton aria-label={`Deactivate ${m.email}`} confirmLabel="Confirm deactivate" onConfirm={() => change.mutate({ id: m.user_id, body: { active: false } })}>
            Deactivate
          </ConfirmButton>
        ) : (
          <Button variant="secondary" size="sm" onClick={() => change.mutate({ id: m.user_id, body: { active: true } })}>
            Reactivate
          </Button>
        ),
    });
  }

  return (
    <Card title="Members" actions={members.data ? <span className="muted">{members.data.items.filter((m) => m.active).length} active</span> : null}>
      <ErrorMessage error={members.error ?? change.error} />
      {members.isPending ? <Loading /> : null}
      {members.data ? <Table columns={columns} rows={members.data.items} rowKey={(m) => m.user_id} /> : null}
      {canManage ? (
        <p className="muted" style={{ fontSize: '0.85rem', marginBottom: 0 }}>
          Deactivating a member ends their sessions at once. The last owner cannot be demoted or removed.
        </p>
      ) : null}
    </Card>
  );
}

/** Leave the organisation (refused for the last owner); signs out afterwards. */
export function LeaveOrganization() {
  const user = useUser();
  const { logout } = useSession();
  const router = useRouter();
  const leave = useMutation({
    mutationFn: () => api.post('/api/org/leave'),
    onSuccess: async () => {
      await logout();
      router.replace('/login');
    },
  });
  return (
    <Card title="Leave organisation">
      <ErrorMessage error={leave.error} />
      <p className="muted" style={{ marginTop: 0 }}>
        You lose access to {user.organization.name} and are signed out. An owner must first make someone else owner.
      </p>
      <ConfirmButton confirmLabel="Confirm: leave" loading={leave.isPending} onConfirm={() => leave.mutate()}>
        Leave {user.organization.name}
      </ConfirmButton>
    </Card>
  );
}
