'use client';
import { useEffect, useState } from 'react';
import { Badge, Card, statusTone } from '@/components/ui';
import { useConnectionStatus, type ConnectionState } from '@/lib/connection-status';
import { formatLatencyMs } from '@/lib/format';
import { HEALTH_POLL_MS } from '@/lib/queries';
import { When } from './common';

const LABELS: Record<ConnectionState, string> = { connected: 'Live', reconnecting: 'Reconnecting', offline: 'Offline' };

interface Probe {
  state: 'checking' | 'reachable' | 'unreachable';
  handshake_ms: number | null;
  checked_at: string | null;
}

/**
 * Without a session there is no live socket to report: open one to the same endpoint,
 * time the handshake, close it, and repeat with the health poll.
 */
function useWebSocketProbe(enabled: boolean): Probe {
  const [probe, setProbe] = useState<Probe>({ state: 'checking', handshake_ms: null, checked_at: null });
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let ws: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      const started = performance.now();
      const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
      let settled = false;
      const settle = (p: Omit<Probe, 'checked_at'>) => {
        if (settled || stopped) return;
        settled = true;
        setProbe({ ...p, checked_at: new Date().toISOString() });
        ws?.close(1000, 'probe done');
        timer = setTimeout(run, HEALTH_POLL_MS);
      };
      try {
        ws = new WebSocket(`${proto}//${window.location.host}/api/ws/ws/prices`);
      } catch {
        settle({ state: 'unreachable', handshake_ms: null });
        return;
      }
      ws.onopen = () => settle({ state: 'reachable', handshake_ms: performance.now() - started });
      ws.onerror = () => settle({ state: 'unreachable', handshake_ms: null });
      ws.onclose = () => settle({ state: 'unreachable', handshake_ms: null });
    };
    run();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      ws?.close(1000, 'page left');
    };
  }, [enabled]);
  return probe;
}

/** The viewer's own real-time connection: the live socket when signed in, a handshake probe otherwise. */
export function ViewerConnection({ signedIn }: { signedIn: boolean }) {
  const live = useConnectionStatus();
  const probe = useWebSocketProbe(!signedIn);
  return (
    <Card title="Your connection">
      {signedIn && live ? (
        <div className="row" data-testid="viewer-connection" data-state={live.state}>
          <Badge tone={statusTone(live.state)} dot>
            WebSocket: {LABELS[live.state]}
            {live.state === 'reconnecting' && live.retry_in_s !== undefined ? ` in ${live.retry_in_s} s` : ''}
          </Badge>
          <span className="muted">Your browser&apos;s live connection for prices, bid updates and alerts.</span>
        </div>
      ) : (
        <div className="row" data-testid="viewer-connection" data-state={probe.state}>
          <Badge tone={probe.state === 'reachable' ? 'success' : probe.state === 'unreachable' ? 'danger' : 'neutral'} dot>
            WebSocket: {probe.state}
          </Badge>
          <span className="muted">
            {probe.handshake_ms !== null ? `handshake ${formatLatencyMs(probe.handshake_ms)} · ` : ''}
            {probe.checked_at ? (
              <>
                checked <When at={probe.checked_at} seconds />
              </>
            ) : (
              'checking…'
            )}{' '}
            · sign in for the live connection
          </span>
        </div>
      )}
    </Card>
  );
}
