/**
 * Settlement and P&L of an organisation over market-local delivery days,
 * computed from the stored awards, prices and telemetry (core's two-settlement
 * functions): DA lines = award × DA LMP × h per bid; RT deviation lines =
 * (delivered − DA award) × RT price × h where RT prices exist, delivered being
 * the metered value, else the DA award plus any RT award. Battery state of
 * charge is tracked from the deliveries, from the state the clearing started the
 * first day at, and its limit violations reported.
 * AS capacity lines (`as_capacity`, one per product and period) pay awarded MW ×
 * the product's clearing price × h (core's `settleAncillaryAwards`); P&L splits
 * revenue into net energy and AS per product.
 * With the analytics store (ANALYTICS_URL), P&L is summed from the settlement
 * ledger this same settlement fills (`ledgerEntries`; modules/analytics), when
 * the ledger can answer; battery cycles and degradation are then the ledger's
 * discharged MWh with the asset's current parameters, as here.
 */
import {
  aggregatePnl,
  aggregatePnlLedger,
  pnlLedgerEntries,
  deliveriesFromAwards,
  settleAncillaryAwards,
  settleDayAhead,
  settleRealTime,
  trackBatterySoc,
  type AncillarySettlementLine,
  type BatteryAssetParams,
  type DeliveryRecord,
  type IsoId,
  type PnlBatteryInfo,
  type PnlGroupBy,
  type PnlLedgerEntry,
  type PnlRow,
  type PriceRun,
  type SettlementLine,
} from '@optibid/core';
import type { PnlView, SettlementView } from '@optibid/contracts';
import type { AsAwardRow, AssetRow, AwardRow } from '../../../db/repositories/trading/index.js';
import { badRequest, notFound } from '../../../http/errors.js';
import type { Actor, TradingDeps } from '../common.js';

const H = 3_600_000;
type Line = SettlementLine & { bid_id: string | null; location: string };
type AsLine = AncillarySettlementLine & { bid_id: string; location: string };

interface Computed {
  lines: Line[];
  ancillary: AsLine[];
  deliveries: DeliveryRecord[];
  assets: SettlementView['assets'];
  batteries: Record<string, PnlBatteryInfo>;
}

export interface SettlementQuery {
  start: string;
  end: string;
  asset_id?: string;
  market?: string;
}

export class SettlementService {
  constructor(private readonly d: TradingDeps) {}

  private async compute(actor: Actor, q: SettlementQuery): Promise<Computed> {
    if (q.end < q.start) throw badRequest(`end (${q.end}) is before start (${q.start})`);
    const market = q.market ? this.d.markets.market(q.market).iso : undefined;
    if (q.asset_id) {
      const a = await this.d.repos.assets.get(actor.organization_id, q.asset_id);
      if (!a) throw notFound(`asset ${q.asset_id}`);
    }
    const awards = await this.d.repos.clearing.awards({ organization_id: actor.organization_id, from: q.start, to: q.end, asset_id: q.asset_id, market });
    const asAwards = await this.d.repos.clearing.asAwards({ organization_id: actor.organization_id, from: q.start, to: q.end, asset_id: q.asset_id, market });
    const byAsset = new Map<string, AwardRow[]>();
    for (const a of awards) byAsset.set(a.asset_id, [...(byAsset.get(a.asset_id) ?? []), a]);
    const asByAsset = new Map<string, AsAwardRow[]>();
    for (const a of asAwards) asByAsset.set(a.asset_id, [...(asByAsset.get(a.asset_id) ?? []), a]);
    const assets = await this.d.repos.assets.getMany(actor.organization_id, [...new Set([...byAsset.keys(), ...asByAsset.keys()])]);
    const out: Computed = { lines: [], ancillary: [], deliveries: [], assets: [], batteries: {} };
    for (const asset of assets) await this.settleAsset(actor, asset, byAsset.get(asset.id) ?? [], asByAsset.get(asset.id) ?? [], out);
    out.ancillary.sort((a, b) => a.interval_start.getTime() - b.interval_start.getTime() || a.asset_id.localeCompare(b.asset_id) || a.product.localeCompare(b.product));
    out.lines.sort((a, b) => a.interval_start.getTime() - b.interval_start.getTime() || a.asset_id.localeCompare(b.asset_id) || a.kind.localeCompare(b.kind));
    return out;
  }

