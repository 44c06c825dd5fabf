/**
 * The WebSocket hub of one server instance: who is connected and to what, the
 * bus subscriptions that feed them, fan-out, heartbeat and counters.
 *
 * Every instance subscribes to the bus (`prices:*`, `org:*`, `broadcast:alert` through
 * durable consumers of its own, `auth:sessions_ended` live), so with Redis or NATS each
 * tick published anywhere reaches the clients of every instance, and a session ended anywhere closes its sockets here. A message is serialised once per delivery and the same buffer is
 * written to every matching socket (fan-out latency: stack.md §5).
 */
import { randomUUID } from 'node:crypto';
import { ISO_IDS, type IsoId } from '@optibid/core';
import { WS_CLOSE, WS_RESTART_REASON, type SessionsEndedMessage, type WsStatsBody } from '@optibid/contracts';
import type { WebSocket } from 'ws';
import type { Bus, StopDurable, Unsubscribe } from '../bus/index.js';
import type { AuthContext } from '../http/auth-context.js';
import { ALERT_CHANNEL, ORG_CHANNEL_PREFIX, PRICE_CHANNEL_PREFIX, sanitizePriceUpdate, zoneOf } from './messages.js';
import { endsSession, SESSION_END_TEXT, SESSIONS_ENDED_CHANNEL } from './session-ends.js';
import { textFrame, writeFrame } from './frame.js';

export type Endpoint = 'market' | 'prices';

/** One admitted connection. */
export interface Client {
  readonly id: string;
  readonly ws: WebSocket;
  readonly endpoint: Endpoint;
  readonly zones: Set<IsoId>;
  auth: AuthContext | null;
  alive: boolean;
}

export interface HubOptions {
  heartbeatMs?: number;
  /** A socket with more than this many bytes queued is too slow and is dropped rather than buffered without end. */
  maxBufferedBytes?: number;
  /** How long an unauthenticated socket may take to send its token (default 10 s). */
  authTimeoutMs?: number;
}

const OPEN = 1;
/** A dead instance's hub consumers are deleted by NATS after this long without a member. */
const HUB_CONSUMER_INACTIVE_MS = 60_000;
/** Delivery ids remembered to drop redeliveries. */
const DEDUPE_WINDOW = 10_000;
/**
 * Outbox event ids remembered (bus/outbox.ts): a row sent again by a sweeper after its
 * publisher died is a new stream message with the same `event_id`, arriving seconds later,
 * after as many as a whole clearing's events (two per bid).
 */
const EVENT_DEDUPE_WINDOW = 50_000;
/** How long an ended-sessions message is remembered for sockets whose token was checked before it arrived. */
const ENDED_MEMORY_MS = 60_000;

export class RealtimeHub {
  readonly instanceId = randomUUID();
  private readonly clients = new Set<Client>();
  private readonly byZone = new Map<IsoId, Set<Client>>(ISO_IDS.map((iso) => [iso, new Set<Client>()]));
  private readonly byOrg = new Map<string, Set<Client>>();
  private readonly unsubscribers: Unsubscribe[] = [];
  private readonly stoppers: StopDurable[] = [];
  private readonly recentIds = new Set<string>();
  private readonly recentEventIds = new Set<string>();
  private readonly startedAt = Date.now();
  private heartbeat: NodeJS.Timeout | null = null;
  private heartbeatMs: number;
  private readonly maxBuffered: number;
  /** Read when a socket starts waiting for its token; tests shorten it. */
  authTimeoutMs: number;
  private sent = 0;
  private received = 0;
  /** Sockets accepted but not yet admitted (waiting for a token); counted so shutdown closes them too. */
  readonly pending = new Set<WebSocket>();
  /** Recent `sessions_ended` messages with the time they arrived (see `endedSince`). */
  private readonly ended: { at: number; msg: SessionsEndedMessage }[] = [];

  constructor(
    private readonly bus: Bus,
    opts: HubOptions = {},
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? 30_000;
    this.maxBuffered = opts.maxBufferedBytes ?? 1 << 20;
    this.authTimeoutMs = opts.authTimeoutMs ?? 10_000;
  }

  get backend(): Bus['backend'] {
    return this.bus.backend;
  }

