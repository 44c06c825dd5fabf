/**
 * Leader election for jobs that must run once across server instances (the
 * simulated feed): a lease in Redis taken with `SET key token NX PX ttl` and
 * renewed every ttl/3 only while the key still holds our token (a Lua
 * compare-and-expire, so an instance never renews a lease another one took
 * after it had expired). Without Redis there is one instance: always leader.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export interface LeaderLease {
  /** A unique id of this contender (its token in Redis). */
  readonly holder: string;
  start(): Promise<void>;
  isLeader(): boolean;
  /** Stops renewing and gives the lease up at once, so another instance can take over without waiting for the TTL. */
  close(): Promise<void>;
  /** Records a mark (epoch ms; the feed's last tick) beside the lease for whoever leads next. */
  mark(ms: number): Promise<void>;
  /** The last mark any holder recorded (kept a day), or null. */
  lastMark(): Promise<number | null>;
}

export interface LeaseOptions {
  ttlMs?: number;
  renewMs?: number;
  onChange?(leader: boolean): void;
  onError?(err: Error): void;
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export function createLeaderLease(redisUrl: string | null, name: string, opts: LeaseOptions = {}): LeaderLease {
  const holder = randomUUID();
  if (!redisUrl) {
    let leader = false;
    let mark: number | null = null;
    return {
      holder,
      async mark(ms) {
        mark = ms;
      },
      lastMark: async () => mark,
      async start() {
        leader = true;
        opts.onChange?.(true);
      },
      isLeader: () => leader,
      async close() {
        leader = false;
      },
    };
  }
  return new RedisLease(redisUrl, `optibid:lease:${name}`, holder, opts);
}

class RedisLease implements LeaderLease {
  private readonly client: Redis;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private leader = false;
  private lastRenewedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;
  private closed = false;

  constructor(
    url: string,
    private readonly key: string,
    readonly holder: string,
    private readonly opts: LeaseOptions,
  ) {
    this.ttlMs = opts.ttlMs ?? 15_000;
    this.renewMs = opts.renewMs ?? Math.max(100, Math.floor(this.ttlMs / 3));
    this.client = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectionName: 'optibid-lease',
      retryStrategy: (n: number) => Math.min(n * 200, 2000),
    });
    this.client.on('error', () => undefined);
  }

  async start(): Promise<void> {
    await this.client.connect().catch((err: Error) => this.opts.onError?.(err));
    await this.round();
    this.timer = setInterval(() => void this.round(), this.renewMs);
    this.timer.unref();
  }

  isLeader(): boolean {
    return this.leader;
  }

  async mark(ms: number): Promise<void> {
    await this.client.set(`${this.key}:mark`, String(ms), 'PX', 86_400_000);
  }

  async lastMark(): Promise<number | null> {
    const v = await this.client.get(`${this.key}:mark`);
    return v === null || !Number.isFinite(Number(v)) ? null : Number(v);
  }

  private round(): Promise<void> {
    // Never two rounds at once: a slow Redis must not interleave acquire and renew.
    this.busy ??= this.attempt().finally(() => {
      this.busy = null;
    });
    return this.busy;
  }

  private async attempt(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.leader) {
        const kept = Number(await this.client.eval(RENEW, 1, this.key, this.holder, String(this.ttlMs)));
        if (kept === 1) this.lastRenewedAt = Date.now();
        else this.set(false);
      } else {
        const ok = await this.client.set(this.key, this.holder, 'PX', this.ttlMs, 'NX');
        if (ok === 'OK') {
          this.lastRenewedAt = Date.now();
          this.set(true);
        }
      }
    } catch (err) {
      this.opts.onError?.(err as Error);
      // Unable to renew for a whole TTL: the lease may have passed to another instance.
      if (this.leader && Date.now() - this.lastRenewedAt >= this.ttlMs) this.set(false);
    }
  }

  private set(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    this.opts.onChange?.(leader);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.busy?.catch(() => undefined);
    if (this.leader && this.client.status === 'ready') await this.client.eval(RELEASE, 1, this.key, this.holder).catch(() => undefined);
    this.set(false);
    this.client.disconnect();
  }
}