  /** One line per AS award with MW > 0: awarded MW × clearing price × h. */
  private ancillaryLines(asset: AssetRow, iso: IsoId, rows: AsAwardRow[]): AsLine[] {
    return rows.flatMap((r) =>
      settleAncillaryAwards([{ ...r, period: 0 }], { asset_id: asset.id, iso, market_date: r.delivery_date, periods: [r] }).map((l) => ({ ...l, bid_id: r.bid_id, location: asset.location })),
    );
  }

  private async settleAsset(actor: Actor, asset: AssetRow, awards: AwardRow[], asAwards: AsAwardRow[], out: Computed): Promise<void> {
    const m = this.d.markets.market(asset.market);
    const iso = m.iso as IsoId;
    const base = { asset_id: asset.id, iso, timezone: m.timezone };
    const ancillary = this.ancillaryLines(asset, iso, asAwards);
    out.ancillary.push(...ancillary);
    const as_usd = ancillary.reduce((s, l) => s + l.amount_usd, 0);
    if (awards.length === 0) {
      out.assets.push({ asset_id: asset.id, name: asset.name, type: asset.type, da_usd: 0, rt_usd: 0, as_usd, total_usd: as_usd });
      return;
    }
    const da = awards.filter((a) => a.run === 'DA');
    const rt = awards.filter((a) => a.run === 'RT');
    const lines: Line[] = [];
    const byBid = new Map<string, AwardRow[]>();
    for (const a of da) byBid.set(a.bid_id, [...(byBid.get(a.bid_id) ?? []), a]);
    for (const [bidId, rows] of byBid) {
      for (const l of settleDayAhead({ ...base, intervals: rows })) lines.push({ ...l, bid_id: bidId, location: asset.location });
    }

    const all = [...da, ...rt];
    const since = new Date(Math.min(...all.map((a) => a.interval_start.getTime())));
    const until = new Date(Math.max(...all.map((a) => a.interval_start.getTime() + a.duration_h * H)));
    const rtPrices = await this.rtSettlementPrices(iso, m.rt_settlement_interval_min, asset.location, since, until, all);
    const metered = new Map((await this.d.repos.clearing.telemetry(actor.organization_id, [asset.id], since, until)).map((t) => [t.interval_start.getTime(), t.delivered_mw]));
    const awardAt = (rows: AwardRow[], t: number) => rows.find((a) => t >= a.interval_start.getTime() && t < a.interval_start.getTime() + a.duration_h * H)?.awarded_mw ?? 0;
    // Delivered without a meter: the DA position plus whatever RT awarded on top.
    const telemetry = rtPrices.map((p) => {
      const t = p.interval_start.getTime();
      return { interval_start: p.interval_start, delivered_mw: metered.get(t) ?? awardAt(da, t) + awardAt(rt, t) };
    });
    const settled = settleRealTime({ ...base, da_awards: da, rt_prices: rtPrices, telemetry });
    for (const l of settled.lines) lines.push({ ...l, bid_id: null, location: asset.location });

    // Periods no RT price covers are delivered as awarded.
    const covered = (a: AwardRow) => rtPrices.some((p) => p.interval_start.getTime() >= a.interval_start.getTime() && p.interval_start.getTime() < a.interval_start.getTime() + a.duration_h * H);
    const deliveries = [...settled.deliveries, ...deliveriesFromAwards({ ...base, awards: all.filter((a) => !covered(a)) })].sort(
      (a, b) => a.interval_start.getTime() - b.interval_start.getTime(),
    );
    out.lines.push(...lines);
    out.deliveries.push(...deliveries);

    const da_usd = lines.filter((l) => l.kind === 'da_energy').reduce((s, l) => s + l.amount_usd, 0);
    const rt_usd = lines.filter((l) => l.kind === 'rt_deviation').reduce((s, l) => s + l.amount_usd, 0);
    const view: SettlementView['assets'][number] = { asset_id: asset.id, name: asset.name, type: asset.type, da_usd, rt_usd, as_usd, total_usd: da_usd + rt_usd + as_usd };
    if (asset.type === 'battery') {
      const p = asset.params as unknown as BatteryAssetParams;
      // From the state of charge the clearing started the first delivery day at (storage_day_states), as the awards were cut to it.
      const first = all.reduce((a, b) => (b.delivery_date < a ? b.delivery_date : a), all[0]!.delivery_date);
      const start = await this.d.repos.storage.ofDay(actor.organization_id, asset.id, first);
      const track = trackBatterySoc({ ...p, soc_initial_mwh: start?.soc_start_mwh ?? p.soc_initial_mwh }, deliveries.map((d) => ({ interval_start: d.interval_start, duration_h: d.duration_h, mw: d.delivered_mw })), m.timezone);
      view.battery = { ...track };
      out.batteries[asset.id] = { energy_mwh: p.energy_mwh, degradation_cost_usd_per_mwh: p.degradation_cost_usd_per_mwh };
    }
    out.assets.push(view);
  }

