/**
 * The read path's in-process cache: the serialised answers of the market-data reads a
 * trader's screens poll (`/api/prices`, `/stats`, `/latest`, `/api/markets/{iso}/locations`),
 * each with its ETag, kept until a price write touches what it read.
 *
 * Keys always carry the series owner (`-` for the shared market, the organisation id for
 * `scope=own`), so one organisation's own series is never answered from another's entry.
 * Every entry remembers its span (market, owner, run, location, interval range); a write
 * names what it changed (`PriceChange`, sent by the prices repository after the write and,
 * through the bus, to every other instance) and drops exactly the entries it overlaps.
 * A read that was computing while an invalidation arrived is answered but not stored, so a
 * value read before a write cannot be cached after it. Entries also expire (60 s for open
 * data, 10 min for closed DA days, at the next 5-minute boundary for `latest`) as a backstop
 * for writers that cannot reach this instance's bus (an operator's CLI import with no shared
 * bus), and the whole cache is bounded in bytes (least recently used first out).
 */
import { createHash } from 'node:crypto';
import type { Replays } from '../../http/fast-replies.js';

export { etagMatches } from '../../http/fast-replies.js';

export type ReadKind = 'prices' | 'stats' | 'latest' | 'locations';

/** What one cached answer read. */
export interface ReadSpan {
  kind: ReadKind;
  market: string;
  /** null: the shared market; else the organisation whose own series was read. */
  owner: string | null;
  run?: string;
  location?: string;
  /** The interval_start range read, [start, end) in ms (prices and stats). */
  start_ms?: number;
  end_ms?: number;
}

export interface ReadAnswer {
  payload: unknown;
  span: ReadSpan;
  /** Shared DA prices of delivery days that are over: HTTP clients may keep them for a day. */
  closed: boolean;
  /** When the answer changes without any write (latest: the next interval boundary). */
  valid_until_ms?: number;
  /** false: answer it (with its ETag) but do not keep it. */
  keep?: boolean;
}

/** What a price write changed (the prices repository's PriceChange, or the same from the bus). */
export interface ChangeSpan {
  market: string;
  owner: string | null;
  runs: readonly string[];
  locations: readonly string[] | null;
  first_ms: number;
  last_ms: number;
}

export interface CachedRead {
  /** The serialised answer's UTF-8 bytes: written as they are, by the pipeline and by replays, never encoded per request. */
  body: Buffer;
  etag: string;
  span: ReadSpan;
  closed: boolean;
  expires_at_ms: number;
  /** What the pipeline wrote for this answer, per Origin, replayed to anonymous polls (http/fast-replies.ts); dropped with the entry. */
  replays?: Replays;
  /** When a replay last made it the most recently used. */
  used_at_ms?: number;
}

/** How often a replayed entry is moved to the most-recently-used end of the cache. */
const LRU_TOUCH_MS = 1000;

export interface ReadCacheOptions {
  /** Bound on the bodies held (default 64 MiB). */
  maxBytes?: number;
  openTtlMs?: number;
  closedTtlMs?: number;
  now?: () => number;
}

export interface ReadCacheCounters {
  hits: Record<ReadKind, number>;
  misses: Record<ReadKind, number>;
  /** Entries dropped because a write touched them. */
  invalidated: number;
}

const zero = (): Record<ReadKind, number> => ({ prices: 0, stats: 0, latest: 0, locations: 0 });

export class PriceReadCache {
  private readonly entries = new Map<string, CachedRead>();
  private bytesHeld = 0;
  /** Bumped by every invalidation; a read computed across one of its market and owner is not stored. */
  private generation = 0;
  private readonly lastInvalidation = new Map<string, number>();
  private readonly maxBytes: number;
  private readonly openTtlMs: number;
  private readonly closedTtlMs: number;
  private readonly now: () => number;
  readonly counters: ReadCacheCounters = { hits: zero(), misses: zero(), invalidated: 0 };

