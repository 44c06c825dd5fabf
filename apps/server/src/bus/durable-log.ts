/**
 * Durable consumption in one process: an append-only log with a position per
 * consumer group. It is the memory bus's event log (lost with the process) and
 * the Redis and NATS buses' fallback while their broker is unreachable.
 */
import { matches, type Delivery, type DurableOptions, type RawDurableHandler, type StopDurable } from './types.js';

// Below the brokers' default 30 s ack wait, so a retrying member keeps its message.
const MAX_RETRY_DELAY_MS = 10_000;

/**
 * Calls `handler` until it resolves ('acked') or the consumer stops ('stopped'),
 * waiting retryDelayMs · 2^(n−1) (capped at 10 s) after the n-th failure.
 * `onRetry` lets a broker extend its acknowledgement deadline meanwhile.
 * A consumer already stopped does not call the handler (attempt stays one below).
 */
export async function handleWithRetry(
  handler: RawDurableHandler,
  raw: string,
  delivery: Delivery,
  opts: DurableOptions,
  stopped: () => boolean,
  wake: { sleep(ms: number): Promise<void> },
  onRetry?: () => void,
): Promise<{ outcome: 'acked' | 'stopped'; attempt: number }> {
  let attempt = delivery.attempt;
  if (stopped()) return { outcome: 'stopped', attempt: attempt - 1 };
  for (;;) {
    try {
      // Parsed per delivery so a handler never shares an object with another one.
      await handler(JSON.parse(raw) as unknown, { ...delivery, attempt });
      return { outcome: 'acked', attempt };
    } catch {
      if (stopped()) return { outcome: 'stopped', attempt };
      await wake.sleep(Math.min(MAX_RETRY_DELAY_MS, (opts.retryDelayMs ?? 200) * 2 ** (attempt - delivery.attempt)));
      if (stopped()) return { outcome: 'stopped', attempt };
      onRetry?.();
      attempt++;
    }
  }
}

/**
 * At most `max` handlings at a time, started in order. With 1 (the default),
 * the next message waits for the current one, retries included.
 */
export class InFlight {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly max = 1) {}

  /** Resolves when `task` has started (after waiting for a free slot). */
  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.max) await Promise.race(this.running);
    const p: Promise<void> = task()
      .catch(() => undefined)
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async drain(): Promise<void> {
    while (this.running.size) await Promise.all(this.running);
  }
}

/** A sleep that `stop()` cuts short, so stopping a consumer never waits out a backoff. */
export class Waker {
  private timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = { timer: setTimeout(() => this.done(t), ms), resolve };
      this.timers.add(t);
    });
  }

  wakeAll(): void {
    for (const t of [...this.timers]) {
      clearTimeout(t.timer);
      this.done(t);
    }
  }

  private done(t: { timer: NodeJS.Timeout; resolve: () => void }): void {
    this.timers.delete(t);
    t.resolve();
  }
}

interface Entry {
  seq: number;
  channel: string;
  raw: string;
}

interface Group {
  pattern: string;
  /** Next sequence number not yet handed to a member. */
  cursor: number;
  inflight: Set<number>;
  /** Taken by a member that stopped before it was acknowledged: handed out again first. */
  returned: number[];
  attempts: Map<number, number>;
  /** Each running member's idle sleep, woken by a new message. */
  idle: Set<Waker>;
}

export class InProcessLog {
  private entries: Entry[] = [];
  private nextSeq = 1;
  private readonly groups = new Map<string, Group>();
  private readonly stops = new Set<StopDurable>();
  /** Messages dropped unread because the log reached its cap while a group lagged. */
  dropped = 0;

  /** @param maxEntries cap on retained messages; beyond it the oldest are dropped even if unread. */
  constructor(private readonly maxEntries = 100_000) {}

  append(channel: string, raw: string): void {
    // Nothing to keep for nobody: a group created later starts after this message.
    if (this.groups.size === 0) {
      this.nextSeq++;
      return;
    }
    this.entries.push({ seq: this.nextSeq++, channel, raw });
    if (this.entries.length > this.maxEntries) this.trim();
    for (const g of this.groups.values()) for (const w of g.idle) w.wakeAll();
  }

