/**
 * The event log's streams: which channel families are kept (and replayed to
 * durable consumers) and under which NATS subjects. A channel `family:rest` is
 * published on the subject `<namespace>.<stream>.<family>.<rest>`; families not
 * listed here are live only (core NATS / Redis pub/sub, never stored).
 * The Kafka topic is the name a site running Kafka would give the same stream.
 */
export type StreamKey = 'market' | 'trading' | 'alerts';

export interface StreamDef {
  key: StreamKey;
  /** Channel families (the part before the first ':') the stream keeps. */
  families: readonly string[];
  kafkaTopic: string;
  /** How long NATS keeps a message (the Redis log is capped by length instead). */
  maxAgeMs: number;
  /** Cap on messages held: NATS drops the oldest beyond it, Redis trims approximately. */
  maxMessages: number;
}

const HOUR_MS = 3_600_000;

export const STREAMS: readonly StreamDef[] = [
  // Ticks and DA prices: high volume, only the recent past is worth replaying.
  { key: 'market', families: ['prices'], kafkaTopic: 'optibid.market-data', maxAgeMs: 24 * HOUR_MS, maxMessages: 1_000_000 },
  // Bid status, awards, settlements (and the other per-organisation events on `org:<id>`).
  { key: 'trading', families: ['org'], kafkaTopic: 'optibid.trading-events', maxAgeMs: 7 * 24 * HOUR_MS, maxMessages: 1_000_000 },
  // Broadcast alerts and alert-rule changes.
  { key: 'alerts', families: ['broadcast', 'platform'], kafkaTopic: 'optibid.alerts', maxAgeMs: 7 * 24 * HOUR_MS, maxMessages: 100_000 },
];

export function familyOf(channel: string): string {
  const i = channel.indexOf(':');
  return i < 0 ? channel : channel.slice(0, i);
}

export function streamOf(channel: string): StreamDef | undefined {
  const family = familyOf(channel);
  return STREAMS.find((s) => s.families.includes(family));
}

/**
 * The stream a durable pattern reads: an exact channel, or a prefix ending in
 * `*` whose family (text before ':') is complete. Throws for anything else,
 * e.g. `*` or `pri*`, which would span streams or none.
 */
export function streamOfPattern(pattern: string): StreamDef {
  const literal = pattern.endsWith('*') ? pattern.slice(0, -1) : pattern;
  const complete = !pattern.endsWith('*') || literal.includes(':');
  const stream = complete ? streamOf(literal) : undefined;
  if (!stream) {
    const kept = STREAMS.flatMap((s) => s.families.map((f) => `${f}:`)).join(', ');
    throw new Error(`durable pattern '${pattern}' is not within one event-log stream (kept channel families: ${kept})`);
  }
  return stream;
}

/**
 * One NATS subject token from arbitrary text: '.', '*', '>', whitespace and '%'
 * cannot appear in a token, so they (and any non-ASCII) are percent-encoded.
 */
export function subjectToken(text: string): string {
  if (text === '') return '%';
  return encodeURIComponent(text).replace(/[.*!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function fromSubjectToken(token: string): string {
  return token === '%' ? '' : decodeURIComponent(token);
}

/** Where a channel is published: `<ns>.<stream or 'live'>.<family>[.<rest>]`. */
export function subjectOf(namespace: string, channel: string): string {
  const i = channel.indexOf(':');
  const head = `${namespace}.${streamOf(channel)?.key ?? 'live'}`;
  return i < 0 ? `${head}.${subjectToken(channel)}` : `${head}.${subjectToken(channel.slice(0, i))}.${subjectToken(channel.slice(i + 1))}`;
}

/** Inverse of subjectOf, or undefined for a subject that is not one of ours. */
export function channelOf(namespace: string, subject: string): string | undefined {
  if (!subject.startsWith(`${namespace}.`)) return undefined;
  const tokens = subject.slice(namespace.length + 1).split('.');
  if (tokens.length === 2) return fromSubjectToken(tokens[1]!);
  if (tokens.length === 3) return `${fromSubjectToken(tokens[1]!)}:${fromSubjectToken(tokens[2]!)}`;
  return undefined;
}

/**
 * The narrowest NATS filter covering every channel `pattern` matches; the bus
 * still checks `matches()` on delivery because a prefix inside a token (`prices:P*`)
 * cannot be expressed as a subject wildcard.
 */
export function subjectFilterOf(namespace: string, pattern: string): string {
  if (!pattern.endsWith('*')) return subjectOf(namespace, pattern);
  const literal = pattern.slice(0, -1);
  const i = literal.indexOf(':');
  if (i < 0) return `${namespace}.>`;
  const family = literal.slice(0, i);
  return `${namespace}.${streamOf(literal)?.key ?? 'live'}.${subjectToken(family)}.>`;
}

/** Consumer group names become NATS durable names and Redis group names: keep them plain. */
export function checkConsumerName(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new Error(`consumer name '${name}' must be 1–64 letters, digits, '_' or '-'`);
  return name;
}

/** A namespace is one subject token and part of stream names and Redis keys. */
export function checkNamespace(ns: string): string {
  if (!/^[a-z0-9_-]{1,32}$/.test(ns)) throw new Error(`bus namespace '${ns}' must be 1–32 lower-case letters, digits, '_' or '-'`);
  return ns;
}
