'use client';
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Card, ErrorMessage, Input, Loading, Select, Table, useToast } from '@/components/ui';
import { api } from '@/lib/api';
import { ROLE_OPTIONS, useAdminOrg, useAdminOrgs, useAdminUser, useAdminUsers, type AdminOrg, type AdminUser } from '@/lib/platform-queries';
import { useUser } from '@/lib/session';
import { ActiveBadge, ConfirmButton, When } from './common';
import { QuotaList } from './usage-quotas';

function SearchBox({ label, onSearch }: { label: string; onSearch: (q: string) => void }) {
  const [q, setQ] = useState('');
  return (
    <form
      role="search"
      aria-label={label}
      className="row"
      style={{ marginBottom: '0.75rem', flexWrap: 'nowrap' }}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSearch(q.trim());
      }}
    >
      <Input type="search" aria-label={label} placeholder={label} value={q} onChange={(e) => setQ(e.target.value)} style={{ flex: 1 }} />
      <Button type="submit" variant="secondary">
        Search
      </Button>
    </form>
  );
}

/** Invalidates everything under ['admin'] after a change (lists and details show the same rows). */
function useAdminChange<T>(fn: (v: T) => Promise<unknown>, done: string) {
  const qc = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['admin'] });
      toast.show({ title: done, tone: 'success' });
    },
  });
}

function OrgDetail({ id }: { id: string }) {
  const org = useAdminOrg(id);
  const mfa = useAdminChange((require_mfa: boolean) => api.patch(`/api/admin/organizations/${id}`, { require_mfa }), 'Organisation updated');
  const membership = useAdminChange(
    ({ user, body }: { user: string; body: { role?: string; is_active?: boolean } }) => api.patch(`/api/admin/users/${user}/memberships/${id}`, body),
    'Membership updated',
  );
  if (org.isPending) return <Loading />;
  if (!org.data) return <ErrorMessage error={org.error} />;
  const o = org.data;
  return (
    <div className="stack" style={{ gap: '0.75rem' }} data-testid="admin-org-detail">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h3 style={{ margin: 0 }}>{o.name}</h3>
        <div className="row" style={{ gap: '0.4rem' }}>
          {o.is_demo ? <Badge tone="demo">demo</Badge> : null}
          <Badge tone="info">plan {o.plan_id}</Badge>
        </div>
      </div>
      <ErrorMessage error={mfa.error ?? membership.error} />
      <label>
        <input type="checkbox" checked={o.require_mfa} disabled={mfa.isPending} onChange={(e) => mfa.mutate(e.target.checked)} /> Require two-factor sign-in for
        its members
      </label>
      <Table
        columns={[
          { key: 'who', header: 'Member', render: (m) => <span>{m.name} <span className="muted">{m.email}</span></span> },
          {
            key: 'role',
            header: 'Role',
            render: (m) => (
              <Select
                aria-label={`Role of ${m.email} in ${o.name}`}
                options={ROLE_OPTIONS}
                value={m.role}
                onChange={(e) => membership.mutate({ user: m.user_id, body: { role: e.target.value } })}
              />
            ),
          },
          {
            key: 'active',
            header: 'Membership',
            render: (m) =>
              m.active ? (
                <ConfirmButton aria-label={`Deactivate ${m.email} in ${o.name}`} onConfirm={() => membership.mutate({ user: m.user_id, body: { is_active: false } })}>
                  Deactivate
                </ConfirmButton>
              ) : (
                <Button size="sm" variant="secondary" onClick={() => membership.mutate({ user: m.user_id, body: { is_active: true } })}>
                  Reactivate
                </Button>
              ),
          },
        ]}
        rows={o.member_list}
        rowKey={(m) => m.user_id}
      />
      <h4 style={{ margin: '0.5rem 0 0' }}>Usage ({o.usage.plan.name})</h4>
      <QuotaList usage={o.usage} />
    </div>
  );
}