  /** RT prices at the market's settlement granularity (falling back to any RT run) inside awarded periods. */
  private async rtSettlementPrices(iso: IsoId, minutes: number, location: string, since: Date, until: Date, awards: AwardRow[]) {
    const order: PriceRun[] = minutes === 5 ? ['RT5', 'RT15', 'RTH'] : ['RT15', 'RT5', 'RTH'];
    const points = await this.d.ctx.repos.prices.recent(iso, location, order, since, until);
    const run = order.find((r) => points.some((p) => p.run === r));
    if (!run) return [];
    const inAward = (t: number) => awards.some((a) => t >= a.interval_start.getTime() && t < a.interval_start.getTime() + a.duration_h * H);
    return points
      .filter((p) => p.run === run && inAward(p.interval_start.getTime()))
      .map((p) => ({ interval_start: p.interval_start, duration_h: (p.interval_end.getTime() - p.interval_start.getTime()) / H, price_usd_per_mwh: p.lmp_usd_per_mwh }));
  }

  async settlements(actor: Actor, q: SettlementQuery): Promise<SettlementView> {
    const c = await this.compute(actor, q);
    const asLines = c.ancillary.map((l) => ({
      bid_id: l.bid_id,
      asset_id: l.asset_id,
      market: l.iso,
      location: l.location,
      market_date: l.market_date,
      kind: l.kind,
      product: l.product,
      interval_start: l.interval_start.toISOString(),
      duration_h: l.duration_h,
      mw: l.mw,
      price_usd_per_mwh: null,
      price_usd_per_mw: l.price_usd_per_mw,
      amount_usd: l.amount_usd,
    }));
    const energyLines = c.lines.map((l) => ({
        bid_id: l.bid_id,
        asset_id: l.asset_id,
        market: l.iso,
        location: l.location,
        market_date: l.market_date,
        kind: l.kind,
        interval_start: l.interval_start.toISOString(),
        duration_h: l.duration_h,
        mw: l.mw,
        price_usd_per_mwh: l.price_usd_per_mwh,
        amount_usd: l.amount_usd,
    }));
    return {
      start: q.start,
      end: q.end,
      lines: [...energyLines, ...asLines].sort((a, b) => a.interval_start.localeCompare(b.interval_start) || a.asset_id.localeCompare(b.asset_id) || a.kind.localeCompare(b.kind)),
      assets: c.assets,
      total_usd: c.lines.reduce((s, l) => s + l.amount_usd, 0) + c.ancillary.reduce((s, l) => s + l.amount_usd, 0),
    };
  }

