'use client';
import { Badge, statusTone } from '@/components/ui';
import { useConnectionStatus } from '@/lib/connection-status';

const LABELS = { connected: 'Live', reconnecting: 'Reconnecting', offline: 'Offline' } as const;

/** Header slot for the real-time connection; renders nothing until a WebSocket provider exists. */
export function ConnectionIndicator() {
  const status = useConnectionStatus();
  if (!status) return null;
  const label =
    status.state === 'reconnecting' && status.retry_in_s !== undefined ? `${LABELS.reconnecting} in ${status.retry_in_s} s` : LABELS[status.state];
  return (
    <span aria-live="polite" data-testid="connection-indicator" data-state={status.state}>
      <Badge tone={statusTone(status.state)} dot title="Real-time connection">
        {label}
      </Badge>
    </span>
  );
}