function UserDetail({ id }: { id: string }) {
  const me = useUser();
  const user = useAdminUser(id);
  const change = useAdminChange((body: { is_active?: boolean; is_platform_admin?: boolean }) => api.patch(`/api/admin/users/${id}`, body), 'User updated');
  const membership = useAdminChange(
    ({ org, body }: { org: string; body: { role?: string; is_active?: boolean } }) => api.patch(`/api/admin/users/${id}/memberships/${org}`, body),
    'Membership updated',
  );
  if (user.isPending) return <Loading />;
  if (!user.data) return <ErrorMessage error={user.error} />;
  const u = user.data;
  const self = u.id === me.id;
  return (
    <div className="stack" style={{ gap: '0.75rem' }} data-testid="admin-user-detail">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h3 style={{ margin: 0 }}>
          {u.name} <span className="muted" style={{ fontWeight: 400 }}>{u.email}</span>
        </h3>
        <div className="row" style={{ gap: '0.4rem' }}>
          <ActiveBadge active={u.is_active} />
          {u.is_platform_admin ? <Badge tone="warning">platform admin</Badge> : null}
          <Badge tone={u.mfa_enabled ? 'success' : 'neutral'}>2FA {u.mfa_enabled ? 'on' : 'off'}</Badge>
        </div>
      </div>
      <div className="muted" style={{ fontSize: '0.9rem' }}>
        Created <When at={u.created_at} /> · last sign-in <When at={u.last_login_at} /> · {u.sessions} live session{u.sessions === 1 ? '' : 's'}
      </div>
      <ErrorMessage error={change.error ?? membership.error} />
      <div className="row">
        {u.is_active ? (
          <ConfirmButton disabled={self} title={self ? 'You cannot deactivate yourself' : undefined} onConfirm={() => change.mutate({ is_active: false })}>
            Deactivate user
          </ConfirmButton>
        ) : (
          <Button size="sm" variant="secondary" onClick={() => change.mutate({ is_active: true })}>
            Reactivate user
          </Button>
        )}
        <ConfirmButton disabled={self} onConfirm={() => change.mutate({ is_platform_admin: !u.is_platform_admin })}>
          {u.is_platform_admin ? 'Remove platform admin' : 'Make platform admin'}
        </ConfirmButton>
      </div>
      <Table
        columns={[
          { key: 'org', header: 'Organisation', render: (m) => m.organization_name },
          {
            key: 'role',
            header: 'Role',
            render: (m) => (
              <Select
                aria-label={`Role in ${m.organization_name}`}
                options={ROLE_OPTIONS}
                value={m.role}
                onChange={(e) => membership.mutate({ org: m.organization_id, body: { role: e.target.value } })}
              />
            ),
          },
          { key: 'active', header: 'Membership', render: (m) => <ActiveBadge active={m.is_active} /> },
        ]}
        rows={u.memberships}
        rowKey={(m) => m.organization_id}
        empty={<p className="muted">No memberships.</p>}
      />
    </div>
  );
}

/** Users and organisations: search, detail, role changes, deactivation. */
export function AdminDirectory() {
  const [orgQ, setOrgQ] = useState('');
  const [userQ, setUserQ] = useState('');
  const [orgId, setOrgId] = useState<string | null>(null);
  const [userId, setUserId] = useState<string | null>(null);
  const orgs = useAdminOrgs(orgQ);
  const users = useAdminUsers(userQ);
  const selectedStyle = (on: boolean) => (on ? { fontWeight: 700 } : undefined);
  return (
    <div className="grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(560px, 1fr))', alignItems: 'start' }}>
      <Card title="Organisations" actions={orgs.data ? <span className="muted">{orgs.data.items.length}</span> : null}>
        <SearchBox label="Search organisations by name or id" onSearch={setOrgQ} />
        <ErrorMessage error={orgs.error} />
        {orgs.isPending ? <Loading /> : null}
        {orgs.data ? (
          <Table<AdminOrg>
            columns={[
              {
                key: 'name',
                header: 'Name',
                render: (o) => (
                  <Button variant="ghost" size="sm" onClick={() => setOrgId(o.id)} style={selectedStyle(o.id === orgId)} aria-label={`Open organisation ${o.name}`}>
                    {o.name}
                  </Button>
                ),
              },
              { key: 'plan', header: 'Plan', render: (o) => <Badge tone="info">{o.plan_id}</Badge> },
              { key: 'members', header: 'Members', numeric: true, render: (o) => `${o.active_members} / ${o.members}` },
              { key: 'mfa', header: '2FA required', render: (o) => (o.require_mfa ? 'yes' : 'no') },
              { key: 'created', header: 'Created', render: (o) => <When at={o.created_at} /> },
            ]}
            rows={orgs.data.items}
            rowKey={(o) => o.id}
            empty={<p className="muted">No organisation matches.</p>}
          />
        ) : null}
        {orgId ? (
          <div style={{ borderTop: '1px solid var(--border)', marginTop: '0.75rem', paddingTop: '0.75rem' }}>
            <OrgDetail id={orgId} />
          </div>
        ) : null}
      </Card>
      <Card title="Users" actions={users.data ? <span className="muted">{users.data.items.length}</span> : null}>
        <SearchBox label="Search users by email or name" onSearch={setUserQ} />
        <ErrorMessage error={users.error} />
        {users.isPending ? <Loading /> : null}
        {users.data ? (
          <Table<AdminUser>
            columns={[
              {
                key: 'email',
                header: 'User',
                render: (u) => (
                  <Button variant="ghost" size="sm" onClick={() => setUserId(u.id)} style={selectedStyle(u.id === userId)} aria-label={`Open user ${u.email}`}>
                    {u.email}
                  </Button>
                ),
              },
              { key: 'name', header: 'Name', render: (u) => u.name },
              { key: 'state', header: 'State', render: (u) => <ActiveBadge active={u.is_active} /> },
              { key: 'admin', header: 'Admin', render: (u) => (u.is_platform_admin ? <Badge tone="warning">platform</Badge> : null) },
              { key: 'last', header: 'Last sign-in', render: (u) => <When at={u.last_login_at} /> },
            ]}
            rows={users.data.items}
            rowKey={(u) => u.id}
            empty={<p className="muted">No user matches.</p>}
          />
        ) : null}
        {userId ? (
          <div style={{ borderTop: '1px solid var(--border)', marginTop: '0.75rem', paddingTop: '0.75rem' }}>
            <UserDetail id={userId} />
          </div>
        ) : null}
      </Card>
    </div>
  );
}
