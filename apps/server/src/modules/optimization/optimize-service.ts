/**
 * POST /api/optimize: the schedule that earns the most for one asset over a
 * delivery day, within its physics, and the bid curves that carry it to the
 * market, checked by the same ISO rules as any user bid. A run is stored so it
 * can become draft bids.
 */
import {
  assetBidLimits,
  buildBatteryBidCurves,
  buildDemandResponseBidCurves,
  buildRenewableBidCurves,
  buildThermalBidCurves,
  dayAheadGateClosure,
  normalizeAssetParams,
  optimizeBattery,
  optimizeDemandResponse,
  optimizeRenewable,
  optimizeThermal,
  utcToZonedParts,
  validateBid,
  type AssetSpec,
  type BatteryParams,
  type BidCurve,
  type BidCurveViolation,
  type BidSide,
  type DemandResponseParams,
  type MarketDefinition,
  type RenewableParams,
  type SolveFn,
  type ThermalParams,
} from '@optibid/core';
import type { OptimizeBody, OptimizeResult } from '@optibid/contracts';
import type { ServerContext } from '../../context.js';
import type { MarketService } from '../market-data/index.js';
import type { OptimizationRepository } from '../../db/repositories/optimization.js';
import type { AssetRow } from '../../db/repositories/trading/index.js';
import { notFound, validationFailed } from '../../http/errors.js';
import type { Actor, TradingServices } from '../trading/index.js';
import { pricesForDay, type DayPrices, type ForecastLookup } from './day-prices.js';
import { asProductInputs, coOptimizeBattery } from './optimize-ancillary.js';
import { batteryDayInputs } from './stored-as-prices.js';

const SIDE: Record<AssetRow['type'], BidSide> = { battery: 'storage', thermal: 'supply', solar: 'supply', wind: 'supply', demand_response: 'supply', load: 'demand' };
const TIMING_CODES = new Set(['gate_closed', 'delivery_not_future']);
const H = 3_600_000;
const round = (x: number, dp = 4) => Math.round(x * 10 ** dp) / 10 ** dp;

type Schedule = OptimizeResult['schedule'];

interface Outcome {
  schedule: Schedule;
  revenue: number;
  cost: number;
  net: number;
  curves: { curves: BidCurve[]; violations: BidCurveViolation[] };
  solver: OptimizeResult['solver'];
  ancillary?: OptimizeResult['ancillary'];
}

