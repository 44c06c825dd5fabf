import { Redis } from 'ioredis';
import { InProcessLog } from './durable-log.js';
import { RedisLog } from './redis-log.js';
import { checkConsumerName, checkNamespace, streamOf, streamOfPattern } from './streams.js';
import {
  LocalSubscribers,
  type Bus,
  type BusChannel,
  type BusHandler,
  type BusHealth,
  type BusPattern,
  type BusTopics,
  type DurableHandler,
  type DurableOptions,
  type PatternMessage,
  type RawDurableHandler,
  type RawHandler,
  type StopDurable,
  type Unsubscribe,
} from './types.js';

export interface RedisBusOptions {
  /** Prefix of the event-log keys (tests use their own). Default `optibid`. */
  namespace?: string;
  /** How long a read message may stay unacknowledged before another member claims it. Default 30 s. */
  ackWaitMs?: number;
}

const PREFIX = 'optibid:bus:';

/**
 * Redis pub/sub bus with one client to publish and one to subscribe (a
 * subscribed Redis connection can do nothing else); the event-log channels are
 * also appended to Redis Streams for durable consumers (redis-log.ts). If Redis
 * goes away, messages are delivered in-process (live and durable) so this server
 * keeps working, and health says degraded.
 */
export class RedisBus implements Bus {
  readonly backend = 'redis' as const;
  private readonly local = new LocalSubscribers();
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly subscribed = new Set<string>();
  /** The event log (Redis Streams) and its in-process stand-in while Redis is away. */
  readonly log: RedisLog;
  private readonly fallbackLog = new InProcessLog();
  private readonly durables = new Set<StopDurable>();

  constructor(url: string, busOpts: RedisBusOptions = {}) {
    const opts = { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (n: number) => Math.min(n * 200, 2000) };
    this.pub = new Redis(url, { ...opts, connectionName: 'optibid-bus-pub' });
    this.sub = new Redis(url, { ...opts, connectionName: 'optibid-bus-sub' });
    // ioredis reconnects by itself; errors while it does are expected and surfaced by health().
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
    this.sub.on('pmessage', (pattern: string, channel: string, raw: string) => this.onMessage(pattern, channel, raw));
    this.sub.on('ready', () => {
      // Re-subscribe after a reconnect.
      if (this.subscribed.size) void this.sub.psubscribe(...[...this.subscribed].map(redisPattern)).catch(() => undefined);
    });
    this.log = new RedisLog(this.pub, checkNamespace(busOpts.namespace ?? 'optibid'), busOpts.ackWaitMs ?? 30_000);
  }

  private get up(): boolean {
    return this.pub.status === 'ready' && this.sub.status === 'ready';
  }

  async start(): Promise<void> {
    await Promise.all([this.pub.connect(), this.sub.connect()]);
  }

  private onMessage(redisPatternMatched: string, redisChannel: string, raw: string): void {
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    const channel = redisChannel.slice(PREFIX.length);
    for (const pattern of this.subscribed) {
      if (redisPattern(pattern) === redisPatternMatched) this.local.deliverTo(pattern, channel, message);
    }
  }

  async publish<C extends BusChannel>(channel: C, message: BusTopics[C]): Promise<void> {
    const raw = JSON.stringify(message);
    const stream = streamOf(channel);
    if (this.up) {
      try {
        // Appended before the live publish, so a durable consumer never lags a live one's view.
        if (stream) await this.log.append(stream, channel, raw);
        await this.pub.publish(PREFIX + channel, raw);
        return;
      } catch {
        /* fall through to local delivery */
      }
    }
    if (stream) this.fallbackLog.append(channel, raw);
    const copy: unknown = JSON.parse(raw);
    queueMicrotask(() => this.local.deliver(channel, copy));
  }

  subscribe<P extends BusPattern>(pattern: P, typed: BusHandler<PatternMessage<P>>): Unsubscribe {
    const handler = typed as RawHandler;
    const off = this.local.add(pattern, handler);
    if (!this.subscribed.has(pattern)) {
      this.subscribed.add(pattern);
      if (this.sub.status === 'ready') void this.sub.psubscribe(redisPattern(pattern)).catch(() => undefined);
    }
    return () => {
      off();
      if (!this.local.patterns().includes(pattern)) {
        this.subscribed.delete(pattern);
        if (this.sub.status === 'ready') void this.sub.punsubscribe(redisPattern(pattern)).catch(() => undefined);
      }
    };
  }

  async subscribeDurable<P extends BusPattern>(pattern: P, consumer: string, typed: DurableHandler<PatternMessage<P>>, opts: DurableOptions = {}): Promise<StopDurable> {
    const handler = typed as RawDurableHandler;
    const stream = streamOfPattern(pattern);
    checkConsumerName(consumer);
    // Created before returning, so what is published from now on reaches the group.
    if (this.up) await this.log.ensureGroup(stream, consumer, pattern);
    const stopFallback = await this.fallbackLog.subscribe(pattern, consumer, handler, opts);
    const stopMember = this.log.member(stream, consumer, pattern, handler, opts);
    const stop = async () => {
      this.durables.delete(stop);
      await Promise.all([stopMember(), stopFallback()]);
      if (opts.ephemeral && this.up) await this.log.destroyGroup(stream, consumer).catch(() => undefined);
    };
    this.durables.add(stop);
    return stop;
  }

  /** Resolves once Redis has registered every current subscription (tests wait on it). */
  async ready(): Promise<void> {
    if (this.subscribed.size) await this.sub.psubscribe(...[...this.subscribed].map(redisPattern));
  }

  async health(): Promise<BusHealth> {
    if (!this.up) return { status: 'degraded', backend: 'redis', message: 'Redis unreachable: delivering in-process only' };
    const t0 = performance.now();
    try {
      await this.pub.ping();
      const latency_ms = round(performance.now() - t0);
      return { status: 'ok', backend: 'redis', latency_ms, streams: await this.log.stats() };
    } catch (err) {
      return { status: 'degraded', backend: 'redis', message: `Redis ping failed: ${(err as Error).message}` };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.durables].map((stop) => stop()));
    this.pub.disconnect();
    this.sub.disconnect();
  }
}

function redisPattern(pattern: string): string {
  // Escape Redis glob characters in the literal part; our only wildcard is a trailing '*'.
  const literal = pattern.endsWith('*') ? pattern.slice(0, -1) : pattern;
  const escaped = (PREFIX + literal).replace(/([?*[\]\\])/g, '\\$1');
  return pattern.endsWith('*') ? escaped + '*' : escaped;
}

const round = (x: number) => Math.round(x * 100) / 100;
