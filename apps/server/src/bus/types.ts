/**
 * The message bus port. Prices and events flow feed → bus → persistence and
 * WebSocket, so two server processes sharing Redis deliver every update to the
 * clients of both. Channels are strings like `prices:PJM` or `org:<uuid>`; a
 * subscription may end in `*` to match a prefix. BusTopics says what each
 * channel carries; publish and subscribe are typed by it.
 */
import type { AlertRulesChangedMessage, OrgEvent, PriceChannelMessage, PricesChangedMessage, SessionsEndedMessage, WsAlertMessage } from '@optibid/contracts';

/** Channel → the message it carries (the message types live in contracts). */
export interface BusTopics {
  [channel: `prices:${string}`]: PriceChannelMessage;
  [channel: `org:${string}`]: OrgEvent;
  'broadcast:alert': WsAlertMessage;
  'platform:alert_rules': AlertRulesChangedMessage;
  /** Sessions ended (logout, revocation, role change, removal): every instance's hub closes their sockets. Live only. */
  'auth:sessions_ended': SessionsEndedMessage;
  /** Live only (no event-log stream): read caches drop what a price write changed. */
  'cache:prices': PricesChangedMessage;
}

export type BusChannel = keyof BusTopics & string;
/** A channel, or a prefix ending in `*` (`prices:*` is itself a key of BusTopics, so its handler is typed too). */
export type BusPattern = BusChannel | `${string}*`;
export type BusMessage = BusTopics[BusChannel];
export type PatternMessage<P extends BusPattern> = P extends BusChannel ? BusTopics[P] : BusMessage;

export type BusHandler<M = BusMessage> = (message: M, channel: string) => void;
/** How the implementations hold handlers: the bus carries JSON, typed at publish and subscribe. */
export type RawHandler = (message: unknown, channel: string) => void;
export type Unsubscribe = () => void;

export type BusBackend = 'memory' | 'redis' | 'nats';

export interface BusHealth {
  status: 'ok' | 'degraded' | 'down';
  backend: BusBackend;
  latency_ms?: number;
  message?: string;
  /** Event-log streams (NATS, Redis): messages held and durable consumers. */
  streams?: { name: string; messages: number; consumers: number }[];
}

/** What a durable handler learns about one delivery. */
export interface Delivery {
  /** Unique per message within its stream and the same on every redelivery: handlers dedupe on it. */
  id: string;
  channel: string;
  /**
   * 1 on first delivery; more after a handler failure or a consumer that died
   * before acknowledging (nats-server 2.9 does not count a delivery handed back
   * by a stopping consumer, so there it may read 1 again).
   */
  attempt: number;
}

/**
 * Resolving acknowledges the message; rejecting redelivers it (after a backoff,
 * before later messages of this consumer). Reject only for transient failures:
 * a message that can never be handled must be logged and resolved, or it blocks the consumer.
 */
export type DurableHandler<M = BusMessage> = (message: M, delivery: Delivery) => Promise<void>;
/** How the implementations hold durable handlers (the log carries JSON). */
export type RawDurableHandler = (message: unknown, delivery: Delivery) => Promise<void>;

/** Stops a durable consumer after its current message; its position is kept for the next start. */
export type StopDurable = () => Promise<void>;

export interface DurableOptions {
  /** First redelivery delay after a handler failure; doubles up to 10 s. Default 200 ms. */
  retryDelayMs?: number;
  /**
   * Handlers running at once in this member. Default 1: in order, the next
   * message waiting for the current one (retries included). More lets a handler
   * batch its writes; handlers still start in order but may finish out of it.
   */
  maxInFlight?: number;
  /**
   * A group of one instance (its name carries the instance id, e.g. the WebSocket hub's): deleted
   * when its member stops, and on NATS by the server after `inactiveMs` without a member pulling
   * (`inactive_threshold`), so the groups of instances that died do not pile up. Redis Streams have
   * no such expiry: a dead instance's group stays until removed (`XGROUP DESTROY`).
   */
  ephemeral?: { inactiveMs: number };
}

/** How far one durable consumer group is behind its stream. */
export interface ConsumerLag {
  stream: string;
  consumer: string;
  /** Messages on the group's channels not yet handed to a member. */
  pending: number;
  /** Handed to a member and not yet acknowledged. */
  unacknowledged: number;
}

export interface Bus {
  readonly backend: BusBackend;
  start(): Promise<void>;
  /** Live delivery to `subscribe`rs and, when the channel belongs to an event-log stream, an append to it. */
  publish<C extends BusChannel>(channel: C, message: BusTopics[C]): Promise<void>;
  /** Live delivery, at most once: what is published while not subscribed is not seen. */
  subscribe<P extends BusPattern>(pattern: P, handler: BusHandler<PatternMessage<P>>): Unsubscribe;
  /**
   * At-least-once delivery to the consumer group `consumer`: every message published
   * on a matching channel after the group was first created, in order (one at a
   * time per member unless maxInFlight), including those published while no member was running.
   * Instances subscribing with the same name share the work. `pattern` must lie within one
   * stream (see streams.ts). Resolves once the group exists, so what is published
   * afterwards reaches it; with the broker unreachable it resolves at once and
   * delivers in-process until the broker is back.
   */
  subscribeDurable<P extends BusPattern>(pattern: P, consumer: string, handler: DurableHandler<PatternMessage<P>>, opts?: DurableOptions): Promise<StopDurable>;
  health(): Promise<BusHealth>;
  /**
   * The lag of each durable group this instance runs a member of (metrics), where the backend
   * can say cheaply: memory and NATS; not Redis.
   */
  consumerLag?(): Promise<ConsumerLag[]>;
  close(): Promise<void>;
}

export function matches(pattern: string, channel: string): boolean {
  return pattern.endsWith('*') ? channel.startsWith(pattern.slice(0, -1)) : pattern === channel;
}

/** Local fan-out shared by the implementations. */
export class LocalSubscribers {
  private readonly subs = new Map<string, Set<RawHandler>>();

  add(pattern: string, handler: RawHandler): Unsubscribe {
    let set = this.subs.get(pattern);
    if (!set) this.subs.set(pattern, (set = new Set()));
    set.add(handler);
    return () => {
      set!.delete(handler);
      if (set!.size === 0) this.subs.delete(pattern);
    };
  }

  patterns(): string[] {
    return [...this.subs.keys()];
  }

  deliver(channel: string, message: unknown): void {
    for (const pattern of this.subs.keys()) if (matches(pattern, channel)) this.deliverTo(pattern, channel, message);
  }

  /** Delivers to the handlers of one pattern only (Redis sends one pmessage per matching pattern). */
  deliverTo(pattern: string, channel: string, message: unknown): void {
    const handlers = this.subs.get(pattern);
    if (!handlers) return;
    {
      for (const h of handlers) {
        // One faulty subscriber must not stop delivery to the others.
        try {
          h(message, channel);
        } catch {
          /* handler errors are the handler's to log */
        }
      }
    }
  }
}
