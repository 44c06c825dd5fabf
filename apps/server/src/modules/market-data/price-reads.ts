/**
 * The fast read path for the market data a trader's screens poll: answers come from the
 * in-process cache (price-read-cache.ts) when nothing they read has changed, with an ETag
 * (304 on a matching If-None-Match) and a Cache-Control saying how long an HTTP client may
 * keep them: shared DA prices of delivery days that are over for a day, everything else
 * only after revalidating, an organisation's own series never in a shared cache.
 *
 * Invalidation: the prices repository reports every write that changed a price (after the
 * write); this instance drops the entries it touched at once and tells the other instances
 * on the bus (`cache:prices`, live), which drop theirs.
 */
import { randomUUID } from 'node:crypto';
import type { PriceRun } from '@optibid/core';
import type { PricesChangedMessage } from '@optibid/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Bus } from '../../bus/index.js';
import type { PriceChange, PricesRepository } from '../../db/repositories/index.js';
import type { MarketService, PriceOwner } from './market-service.js';
import { FastReplies, flatHeaders, isReplayable, MAX_ORIGINS_PER_ANSWER } from '../../http/fast-replies.js';
import { etagMatches, PriceReadCache, readKey, type CachedRead, type ChangeSpan, type ReadAnswer, type ReadCacheOptions, type ReadKind } from './price-read-cache.js';

/** How long an HTTP client may keep a closed day's shared DA prices before revalidating. */
export const CLOSED_MAX_AGE_S = 86_400;
/** Every interval starts on a 5-minute UTC boundary (5-, 15-, 60-minute intervals, whole-hour offsets). */
const INTERVAL_GRID_MS = 300_000;
const CACHE_CHANNEL = 'cache:prices' as const;
const JSON_TYPE = 'application/json; charset=utf-8';

type PriceQueryInput = Parameters<MarketService['prices']>[0];
type StatsQueryInput = Parameters<MarketService['stats']>[0];

export interface PriceReadsOptions {
  /** Market data readable without a token: shared answers are `public` for HTTP caches, else `private`. */
  publicMarketData: boolean;
  now?: () => number;
  cache?: ReadCacheOptions;
}

export class PriceReads {
  readonly cache: PriceReadCache;
  /** Names this instance's invalidations on the bus (it has applied them already). */
  readonly instanceId = randomUUID();
  /** Anonymous polls of cached answers, written without the pipeline (the server factory in app.ts asks it first). */
  readonly replies = new FastReplies();
  private readonly now: () => number;

  constructor(
    private readonly markets: MarketService,
    private readonly opts: PriceReadsOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.cache = new PriceReadCache({ now: this.now, ...opts.cache });
  }

  /**
   * Wires invalidation: writes through `prices` drop local entries and are announced on the
   * bus; announcements from other instances drop ours. Returns the function that unwires it.
   */
  attach(prices: PricesRepository, bus: Pick<Bus, 'publish' | 'subscribe'>): () => void {
    const offWrites = prices.onChange((c) => {
      this.cache.invalidate(changeSpan(c));
      void bus.publish(CACHE_CHANNEL, changedMessage(c, this.instanceId)).catch(() => undefined);
    });
    const offBus = bus.subscribe(CACHE_CHANNEL, (m) => {
      if (m && m.type === 'prices_changed' && m.origin !== this.instanceId) this.cache.invalidate(spanOfMessage(m));
    });
    return () => {
      offWrites();
      offBus();
    };
  }

  prices(req: FastifyRequest, reply: FastifyReply, q: PriceQueryInput, owner: PriceOwner): Promise<FastifyReply> {
    return this.serve(req, reply, 'prices', owner, q, async () => {
      const page = await this.markets.prices(q, owner);
      const { start, end } = this.markets.range(this.markets.market(q.market), q.start, q.end);
      const answer = this.answer(page, { kind: 'prices', market: page.market, owner, run: page.run, location: page.location, start_ms: start.getTime(), end_ms: end.getTime() });
      // The analytics store is its own fast path and trails PostgreSQL by its sync: its answers are not kept.
      return this.markets.mayUseAnalytics(owner, 'series', q.resolution) ? { ...answer, keep: false } : answer;
    });
  }

  stats(req: FastifyRequest, reply: FastifyReply, q: StatsQueryInput, owner: PriceOwner): Promise<FastifyReply> {
    return this.serve(req, reply, 'stats', owner, q, async () => {
      const view = await this.markets.stats(q, owner);
      const answer = this.answer(view, { kind: 'stats', market: view.market, owner, run: view.run, location: view.location, start_ms: Date.parse(view.start), end_ms: Date.parse(view.end) });
      return this.markets.mayUseAnalytics(owner, 'stats') ? { ...answer, keep: false } : answer;
    });
  }

