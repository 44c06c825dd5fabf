import { Redis } from 'ioredis';
import { LocalSubscribers, type Bus, type BusChannel, type BusHandler, type BusPattern, type BusTopics, type PatternMessage, type RawHandler, type BusHealth, type Unsubscribe } from './types.js';

const PREFIX = 'optibid:bus:';

/**
 * Redis pub/sub bus with one client to publish and one to subscribe (a
 * subscribed Redis connection can do nothing else). If Redis goes away, messages
 * are delivered in-process so this server keeps working, and health says degraded.
 */
export class RedisBus implements Bus {
  readonly backend = 'redis' as const;
  private readonly local = new LocalSubscribers();
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly subscribed = new Set<string>();

  constructor(url: string) {
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
    if (this.up) {
      try {
        await this.pub.publish(PREFIX + channel, raw);
        return;
      } catch {
        /* fall through to local delivery */
      }
    }
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

  /** Resolves once Redis has registered every current subscription (tests wait on it). */
  async ready(): Promise<void> {
    if (this.subscribed.size) await this.sub.psubscribe(...[...this.subscribed].map(redisPattern));
  }

  async health(): Promise<BusHealth> {
    if (!this.up) return { status: 'degraded', backend: 'redis', message: 'Redis unreachable: delivering in-process only' };
    const t0 = performance.now();
    try {
      await this.pub.ping();
      return { status: 'ok', backend: 'redis', latency_ms: round(performance.now() - t0) };
    } catch (err) {
      return { status: 'degraded', backend: 'redis', message: `Redis ping failed: ${(err as Error).message}` };
    }
  }

  async close(): Promise<void> {
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