  /** One organisation's settlement over delivery days start..end as ledger entries (the analytics store's sync). */
  async ledgerEntries(organizationId: string, start: string, end: string): Promise<PnlLedgerEntry[]> {
    const c = await this.compute({ organization_id: organizationId, user_id: null }, { start, end });
    return pnlLedgerEntries({ lines: c.lines, ancillary_lines: c.ancillary, deliveries: c.deliveries });
  }

  async pnl(actor: Actor, q: SettlementQuery & { group_by?: PnlGroupBy }): Promise<PnlView> {
    const group_by = q.group_by ?? 'asset';
    const rows = (await this.pnlFromLedger(actor, q, group_by)) ?? (await this.pnlSettled(actor, q, group_by));
    return { group_by, start: q.start, end: q.end, rows, totals: totalsOf(rows) };
  }

  private async pnlSettled(actor: Actor, q: SettlementQuery, group_by: PnlGroupBy): Promise<PnlRow[]> {
    const c = await this.compute(actor, q);
    return aggregatePnl({ lines: c.lines, ancillary_lines: c.ancillary, deliveries: c.deliveries, group_by, batteries: c.batteries });
  }

  /** P&L rows from the ledger, or null when it cannot answer. Validates as compute does, so both paths refuse alike. */
  private async pnlFromLedger(actor: Actor, q: SettlementQuery, group_by: PnlGroupBy): Promise<PnlRow[] | null> {
    if (!this.d.pnlLedger) return null;
    if (q.end < q.start) throw badRequest(`end (${q.end}) is before start (${q.start})`);
    const market = q.market ? this.d.markets.market(q.market).iso : undefined;
    if (q.asset_id && !(await this.d.repos.assets.get(actor.organization_id, q.asset_id))) throw notFound(`asset ${q.asset_id}`);
    const entries = await this.d.pnlLedger.entries({ organization_id: actor.organization_id, start: q.start, end: q.end, asset_id: q.asset_id, market, group_by });
    if (!entries) return null;
    // Assets as the settlement sees them now: only the organisation's existing ones, batteries with their current parameters.
    const assets = await this.d.repos.assets.getMany(actor.organization_id, [...new Set(entries.map((e) => e.asset_id))]);
    const known = new Set(assets.map((a) => a.id));
    const batteries: Record<string, PnlBatteryInfo> = {};
    for (const a of assets) {
      if (a.type !== 'battery') continue;
      const p = a.params as unknown as BatteryAssetParams;
      batteries[a.id] = { energy_mwh: p.energy_mwh, degradation_cost_usd_per_mwh: p.degradation_cost_usd_per_mwh };
    }
    return aggregatePnlLedger({ entries: entries.filter((e) => known.has(e.asset_id)), group_by, batteries });
  }
}

/** The total row: every field summed over the rows; cycles present when any row has them. */
function totalsOf(rows: readonly PnlRow[]): PnlRow {
  const totals: PnlRow = { key: 'total', revenue_usd: 0, cost_usd: 0, degradation_cost_usd: 0, net_usd: 0, mwh_sold: 0, mwh_bought: 0, net_mwh: 0, energy_revenue_usd: 0, as_revenue_usd: 0, revenue_by_product: {} };
  for (const r of rows) {
    totals.revenue_usd += r.revenue_usd;
    totals.cost_usd += r.cost_usd;
    totals.degradation_cost_usd += r.degradation_cost_usd;
    totals.net_usd += r.net_usd;
    totals.mwh_sold += r.mwh_sold;
    totals.mwh_bought += r.mwh_bought;
    totals.net_mwh += r.net_mwh;
    totals.energy_revenue_usd += r.energy_revenue_usd;
    totals.as_revenue_usd += r.as_revenue_usd;
    for (const [k, v] of Object.entries(r.revenue_by_product)) totals.revenue_by_product[k] = (totals.revenue_by_product[k] ?? 0) + v;
    if (r.cycles !== undefined) totals.cycles = (totals.cycles ?? 0) + r.cycles;
  }
  return totals;
}
