'use client';
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Card, EmptyState, ErrorMessage, Loading, type Tone } from '@/components/ui';
import { api } from '@/lib/api';
import { useNotifications, type NotificationView } from '@/lib/platform-queries';
import { useRealtimeEvents } from '@/lib/realtime';
import { When } from './common';

const SEVERITY_TONE: Record<NotificationView['severity'], Tone> = { info: 'info', warning: 'warning', critical: 'danger' };

/** In-app notifications, newest first, with read/unread; refreshed when an alert arrives over the socket. */
export function NotificationList() {
  const qc = useQueryClient();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const list = useNotifications(unreadOnly);
  useRealtimeEvents((e) => {
    if (e.type !== 'alert') return;
    qc.invalidateQueries({ queryKey: ['notifications'] });
    qc.invalidateQueries({ queryKey: ['alerts', 'rules'] }); // last_triggered_at moved
  });
  const mark = useMutation({
    mutationFn: (body: { ids?: string[]; all?: boolean }) => api.post('/api/notifications/read', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['notifications'] }),
  });
  const unread = list.data?.unread_count ?? 0;
  return (
    <Card
      title="Notifications"
      actions={
        <div className="row" style={{ gap: '0.5rem' }}>
          <Badge tone={unread ? 'warning' : 'neutral'}>
            <span data-testid="unread-count">{unread}</span> unread
          </Badge>
          <Button variant="secondary" size="sm" onClick={() => setUnreadOnly((v) => !v)} aria-pressed={unreadOnly}>
            {unreadOnly ? 'Show all' : 'Unread only'}
          </Button>
          <Button variant="secondary" size="sm" disabled={!unread} loading={mark.isPending} onClick={() => mark.mutate({ all: true })}>
            Mark all read
          </Button>
        </div>
      }
    >
      <ErrorMessage error={list.error ?? mark.error} />
      {list.isPending ? <Loading /> : null}
      {list.data && list.data.items.length === 0 ? (
        <EmptyState title={unreadOnly ? 'Nothing unread' : 'No notifications yet'}>When one of your alert rules triggers it shows up here and as a toast.</EmptyState>
      ) : null}
      {list.data && list.data.items.length > 0 ? (
        <ul style={{ listStyle: 'none', margin: 0, padding: 0 }} data-testid="notification-list">
          {list.data.items.map((n) => (
            <li
              key={n.id}
              style={{ padding: '0.6rem 0', borderBottom: '1px solid var(--border)', opacity: n.read ? 0.7 : 1 }}
              data-read={n.read ? 'true' : 'false'}
            >
              <div className="row" style={{ justifyContent: 'space-between', flexWrap: 'nowrap' }}>
                <div className="row" style={{ gap: '0.5rem' }}>
                  <Badge tone={SEVERITY_TONE[n.severity]}>{n.severity}</Badge>
                  <strong style={{ fontWeight: n.read ? 500 : 700 }}>{n.title}</strong>
                  {n.emailed_at ? <span className="muted" style={{ fontSize: '0.8rem' }}>emailed</span> : null}
                </div>
                <div className="row" style={{ gap: '0.5rem', flexWrap: 'nowrap' }}>
                  <When at={n.created_at} />
                  {n.read ? null : (
                    <Button variant="ghost" size="sm" onClick={() => mark.mutate({ ids: [n.id] })}>
                      Mark read
                    </Button>
                  )}
                </div>
              </div>
              <div className="muted" style={{ fontSize: '0.9rem', marginTop: '0.2rem' }}>
                {n.message}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}