  constructor(opts: ReadCacheOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
    this.openTtlMs = opts.openTtlMs ?? 60_000;
    this.closedTtlMs = opts.closedTtlMs ?? 600_000;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  /**
   * The cached answer for `key`, or `compute`d, serialised with `serialize` (the route's
   * response serialiser) and stored. Errors are never cached.
   */
  async read(kind: ReadKind, key: string, compute: () => Promise<ReadAnswer>, serialize: (payload: unknown) => string): Promise<CachedRead> {
    const now = this.now();
    const found = this.entries.get(key);
    if (found && found.expires_at_ms > now) {
      // Most recently used last: Map keeps insertion order, eviction takes the first.
      this.entries.delete(key);
      this.entries.set(key, found);
      this.counters.hits[kind]++;
      return found;
    }
    if (found) this.drop(key, found);
    this.counters.misses[kind]++;
    const generation = this.generation;
    const answer = await compute();
    const text = serialize(answer.payload);
    // Its own memory, not a slice of Node's shared 8 KB pool (which a small entry would keep alive whole): the byte bound counts what is held.
    const body = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    body.write(text);
    const ttl = answer.closed ? this.closedTtlMs : this.openTtlMs;
    const entry: CachedRead = {
      body,
      etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
      span: answer.span,
      closed: answer.closed,
      expires_at_ms: Math.min(now + ttl, answer.valid_until_ms ?? Infinity),
    };
    const crossed = (this.lastInvalidation.get(`${answer.span.market}|${answer.span.owner ?? '-'}`) ?? 0) > generation;
    if (answer.keep !== false && !crossed && body.length <= this.maxBytes / 8) this.store(key, entry);
    return entry;
  }

  /**
   * The entry stored under `key` while it is live, made the most recently used as `read` does
   * (the caller counts the hit when it answers from it); undefined when dropped or expired.
   */
  live(key: string): CachedRead | undefined {
    const found = this.entries.get(key);
    if (found === undefined) return undefined;
    const now = this.now();
    if (found.expires_at_ms <= now) return undefined;
    // Re-inserting on every poll (tens of thousands a second) costs more than the order is worth: once a second is enough for eviction.
    if (now - (found.used_at_ms ?? 0) >= LRU_TOUCH_MS) {
      this.entries.delete(key);
      this.entries.set(key, found);
      found.used_at_ms = now;
    }
    return found;
  }

  /** Whether `entry` is the one stored under `key` (an answer computed across an invalidation is not). */
  holds(key: string, entry: CachedRead): boolean {
    return this.entries.get(key) === entry;
  }

  /** Drops every entry the change could have altered; returns how many. */
  invalidate(change: ChangeSpan): number {
    this.generation++;
    this.lastInvalidation.set(`${change.market}|${change.owner ?? '-'}`, this.generation);
    let dropped = 0;
    for (const [key, e] of this.entries) {
      if (touches(e.span, change)) {
        this.drop(key, e);
        dropped++;
      }
    }
    this.counters.invalidated += dropped;
    return dropped;
  }

  clear(): void {
    this.generation++;
    for (const k of this.lastInvalidation.keys()) this.lastInvalidation.set(k, this.generation);
    this.entries.clear();
    this.bytesHeld = 0;
  }

  private store(key: string, entry: CachedRead): void {
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    this.entries.set(key, entry);
    this.bytesHeld += entry.body.length;
    for (const [k, e] of this.entries) {
      if (this.bytesHeld <= this.maxBytes) break;
      this.drop(k, e);
    }
  }

  private drop(key: string, e: CachedRead): void {
    if (this.entries.delete(key)) this.bytesHeld -= e.body.length;
  }
}

/** Whether a write described by `c` could change what `s` read. */
export function touches(s: ReadSpan, c: ChangeSpan): boolean {
  if (s.market !== c.market || s.owner !== c.owner) return false;
  // The newest prices and the list of series change with any write to the market.
  if (s.kind === 'latest' || s.kind === 'locations') return true;
  if (s.run !== undefined && !c.runs.includes(s.run)) return false;
  if (s.location !== undefined && c.locations !== null && !c.locations.includes(s.location)) return false;
  if (s.start_ms !== undefined && c.last_ms < s.start_ms) return false;
  if (s.end_ms !== undefined && c.first_ms >= s.end_ms) return false;
  return true;
}

/** A canonical cache key: the read, its owner and its query with the keys sorted. */
export function readKey(kind: ReadKind, owner: string | null, query: Record<string, unknown>): string {
  const parts = Object.keys(query)
    .filter((k) => query[k] !== undefined && k !== 'scope')
    .sort()
    .map((k) => `${k}=${String(query[k])}`);
  return `${kind}|${owner ?? '-'}|${parts.join('&')}`;
}
