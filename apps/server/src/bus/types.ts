/**
 * The message bus port. Prices and events flow feed → bus → persistence and
 * WebSocket, so two server processes sharing Redis deliver every update to the
 * clients of both. Channels are strings like `prices:PJM` or `org:<uuid>`; a
 * subscription may end in `*` to match a prefix. BusTopics says what each
 * channel carries; publish and subscribe are typed by it.
 */
import type { AlertRulesChangedMessage, OrgEvent, PriceChannelMessage, WsAlertMessage } from '@optibid/contracts';

/** Channel → the message it carries (the message types live in contracts). */
export interface BusTopics {
  [channel: `prices:${string}`]: PriceChannelMessage;
  [channel: `org:${string}`]: OrgEvent;
  'broadcast:alert': WsAlertMessage;
  'platform:alert_rules': AlertRulesChangedMessage;
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

export interface BusHealth {
  status: 'ok' | 'degraded' | 'down';
  backend: 'memory' | 'redis';
  latency_ms?: number;
  message?: string;
}

export interface Bus {
  readonly backend: 'memory' | 'redis';
  start(): Promise<void>;
  publish<C extends BusChannel>(channel: C, message: BusTopics[C]): Promise<void>;
  subscribe<P extends BusPattern>(pattern: P, handler: BusHandler<PatternMessage<P>>): Unsubscribe;
  health(): Promise<BusHealth>;
  close(): Promise<void>;
}

export function matches(pattern: string, channel: string): boolean {
  return pattern.endsWith('*') ? channel.startsWith(pattern.slice(0, -1)) : pattern === channel;
}

/** Local fan-out shared by both implementations. */
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
