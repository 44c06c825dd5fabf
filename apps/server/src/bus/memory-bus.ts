import { LocalSubscribers, type Bus, type BusChannel, type BusHandler, type BusPattern, type BusTopics, type PatternMessage, type RawHandler, type BusHealth, type Unsubscribe } from './types.js';

/** In-process bus: the default without REDIS_URL. Delivery is asynchronous like Redis's. */
export class MemoryBus implements Bus {
  readonly backend = 'memory' as const;
  private readonly local = new LocalSubscribers();
  private closed = false;

  async start(): Promise<void> {}

  async publish<C extends BusChannel>(channel: C, message: BusTopics[C]): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
    // Serialise as Redis would, so a subscriber never shares a mutable object with the publisher.
    const copy: unknown = JSON.parse(JSON.stringify(message));
    queueMicrotask(() => this.local.deliver(channel, copy));
  }

  subscribe<P extends BusPattern>(pattern: P, typed: BusHandler<PatternMessage<P>>): Unsubscribe {
    const handler = typed as RawHandler;
    return this.local.add(pattern, handler);
  }

  async health(): Promise<BusHealth> {
    return { status: this.closed ? 'down' : 'ok', backend: 'memory', latency_ms: 0 };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
