'use client';
/**
 * One WebSocket per tab to /api/ws/ws/prices: authenticates with the session's
 * access token (first message, so the token stays out of URLs and logs), follows
 * the zones the mounted components ask for, pings every 20 s, and reconnects with
 * exponential backoff (1 s doubling up to 30 s) re-sending auth and subscriptions;
 * a server instance that is shutting down closes with 1012 and the tab reconnects
 * within 600 ms (the load balancer sends it to another instance).
 * Org events (bid status, awards, alerts) become toasts and invalidate cached queries.
 */
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { AwardEvent, BacktestProgressEvent, BidStatusEvent, PriceUpdateMessage, WsAlertMessage } from '@optibid/contracts';
import { useToast } from '@/components/ui';
import { getAccessToken } from './api';
import { ConnectionStatusContext, type ConnectionStatus } from './connection-status';
import { useSession } from './session';
import { formatMwh } from './format';
import { reconnectDelayMs } from './reconnect';
import { usePreferences, type ToastEvent } from './preferences';

export { BACKOFF_MAX_MS, BACKOFF_MIN_MS, backoffMs, reconnectDelayMs, SERVICE_RESTART_CLOSE } from './reconnect';

export type { BacktestProgressEvent };

export type RealtimeEvent = PriceUpdateMessage | BidStatusEvent | AwardEvent | WsAlertMessage | BacktestProgressEvent;
type Listener = (e: RealtimeEvent) => void;

const PING_EVERY_MS = 20_000;
const PONG_TIMEOUT_MS = 10_000;

interface RealtimeApi {
  /** Follow price updates of `zones` (lower-case ISO ids); returns the unsubscribe. */
  subscribePrices(zones: string[], listener: (m: PriceUpdateMessage) => void): () => void;
  /** Every org event (bid_status, award, alert). */
  onEvent(listener: Listener): () => void;
}

const RealtimeContext = createContext<RealtimeApi | null>(null);
const AlertsContext = createContext<WsAlertMessage[]>([]);

/** Alerts received since the page loaded, newest first (at most 20). */
export function useLiveAlerts(): WsAlertMessage[] {
  return useContext(AlertsContext);
}

export function useRealtime(): RealtimeApi {
  const ctx = useContext(RealtimeContext);
  if (!ctx) throw new Error('useRealtime must be used inside <RealtimeProvider>');
  return ctx;
}

/** Price updates for `zones`, handled by `onPrice` (kept in a ref so callers need not memoise). */
export function usePriceUpdates(zones: string[], onPrice: (m: PriceUpdateMessage) => void): void {
  const rt = useRealtime();
  const ref = useRef(onPrice);
  ref.current = onPrice;
  const key = [...zones].sort().join(',');
  useEffect(() => {
    if (!key) return;
    return rt.subscribePrices(key.split(','), (m) => ref.current(m));
  }, [rt, key]);
}

/** Org events as they arrive. */
export function useRealtimeEvents(onEvent: Listener): void {
  const rt = useRealtime();
  const ref = useRef(onEvent);
  ref.current = onEvent;
  useEffect(() => rt.onEvent((e) => ref.current(e)), [rt]);
}

