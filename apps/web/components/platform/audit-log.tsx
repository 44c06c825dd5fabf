'use client';
import { useState, type FormEvent } from 'react';
import { Badge, Button, Card, ErrorMessage, Field, Input, Loading, Table, type Column } from '@/components/ui';
import { useAudit, type AuditEntry, type AuditFilters } from '@/lib/platform-queries';
import { When } from './common';

function detailsText(d: Record<string, unknown>): string {
  const s = Object.entries(d)
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
  return s.length > 160 ? `${s.slice(0, 157)}…` : s;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-/i;
const shortId = (id: string) => (UUID.test(id) ? id.slice(0, 8) : id);

/**
 * Who did what, when and from where, newest first. `scope="org"` reads the caller's
 * organisation; `scope="admin"` reads every organisation (platform admins).
 */
export function AuditLog({ scope, title = 'Activity' }: { scope: 'org' | 'admin'; title?: string }) {
  const [draft, setDraft] = useState({ action: '', since: '', organization_id: '' });
  const [filters, setFilters] = useState<AuditFilters>({});
  const audit = useAudit(scope, filters);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setFilters({
      action: draft.action.trim() || undefined,
      since: draft.since ? new Date(`${draft.since}T00:00:00Z`).toISOString() : undefined,
      organization_id: scope === 'admin' ? draft.organization_id.trim() || undefined : undefined,
    });
  }

  const columns: Column<AuditEntry>[] = [
    { key: 'at', header: 'When', render: (r) => <When at={r.created_at} seconds /> },
    { key: 'who', header: 'Who', render: (r) => r.actor_email ?? <span className="muted">{r.actor_user_id ? r.actor_user_id.slice(0, 8) : 'system'}</span> },
    { key: 'action', header: 'Action', render: (r) => <Badge tone={r.action.includes('fail') || r.action.includes('denied') ? 'warning' : 'neutral'}>{r.action}</Badge> },
    { key: 'target', header: 'Target', render: (r) => (r.target_type ? <span className="muted">{r.target_type} {r.target_id ? <code title={r.target_id}>{shortId(r.target_id)}</code> : null}</span> : null) },
    { key: 'from', header: 'From', render: (r) => <span className="mono" title={r.user_agent ?? undefined}>{r.ip ?? '—'}</span> },
    { key: 'details', header: 'Details', render: (r) => <span style={{ fontSize: '0.8rem', wordBreak: 'break-word', display: 'inline-block', minWidth: 220 }}>{detailsText(r.details)}</span> },
  ];
  if (scope === 'admin') columns.splice(2, 0, { key: 'org', header: 'Organisation', render: (r) => (r.organization_id ? <code>{r.organization_id.slice(0, 8)}</code> : <span className="muted">—</span>) });

  return (
    <Card title={title}>
      <form onSubmit={onSubmit} className="row" aria-label="Filter the audit log" style={{ alignItems: 'flex-end' }}>
        <div style={{ flex: '1 1 200px' }}>
          <Field label="Action" hint="Exact, or a prefix with *, e.g. auth.*">
            {(p) => <Input {...p} value={draft.action} placeholder="auth.*" onChange={(e) => setDraft((d) => ({ ...d, action: e.target.value }))} />}
          </Field>
        </div>
        <div style={{ flex: '0 1 180px' }}>
          <Field label="Since (UTC day)">
            {(p) => <Input {...p} type="date" value={draft.since} onChange={(e) => setDraft((d) => ({ ...d, since: e.target.value }))} />}
          </Field>
        </div>
        {scope === 'admin' ? (
          <div style={{ flex: '1 1 220px' }}>
            <Field label="Organisation id">
              {(p) => <Input {...p} value={draft.organization_id} onChange={(e) => setDraft((d) => ({ ...d, organization_id: e.target.value }))} />}
            </Field>
          </div>
        ) : null}
        <div style={{ marginBottom: '1.9rem' }}>
          <Button type="submit" variant="secondary">
            Filter
          </Button>
        </div>
      </form>
      <ErrorMessage error={audit.error} />
      {audit.isPending ? <Loading /> : null}
      {audit.data ? (
        <Table columns={columns} rows={audit.data.items} rowKey={(r) => r.id} empty={<p className="muted">No matching entries.</p>} />
      ) : null}
    </Card>
  );
}
