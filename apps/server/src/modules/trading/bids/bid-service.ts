/**
 * Bids: drafts, versions, submission with validation, cancellation. Every
 * transition commits with its audit row in one transaction and is published on
 * `org:<organization_id>` after the commit. A late bid is refused (422) with
 * the ISO's gate closure in its own clock; the clock is injectable for tests.
 */
import {
  assetBidLimits,
  bidGateClosure,
  isBidEditable,
  localDateOf,
  bidRefusalReason,
  nextBidStatus,
  validateBid,
  ancillaryAssetLimits,
  getAncillaryMarket,
  validateAncillaryOffers,
  type AncillaryOffer,
  type BidContent,
  type BidSide,
  type BidStatus,
  type MarketDefinition,
} from '@optibid/core';
import { createHash } from 'node:crypto';
import type { BidCreateBody, BidPatchBody, BidView } from '@optibid/contracts';
import type { AssetRow, BidContentFields, BidContentPatch, BidRow, Sql, StoredBidIssue } from '../../../db/repositories/trading/index.js';
import { AppError, badRequest, conflict, notFound, validationFailed } from '../../../http/errors.js';
import { assetSpec, bidStatusEvent, bidView, publishAll, type Actor, type Published, type TradingDeps } from '../common.js';

export interface BidAnswer {
  status_code: number;
  body: BidView;
  replayed: boolean;
}


const TIMING_CODES = new Set(['gate_closed', 'delivery_not_future']);

const DEFAULT_SIDE: Record<AssetRow['type'], BidSide> = {
  battery: 'storage',
  thermal: 'supply',
  solar: 'supply',
  wind: 'supply',
  demand_response: 'supply',
  load: 'demand',
};

type ContentFields = Pick<BidContentFields, 'side' | 'cost_verified' | 'curves'> & { as_offers?: AncillaryOffer[][] | null } &
  Partial<Pick<BidContentFields, 'delivery_date' | 'interval_start' | 'interval_minutes'>> & { run: 'DA' | 'RT' };

/** The core's view of a bid with its AS offers. */
type Content = BidContent & { delivery_date: string; as_offers: AncillaryOffer[][] | null };

/** The stored form of a bid's content, as a new bid and as a new version. */
function storedContent(c: Content, m: MarketDefinition): BidContentPatch {
  return {
    side: c.side,
    delivery_date: c.delivery_date,
    interval_start: c.interval_start ?? null,
    interval_minutes: c.interval_minutes ?? null,
    cost_verified: c.cost_verified ?? false,
    curves: c.curves,
    as_offers: c.as_offers,
    gate_closure: bidGateClosure(c, m),
  };
}

export class BidService {
  constructor(private readonly d: TradingDeps) {}

  private market(iso: string): MarketDefinition {
    return this.d.markets.market(iso);
  }

  /** The core's view of a bid; an RT bid's delivery date is the market-local date of its first interval. */
  private content(m: MarketDefinition, f: ContentFields): Content {
    if (f.run === 'DA') {
      if (!f.delivery_date) throw badRequest('a day-ahead bid needs delivery_date (YYYY-MM-DD, market-local)');
    } else if (!f.interval_start || !Number.isFinite(f.interval_start.getTime())) {
      throw badRequest('a real-time bid needs interval_start (ISO 8601 instant)');
    }
    const delivery_date = f.run === 'DA' ? f.delivery_date! : localDateOf(f.interval_start!, m.timezone);
    return {
      iso: m.iso,
      run: f.run,
      side: f.side,
      delivery_date,
      interval_start: f.run === 'RT' ? f.interval_start! : undefined,
      interval_minutes: f.run === 'RT' ? (f.interval_minutes ?? m.rt_pricing_interval_min) : undefined,
      cost_verified: f.cost_verified,
      curves: f.curves,
      // An empty offer list everywhere is the same as none: stored as null (energy only).
      as_offers: f.as_offers && f.as_offers.some((l) => l.length > 0) ? f.as_offers : null,
    };
  }

  /** Every broken rule: the energy curves' (core validateBid) then the AS offers' (core validateAncillaryOffers). */
  private validate(m: MarketDefinition, asset: AssetRow, c: Content): StoredBidIssue[] {
    const issues: StoredBidIssue[] = validateBid(c, { market: m, limits: assetBidLimits(assetSpec(asset)), now: this.d.now() });
    return [...issues, ...this.asIssues(m, asset, c)];
  }

  /** The AS offers' issues alone, against the ISO's catalogue rules on the delivery date and the asset's limits. */
  private asIssues(m: MarketDefinition, asset: AssetRow, c: Content) {
    const offers = c.as_offers;
    if (!offers) return [];
    return validateAncillaryOffers({ ...c, as_offers: offers }, { rules: getAncillaryMarket(m.iso), asset: ancillaryAssetLimits(assetSpec(asset)) });
  }

