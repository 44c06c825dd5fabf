/**
 * Replays of answers the full Fastify pipeline already gave, for the anonymous polls of cached
 * reads (issue 16: a cached `/api/prices` at half a hello-world's rate). The full pipeline
 * (routing, the security-header and CORS hooks, query validation, the input guard, auth, the
 * handler) answered an exact raw URL once; what it wrote is recorded here with the answer it
 * came from, and the next GET of the same raw URL, with the same Origin, no credential and no
 * body, is written straight to the socket while that answer is still cached: a map lookup and
 * one `writeHead` + `end`. Everything that may differ per request is still done per request:
 * the request id (the same rule as Fastify's `genReqId`), the ETag comparison (304), and the
 * latency metric; Node adds `Date`, `Connection` and `Keep-Alive` as on every answer.
 *
 * Nothing is decided here that the full pipeline did not decide for the same input: a URL is
 * only ever replayed after the pipeline accepted it, whatever it validated then holds for the
 * same bytes, and a request the record cannot vouch for (another method or origin, a
 * credential, a body, a dropped or expired cache entry) goes through the pipeline.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

/** What the pipeline wrote for one answer and one Origin, ready for `writeHead`. */
export interface Replay {
  readonly etag: string;
  readonly body: Buffer;
  /** Flat [name, value, …] of the 200 answer, the request id's value left to fill at `idAt`. */
  readonly ok: string[];
  /** The same for the 304 answer (no content type or length). */
  readonly notModified: string[];
  readonly idAt: number;
}

/** A cached answer's replays, one per Origin header value ('' for none); kept on the cache entry, so they go with it. */
export type Replays = Map<string, Replay>;

/** Distinct Origin values replayed per answer: CORS answers differ by origin; any further origin takes the pipeline. */
export const MAX_ORIGINS_PER_ANSWER = 16;
/** Raw URLs remembered; the oldest is forgotten first (its answer stays cached and is recorded again on its next read). */
export const MAX_REPLAYED_URLS = 10_000;

export interface Remembered {
  /** The route pattern, for the latency metric's label. */
  route: string;
  /** The replays of the cached answer the URL reads, while it is live; else undefined. */
  live: () => Replays | undefined;
  /** Called for each replayed answer (the cache counts it as a hit). */
  replayed: () => void;
}

export interface FastRepliesOptions {
  /** The request id of a request (the same function Fastify's `genReqId` is). */
  requestId: (req: IncomingMessage) => string;
  /** Records one replayed answer's latency, as the pipeline's onResponse hook does. */
  observe?: (route: string, status: number, seconds: number) => void;
}

export class FastReplies {
  private readonly urls = new Map<string, Remembered>();
  /** Off while the server closes (the pipeline answers 503 then) or when every request is logged (LOG_LEVEL=debug). */
  enabled = true;
  readonly counters = { replayed: 0, not_modified: 0 };
  private opts: FastRepliesOptions | null = null;

  /** Wires the request id and metrics of the server this replays for; until then nothing is replayed. */
  configure(opts: FastRepliesOptions): void {
    this.opts = opts;
  }

  /**
   * Remembers that the pipeline answered `rawUrl` from a cached answer whose replays `what.live`
   * returns. Only call it for an anonymous GET without a body (see `isReplayable`).
   */
  remember(rawUrl: string, what: Remembered): void {
    if (this.urls.size >= MAX_REPLAYED_URLS && !this.urls.has(rawUrl)) {
      const oldest = this.urls.keys().next().value;
      if (oldest !== undefined) this.urls.delete(oldest);
    }
    this.urls.set(rawUrl, what);
  }

  get size(): number {
    return this.urls.size;
  }

  /** Answers `req` from a replay and returns true, or returns false: the pipeline answers it. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.enabled || this.opts === null || req.method !== 'GET') return false;
    const started = performance.now();
    const remembered = this.urls.get(req.url!);
    if (remembered === undefined || !isReplayable(req)) return false;
    const replays = remembered.live();
    if (replays === undefined) {
      this.urls.delete(req.url!);
      return false;
    }
    const origin = req.headers.origin;
    const replay = replays.get(origin === undefined ? '' : origin);
    if (replay === undefined) return false;
    const notModified = etagMatches(req.headers['if-none-match'], replay.etag);
    const headers = notModified ? replay.notModified : replay.ok;
    // The arrays are shared between requests: filled and written synchronously, never held.
    headers[replay.idAt] = this.opts.requestId(req);
    const status = notModified ? 304 : 200;
    res.writeHead(status, headers);
    if (notModified) {
      res.end();
      this.counters.not_modified++;
    } else res.end(replay.body);
    this.counters.replayed++;
    remembered.replayed();
    this.opts.observe?.(remembered.route, status, (performance.now() - started) / 1000);
    return true;
  }
}

/** A GET the pipeline would answer the same for anyone: no credential (no auth, no quota) and no body. */
export function isReplayable(req: Pick<IncomingMessage, 'method' | 'headers'>): boolean {
  const h = req.headers;
  return req.method === 'GET' && h.authorization === undefined && h['x-api-key'] === undefined && h['content-length'] === undefined && h['transfer-encoding'] === undefined;
}

/**
 * The flat header list of a replay: `headers` as the pipeline set them (names lower-case, as
 * Fastify keeps them), in their order, plus `extra`. Null when a value is not a single string
 * or number (nothing the read path sets; such an answer is simply not replayed).
 */
export function flatHeaders(headers: Record<string, unknown>, extra: readonly (readonly [string, string])[] = []): { list: string[]; idAt: number } | null {
  const list: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string' && typeof value !== 'number') return null;
    list.push(name, String(value));
  }
  for (const [name, value] of extra) list.push(name, value);
  const idAt = list.indexOf('x-request-id');
  if (idAt < 0 || idAt % 2 !== 0) return null;
  return { list, idAt: idAt + 1 };
}

/** Whether an `If-None-Match` header names this ETag (weak comparison, as RFC 9110 asks for GET). */
export function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  if (!header) return false;
  const tags = (Array.isArray(header) ? header.join(',') : header).split(',').map((t) => t.trim().replace(/^W\//, ''));
  return tags.includes('*') || tags.includes(etag);
}
