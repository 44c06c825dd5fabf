import {
  AckPolicy,
  connect,
  DeliverPolicy,
  DiscardPolicy,
  Events,
  nanos,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type NatsError,
  type StreamConfig,
  type Subscription,
} from 'nats';
import { handleWithRetry, InFlight, InProcessLog, Waker } from './durable-log.js';
import { channelOf, checkConsumerName, checkNamespace, STREAMS, streamOf, streamOfPattern, subjectFilterOf, subjectOf, type StreamDef } from './streams.js';
import {
  LocalSubscribers,
  matches,
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

export interface NatsBusOptions {
  /** Subject root and stream-name prefix (tests use their own). Default `optibid`. */
  namespace?: string;
  /** How long a delivered message may stay unacknowledged before NATS hands it out again (its consumer died). Default 30 s. */
  ackWaitMs?: number;
  /** Delay between attempts to reach NATS when it is down at start. Default 2 s. */
  reconnectDelayMs?: number;
}

interface Member {
  stream: StreamDef;
  durable: string;
  pattern: string;
  handler: RawDurableHandler;
  opts: DurableOptions;
  stopped: boolean;
  backoff: Waker;
  idle: Waker;
  messages: ConsumerMessages | null;
  loop: Promise<void> | null;
}

const API_CONSUMER_NOT_FOUND = 10014;
const API_STREAM_NAME_IN_USE = 10058;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The bus on NATS JetStream (BUS_URL=nats://…). Channels of the event-log
 * families (streams.ts) are appended to a stream and read back by durable pull
 * consumers with explicit acks; every channel is also seen live by plain
 * subscribers through core NATS. While NATS is unreachable, messages are
 * delivered in-process (live and durable) so this server keeps working, and
 * health says degraded.
 */
export class NatsBus implements Bus {
  readonly backend = 'nats' as const;
  private readonly namespace: string;
  private readonly ackWaitMs: number;
  private readonly reconnectDelayMs: number;
  private nc: NatsConnection | null = null;
  private js: JetStreamClient | null = null;
  private jsm: JetStreamManager | null = null;
  private connected = false;
  private lastError = 'not started';
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly local = new LocalSubscribers();
  private readonly coreSubs = new Map<string, Subscription | null>();
  private readonly fallbackLog = new InProcessLog();
  private readonly members = new Set<Member>();

  constructor(
    private readonly url: string,
    opts: NatsBusOptions = {},
  ) {
    this.namespace = checkNamespace(opts.namespace ?? 'optibid');
    this.ackWaitMs = opts.ackWaitMs ?? 30_000;
    this.reconnectDelayMs = opts.reconnectDelayMs ?? 2000;
  }

  /** The JetStream stream holding one event-log stream. */
  streamName(s: StreamDef): string {
    return `${this.namespace}_${s.key}`.toUpperCase();
  }

  /** Connects and declares the streams; if NATS is unreachable, rejects and keeps trying in the background. */
  async start(): Promise<void> {
    try {
      const nc = await connect({ servers: this.url, name: 'optibid', timeout: 2000, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
      try {
        this.jsm = await nc.jetstreamManager({ timeout: 2000 });
        this.js = nc.jetstream({ timeout: 2000 });
        this.nc = nc;
        await this.ensureStreams();
      } catch (err) {
        this.nc = null;
        await nc.close().catch(() => undefined);
        throw err;
      }
      if (this.closed) {
        await nc.close();
        return;
      }
      this.connected = true;
      void this.watch(nc);
      for (const pattern of this.coreSubs.keys()) this.attachCore(pattern);
      for (const m of this.members) this.runMember(m);
    } catch (err) {
      this.lastError = (err as Error).message;
      if (!this.closed) this.retryTimer = setTimeout(() => void this.start().catch(() => undefined), this.reconnectDelayMs);
      throw err;
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === Events.Disconnect) {
        this.connected = false;
        this.lastError = 'connection lost';
      } else if (s.type === Events.Reconnect) {
        // A server restarted without its store would have lost the streams.
        await this.ensureStreams().catch((err: Error) => (this.lastError = err.message));
        this.connected = true;
        for (const m of this.members) this.runMember(m);
      }
    }
    this.connected = false;
  }

  private async ensureStreams(): Promise<void> {
    for (const s of STREAMS) {
      const config: Partial<StreamConfig> & { name: string } = {
        name: this.streamName(s),
        subjects: [`${this.namespace}.${s.key}.>`],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        max_age: nanos(s.maxAgeMs),
        max_msgs: s.maxMessages,
        num_replicas: 1,
      };
      try {
        await this.jsm!.streams.add(config);
      } catch (err) {
        if ((err as NatsError).api_error?.err_code !== API_STREAM_NAME_IN_USE) throw err;
        await this.jsm!.streams.update(config.name, config);
      }
    }
  }

  async publish<C extends BusChannel>(channel: C, message: BusTopics[C]): Promise<void> {
    const raw = JSON.stringify(message);
    if (this.connected && this.nc && this.js) {
      const subject = subjectOf(this.namespace, channel);
      try {
        // A stored channel waits for JetStream's acknowledgement; plain subscribers see the same publish.
        if (streamOf(channel)) await this.js.publish(subject, encoder.encode(raw));
        else {
          this.nc.publish(subject, encoder.encode(raw));
          // Resolve once the server has it, as Redis does: two awaited publishes from two instances stay in order.
          await this.nc.flush();
        }
        return;
      } catch (err) {
        this.lastError = (err as Error).message;
      }
    }
    if (streamOf(channel)) this.fallbackLog.append(channel, raw);
    const copy: unknown = JSON.parse(raw);
    queueMicrotask(() => this.local.deliver(channel, copy));
  }

  subscribe<P extends BusPattern>(pattern: P, typed: BusHandler<PatternMessage<P>>): Unsubscribe {
    const off = this.local.add(pattern, typed as RawHandler);
    if (!this.coreSubs.has(pattern)) {
      this.coreSubs.set(pattern, null);
      // While reconnecting, the client queues the subscription and replays it.
      if (this.nc) this.attachCore(pattern);
    }
    return () => {
      off();
      if (!this.local.patterns().includes(pattern)) {
        this.coreSubs.get(pattern)?.unsubscribe();
        this.coreSubs.delete(pattern);
      }
    };
  }

  private attachCore(pattern: string): void {
    if (!this.nc || this.coreSubs.get(pattern)) return;
    const sub = this.nc.subscribe(subjectFilterOf(this.namespace, pattern), {
      callback: (err, msg) => {
        if (err) return;
        const channel = channelOf(this.namespace, msg.subject);
        if (channel === undefined || !matches(pattern, channel)) return;
        let message: unknown;
        try {
          message = JSON.parse(decoder.decode(msg.data));
        } catch {
          return;
        }
        this.local.deliverTo(pattern, channel, message);
      },
    });
    this.coreSubs.set(pattern, sub);
  }

  /** Resolves once NATS has registered every current subscription (tests wait on it). */
  async ready(): Promise<void> {
    if (this.connected) await this.nc?.flush();
  }

  async subscribeDurable<P extends BusPattern>(pattern: P, consumer: string, typed: DurableHandler<PatternMessage<P>>, opts: DurableOptions = {}): Promise<StopDurable> {
    const handler = typed as RawDurableHandler;
    const stream = streamOfPattern(pattern);
    checkConsumerName(consumer);
    const m: Member = { stream, durable: consumer, pattern, handler, opts, stopped: false, backoff: new Waker(), idle: new Waker(), messages: null, loop: null };
    // Created before returning, so what is published from now on reaches the group.
    if (this.connected) await this.ensureConsumer(m);
    const stopFallback = await this.fallbackLog.subscribe(pattern, consumer, handler, opts);
    this.members.add(m);
    if (this.nc) this.runMember(m);
    return async () => {
      if (m.stopped) return;
      m.stopped = true;
      m.backoff.wakeAll();
      m.idle.wakeAll();
      await m.messages?.close().catch(() => undefined);
      await m.loop;
      this.members.delete(m);
      await stopFallback();
      // Acks are fire-and-forget: make sure they reached the server before saying stopped.
      if (this.connected) await this.nc?.flush().catch(() => undefined);
      if (m.opts.ephemeral && this.connected) await this.jsm?.consumers.delete(this.streamName(m.stream), m.durable).catch(() => undefined);
    };
  }

  private async ensureConsumer(m: Member): Promise<void> {
    const stream = this.streamName(m.stream);
    const filter = subjectFilterOf(this.namespace, m.pattern);
    try {
      const info = await this.jsm!.consumers.info(stream, m.durable);
      if (info.config.filter_subject !== filter) throw new Error(`durable consumer '${m.durable}' already reads ${info.config.filter_subject}, not ${filter}`);
    } catch (err) {
      if ((err as NatsError).api_error?.err_code !== API_CONSUMER_NOT_FOUND) throw err;
      await this.jsm!.consumers.add(stream, {
        durable_name: m.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
        filter_subject: filter,
        ack_wait: nanos(this.ackWaitMs),
        max_ack_pending: 1000,
        ...(m.opts.ephemeral ? { inactive_threshold: nanos(m.opts.ephemeral.inactiveMs) } : {}),
      });
    }
  }

  private runMember(m: Member): void {
    if (m.loop || m.stopped) return;
    m.loop = (async () => {
      while (!m.stopped) {
        try {
          await this.ensureConsumer(m);
          const c = await this.js!.consumers.get(this.streamName(m.stream), m.durable);
          m.messages = await c.consume({ max_messages: Math.max(64, 2 * (m.opts.maxInFlight ?? 1)) });
          if (m.stopped) await m.messages.close();
          const inflight = new InFlight(m.opts.maxInFlight);
          // After stop, what was already handed to us is given straight back (handle naks it).
          for await (const jm of m.messages) await inflight.add(() => this.handle(m, jm));
          await inflight.drain();
        } catch (err) {
          this.lastError = (err as Error).message;
        }
        if (!m.stopped) await m.idle.sleep(this.reconnectDelayMs);
      }
    })();
  }

  private async handle(m: Member, jm: JsMsg): Promise<void> {
    const channel = channelOf(this.namespace, jm.subject);
    if (channel === undefined || !matches(m.pattern, channel)) {
      jm.ack();
      return;
    }
    const delivery = { id: `${jm.info.stream}:${jm.seq}`, channel, attempt: jm.info.deliveryCount };
    const r = await handleWithRetry(m.handler, decoder.decode(jm.data), delivery, m.opts, () => m.stopped, m.backoff, () => jm.working());
    if (r.outcome === 'acked') jm.ack();
    // Handed back on stop (failed or not started): redelivered at once to the group.
    else jm.nak();
  }

  async health(): Promise<BusHealth> {
    if (!this.connected || !this.nc || !this.jsm) return { status: 'degraded', backend: 'nats', message: `NATS unreachable (${this.lastError}): delivering in-process only` };
    const t0 = performance.now();
    try {
      await this.nc.rtt();
      const latency_ms = Math.round((performance.now() - t0) * 100) / 100;
      const streams = await Promise.all(
        STREAMS.map(async (s) => {
          const info = await this.jsm!.streams.info(this.streamName(s));
          return { name: info.config.name, messages: info.state.messages, consumers: info.state.consumer_count };
        }),
      );
      return { status: 'ok', backend: 'nats', latency_ms, streams };
    } catch (err) {
      return { status: 'degraded', backend: 'nats', message: `JetStream: ${(err as Error).message}` };
    }
  }

  /** From JetStream's consumer info (num_pending, num_ack_pending) for each group with a member here. */
  async consumerLag(): Promise<ConsumerLag[]> {
    if (!this.connected || !this.jsm) return [];
    const groups = new Map<string, Member>();
    for (const m of this.members) groups.set(`${m.stream.key}|${m.durable}`, m);
    const out: ConsumerLag[] = [];
    for (const m of groups.values()) {
      const info = await this.jsm.consumers.info(this.streamName(m.stream), m.durable).catch(() => null);
      if (info) out.push({ stream: m.stream.key, consumer: m.durable, pending: info.num_pending, unacknowledged: info.num_ack_pending });
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const m of [...this.members]) {
      m.stopped = true;
      m.backoff.wakeAll();
      m.idle.wakeAll();
      await m.messages?.close().catch(() => undefined);
      await m.loop;
    }
    await this.fallbackLog.close();
    const nc = this.nc;
    this.nc = null;
    this.connected = false;
    if (nc && !nc.isClosed()) {
      await nc.flush().catch(() => undefined);
      await nc.close();
    }
  }
}
