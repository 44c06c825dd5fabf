/**
 * Counters and a small key-value cache, in memory or in Redis (shared by every
 * server instance). Redis failures fall back to memory so a request never fails
 * because the cache is away; health reports that as degraded.
 */
import { Redis } from 'ioredis';

export interface HitResult {
  allowed: boolean;
  count: number;
  limit: number;
  /** Seconds until the window resets. */
  reset_s: number;
}

export interface CacheHealth {
  status: 'ok' | 'degraded' | 'down';
  backend: 'memory' | 'redis';
  latency_ms?: number;
  message?: string;
}

export interface Cache {
  readonly backend: 'memory' | 'redis';
  start(): Promise<void>;
  /** Fixed-window counter: counts one hit on `key` and says whether it is within `limit` per `windowS`. */
  hit(key: string, limit: number, windowS: number): Promise<HitResult>;
  /** Reads a counter without counting. */
  peek(key: string): Promise<number>;
  reset(key: string): Promise<void>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlS: number): Promise<void>;
  health(): Promise<CacheHealth>;
  close(): Promise<void>;
}

export class MemoryCache implements Cache {
  readonly backend: 'memory' | 'redis' = 'memory';
  private readonly counters = new Map<string, { count: number; expires: number }>();
  private readonly values = new Map<string, { value: string; expires: number }>();

  async start(): Promise<void> {}

  async hit(key: string, limit: number, windowS: number): Promise<HitResult> {
    const now = Date.now();
    let c = this.counters.get(key);
    if (!c || c.expires <= now) {
      c = { count: 0, expires: now + windowS * 1000 };
      this.counters.set(key, c);
    }
    c.count++;
    if (this.counters.size > 100_000) this.sweep(now);
    return { allowed: c.count <= limit, count: c.count, limit, reset_s: Math.ceil((c.expires - now) / 1000) };
  }

  async peek(key: string): Promise<number> {
    const c = this.counters.get(key);
    return c && c.expires > Date.now() ? c.count : 0;
  }

  async reset(key: string): Promise<void> {
    this.counters.delete(key);
  }

  async get(key: string): Promise<string | null> {
    const v = this.values.get(key);
    if (!v || v.expires <= Date.now()) return null;
    return v.value;
  }

  async set(key: string, value: string, ttlS: number): Promise<void> {
    this.values.set(key, { value, expires: Date.now() + ttlS * 1000 });
  }

  async health(): Promise<CacheHealth> {
    return { status: 'ok', backend: 'memory', latency_ms: 0 };
  }

  async close(): Promise<void> {
    this.counters.clear();
    this.values.clear();
  }

  private sweep(now: number): void {
    for (const [k, c] of this.counters) if (c.expires <= now) this.counters.delete(k);
    for (const [k, v] of this.values) if (v.expires <= now) this.values.delete(k);
  }
}

const PREFIX = 'optibid:cache:';

export class RedisCache implements Cache {
  readonly backend = 'redis' as const;
  private readonly client: Redis;
  private readonly fallback = new MemoryCache();

  constructor(url: string) {
    this.client = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectionName: 'optibid-cache',
      retryStrategy: (n: number) => Math.min(n * 200, 2000),
    });
    this.client.on('error', () => undefined);
  }

  private get up(): boolean {
    return this.client.status === 'ready';
  }

  async start(): Promise<void> {
    await this.client.connect();
  }

  async hit(key: string, limit: number, windowS: number): Promise<HitResult> {
    if (!this.up) return this.fallback.hit(key, limit, windowS);
    try {
      const k = PREFIX + key;
      const r = await this.client.multi().incr(k).expire(k, windowS, 'NX').ttl(k).exec();
      const count = Number(r?.[0]?.[1] ?? 0);
      const ttl = Number(r?.[2]?.[1] ?? windowS);
      return { allowed: count <= limit, count, limit, reset_s: ttl > 0 ? ttl : windowS };
    } catch {
      return this.fallback.hit(key, limit, windowS);
    }
  }

  async peek(key: string): Promise<number> {
    if (!this.up) return this.fallback.peek(key);
    try {
      return Number((await this.client.get(PREFIX + key)) ?? 0);
    } catch {
      return this.fallback.peek(key);
    }
  }

  async reset(key: string): Promise<void> {
    await this.fallback.reset(key);
    if (this.up) await this.client.del(PREFIX + key).catch(() => undefined);
  }

  async get(key: string): Promise<string | null> {
    if (!this.up) return this.fallback.get(key);
    try {
      return await this.client.get(PREFIX + 'kv:' + key);
    } catch {
      return this.fallback.get(key);
    }
  }

  async set(key: string, value: string, ttlS: number): Promise<void> {
    if (!this.up) return this.fallback.set(key, value, ttlS);
    try {
      await this.client.set(PREFIX + 'kv:' + key, value, 'EX', ttlS);
    } catch {
      await this.fallback.set(key, value, ttlS);
    }
  }

  async health(): Promise<CacheHealth> {
    if (!this.up) return { status: 'degraded', backend: 'redis', message: 'Redis unreachable: using in-memory cache' };
    const t0 = performance.now();
    try {
      await this.client.ping();
      return { status: 'ok', backend: 'redis', latency_ms: Math.round((performance.now() - t0) * 100) / 100 };
    } catch (err) {
      return { status: 'degraded', backend: 'redis', message: `Redis ping failed: ${(err as Error).message}` };
    }
  }

  async close(): Promise<void> {
    this.client.disconnect();
    await this.fallback.close();
  }
}

export function createCache(redisUrl: string | null): Cache {
  return redisUrl ? new RedisCache(redisUrl) : new MemoryCache();
}