  /**
   * AS offers are checked when they are written (422 listing every issue, per period and
   * product), not only at submission: a draft whose AS offers break the ISO's rules or the
   * battery's limits is refused outright, like a late bid.
   */
  private refuseBadAsOffers(m: MarketDefinition, asset: AssetRow, c: Content): void {
    const issues = this.asIssues(m, asset, c);
    if (issues.length > 0) throw validationFailed(`AS offers refused: ${issues.length} rule${issues.length === 1 ? '' : 's'} broken`, issues);
  }

  /** 422 naming the ISO's gate closure when the bid is too late to create, change, submit or cancel. */
  private refuseIfLate(m: MarketDefinition, asset: AssetRow, c: Content): void {
    const late = this.validate(m, asset, c).filter((i) => TIMING_CODES.has(i.code));
    if (late.length > 0) throw validationFailed(`bid refused: ${late.map((i) => i.message).join('; ')}`, late);
  }

  private async asset(organizationId: string, id: string, tx?: Sql): Promise<AssetRow> {
    const a = await this.d.repos.assets.get(organizationId, id, tx);
    if (!a) throw notFound(`asset ${id}`);
    return a;
  }

  /**
   * Runs `fn` in one transaction, honouring an Idempotency-Key: the first answer is stored
   * with the key in the same transaction, and a retry gets it back without running `fn`.
   */
  private async once(
    actor: Actor,
    key: string | undefined,
    scope: string,
    fn: (tx: Sql, published: Published) => Promise<{ status_code: number; body: BidView }>,
    request: unknown = null,
  ): Promise<BidAnswer> {
    if (key !== undefined && (key.length === 0 || key.length > 200)) throw badRequest('Idempotency-Key must be 1 to 200 characters');
    const published: Published = [];
    // The key binds the request (scope is the method and path): a retry must send the same body.
    const fingerprint = createHash('sha256').update(`${scope}\n${canonicalJson(request)}`).digest('hex');
    const answer = await this.d.repos.sql.transaction(async (tx) => {
      if (key !== undefined) {
        const claim = await this.d.repos.bids.claimKey(tx, actor.organization_id, key, scope, fingerprint);
        if (!claim.claimed) {
          if (claim.scope !== scope) throw conflict(`Idempotency-Key ${key} was already used for ${claim.scope}`);
          if (claim.fingerprint !== null && claim.fingerprint !== fingerprint) {
            throw new AppError(422, 'idempotency_key_reused', `Idempotency-Key ${key} was already used with a different request body; use a new key for a new request`);
          }
          if (claim.status_code === null) throw conflict(`a request with Idempotency-Key ${key} is still in progress`);
          return { status_code: claim.status_code, body: claim.response as BidView, replayed: true };
        }
      }
      const r = await fn(tx, published);
      if (key !== undefined) await this.d.repos.bids.storeKeyResponse(tx, actor.organization_id, key, r.status_code, r.body);
      return { ...r, replayed: false };
    });
    if (!answer.replayed) await publishAll(this.d.ctx, published);
    return answer;
  }

  private async transition(
    tx: Sql,
    published: Published,
    actor: Actor,
    bid: BidRow,
    to: BidStatus,
    opts: { issues?: StoredBidIssue[]; submitted?: boolean; action: string },
  ): Promise<BidRow> {
    const next = await this.d.repos.bids.setStatus(tx, actor.organization_id, bid.id, to, { issues: opts.issues, submitted: opts.submitted });
    await this.d.ctx.repos.audit.record({
      organization_id: actor.organization_id,
      actor_user_id: actor.user_id,
      action: opts.action,
      target_type: 'bid',
      target_id: bid.id,
      details: { from: bid.status, to, version: bid.version, ...(opts.issues?.length ? { issues: opts.issues } : {}) },
    }, tx);
    published.push({ organization_id: actor.organization_id, message: bidStatusEvent(next, bid.status, this.d.now(), opts.issues ? { issues: opts.issues } : {}) });
    return next;
  }