class Connection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;
  private countdown: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  private open = false;
  /** zone → number of listeners wanting it. */
  private zoneRefs = new Map<string, number>();
  private priceListeners = new Set<{ zones: Set<string>; fn: (m: PriceUpdateMessage) => void }>();
  private eventListeners = new Set<Listener>();

  constructor(private readonly setStatus: (s: ConnectionStatus) => void) {}

  start(): void {
    this.connect();
    window.addEventListener('online', this.onOnline);
  }

  stop(): void {
    this.closed = true;
    window.removeEventListener('online', this.onOnline);
    this.clearTimers();
    this.ws?.close(1000, 'signed out');
    this.ws = null;
  }

  private onOnline = () => {
    // The network is back: do not wait out a long backoff.
    if (!this.open && !this.closed) {
      this.attempt = 0;
      this.clearTimers();
      this.connect();
    }
  };

  private clearTimers(): void {
    for (const t of [this.retryTimer, this.pongTimer]) if (t) clearTimeout(t);
    for (const t of [this.pingTimer, this.countdown]) if (t) clearInterval(t);
    this.retryTimer = this.pongTimer = this.pingTimer = this.countdown = null;
  }

  private send(msg: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let token: string | null = null;
    try {
      token = await getAccessToken();
    } catch {
      /* refresh failed: the session guard signs out; connect anonymously meanwhile */
    }
    if (this.closed) return;
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${window.location.host}/api/ws/ws/prices`);
    this.ws = ws;
    ws.onopen = () => {
      if (token) ws.send(JSON.stringify({ type: 'auth', token }));
    };
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.open = false;
      this.ws = null;
      this.clearTimers();
      if (!this.closed) this.scheduleRetry(ev.code);
    };
    ws.onerror = () => undefined; // onclose follows and schedules the retry
  }

  private scheduleRetry(closeCode: number): void {
    const { delay_ms: delay, next_attempt } = reconnectDelayMs(closeCode, this.attempt);
    this.attempt = next_attempt;
    let left = Math.ceil(delay / 1000);
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    this.setStatus(offline ? { state: 'offline' } : { state: 'reconnecting', retry_in_s: left });
    this.countdown = setInterval(() => {
      left = Math.max(0, left - 1);
      const off = navigator.onLine === false;
      this.setStatus(off ? { state: 'offline' } : { state: 'reconnecting', retry_in_s: left });
    }, 1000);
    this.retryTimer = setTimeout(() => {
      if (this.countdown) clearInterval(this.countdown);
      this.countdown = null;
      this.connect();
    }, delay);
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: { type?: string } & Record<string, unknown>;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    switch (msg.type) {
      case 'connection_established':
        this.open = true;
        this.attempt = 0;
        this.setStatus({ state: 'connected' });
        this.syncZones(true);
        this.startHeartbeat();
        return;
      case 'pong':
        if (this.pongTimer) clearTimeout(this.pongTimer);
        this.pongTimer = null;
        return;
      case 'price_update': {
        const m = msg as unknown as PriceUpdateMessage;
        for (const l of this.priceListeners) if (l.zones.has(m.market_zone)) l.fn(m);
        return;
      }
      case 'bid_status':
      case 'award':
      case 'alert':
      case 'backtest_progress':
        for (const l of this.eventListeners) l(msg as unknown as RealtimeEvent);
        return;
      default:
        return;
    }
  }

  private startHeartbeat(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      this.send({ type: 'ping' });
      if (this.pongTimer) return;
      // No pong in time: the socket is dead even if the browser has not noticed.
      this.pongTimer = setTimeout(() => this.ws?.close(4000, 'heartbeat timeout'), PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  /** The /prices socket starts with every zone: narrow it to the wanted ones (all of them again after a reconnect). */
  private syncZones(fresh = false): void {
    if (!this.open) return;
    const wanted = [...this.zoneRefs.keys()];
    if (fresh || wanted.length === 0) this.send({ action: 'unsubscribe', zones: ['all'] });
    if (wanted.length) this.send({ action: 'subscribe', zones: wanted });
  }

  subscribePrices(zones: string[], fn: (m: PriceUpdateMessage) => void): () => void {
    const entry = { zones: new Set(zones.map((z) => z.toLowerCase())), fn };
    this.priceListeners.add(entry);
    const added: string[] = [];
    for (const z of entry.zones) {
      const n = this.zoneRefs.get(z) ?? 0;
      if (n === 0) added.push(z);
      this.zoneRefs.set(z, n + 1);
    }
    if (added.length) this.send({ action: 'subscribe', zones: added });
    return () => {
      this.priceListeners.delete(entry);
      const removed: string[] = [];
      for (const z of entry.zones) {
        const n = (this.zoneRefs.get(z) ?? 1) - 1;
        if (n <= 0) {
          this.zoneRefs.delete(z);
          removed.push(z);
        } else this.zoneRefs.set(z, n);
      }
      if (removed.length) this.send({ action: 'unsubscribe', zones: removed });
    };
  }

  onEvent(fn: Listener): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }
}

/** A short sine tone (Web Audio); silent where audio is unavailable or not yet allowed by the browser. */
function playTone(hz: number): void {
  try {
    const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0.08, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.25);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.25);
    osc.onended = () => void ctx.close();
  } catch {
    /* no audio */
  }
}

function statusTitle(e: BidStatusEvent): string {
  return `Bid ${e.market} ${e.delivery_date}: ${e.status}`;
}

/** Opens the socket for the signed-in user; mount once, inside the authenticated layout. */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const rawToast = useToast();
  const { prefs } = usePreferences();
  const queryClient = useQueryClient();
  // Read through a ref so changing a preference does not re-subscribe.
  const notify = useRef(prefs.notifications);
  notify.current = prefs.notifications;
  const [status, setStatus] = useState<ConnectionStatus>({ state: 'reconnecting' });
  const [conn, setConn] = useState<Connection | null>(null);
  const [alerts, setAlerts] = useState<WsAlertMessage[]>([]);
  const userId = user?.id;

  useEffect(() => {
    if (!userId) return;
    const c = new Connection(setStatus);
    c.start();
    setConn(c);
    return () => {
      c.stop();
      setConn(null);
    };
  }, [userId]);

  useEffect(() => {
    if (!conn) return;
    const toast = {
      show(kind: ToastEvent, t: Parameters<typeof rawToast.show>[0]) {
        if (!notify.current.toasts[kind]) return;
        rawToast.show(t);
        if (notify.current.sound) playTone(t.tone === 'danger' ? 330 : 660);
      },
    };
    return conn.onEvent((e) => {
      if (e.type === 'backtest_progress') {
        queryClient.invalidateQueries({ queryKey: ['backtests', 'list'] });
        if (e.status === 'succeeded' || e.status === 'failed') {
          queryClient.invalidateQueries({ queryKey: ['backtests', 'detail', e.backtest_id] });
          toast.show('backtest', { title: `Backtest ${e.status}`, message: e.status === 'succeeded' ? 'Its result is on the Analytics page.' : 'See its error on the Analytics page.', tone: e.status === 'succeeded' ? 'success' : 'danger' });
        }
        return;
      }
      if (e.type === 'bid_status') {
        queryClient.invalidateQueries({ queryKey: ['bids'] });
        // Drafts being created or revised by this very user need no toast; transitions do.
        if (e.previous_status === null || e.status === e.previous_status || e.status === 'submitted') return;
        const tone = e.status === 'rejected' ? 'danger' : e.status === 'accepted' || e.status === 'cleared' ? 'success' : 'info';
        toast.show('bid_status', { title: statusTitle(e), message: e.message ?? (e.issues?.length ? `${e.issues.length} issue(s): ${e.issues[0]!.message}` : `was ${e.previous_status}`), tone });
      } else if (e.type === 'award') {
        queryClient.invalidateQueries({ queryKey: ['bids'] });
        queryClient.invalidateQueries({ queryKey: ['pnl'] });
        queryClient.invalidateQueries({ queryKey: ['settlements'] });
        toast.show('award', { title: `Award ${e.market} ${e.run} ${e.delivery_date}`, message: `${e.location}: ${formatMwh(e.total_mwh)} awarded over ${e.awards.length} period(s)`, tone: 'success', duration_ms: 8000 });
      } else if (e.type === 'alert') {
        setAlerts((list) => [e, ...list].slice(0, 20));
        toast.show('alert', { title: e.title, message: e.message, tone: e.severity === 'critical' ? 'danger' : e.severity === 'warning' ? 'warning' : 'info' });
      }
    });
  }, [conn, queryClient, rawToast]);

  const api = useMemo<RealtimeApi>(
    () => ({
      subscribePrices: (zones, fn) => (conn ? conn.subscribePrices(zones, fn) : () => undefined),
      onEvent: (fn) => (conn ? conn.onEvent(fn) : () => undefined),
    }),
    [conn],
  );

  return (
    <ConnectionStatusContext.Provider value={status}>
      <RealtimeContext.Provider value={api}>
        <AlertsContext.Provider value={alerts}>{children}</AlertsContext.Provider>
      </RealtimeContext.Provider>
    </ConnectionStatusContext.Provider>
  );
}