  async subscribe(pattern: string, name: string, handler: RawDurableHandler, opts: DurableOptions = {}): Promise<StopDurable> {
    let group = this.groups.get(name);
    if (group && group.pattern !== pattern) throw new Error(`durable consumer '${name}' already reads '${group.pattern}', not '${pattern}'`);
    if (!group) {
      group = { pattern, cursor: this.nextSeq, inflight: new Set(), returned: [], attempts: new Map(), idle: new Set() };
      this.groups.set(name, group);
    }
    const g = group;
    let stopped = false;
    const idle = new Waker();
    const backoff = new Waker();
    g.idle.add(idle);
    const inflight = new InFlight(opts.maxInFlight);
    const loop = (async () => {
      while (!stopped) {
        const entry = this.take(g);
        if (!entry) {
          await idle.sleep(1000);
          continue;
        }
        await inflight.add(async () => {
          const delivery = { id: String(entry.seq), channel: entry.channel, attempt: (g.attempts.get(entry.seq) ?? 0) + 1 };
          const r = await handleWithRetry(handler, entry.raw, delivery, opts, () => stopped, backoff);
          g.inflight.delete(entry.seq);
          if (r.outcome === 'stopped') {
            g.attempts.set(entry.seq, r.attempt);
            g.returned.push(entry.seq);
            g.returned.sort((a, b) => a - b);
          } else {
            g.attempts.delete(entry.seq);
          }
          this.trim();
        });
      }
      await inflight.drain();
    })();
    const stop: StopDurable = async () => {
      if (stopped) return;
      stopped = true;
      idle.wakeAll();
      backoff.wakeAll();
      await loop;
      g.idle.delete(idle);
      this.stops.delete(stop);
      // A per-instance group is gone with its last member, and no longer holds messages back.
      if (opts.ephemeral && g.idle.size === 0 && this.groups.get(name) === g) {
        this.groups.delete(name);
        this.trim();
      }
    };
    this.stops.add(stop);
    return stop;
  }

  /** Stops every member; positions stay (for a later subscribe on this same log). */
  async close(): Promise<void> {
    await Promise.all([...this.stops].map((s) => s()));
  }

  /** Per group: messages on its channels not yet handed out, and handed out but not acknowledged. */
  lag(): { consumer: string; pattern: string; pending: number; unacknowledged: number }[] {
    return [...this.groups].map(([consumer, g]) => {
      let pending = g.returned.length;
      const first = this.entries[0]?.seq ?? this.nextSeq;
      for (let i = Math.max(0, g.cursor - first); i < this.entries.length; i++) if (matches(g.pattern, this.entries[i]!.channel)) pending++;
      return { consumer, pattern: g.pattern, pending, unacknowledged: g.inflight.size };
    });
  }

  /** Messages held and consumer groups, for health. */
  stats(): { messages: number; consumers: number } {
    return { messages: this.entries.length, consumers: this.groups.size };
  }

  private entryAt(seq: number): Entry | undefined {
    const first = this.entries[0];
    return first ? this.entries[seq - first.seq] : undefined;
  }

  private take(g: Group): Entry | undefined {
    while (g.returned.length) {
      const seq = g.returned.shift()!;
      const e = this.entryAt(seq);
      if (e) {
        g.inflight.add(seq);
        return e;
      }
    }
    while (g.cursor < this.nextSeq) {
      const seq = g.cursor++;
      const e = this.entryAt(seq);
      if (e && matches(g.pattern, e.channel)) {
        g.inflight.add(seq);
        return e;
      }
    }
    return undefined;
  }

  /** Drops what every group has passed, and the oldest beyond the cap. */
  private trim(): void {
    let low = this.nextSeq;
    for (const g of this.groups.values()) low = Math.min(low, g.cursor, ...g.inflight, ...g.returned);
    const first = this.entries[0]?.seq ?? this.nextSeq;
    let drop = Math.max(0, low - first);
    const over = this.entries.length - drop - this.maxEntries;
    if (over > 0) {
      this.dropped += over;
      drop += over;
    }
    // Trim in chunks: splicing the head of a long array on every message would be quadratic.
    if (drop > 0 && (drop >= 1024 || drop === this.entries.length || over > 0)) this.entries.splice(0, drop);
  }
}