  async create(actor: Actor, body: BidCreateBody, key?: string): Promise<BidAnswer> {
    const asset = await this.asset(actor.organization_id, body.asset_id);
    if (!asset.active) throw conflict(`asset ${asset.id} is deactivated; reactivate it to bid`);
    const m = this.market(asset.market);
    const c = this.content(m, {
      run: body.run,
      side: body.side ?? DEFAULT_SIDE[asset.type],
      delivery_date: body.delivery_date,
      interval_start: body.interval_start ? new Date(body.interval_start) : null,
      interval_minutes: body.interval_minutes,
      cost_verified: body.cost_verified ?? false,
      curves: body.curves,
      as_offers: body.as_offers ?? null,
    });
    this.refuseIfLate(m, asset, c);
    this.refuseBadAsOffers(m, asset, c);
    // A replayed request gets its first answer even at the limit; only new bids are checked.
    // (The check runs before the transaction: PGlite has one connection, which the transaction holds.)
    if (!(key && (await this.d.repos.bids.keyUsed(actor.organization_id, key)))) await this.d.quotas.check(actor.organization_id, 'bids_per_day');
    const answer = await this.once(actor, key, 'POST /api/bids', async (tx, published) => {
      if (c.run === 'DA') {
        const live = await this.d.repos.bids.liveDayAheadForAsset(tx, actor.organization_id, asset.id, c.delivery_date);
        if (live.length > 0) throw conflict(`asset ${asset.id} already has a day-ahead bid for ${c.delivery_date} (${live[0]}); change that one or cancel it first`);
      }
      const bid = await this.d.repos.bids.insert(tx, {
        organization_id: actor.organization_id,
        asset_id: asset.id,
        market: m.iso,
        location: asset.location,
        run: c.run,
        ...storedContent(c, m),
        created_by: actor.user_id,
      });
      await this.d.ctx.repos.audit.record({
        organization_id: actor.organization_id,
        actor_user_id: actor.user_id,
        action: 'bid.create',
        target_type: 'bid',
        target_id: bid.id,
        details: { to: 'draft', asset_id: asset.id, market: m.iso, run: c.run, delivery_date: c.delivery_date },
      }, tx);
      published.push({ organization_id: actor.organization_id, message: bidStatusEvent(bid, null, this.d.now()) });
      return { status_code: 201, body: bidView(bid, m) };
    }, body);
    if (!answer.replayed) await this.d.quotas.recordUsage(actor.organization_id, 'bids');
    return answer;
  }

  async get(actor: Actor, id: string): Promise<BidView> {
    const bid = await this.d.repos.bids.get(actor.organization_id, id);
    if (!bid) throw notFound(`bid ${id}`);
    const awards = await this.d.repos.clearing.awardsOfBid(actor.organization_id, id);
    return bidView(bid, this.market(bid.market), awards);
  }

  async list(actor: Actor, q: { status?: string; market?: string; run?: 'DA' | 'RT'; asset_id?: string; start?: string; end?: string; limit?: number; offset?: number }) {
    const statuses = q.status ? q.status.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
    const r = await this.d.repos.bids.list({
      organization_id: actor.organization_id,
      status: statuses,
      market: q.market ? this.market(q.market).iso : undefined,
      run: q.run,
      asset_id: q.asset_id,
      from: q.start,
      to: q.end,
      limit: q.limit ?? 100,
      offset: q.offset ?? 0,
    });
    return { items: r.items.map((b) => bidView(b, this.market(b.market))), total: r.total };
  }

  async versions(actor: Actor, id: string) {
    const bid = await this.d.repos.bids.get(actor.organization_id, id);
    if (!bid) throw notFound(`bid ${id}`);
    const rows = await this.d.repos.bids.versions(actor.organization_id, id);
    return {
      bid_id: id,
      items: rows.map((v) => ({ ...v, interval_start: v.interval_start?.toISOString() ?? null, created_at: v.created_at.toISOString() })),
    };
  }

