'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Badge, Card, ErrorMessage, Loading, Table, type Column } from '@/components/ui';
import { api } from '@/lib/api';
import { platformKeys, useSessions, type SessionView } from '@/lib/platform-queries';
import { ConfirmButton, When } from './common';

/** A short, readable device name from a user agent. */
function device(ua: string | null): string {
  if (!ua) return 'Unknown device';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : /curl|node|undici/i.test(ua) ? 'API client' : 'Browser';
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} on ${os}` : browser;
}

/** Live sessions of the signed-in user, each revocable (its tokens stop working at once). */
export function SessionsCard() {
  const qc = useQueryClient();
  const sessions = useSessions();
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/api/auth/sessions/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: platformKeys.sessions }),
  });
  const columns: Column<SessionView>[] = [
    {
      key: 'device',
      header: 'Device',
      render: (s) => (
        <span title={s.user_agent ?? undefined}>
          {device(s.user_agent)} {s.current ? <Badge tone="success">this session</Badge> : null}
        </span>
      ),
    },
    { key: 'ip', header: 'IP address', render: (s) => <span className="mono">{s.ip ?? '—'}</span> },
    { key: 'created', header: 'Signed in', render: (s) => <When at={s.created_at} /> },
    { key: 'used', header: 'Last active', render: (s) => <When at={s.last_used_at} /> },
    { key: 'expires', header: 'Expires', render: (s) => <When at={s.expires_at} /> },
    {
      key: 'actions',
      header: '',
      render: (s) =>
        s.current ? null : (
          <ConfirmButton aria-label={`Revoke the session from ${device(s.user_agent)} signed in at ${s.created_at}`} confirmLabel="Confirm revoke" onConfirm={() => revoke.mutate(s.id)}>
            Revoke
          </ConfirmButton>
        ),
    },
  ];
  return (
    <Card title="Sessions" actions={sessions.data ? <span className="muted">{sessions.data.items.length} live</span> : null}>
      <ErrorMessage error={sessions.error ?? revoke.error} />
      {sessions.isPending ? <Loading /> : null}
      {sessions.data ? <Table columns={columns} rows={sessions.data.items} rowKey={(s) => s.id} empty={<p className="muted">No live sessions.</p>} /> : null}
    </Card>
  );
}