  /** The newest shared prices: they change with a write, or when time reaches the next interval. */
  latest(req: FastifyRequest, reply: FastifyReply, market: string): Promise<FastifyReply> {
    return this.serve(req, reply, 'latest', null, { market: this.markets.market(market).iso }, async () => {
      const body = await this.markets.latest(market);
      const now = this.now();
      return { payload: body, span: { kind: 'latest', market: body.market, owner: null }, closed: false, valid_until_ms: (Math.floor(now / INTERVAL_GRID_MS) + 1) * INTERVAL_GRID_MS };
    });
  }

  locations(req: FastifyRequest, reply: FastifyReply, iso: string): Promise<FastifyReply> {
    return this.serve(req, reply, 'locations', null, { market: this.markets.market(iso).iso }, async () => {
      const body = await this.markets.locations(iso);
      return { payload: body, span: { kind: 'locations', market: body.market, owner: null }, closed: false };
    });
  }

  private answer(payload: unknown, span: ReadAnswer['span']): ReadAnswer {
    // A delivery day is closed once it is over; only the shared DA series is the ISO's settled result.
    const closed = span.owner === null && (span.run as PriceRun) === 'DA' && span.end_ms !== undefined && span.end_ms <= this.now();
    return { payload, span, closed };
  }

  private async serve(req: FastifyRequest, reply: FastifyReply, kind: ReadKind, owner: PriceOwner, query: object, compute: () => Promise<ReadAnswer>): Promise<FastifyReply> {
    const key = readKey(kind, owner, query as Record<string, unknown>);
    const entry = await this.cache.read(kind, key, compute, (payload) => String(reply.serialize(payload)));
    const visibility = this.opts.publicMarketData ? 'public' : 'private';
    reply.header('etag', entry.etag);
    if (owner !== null) {
      // An organisation's own series: only the caller's own client may keep it, and only to revalidate.
      reply.header('cache-control', 'private, no-cache');
      addVary(reply, 'authorization, x-api-key');
    } else {
      reply.header('cache-control', entry.closed ? `${visibility}, max-age=${CLOSED_MAX_AGE_S}` : `${visibility}, no-cache`);
      if (!this.opts.publicMarketData) addVary(reply, 'authorization, x-api-key');
    }
    if (owner === null && this.opts.publicMarketData) this.record(req, reply, kind, key, entry);
    if (etagMatches(req.headers['if-none-match'], entry.etag)) return reply.code(304).send();
    return reply.type(JSON_TYPE).send(entry.body);
  }

  /**
   * Records what this answer's headers are now (security headers, CORS, ETag, Cache-Control: all
   * set by the time the handler runs) for replays of the same raw URL and Origin, when anyone
   * asking the same would get the same: a shared answer of public market data, still stored, to
   * a GET without a credential or a body.
   */
  private record(req: FastifyRequest, reply: FastifyReply, kind: ReadKind, key: string, entry: CachedRead): void {
    if (!isReplayable(req.raw) || !this.cache.holds(key, entry)) return;
    const origin = req.headers.origin ?? '';
    entry.replays ??= new Map();
    if (!entry.replays.has(origin)) {
      if (entry.replays.size >= MAX_ORIGINS_PER_ANSWER) return;
      const base = reply.getHeaders();
      const ok = flatHeaders(base, [['content-type', JSON_TYPE], ['content-length', String(entry.body.length)]]);
      const notModified = flatHeaders(base);
      if (ok === null || notModified === null) return;
      entry.replays.set(origin, { etag: entry.etag, body: entry.body, ok: ok.list, notModified: notModified.list, idAt: ok.idAt });
    }
    const hits = this.cache.counters.hits;
    this.replies.remember(req.raw.url!, {
      route: req.routeOptions.url ?? req.url,
      live: () => this.cache.live(key)?.replays,
      replayed: () => hits[kind]++,
    });
  }
}

function addVary(reply: FastifyReply, value: string): void {
  const current = reply.getHeader('vary');
  reply.header('vary', current ? `${String(current)}, ${value}` : value);
}

function changeSpan(c: PriceChange): ChangeSpan {
  return { market: c.market, owner: c.owner, runs: c.runs, locations: c.locations, first_ms: c.first_interval_start.getTime(), last_ms: c.last_interval_start.getTime() };
}

function changedMessage(c: PriceChange, origin: string): PricesChangedMessage {
  return {
    type: 'prices_changed',
    market: c.market,
    owner_organization_id: c.owner,
    runs: c.runs,
    locations: c.locations,
    first_interval_start: c.first_interval_start.toISOString(),
    last_interval_start: c.last_interval_start.toISOString(),
    origin,
  };
}

function spanOfMessage(m: PricesChangedMessage): ChangeSpan {
  const first = Date.parse(m.first_interval_start);
  const last = Date.parse(m.last_interval_start);
  return {
    market: m.market,
    owner: m.owner_organization_id,
    runs: Array.isArray(m.runs) ? m.runs : ['DA', 'RT5', 'RT15', 'RTH'],
    locations: Array.isArray(m.locations) ? m.locations : null,
    // A malformed range from the bus drops everything of the market rather than nothing.
    first_ms: Number.isFinite(first) ? first : -Infinity,
    last_ms: Number.isFinite(last) ? last : Infinity,
  };
}
