import { InProcessLog } from './durable-log.js';
import { checkConsumerName, streamOf, streamOfPattern } from './streams.js';
import {
  LocalSubscribers,
  type Bus,
  type BusChannel,
  type BusHandler,
  type BusHealth,
  type BusPattern,
  type BusTopics,
  type ConsumerLag,
  type DurableHandler,
  type DurableOptions,
  type PatternMessage,
  type RawDurableHandler,
  type RawHandler,
  type StopDurable,
  type Unsubscribe,
} from './types.js';

/**
 * In-process bus: the default without REDIS_URL or BUS_URL. Delivery is
 * asynchronous like a broker's. Its event log lives in this process: durable
 * consumers replay what was published while they were stopped, but a restart
 * of the process loses it.
 */
export class MemoryBus implements Bus {
  readonly backend = 'memory' as const;
  private readonly local = new LocalSubscribers();
  private readonly log = new InProcessLog();
  private closed = false;

  async start(): Promise<void> {}

  async publish<C extends BusChannel>(channel: C, message: BusTopics[C]): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
    // Serialise as a broker would, so a subscriber never shares a mutable object with the publisher.
    const raw = JSON.stringify(message);
    if (streamOf(channel)) this.log.append(channel, raw);
    const copy: unknown = JSON.parse(raw);
    queueMicrotask(() => this.local.deliver(channel, copy));
  }

  subscribe<P extends BusPattern>(pattern: P, typed: BusHandler<PatternMessage<P>>): Unsubscribe {
    return this.local.add(pattern, typed as RawHandler);
  }

  async subscribeDurable<P extends BusPattern>(pattern: P, consumer: string, handler: DurableHandler<PatternMessage<P>>, opts?: DurableOptions): Promise<StopDurable> {
    streamOfPattern(pattern);
    checkConsumerName(consumer);
    return this.log.subscribe(pattern, consumer, handler as RawDurableHandler, opts);
  }

  async health(): Promise<BusHealth> {
    return { status: this.closed ? 'down' : 'ok', backend: 'memory', latency_ms: 0 };
  }

  async consumerLag(): Promise<ConsumerLag[]> {
    return this.log.lag().map((l) => ({ stream: streamOfPattern(l.pattern).key, consumer: l.consumer, pending: l.pending, unacknowledged: l.unacknowledged }));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.log.close();
  }
}