export class OptimizeService {
  constructor(
    private readonly ctx: ServerContext,
    private readonly markets: MarketService,
    private readonly trading: TradingServices,
    private readonly repo: OptimizationRepository,
    private readonly solve: () => Promise<SolveFn>,
    private readonly forecasts?: ForecastLookup,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async optimize(actor: Actor, body: OptimizeBody): Promise<OptimizeResult> {
    const asset = await this.trading.assets.require(actor.organization_id, body.asset_id);
    const m = this.markets.market(asset.market);
    const normalized = normalizeAssetParams(asset.type, asset.params);
    if (!normalized.ok) throw validationFailed(`asset ${asset.name} has invalid parameters`, normalized.issues);
    if (asset.type === 'load') throw validationFailed('a load is not optimised: bid its consumption profile as a demand bid', [{ field: 'asset_id', message: 'load asset' }]);
    if (body.as_prices && asset.type !== 'battery') throw validationFailed(`as_prices: only batteries are co-optimised with ancillary services (this asset is ${asset.type})`, [{ field: 'as_prices', message: 'battery only' }]);
    if (body.as_prices && body.ancillary === 'none') throw validationFailed('as_prices was given with ancillary: none; drop one of them', [{ field: 'ancillary', message: 'conflicts with as_prices' }]);
    const prices = await pricesForDay(this.ctx, m, asset.location, body.delivery_date, body.price_source, { organization_id: actor.organization_id, forecasts: this.forecasts, price_scope: body.price_scope });
    // A battery starts where its clearing will start it, and runs on stored AS prices unless told otherwise (stored-as-prices.ts).
    const battery = asset.type === 'battery' ? await batteryDayInputs(this.markets, this.trading, asset, m, body, prices) : null;
    const spec = { type: asset.type, params: normalized.params } as unknown as AssetSpec;
    const outcome = await this.run(asset.type, normalized.params as unknown, m, spec, battery?.body ?? body, prices);
    const stored = battery?.stored;
    if (outcome.ancillary && stored) Object.assign(outcome.ancillary, { price_source: stored.source, as_price_zone: stored.zone, as_price_date: stored.date });
    const createdAt = this.now();
    const result: Omit<OptimizeResult, 'run_id'> = {
      asset_id: asset.id,
      asset_type: asset.type,
      market: m.iso,
      location: asset.location,
      run: body.run,
      delivery_date: body.delivery_date,
      timezone: m.timezone,
      price_source: prices.source,
      price_scope: prices.price_scope,
      schedule: outcome.schedule,
      expected_revenue_usd: round(outcome.revenue, 2),
      expected_cost_usd: round(outcome.cost, 2),
      expected_net_usd: round(outcome.net, 2),
      bid_curves: outcome.curves.curves.map((c) => ({ hour_index: c.hour_index, interval_start: c.interval_start.toISOString(), segments: c.segments.map((s) => ({ mw: round(s.mw), price_usd_per_mwh: round(s.price_usd_per_mwh, 2) })) })),
      bid_issues: outcome.curves.violations.map((v) => ({ ...(v.hour_index !== undefined ? { hour_index: v.hour_index } : {}), ...(v.code ? { code: v.code } : {}), message: v.message })),
      ...(outcome.ancillary ? { ancillary: outcome.ancillary } : {}),
      ...(battery?.note && !outcome.ancillary ? { ancillary_note: battery.note } : {}),
      ...(battery ? { soc_initial: battery.soc_initial } : {}),
      gate_closure: dayAheadGateClosure(m.iso, body.delivery_date, m).toISOString(),
      solver: outcome.solver,
      created_at: createdAt.toISOString(),
    };
    const row = await this.repo.insertRun({ organization_id: actor.organization_id, asset_id: asset.id, run: body.run, delivery_date: body.delivery_date, request: body as unknown as Record<string, unknown>, result: result as unknown as Record<string, unknown>, created_by: actor.user_id });
    return { run_id: row.id, ...result };
  }

  /** Turns a stored run's curves into a draft bid (the bid service validates, versions and audits it). */
  async toBids(actor: Actor, runId: string, key?: string) {
    const run = await this.repo.findRun(actor.organization_id, runId);
    if (!run) throw notFound('optimization run');
    const result = run.result as unknown as OptimizeResult;
    if (result.bid_curves.every((c) => c.segments.length === 0)) {
      throw validationFailed('the optimal schedule offers nothing in any hour, so there is no bid to create', [{ field: 'run_id', message: 'empty curves' }]);
    }
    const asOffers = result.ancillary?.as_offers;
    return this.trading.bids.create(
      actor,
      { asset_id: result.asset_id, run: 'DA', delivery_date: result.delivery_date, curves: result.bid_curves.map((c) => c.segments), ...(asOffers ? { as_offers: asOffers } : {}) },
      key,
    );
  }

  private validator(m: MarketDefinition, spec: AssetSpec, side: BidSide, date: string) {
    const limits = assetBidLimits(spec);
    return (curves: BidCurve[]): BidCurveViolation[] =>
      validateBid({ iso: m.iso, run: 'DA', side, delivery_date: date, curves: curves.map((c) => c.segments) }, { market: m, limits, now: this.now() })
        // Timing is the caller's concern (an analysis for a past day is still useful); shape and limits are not.
        .filter((i) => !TIMING_CODES.has(i.code))
        .map((i) => ({ ...(i.period !== undefined ? { hour_index: i.period } : {}), code: i.code, message: i.message }));
  }

  private async run(type: AssetRow['type'], params: unknown, m: MarketDefinition, spec: AssetSpec, body: OptimizeBody, prices: DayPrices): Promise<Outcome> {
    const solve = await this.solve();
    const starts = prices.interval_starts;
    const opts = body.options ?? {};
    const curveOpts = {
      interval_starts: starts,
      max_segments: m.max_segments,
      price_floor_usd_per_mwh: m.offer_limits.floor_usd_per_mwh,
      price_cap_usd_per_mwh: m.offer_limits.soft_cap_usd_per_mwh,
      validate: this.validator(m, spec, SIDE[type], body.delivery_date),
    };
    const base = (i: number, price: number) => ({
      interval_start: starts[i]!.toISOString(),
      interval_end: new Date(starts[i]!.getTime() + H).toISOString(),
      price_usd_per_mwh: round(price, 2),
      ...(prices.p10 ? { price_p10_usd_per_mwh: round(prices.p10[i]!, 2) } : {}),
      ...(prices.p90 ? { price_p90_usd_per_mwh: round(prices.p90[i]!, 2) } : {}),
    });
    const fail = (status: string, message: string): never => {
      throw validationFailed(`the optimisation is ${status}: ${message}`, [{ field: 'asset_id', message: status }]);
    };
    const solveOpts = { ...(opts.time_limit_s ? { time_limit_s: opts.time_limit_s } : {}) };

    if (type === 'battery' && body.as_prices) {
      const p = params as BatteryParams;
      const soc0 = opts.soc_initial_mwh ?? p.soc_initial_mwh;
      const products = asProductInputs(m.iso, body.delivery_date, body.as_prices, starts.length);
      const r = await coOptimizeBattery(solve, { params: p, products, prices_usd_per_mwh: prices.prices, soc_initial_mwh: soc0, soc_terminal_min_mwh: opts.soc_terminal_min_mwh ?? soc0, curve: curveOpts });
      if (!('intervals' in r)) return fail(r.status, r.message);
      const asRevenue = Object.values(r.as_revenue_by_product).reduce((x, y) => x + y, 0);
      const energyIn = r.intervals.reduce((x, iv) => x + iv.price_usd_per_mwh * iv.charge_mw, 0);
      return {
        schedule: r.intervals.map((iv, i) => ({ ...base(i, iv.price_usd_per_mwh), power_mw: round(iv.discharge_mw - iv.charge_mw), charge_mw: round(iv.charge_mw), discharge_mw: round(iv.discharge_mw), soc_mwh: round(iv.soc_mwh), as_mw: Object.fromEntries(Object.entries(iv.as_mw).map(([k, v]) => [k, round(v)])) })),
        // Revenue: energy sold (net energy revenue + what charging cost) plus AS capacity; cost: charging and degradation.
        revenue: r.energy_revenue_usd + energyIn + asRevenue,
        cost: energyIn + r.degradation_usd,
        net: r.objective_usd,
        curves: r.curves,
        solver: { status: 'optimal', time_ms: round(r.solve_time_ms, 3), objective: round(r.objective_usd, 4), formulation: 'lp-as-default' },
        ancillary: {
          model: 'default',
          price_source: 'explicit',
          expected_energy_revenue_usd: round(r.energy_revenue_usd, 2),
          expected_as_revenue_usd: round(asRevenue, 2),
          revenue_by_product: Object.fromEntries(Object.entries(r.as_revenue_by_product).map(([k, v]) => [k, round(v, 2)])),
          as_offers: r.as_offers,
        },
      };
    }
    if (type === 'battery') {
      const p = params as BatteryParams;
      const soc0 = opts.soc_initial_mwh ?? p.soc_initial_mwh;
      const r = await optimizeBattery(solve, { params: p, prices_usd_per_mwh: prices.prices, interval_hours: 1, soc_initial_mwh: soc0, soc_terminal_min_mwh: opts.soc_terminal_min_mwh ?? soc0, intervals_per_day: starts.length }, { ...solveOpts, ...(opts.force_milp ? { force_milp: true } : {}) });
      if (r.status !== 'optimal') return fail(r.status, r.status === 'infeasible' ? `no schedule meets the limits (is the terminal state of charge ${opts.soc_terminal_min_mwh ?? soc0} MWh reachable from ${soc0} MWh?)` : r.message);
      const quantiles = prices.p10 && prices.p90 ? { p10: prices.p10, p50: prices.prices, p90: prices.p90 } : undefined;
      return {
        schedule: r.intervals.map((iv, i) => ({ ...base(i, iv.price_usd_per_mwh), power_mw: round(iv.net_mw), charge_mw: round(iv.charge_mw), discharge_mw: round(iv.discharge_mw), soc_mwh: round(iv.soc_mwh) })),
        revenue: r.revenue_usd,
        cost: r.cost_usd + r.degradation_usd,
        net: r.objective_usd,
        curves: buildBatteryBidCurves({ ...curveOpts, params: p, schedule: r, forecast_usd_per_mwh: prices.prices, ...(quantiles ? { quantiles } : {}) }),
        solver: { status: r.status, time_ms: round(r.solve_time_ms, 3), objective: round(r.objective_usd, 4), formulation: r.formulation },
      };
    }
    if (type === 'thermal') {
      const p = params as ThermalParams;
      const r = await optimizeThermal(solve, { params: p, prices_usd_per_mwh: prices.prices, interval_hours: 1 }, solveOpts);
      if (r.status !== 'optimal') return fail(r.status, r.message);
      return {
        schedule: r.intervals.map((iv, i) => ({ ...base(i, iv.price_usd_per_mwh), power_mw: round(iv.output_mw), on: iv.on })),
        revenue: r.revenue_usd,
        cost: r.energy_cost_usd + r.startup_cost_usd,
        net: r.objective_usd,
        curves: buildThermalBidCurves({ ...curveOpts, params: p, schedule: r }),
        solver: { status: r.status, time_ms: round(r.solve_time_ms, 3), objective: round(r.objective_usd, 4), formulation: 'milp' },
      };
    }
    if (type === 'solar' || type === 'wind') {
      const raw = params as RenewableParams;
      // Profiles are given per local hour of day (24 values); a 23/25-hour day maps each hour by its clock hour.
      const profile = starts.map((s) => raw.profile_mw[utcToZonedParts(s, m.timezone).hour] ?? 0);
      const p = { ...raw, profile_mw: profile };
      const r = await optimizeRenewable(solve, { params: p, prices_usd_per_mwh: prices.prices, interval_hours: 1 }, solveOpts);
      if (r.status !== 'optimal') return fail(r.status, r.message);
      return {
        schedule: r.intervals.map((iv, i) => ({ ...base(i, iv.price_usd_per_mwh), power_mw: round(iv.output_mw), curtailed_mw: round(iv.curtailed_mw) })),
        revenue: r.revenue_usd + r.credits_usd,
        cost: 0,
        net: r.objective_usd,
        curves: buildRenewableBidCurves({ ...curveOpts, params: p, schedule: r }),
        solver: { status: r.status, time_ms: round(r.solve_time_ms, 3), objective: round(r.objective_usd, 4), formulation: 'lp' },
      };
    }
    const p = params as DemandResponseParams;
    const r = await optimizeDemandResponse(solve, { params: p, prices_usd_per_mwh: prices.prices, interval_hours: 1, intervals_per_day: starts.length }, solveOpts);
    if (r.status !== 'optimal') return fail(r.status, r.message);
    return {
      schedule: r.intervals.map((iv, i) => ({ ...base(i, iv.price_usd_per_mwh), power_mw: round(iv.reduction_mw), reduction_mw: round(iv.reduction_mw) })),
      revenue: r.revenue_usd,
      cost: r.revenue_usd - r.objective_usd,
      net: r.objective_usd,
      curves: buildDemandResponseBidCurves({ ...curveOpts, params: p, schedule: r }),
      solver: { status: r.status, time_ms: round(r.solve_time_ms, 3), objective: round(r.objective_usd, 4), formulation: 'milp' },
    };
  }
}
