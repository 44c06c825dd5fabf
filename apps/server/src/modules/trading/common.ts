/** What the trading services share: the clock, actors, views and bus events. */
import { assetBidLimits, formatMarketClock, type AssetSpec, type BidStatus, type MarketDefinition, type PnlGroupBy, type PnlLedgerEntry, type SolveFn } from '@optibid/core';
import type { AssetView, AwardEvent, BidStatusEvent, BidView, OrgEvent } from '@optibid/contracts';
import type { EventOutbox } from '../../bus/outbox.js';
import type { ServerContext } from '../../context.js';
import type { MarketService } from '../market-data/index.js';
import type { FeatureFlags, QuotaGate } from '../platform/index.js';
import type { AssetRow, AwardRow, BidRow, StoredBidIssue, TradingRepositories } from '../../db/repositories/trading/index.js';

export type Clock = () => Date;

export interface TradingDeps {
  ctx: ServerContext;
  markets: MarketService;
  quotas: QuotaGate;
  flags: FeatureFlags;
  repos: TradingRepositories;
  now: Clock;
  /** HiGHS (the server's shared solver pool): the day-ahead clearing of storage bids under their state of charge. */
  solve: () => Promise<SolveFn>;
  /** Where clearing and settlement write their events in their transaction (published after commit, swept if not). */
  outbox: EventOutbox;
  /** P&L aggregates from the settlement ledger in the analytics store (ANALYTICS_URL); absent: settled per request. */
  pnlLedger?: PnlLedgerReads | null;
}

/** An organisation's settlement-ledger entries for a P&L query, or null when the ledger cannot answer (then PostgreSQL does). */
export interface PnlLedgerReads {
  entries(q: { organization_id: string; start: string; end: string; asset_id?: string; market?: string; group_by: PnlGroupBy }): Promise<PnlLedgerEntry[] | null>;
}

/** Who acts: a signed-in user, or the clearing job (user null). */
export interface Actor {
  organization_id: string;
  user_id: string | null;
}

export const orgChannel = (organizationId: string) => `org:${organizationId}` as const;

export function assetSpec(a: Pick<AssetRow, 'type' | 'params'>): AssetSpec {
  return { type: a.type, params: a.params } as unknown as AssetSpec;
}

export function assetView(a: AssetRow): AssetView {
  return {
    id: a.id,
    organization_id: a.organization_id,
    name: a.name,
    type: a.type,
    market: a.market,
    location: a.location,
    params: a.params,
    active: a.active,
    bid_limits: assetBidLimits(assetSpec(a)),
    created_at: a.created_at.toISOString(),
    updated_at: a.updated_at.toISOString(),
  };
}

export function awardView(a: AwardRow) {
  return {
    period: a.period,
    interval_start: a.interval_start.toISOString(),
    duration_h: a.duration_h,
    awarded_mw: a.awarded_mw,
    price_usd_per_mwh: a.price_usd_per_mwh,
  };
}

export function bidView(b: BidRow, market: MarketDefinition, awards?: AwardRow[]): BidView {
  return {
    id: b.id,
    organization_id: b.organization_id,
    asset_id: b.asset_id,
    market: b.market,
    location: b.location,
    run: b.run,
    side: b.side,
    delivery_date: b.delivery_date,
    interval_start: b.interval_start?.toISOString() ?? null,
    interval_minutes: b.interval_minutes,
    cost_verified: b.cost_verified,
    curves: b.curves,
    as_offers: b.as_offers,
    status: b.status,
    version: b.version,
    issues: b.issues,
    gate_closure: b.gate_closure.toISOString(),
    gate_closure_local: formatMarketClock(b.gate_closure, market.timezone),
    submitted_at: b.submitted_at?.toISOString() ?? null,
    cleared_at: b.cleared_at?.toISOString() ?? null,
    created_at: b.created_at.toISOString(),
    updated_at: b.updated_at.toISOString(),
    ...(awards ? { awards: awards.map(awardView) } : {}),
  };
}

export function bidStatusEvent(
  b: BidRow,
  previous: BidStatus | null,
  now: Date,
  extra: { issues?: StoredBidIssue[]; message?: string } = {},
): BidStatusEvent {
  return {
    type: 'bid_status',
    bid_id: b.id,
    status: b.status,
    previous_status: previous,
    asset_id: b.asset_id,
    market: b.market,
    delivery_date: b.delivery_date,
    version: b.version,
    ...(extra.issues ? { issues: extra.issues } : {}),
    ...(extra.message ? { message: extra.message } : {}),
    timestamp: now.toISOString(),
  };
}

export function awardEvent(b: BidRow, awards: AwardRow[], mode: string, now: Date): AwardEvent {
  return {
    type: 'award',
    bid_id: b.id,
    asset_id: b.asset_id,
    market: b.market,
    location: b.location,
    run: b.run,
    delivery_date: b.delivery_date,
    mode,
    awards: awards.map(awardView),
    total_mwh: awards.reduce((s, a) => s + a.awarded_mw * a.duration_h, 0),
    timestamp: now.toISOString(),
  };
}

/** Events a transaction collects, published once it has committed. */
export type Published = { organization_id: string; message: OrgEvent }[];

/** Publishes after commit; a bus failure must not undo a committed transition, so it is logged by the bus, not thrown. */
export async function publishAll(ctx: ServerContext, messages: Published): Promise<void> {
  for (const m of messages) await ctx.bus.publish(orgChannel(m.organization_id), m.message).catch(() => undefined);
}
