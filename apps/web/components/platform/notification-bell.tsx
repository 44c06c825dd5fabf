'use client';
import { useEffect } from 'react';
import Link from 'next/link';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { useLiveAlerts } from '@/lib/realtime';

/** Header link to /notifications with the unread count; refreshed when an alert arrives and every minute. */
export function NotificationBell() {
  const qc = useQueryClient();
  const alerts = useLiveAlerts();
  const unread = useQuery({
    queryKey: ['notifications', 'unread-count'],
    queryFn: ({ signal }) => api.get<{ unread_count: number }>('/api/notifications?unread=true&limit=1', { signal }).then((r) => r.unread_count),
    refetchInterval: 60_000,
    retry: false,
  });
  const newest = alerts[0]?.alert_id;
  useEffect(() => {
    if (newest) qc.invalidateQueries({ queryKey: ['notifications'] });
  }, [newest, qc]);
  const n = unread.data ?? 0;
  const label = n === 0 ? 'Notifications, none unread' : `Notifications, ${n} unread`;
  return (
    <Link href="/notifications" aria-label={label} title={label} data-testid="notification-bell" className="ui-button ui-button--ghost ui-button--sm" style={{ position: 'relative' }}>
      <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
        <path d="M13.73 21a2 2 0 0 1-3.46 0" />
      </svg>
      {n > 0 ? (
        <span
          data-testid="unread-badge"
          style={{
            position: 'absolute',
            top: -4,
            right: -6,
            minWidth: 18,
            height: 18,
            padding: '0 4px',
            borderRadius: 9,
            background: 'var(--danger-fg)',
            color: '#fff',
            fontSize: '0.7rem',
            lineHeight: '18px',
            textAlign: 'center',
            fontWeight: 700,
          }}
        >
          {n > 99 ? '99+' : n}
        </span>
      ) : null}
    </Link>
  );
}