  /**
   * Subscribes this instance's hub: the three event-log streams through durable consumers of its
   * own (`hub-<instance id>`, so every instance receives every message; deleted when the hub
   * closes, and on NATS after HUB_CONSUMER_INACTIVE_MS without a member when the instance died),
   * so a message published while the bus connection blinked is still delivered once it is back;
   * redeliveries are dropped by their id. Ended sessions stay live only.
   */
  async start(): Promise<void> {
    const name = `hub-${this.instanceId}`;
    const opts = { maxInFlight: 256, ephemeral: { inactiveMs: HUB_CONSUMER_INACTIVE_MS } };
    const durable = async (pattern: `${string}*` | typeof ALERT_CHANNEL, family: string, on: (msg: unknown, channel: string) => void) => {
      const stop = await this.bus.subscribeDurable(pattern, `${name}-${family}`, async (msg, d) => {
        if (this.seen(`${family}:${d.id}`)) return;
        on(msg, d.channel);
      }, opts);
      this.stoppers.push(stop);
    };
    await durable(`${PRICE_CHANNEL_PREFIX}*`, 'market', (msg, channel) => this.onPrice(msg, channel));
    await durable(`${ORG_CHANNEL_PREFIX}*`, 'trading', (msg, channel) => this.onOrgEvent(msg, channel));
    await durable(ALERT_CHANNEL, 'alerts', (msg) => this.onBroadcast(msg));
    this.unsubscribers.push(this.bus.subscribe(SESSIONS_ENDED_CHANNEL, (msg) => this.onSessionsEnded(msg)));
    this.setHeartbeatInterval(this.heartbeatMs);
  }

  /** Whether a delivery was handled already (a redelivery after a reconnect); remembers the last DEDUPE_WINDOW ids. */
  private seen(key: string, set = this.recentIds, window = DEDUPE_WINDOW): boolean {
    if (set.has(key)) return true;
    set.add(key);
    if (set.size > window) set.delete(set.values().next().value!);
    return false;
  }

