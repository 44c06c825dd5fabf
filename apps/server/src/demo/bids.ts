/**
 * The demo's trading record: for each demo asset and each of the last
 * `DEMO_BID_DAYS` delivery days, the bid the platform's own optimiser makes on
 * a price forecast from the history stored before that day's gate, submitted
 * before the gate, then cleared price-taker at the gate on the day's stored
 * (real, shifted) prices, day after day, so each battery's next day starts where
 * its awards left it. The clearing job settles them at start, like any delivered
 * bid. Each step runs through the same services as the API, each at its moment:
 * a service clock stands before the gate to create and submit, at the gate to
 * clear. A battery in a market with stored ancillary-service prices is
 * co-optimised over energy and AS on the previous day's stored AS clearing
 * prices (the optimiser's default for a forecast, published before the gate), so
 * its bids carry AS offers and the P&L shows revenue by product. Done once (recorded in the settings); a second seed
 * changes nothing.
 */
import { addDaysYmd, dayAheadGateClosure, localDateOf, type MarketDefinition } from '@optibid/core';
import type { OptimizeResult } from '@optibid/contracts';
import type { Actor } from '../modules/trading/index.js';
import type { Services } from '../services.js';
import { DEMO_ASSETS } from './assets.js';

export const DEMO_BID_DAYS = 14;
/**
 * Forecasts the bids are optimised on, tried in order: a 28-day LEAR (fast to
 * fit, so the seed stays short), else the weekly naive when fewer than 28 days
 * precede the gate (CAISO's month of history).
 */
export const DEMO_BID_FORECAST_MODELS = ['lear:28', 'weekly-naive'] as const;
const SETTING = 'demo_bids';
const H = 3_600_000;

export interface DemoBidsState {
  seeded_at: string;
  days: string[];
  bids: { asset: string; delivery_date: string; bid_id: string; status: string; model: string }[];
  cleared: { market: string; delivery_date: string; bids_cleared: number; status: string }[];
  skipped: { asset: string; delivery_date: string; reason: string }[];
}

export async function seedDemoBids(ctx: Services, organizationId: string, now = new Date()): Promise<DemoBidsState | { skipped: string }> {
  const existing = await ctx.repos.settings.get<DemoBidsState>(SETTING);
  if (existing) return { skipped: `already seeded at ${existing.seeded_at}` };
  const actor: Actor = { organization_id: organizationId, user_id: null };
  const names = new Set(DEMO_ASSETS.map((a) => a.name));
  const assets = (await ctx.trading.assets.list(actor, { limit: 500 })).items.filter((a) => names.has(a.name) && a.active && a.type !== 'load');
  const state: DemoBidsState = { seeded_at: now.toISOString(), days: [], bids: [], cleared: [], skipped: [] };
  let clock = now;
  const at = ctx.at(() => clock);
  const optimize = ctx.optimization.optimize.optimize.bind(ctx.optimization.optimize);
  // Day by day, as the platform would have traded: each asset's bid before the day's gate, then the
  // day cleared at its gate, so the next day's optimisation starts each battery where its awards left it.
  for (let k = DEMO_BID_DAYS; k >= 1; k--) {
    const toClear = new Map<string, { m: MarketDefinition; date: string }>();
    for (const asset of assets) {
      const m = ctx.markets.market(asset.market);
      const date = addDaysYmd(localDateOf(now, m.timezone), -k);
      clock = new Date(dayAheadGateClosure(m.iso, date, m).getTime() - H);
      const run = await optimiseOnForecast(optimize, actor, asset.id, date);
      if ('reason' in run) {
        state.skipped.push({ asset: asset.name, delivery_date: date, reason: run.reason });
        continue;
      }
      if (run.result.bid_curves.every((c) => c.segments.length === 0)) {
        state.skipped.push({ asset: asset.name, delivery_date: date, reason: `the optimal schedule on the ${run.model} forecast offers nothing` });
        continue;
      }
      const asOffers = run.result.ancillary?.as_offers;
      const draft = await at.trading.bids.create(actor, { asset_id: asset.id, run: 'DA', delivery_date: date, curves: run.result.bid_curves.map((c) => c.segments), ...(asOffers ? { as_offers: asOffers } : {}) });
      const bidId = (draft.body as { id: string }).id;
      const submitted = await at.trading.bids.submit(actor, bidId);
      state.bids.push({ asset: asset.name, delivery_date: date, bid_id: bidId, status: (submitted.body as { status: string }).status, model: run.model });
      toClear.set(`${m.iso} ${date}`, { m, date });
    }
    for (const { m, date } of [...toClear.values()].sort((a, b) => a.m.iso.localeCompare(b.m.iso))) {
      // At the day's gate closure, as the clearing job runs (the demo's DA prices of the day are stored).
      clock = new Date(dayAheadGateClosure(m.iso, date, m).getTime() + 60_000);
      const r = await at.trading.clearing.clear({ iso: m.iso, run: 'DA', delivery_date: date, mode: 'price_taker', organization_id: organizationId, triggered_by: null });
      state.cleared.push({ market: m.iso, delivery_date: date, bids_cleared: r.bids_cleared, status: r.status });
    }
  }
  state.days = [...new Set(state.bids.map((b) => b.delivery_date))].sort();
  await ctx.repos.settings.set(SETTING, state);
  return state;
}

type Optimize = (actor: Actor, body: { asset_id: string; run: 'DA'; delivery_date: string; price_source: { type: 'forecast'; model: string } }) => Promise<OptimizeResult>;

/** The optimiser's run on the first forecast model the stored history supports. */
async function optimiseOnForecast(optimize: Optimize, actor: Actor, assetId: string, date: string): Promise<{ result: OptimizeResult; model: string } | { reason: string }> {
  const reasons: string[] = [];
  for (const model of DEMO_BID_FORECAST_MODELS) {
    try {
      return { result: await optimize(actor, { asset_id: assetId, run: 'DA', delivery_date: date, price_source: { type: 'forecast', model } }), model };
    } catch (err) {
      reasons.push(`${model}: ${(err as Error).message}`);
    }
  }
  return { reason: reasons.join('; ') };
}
