/**
 * The Redis bus's event log: one Redis Stream per event-log stream
 * (`<ns>:log:market`, …), a consumer group per durable consumer, XACK after
 * the handler resolves, and XAUTOCLAIM of what a dead member left unacknowledged
 * for longer than ackWaitMs.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { handleWithRetry, InFlight, Waker } from './durable-log.js';
import { STREAMS, type StreamDef } from './streams.js';
import { matches, type DurableOptions, type RawDurableHandler, type StopDurable } from './types.js';

type Entry = [id: string, fields: string[]];

const BLOCK_MS = 250;
/** Redis holds its streams in RAM: at most about this many messages per stream, whatever the stream's own cap. */
const REDIS_MAX_MESSAGES = 100_000;
const MIN_BATCH = 64;

export class RedisLog {
  constructor(
    private readonly client: Redis,
    private readonly namespace: string,
    private readonly ackWaitMs: number,
  ) {}

  key(s: StreamDef): string {
    return `${this.namespace}:log:${s.key}`;
  }

  keys(): string[] {
    return STREAMS.map((s) => this.key(s));
  }

  async append(s: StreamDef, channel: string, raw: string): Promise<void> {
    await this.client.xadd(this.key(s), 'MAXLEN', '~', Math.min(s.maxMessages, REDIS_MAX_MESSAGES), '*', 'ch', channel, 'm', raw);
  }

  /** Creates the group at the stream's end (first time only) and records its pattern. */
  async ensureGroup(s: StreamDef, group: string, pattern: string): Promise<void> {
    const key = this.key(s);
    await this.client.hsetnx(`${key}:patterns`, group, pattern);
    const known = await this.client.hget(`${key}:patterns`, group);
    if (known !== pattern) throw new Error(`durable consumer '${group}' already reads '${known}', not '${pattern}'`);
    try {
      await this.client.xgroup('CREATE', key, group, '$', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
    }
  }

  /** Removes a group and its recorded pattern (a per-instance group whose member stopped). */
  async destroyGroup(s: StreamDef, group: string): Promise<void> {
    const key = this.key(s);
    await this.client.xgroup('DESTROY', key, group);
    await this.client.hdel(`${key}:patterns`, group);
  }

  /** Starts one member of `group`; it retries on its own while Redis is away. */
  member(s: StreamDef, group: string, pattern: string, handler: RawDurableHandler, opts: DurableOptions): StopDurable {
    const key = this.key(s);
    const me = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    // XREADGROUP BLOCK holds its connection: each member has its own.
    const conn = this.client.duplicate({ connectionName: `optibid-log-${group}` });
    conn.on('error', () => undefined);
    let stopped = false;
    const backoff = new Waker();
    const idle = new Waker();
    let lastClaimMs = 0;
    const batch = Math.max(MIN_BATCH, opts.maxInFlight ?? 1);

    const one = async ([id, fields]: Entry, claimed: boolean): Promise<void> => {
      const f = fieldsOf(fields);
      if (f.ch === undefined || f.m === undefined || !matches(pattern, f.ch)) {
        await conn.xack(key, group, id);
        return;
      }
      let attempt = 1;
      if (claimed) {
        const p = (await conn.xpending(key, group, id, id, 1)) as [string, string, number, number][];
        attempt = p[0]?.[3] ?? 2;
      }
      const r = await handleWithRetry(handler, f.m, { id, channel: f.ch, attempt }, opts, () => stopped, backoff, () => {
        // Still ours: reset its idle time so no other member claims it while we retry.
        void conn.xclaim(key, group, me, 0, id, 'JUSTID').catch(() => undefined);
      });
      if (r.outcome === 'acked') await conn.xack(key, group, id);
      // Handed back on stop: claimable at once by the next member instead of after ackWaitMs.
      else await conn.xclaim(key, group, me, 0, id, 'IDLE', this.ackWaitMs + 1, 'JUSTID').catch(() => undefined);
    };
    const handle = async (entries: Entry[], claimed: boolean): Promise<void> => {
      const inflight = new InFlight(opts.maxInFlight);
      for (const e of entries) await inflight.add(() => one(e, claimed));
      await inflight.drain();
    };

    const loop = (async () => {
      while (!stopped) {
        try {
          if (conn.status === 'wait') await conn.connect();
          if (Date.now() - lastClaimMs > this.ackWaitMs / 2) {
            lastClaimMs = Date.now();
            const [, claimed] = (await conn.xautoclaim(key, group, me, this.ackWaitMs, '0-0', 'COUNT', batch)) as [string, Entry[]];
            // Entries deleted by trimming come back as null.
            const live = claimed.filter((e) => Array.isArray(e) && Array.isArray(e[1]));
            if (live.length) {
              await handle(live, true);
              lastClaimMs = 0;
              continue;
            }
          }
          const res = (await conn.xreadgroup('GROUP', group, me, 'COUNT', batch, 'BLOCK', BLOCK_MS, 'STREAMS', key, '>')) as [string, Entry[]][] | null;
          if (res?.[0]) await handle(res[0][1], false);
        } catch (err) {
          if (String((err as Error).message).startsWith('NOGROUP')) await this.ensureGroup(s, group, pattern).catch(() => undefined);
          if (!stopped) await idle.sleep(1000);
        }
      }
    })();

    return async () => {
      if (stopped) return;
      stopped = true;
      backoff.wakeAll();
      idle.wakeAll();
      await loop;
      conn.disconnect();
    };
  }

  async stats(): Promise<{ name: string; messages: number; consumers: number }[]> {
    return Promise.all(
      STREAMS.map(async (s) => {
        const key = this.key(s);
        const [messages, groups] = await Promise.all([this.client.xlen(key), this.client.hlen(`${key}:patterns`)]);
        return { name: key, messages, consumers: groups };
      }),
    );
  }
}

function fieldsOf(fields: string[]): { ch?: string; m?: string } {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}