  /** Changes the server ping period (tests use a short one). */
  setHeartbeatInterval(ms: number): void {
    this.heartbeatMs = ms;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => this.beat(), ms);
    this.heartbeat.unref();
  }

  /**
   * Each period: a socket that has not answered the previous ping (nor sent
   * anything) is terminated; the others are pinged.
   */
  private beat(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      try {
        c.ws.ping();
      } catch {
        c.ws.terminate();
      }
    }
  }

  admit(client: Client): void {
    this.clients.add(client);
    for (const iso of client.zones) this.byZone.get(iso)!.add(client);
    if (client.auth) this.indexOrg(client);
  }

  remove(client: Client): void {
    if (!this.clients.delete(client)) return;
    for (const set of this.byZone.values()) set.delete(client);
    if (client.auth) this.byOrg.get(client.auth.organization_id)?.delete(client);
  }

  setAuth(client: Client, auth: AuthContext): void {
    if (client.auth) this.byOrg.get(client.auth.organization_id)?.delete(client);
    client.auth = auth;
    if (this.clients.has(client)) this.indexOrg(client);
  }

  private indexOrg(client: Client): void {
    const org = client.auth!.organization_id;
    let set = this.byOrg.get(org);
    if (!set) this.byOrg.set(org, (set = new Set()));
    set.add(client);
  }

  subscribe(client: Client, zones: IsoId[]): void {
    for (const iso of zones) {
      client.zones.add(iso);
      if (this.clients.has(client)) this.byZone.get(iso)!.add(client);
    }
  }

  unsubscribe(client: Client, zones: IsoId[]): void {
    for (const iso of zones) {
      client.zones.delete(iso);
      this.byZone.get(iso)!.delete(client);
    }
  }

  countReceived(): void {
    this.received++;
  }

  /** Sends one message to one socket (replies, errors). */
  sendTo(ws: WebSocket, message: unknown): void {
    if (ws.readyState !== OPEN) return;
    ws.send(JSON.stringify(message));
    this.sent++;
  }

  private onPrice(raw: unknown, channel: string): void {
    const iso = channel.slice(PRICE_CHANNEL_PREFIX.length) as IsoId;
    const targets = this.byZone.get(iso);
    if (!targets || targets.size === 0) return;
    // Day-ahead results published when the (simulated) market clears
    // and a gap in the simulated feed (another instance took it over) go out as they are.
    const type = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : null;
    if (type === 'da_prices' || type === 'feed_gap') return this.fanOut(targets, { ...(raw as object), market_zone: zoneOf(iso) });
    const msg = sanitizePriceUpdate(raw, iso);
    if (msg) this.fanOut(targets, msg);
  }

  private onOrgEvent(raw: unknown, channel: string): void {
    const targets = this.byOrg.get(channel.slice(ORG_CHANNEL_PREFIX.length));
    if (!targets || targets.size === 0) return;
    if (!raw || typeof raw !== 'object' || typeof (raw as { type?: unknown }).type !== 'string') return;
    const eventId = (raw as { event_id?: unknown }).event_id;
    // An outbox event sent again (its first publisher died before marking it): clients had it once.
    if (typeof eventId === 'string' && this.seen(eventId, this.recentEventIds, EVENT_DEDUPE_WINDOW)) return;
    this.fanOut(targets, raw);
  }

  private onBroadcast(raw: unknown): void {
    if (!raw || typeof raw !== 'object' || typeof (raw as { type?: unknown }).type !== 'string') return;
    this.fanOut(this.clients, raw);
  }

  /**
   * Closes (4401, with the reason) every admitted socket the message ends, on this instance,
   * and remembers the message for a minute for sockets still being admitted.
   */
  private onSessionsEnded(msg: SessionsEndedMessage): void {
    if (!msg || typeof msg !== 'object' || msg.type !== 'sessions_ended') return;
    const now = Date.now();
    while (this.ended.length > 0 && (now - this.ended[0]!.at > ENDED_MEMORY_MS || this.ended.length >= 1000)) this.ended.shift();
    this.ended.push({ at: now, msg });
    const reason = SESSION_END_TEXT[msg.reason] ?? 'session ended';
    for (const c of [...this.clients]) {
      if (!c.auth || !endsSession(msg, c.auth)) continue;
      c.ws.close(WS_CLOSE.unauthorized, reason);
      this.remove(c);
    }
  }

  /**
   * Whether a session ended after `auth` was checked against the database: a socket whose
   * token was checked just before the session ended anywhere, and that is admitted just after
   * the message arrived here, would otherwise stay open. Returns the close reason, or null.
   */
  endedSince(auth: AuthContext): string | null {
    const checkedAt = auth.checked_at;
    if (checkedAt === undefined) return null;
    const now = Date.now();
    for (const e of this.ended) {
      if (e.at >= checkedAt && now - e.at <= ENDED_MEMORY_MS && endsSession(e.msg, auth)) return SESSION_END_TEXT[e.msg.reason] ?? 'session ended';
    }
    return null;
  }

  /**
   * Serialise once, frame once, write the same frame to every socket. Going through `ws.send`
   * per socket framed the message again for each (a header buffer, then cork, two writes,
   * uncork); writing the finished frame is one `socket.write` per socket. `bufferedAmount`
   * still counts it (it reads the socket's own queue), so the slow-consumer limit and the
   * send-queue metrics see these bytes as before.
   */
  private fanOut(targets: Iterable<Client>, message: unknown): void {
    const data = Buffer.from(JSON.stringify(message));
    const frame = textFrame(data);
    for (const c of targets) {
      const ws = c.ws;
      if (ws.readyState !== OPEN) continue;
      if (ws.bufferedAmount > this.maxBuffered) {
        // A consumer this far behind would only grow our memory: drop it, it can reconnect.
        ws.close(4408, 'too slow: messages are queuing up');
        ws.terminate();
        continue;
      }
      if (!writeFrame(ws, frame)) ws.send(data, { binary: false });
      this.sent++;
    }
  }

  /** The send queue: bytes written to sockets and not yet sent, in total and on the most backed-up socket. */
  sendQueue(): { bytes: number; max_bytes: number; backlogged: number } {
    let bytes = 0;
    let max = 0;
    let backlogged = 0;
    for (const c of this.clients) {
      const b = c.ws.bufferedAmount;
      bytes += b;
      if (b > max) max = b;
      if (b > 0) backlogged++;
    }
    return { bytes, max_bytes: max, backlogged };
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  stats(): WsStatsBody {
    const byZone: Record<string, number> = {};
    for (const [iso, set] of this.byZone) byZone[zoneOf(iso)] = set.size;
    let market = 0;
    let authenticated = 0;
    for (const c of this.clients) {
      if (c.endpoint === 'market') market++;
      if (c.auth) authenticated++;
    }
    return {
      total_connections: this.clients.size,
      authenticated_connections: authenticated,
      by_zone: byZone,
      by_endpoint: { market, prices: this.clients.size - market },
      messages_sent: this.sent,
      messages_received: this.received,
      uptime_s: Math.round((Date.now() - this.startedAt) / 100) / 10,
      storage_backend: this.backend,
      instance_id: this.instanceId,
    };
  }

  /** Set by `drain`: sockets are no longer admitted. */
  draining = false;

  /**
   * The instance is shutting down (SIGTERM): every socket, admitted or waiting for its token, is
   * closed with 1012 (service restart) and a reason telling the client to reconnect now, which the
   * load balancer sends to another instance; sockets arriving later are closed the same way.
   */
  drain(): void {
    this.draining = true;
    for (const c of [...this.clients]) {
      c.ws.close(WS_CLOSE.serviceRestart, WS_RESTART_REASON);
      this.remove(c);
    }
    for (const ws of this.pending) ws.close(WS_CLOSE.serviceRestart, WS_RESTART_REASON);
    this.pending.clear();
  }

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const off of this.unsubscribers.splice(0)) off();
    await Promise.all(this.stoppers.splice(0).map((stop) => stop().catch(() => undefined)));
    for (const c of [...this.clients]) {
      c.ws.close(1001, 'server shutting down');
      this.remove(c);
    }
    for (const ws of this.pending) ws.close(1001, 'server shutting down');
    this.pending.clear();
  }
}

