/**
 * The demo's trading record: for each demo asset and each of the last
 * `DEMO_BID_DAYS` delivery days, the bid the platform's own optimiser makes on
 * a price forecast from the history stored before that day's gate, submitted
 * before the gate, then cleared price-taker on the day's stored (real, shifted)
 * prices. The clearing job settles them at start, like any delivered bid. Each
 * step runs through the same services as the API, each at its moment: a
 * service clock stands before the gate to create and submit, after the day to
 * clear. A battery in a market with stored ancillary-service prices is
 * co-optimised over energy and AS on the previous day's AS clearing prices
 * (published before the gate), so its bids carry AS offers and the P&L shows
 * revenue by product. Done once (recorded in the settings); a second seed
 * changes nothing.
 */
import { addDaysYmd, dayAheadGateClosure, localDateOf, localDayBoundsUtc, type MarketDefinition } from '@optibid/core';
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
  const toClear = new Map<string, { m: MarketDefinition; date: string }>();
  for (const asset of assets) {
    const m = ctx.markets.market(asset.market);
    const today = localDateOf(now, m.timezone);
    for (let k = DEMO_BID_DAYS; k >= 1; k--) {
      const date = addDaysYmd(today, -k);
      clock = new Date(dayAheadGateClosure(m.iso, date, m).getTime() - H);
      const asPrices = asset.type === 'battery' ? await previousDayAsPrices(ctx, m, date) : undefined;
      const run = await optimiseOnForecast(optimize, actor, asset.id, date, asPrices);
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
  }
  for (const { m, date } of [...toClear.values()].sort((a, b) => a.date.localeCompare(b.date))) {
    // After the delivery day: every DA price of the day is stored, as when the clearing job runs.
    clock = new Date(dayAheadGateClosure(m.iso, addDaysYmd(date, 1), m).getTime());
    const r = await at.trading.clearing.clear({ iso: m.iso, run: 'DA', delivery_date: date, mode: 'price_taker', organization_id: organizationId, triggered_by: null });
    state.cleared.push({ market: m.iso, delivery_date: date, bids_cleared: r.bids_cleared, status: r.status });
  }
  state.days = [...new Set(state.bids.map((b) => b.delivery_date))].sort();
  await ctx.repos.settings.set(SETTING, state);
  return state;
}

type AsPrices = Record<string, number[]>;
type Optimize = (actor: Actor, body: { asset_id: string; run: 'DA'; delivery_date: string; price_source: { type: 'forecast'; model: string }; as_prices?: AsPrices }) => Promise<OptimizeResult>;

/**
 * The previous delivery day's stored AS clearing prices per product (the market-wide zone),
 * hour by hour: the persistence forecast of AS prices. Undefined when the market has none
 * stored or the two days differ in length (a DST day), so that bid stays energy-only.
 */
async function previousDayAsPrices(ctx: Services, m: MarketDefinition, date: string): Promise<AsPrices | undefined> {
  const series = await ctx.repos.ancillaryPrices.series(m.iso);
  const zone = series.some((s) => s.zone === m.iso) ? m.iso : series[0]?.zone;
  if (!zone) return undefined;
  const day = localDayBoundsUtc(date, m.timezone);
  const prev = localDayBoundsUtc(addDaysYmd(date, -1), m.timezone);
  const hours = Math.round((day.end.getTime() - day.start.getTime()) / H);
  if (Math.round((prev.end.getTime() - prev.start.getTime()) / H) !== hours) return undefined;
  const rows = await ctx.repos.ancillaryPrices.query({ market: m.iso, zone, run: 'DA', start: prev.start, end: prev.end, limit: 10_000 });
  const byProduct = new Map<string, number[]>();
  for (const r of rows) byProduct.set(r.product, [...(byProduct.get(r.product) ?? []), r.price_usd_per_mw]);
  const complete = [...byProduct].filter(([, prices]) => prices.length === hours);
  return complete.length ? Object.fromEntries(complete) : undefined;
}

/** The optimiser's run on the first forecast model the stored history supports. */
async function optimiseOnForecast(optimize: Optimize, actor: Actor, assetId: string, date: string, asPrices?: AsPrices): Promise<{ result: OptimizeResult; model: string } | { reason: string }> {
  const reasons: string[] = [];
  for (const model of DEMO_BID_FORECAST_MODELS) {
    try {
      return { result: await optimize(actor, { asset_id: assetId, run: 'DA', delivery_date: date, price_source: { type: 'forecast', model }, ...(asPrices ? { as_prices: asPrices } : {}) }), model };
    } catch (err) {
      reasons.push(`${model}: ${(err as Error).message}`);
    }
  }
  return { reason: reasons.join('; ') };
}
