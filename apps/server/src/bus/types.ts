/**
 * The message bus port. Prices and events flow feed → bus → persistence and
 * WebSocket, so two server processes sharing Redis deliver every update to the
 * clients of both. Channels are strings like `prices:PJM` or `org:<uuid>`; a
 * subscription may end in `*` to match a prefix.
 */
export type BusHandler = (message: unknown, channel: string) => void;
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
  publish(channel: string, message: unknown): Promise<void>;
  subscribe(pattern: string, handler: BusHandler): Unsubscribe;
  health(): Promise<BusHealth>;
  close(): Promise<void>;
}

export function matches(pattern: string, channel: string): boolean {
  return pattern.endsWith('*') ? channel.startsWith(pattern.slice(0, -1)) : pattern === channel;
}

/** Local fan-out shared by both implementations. */
export class LocalSubscribers {
  private readonly subs = new Map<string, Set<BusHandler>>();

  add(pattern: string, handler: BusHandler): Unsubscribe {
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