  /**
   * A change before gate closure is a new version. A draft stays a draft; a submitted or
   * accepted bid is validated again and the change is refused (422, every issue listed)
   * unless the new version is valid, so the version in force is always a valid one.
   */
  async update(actor: Actor, id: string, body: BidPatchBody): Promise<BidView> {
    const published: Published = [];
    const view = await this.d.repos.sql.transaction(async (tx) => {
      const bid = await this.d.repos.bids.getForUpdate(tx, actor.organization_id, id);
      if (!bid) throw notFound(`bid ${id}`);
      const m = this.market(bid.market);
      const asset = await this.asset(actor.organization_id, bid.asset_id, tx);
      const gate = { now: this.d.now(), gate_closure: bid.gate_closure };
      if (!isBidEditable(bid.status, gate)) {
        const r = nextBidStatus(bid.status, 'cancel', gate);
        if (r.ok) throw new Error('an uneditable bid must have a refusal');
        if (r.code === 'gate_closed') this.refuseIfLate(m, asset, this.content(m, { ...bid, run: bid.run }));
        const why = bidRefusalReason(r.code, 'change', bid.status, bid.gate_closure);
        throw conflict(`cannot change a bid that is ${bid.status}: ${why}`, [{ code: r.code, message: why }]);
      }
      const c = this.content(m, {
        run: bid.run,
        side: body.side ?? bid.side,
        delivery_date: body.delivery_date ?? bid.delivery_date,
        interval_start: body.interval_start ? new Date(body.interval_start) : bid.interval_start,
        interval_minutes: body.interval_minutes ?? bid.interval_minutes,
        cost_verified: body.cost_verified ?? bid.cost_verified,
        curves: body.curves ?? bid.curves,
        as_offers: body.as_offers === undefined ? bid.as_offers : body.as_offers,
      });
      this.refuseIfLate(m, asset, c);
      this.refuseBadAsOffers(m, asset, c);
      if (c.run === 'DA' && c.delivery_date !== bid.delivery_date) {
        const live = await this.d.repos.bids.liveDayAheadForAsset(tx, actor.organization_id, asset.id, c.delivery_date, bid.id);
        if (live.length > 0) throw conflict(`asset ${asset.id} already has a day-ahead bid for ${c.delivery_date} (${live[0]})`);
      }
      let issues: StoredBidIssue[] = [];
      if (bid.status !== 'draft') {
        issues = this.validate(m, asset, c);
        if (issues.length > 0) {
          throw validationFailed(`the change is refused and version ${bid.version} stays in force: ${issues.length} rule${issues.length === 1 ? '' : 's'} broken`, issues);
        }
      }
      const status: BidStatus = bid.status === 'draft' ? 'draft' : 'accepted';
      const next = await this.d.repos.bids.revise(tx, bid, storedContent(c, m), status, issues, actor.user_id);
      await this.d.ctx.repos.audit.record({
        organization_id: actor.organization_id,
        actor_user_id: actor.user_id,
        action: 'bid.revise',
        target_type: 'bid',
        target_id: bid.id,
        details: { from: bid.status, to: status, version: next.version, previous_version: bid.version },
      }, tx);
      published.push({ organization_id: actor.organization_id, message: bidStatusEvent(next, bid.status, this.d.now()) });
      return bidView(next, m);
    });
    await publishAll(this.d.ctx, published);
    return view;
  }

  /** draft → submitted → accepted | rejected, committed (with the key) before the answer. */
  async submit(actor: Actor, id: string, key?: string): Promise<BidAnswer> {
    return this.once(actor, key, `POST /api/bids/${id}/submit`, async (tx, published) => {
      const bid = await this.d.repos.bids.getForUpdate(tx, actor.organization_id, id);
      if (!bid) throw notFound(`bid ${id}`);
      const step = nextBidStatus(bid.status, 'submit');
      if (!step.ok) throw conflict(step.reason, [{ code: step.code, message: step.reason }]);
      const m = this.market(bid.market);
      const asset = await this.asset(actor.organization_id, bid.asset_id, tx);
      const c = this.content(m, bid);
      this.refuseIfLate(m, asset, c);
      const issues = this.validate(m, asset, c);
      const submitted = await this.transition(tx, published, actor, bid, 'submitted', { submitted: true, action: 'bid.submit' });
      // core's statusAfterValidation rule, over curve and AS issues alike
      const outcome: BidStatus = issues.length === 0 ? 'accepted' : 'rejected';
      const done = await this.transition(tx, published, actor, submitted, outcome, { issues, action: outcome === 'accepted' ? 'bid.accept' : 'bid.reject' });
      return { status_code: 200, body: bidView(done, m) };
    });
  }

  async cancel(actor: Actor, id: string, key?: string): Promise<BidAnswer> {
    return this.once(actor, key, `POST /api/bids/${id}/cancel`, async (tx, published) => {
      const bid = await this.d.repos.bids.getForUpdate(tx, actor.organization_id, id);
      if (!bid) throw notFound(`bid ${id}`);
      const m = this.market(bid.market);
      const step = nextBidStatus(bid.status, 'cancel', { now: this.d.now(), gate_closure: bid.gate_closure });
      if (!step.ok) {
        if (step.code === 'gate_closed') {
          const message = `${bidRefusalReason(step.code, 'cancel', bid.status)} : ${m.iso} gate closed at ${bidView(bid, m).gate_closure_local}`;
          throw new AppError(422, 'validation_failed', message, [{ code: step.code, message }]);
        }
        throw conflict(step.reason, [{ code: step.code, message: step.reason }]);
      }
      const done = await this.transition(tx, published, actor, bid, 'cancelled', { action: 'bid.cancel' });
      return { status_code: 200, body: bidView(done, m) };
    });
  }
}

/** JSON with object keys sorted, so the same body sent with its fields in another order fingerprints the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
