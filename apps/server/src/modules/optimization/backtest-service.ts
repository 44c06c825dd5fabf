/**
 * Backtests over stored history, run as a job with progress: each day the
 * strategy sees only what was known before that day's gate closure, optimises,
 * bids, clears price-taker against the actual prices and settles (core's
 * runBacktest). Results are stored per organisation. With `ancillary`, energy and AS are
 * co-optimised on the stored AS prices (backtest-ancillary.ts).
 */
import {
  dayAheadGateClosure,
  forecasterFromModel,
  forecasterFromSeries,
  localDayBoundsUtc,
  normalizeAssetParams,
  runBacktest,
  type BacktestReport,
  type BatteryParams,
  type SolveFn,
} from '@optibid/core';
import { BacktestResult, type BacktestConfig, type BacktestCreateBody, type BacktestView } from '@optibid/contracts';
import { Value } from 'typebox/value';
import type { ServerContext } from '../../context.js';
import type { BacktestRow, OptimizationRepository } from '../../db/repositories/optimization.js';
import { badRequest, notFound, validationFailed } from '../../http/errors.js';
import type { JobContext } from '../../jobs/queue.js';
import { backtestForecastsInPool, requireForecastModelAllowed } from '../forecasting/index.js';
import type { MarketService } from '../market-data/index.js';
import type { FeatureFlags, QuotaGate } from '../platform/index.js';
import { orgChannel, type Actor, type TradingServices } from '../trading/index.js';
import { backtestAncillaryConfig, backtestAncillaryInputs, type BacktestAncillaryConfig } from './backtest-ancillary.js';
import { resolvePriceScope } from './price-scope.js';

const DAY = 86_400_000;

export const BACKTEST_QUEUE = 'backtest';
/** History loaded before the period, so day one already has a week-ago and a model's calibration window. */
const LOOKBACK_DAYS = 120;

export class BacktestService {

  constructor(
    private readonly ctx: ServerContext,
    private readonly markets: MarketService,
    private readonly quotas: QuotaGate,
    private readonly trading: TradingServices,
    private readonly repo: OptimizationRepository,
    private readonly solve: () => Promise<SolveFn>,
    private readonly flags: FeatureFlags,
  ) {
    // A backtest is a durable job: it survives a restart (another instance, or this one restarted,
    // takes it when the lease of a dead worker expires) and runs on one instance at a time.
    ctx.jobs.register(BACKTEST_QUEUE, {
      run: async (payload, job) => {
        const row = await this.repo.findBacktest(String(payload.organization_id), String(payload.backtest_id));
        if (!row || row.status === 'succeeded' || row.status === 'failed') return;
        await this.execute(row, job);
      },
      failed: async (payload, error) => {
        await this.repo.updateBacktest(String(payload.backtest_id), { status: 'failed', error, finished_at: new Date() });
        await this.publish(String(payload.organization_id), String(payload.backtest_id), 0, 0, 'failed');
      },
    });
  }

  async create(actor: Actor, body: BacktestCreateBody): Promise<BacktestView> {
    const m = this.markets.market(body.market);
    const location = await this.markets.location(m, body.location, body.price_scope === 'own' ? actor.organization_id : null);
    const battery = await this.battery(actor, body);
    if (body.end < body.start) throw badRequest(`end (${body.end}) must not be before start (${body.start})`, [{ field: 'end', message: 'before start' }]);
    const strategy = body.strategy;
    if (strategy.startsWith('forecast:')) {
      const model = strategy.slice('forecast:'.length);
      try {
        forecasterFromModel(model);
      } catch (err) {
        throw validationFailed(`unknown forecast model in strategy ${strategy}: ${(err as Error).message}`, [{ field: 'strategy', message: 'unknown model' }]);
      }
      await requireForecastModelAllowed(this.flags, actor.organization_id, model);
    }
    const run = body.run ?? 'DA';
    // The organisation's own series when asked (422 when it has none for the period), else the shared market.
    const { scope } = await resolvePriceScope(this.ctx, actor.organization_id, body.price_scope, { market: m.iso, location, runs: [run], ...localSpan(m.timezone, body.start, body.end) });
    // Ancillary services: checked against the stored AS prices of the period now, read again by the job.
    const ancillary = body.ancillary
      ? await backtestAncillaryConfig(this.markets, m, body.ancillary, { start: localDayBoundsUtc(body.start, m.timezone).start, end: localDayBoundsUtc(body.end, m.timezone).end, label: `${body.start} … ${body.end}` })
      : null;
    await this.quotas.check(actor.organization_id, 'backtests_per_day');
    const config: BacktestConfig = { market: m.iso, location, run, start: body.start, end: body.end, strategy, horizon_hours: body.horizon_hours ?? 36, battery, asset_id: body.asset_id ?? null, price_scope: scope, ...(ancillary ? { ancillary } : {}) };
    const row = await this.repo.insertBacktest({
      organization_id: actor.organization_id,
      name: body.name ?? `${strategy}${ancillary ? ` + AS (${ancillary.as_model})` : ''} ${m.iso} ${location} ${body.start}…${body.end}`,
      config,
      created_by: actor.user_id,
    });
    await this.quotas.recordUsage(actor.organization_id, 'backtests');
    await this.ctx.repos.audit.record({ organization_id: actor.organization_id, actor_user_id: actor.user_id, action: 'backtest.create', target_type: 'backtest', target_id: row.id, details: { strategy, market: m.iso, location } });
    await this.ctx.jobs.enqueue(BACKTEST_QUEUE, { backtest_id: row.id, organization_id: actor.organization_id });
    return backtestView(row);
  }

  async get(actor: Actor, id: string): Promise<BacktestView> {
    const row = await this.repo.findBacktest(actor.organization_id, id);
    if (!row) throw notFound('backtest');
    return backtestView(row);
  }

  async list(actor: Actor, limit: number): Promise<BacktestView[]> {
    return (await this.repo.listBacktests(actor.organization_id, limit)).map(backtestView);
  }

  /** Waits until no backtest is queued or running (tests). */
  async idle(): Promise<void> {
    await this.ctx.jobs.drain();
  }

  private publish(org: string, id: string, done: number, total: number, status: string): Promise<void> {
    return this.ctx.bus.publish(orgChannel(org), { type: 'backtest_progress', backtest_id: id, status, done, total, timestamp: new Date().toISOString() }).catch(() => undefined);
  }

  private async battery(actor: Actor, body: BacktestCreateBody): Promise<BatteryParams> {
    let raw: unknown = body.battery;
    if (body.asset_id) {
      const asset = await this.trading.assets.require(actor.organization_id, body.asset_id);
      if (asset.type !== 'battery') throw validationFailed(`backtests${body.ancillary ? ' with ancillary services' : ''} run batteries; asset ${asset.name} is a ${asset.type}`, [{ field: 'asset_id', message: 'not a battery' }]);
      raw = asset.params;
    }
    if (!raw) throw validationFailed('give asset_id or battery parameters', [{ field: 'battery', message: 'required without asset_id' }]);
    const n = normalizeAssetParams('battery', raw);
    if (!n.ok) throw validationFailed('battery parameters are invalid', n.issues);
    return n.params as unknown as BatteryParams;
  }

  private async execute(row: BacktestRow, job: JobContext): Promise<void> {
    const c = row.config as { market: string; location: string; run: 'DA' | 'RT5' | 'RT15' | 'RTH'; start: string; end: string; strategy: string; horizon_hours: number; battery: BatteryParams; ancillary?: BacktestAncillaryConfig; price_scope?: 'shared' | 'own' };
    const org = row.organization_id;
    let lastPublish = 0;
    const publish = (done: number, total: number, status: string) => this.publish(org, row.id, done, total, status);
    const report = (done: number, total: number) => {
      const now = Date.now();
      if (now - lastPublish < 500 && done < total) return;
      lastPublish = now;
      void this.repo.updateBacktest(row.id, { progress_done: done, progress_total: total }).catch(() => undefined);
      void job.progress({ done, total }).catch(() => undefined);
      void publish(done, total, 'running');
    };
    try {
      await this.repo.updateBacktest(row.id, { status: 'running', started_at: new Date() });
      await publish(0, 0, 'running');
      const m = this.markets.market(c.market);
      const start = localDayBoundsUtc(c.start, m.timezone).start;
      const end = localDayBoundsUtc(c.end, m.timezone).end;
      const from = new Date(start.getTime() - LOOKBACK_DAYS * DAY);
      const owner = c.price_scope === 'own' ? org : null;
      const points = await this.ctx.repos.prices.recent(m.iso, c.location, [c.run], from, end, owner);
      if (!points.some((p) => p.interval_start >= start)) throw new Error(`no ${owner ? 'own' : 'stored'} ${c.run} prices for ${c.location} between ${c.start} and ${c.end}`);
      const [kind, model] = c.strategy.includes(':') ? [c.strategy.split(':')[0]!, c.strategy.slice(c.strategy.indexOf(':') + 1)] : [c.strategy, ''];
      // The day's history ends at the gate closure of the day before delivery (hours before the day starts).
      const gate = Math.max(0, (start.getTime() - dayAheadGateClosure(m.iso, c.start, m).getTime()) / 3_600_000);
      const prices = points.map((p) => ({ interval_start: p.interval_start, price_usd_per_mwh: p.lmp_usd_per_mwh }));
      // A model's forecasts for every day are computed first, in the compute pool (they depend on the prices
      // only, not on the battery's plan); the day loop below replays them and solves its LPs in the solver pool.
      // Progress counts the forecast days, then the backtest's steps (for a forecast strategy with the
      // comparisons: its days, perfect foresight's one, persistence's days).
      let forecastDays = 0;
      const forecasts =
        kind === 'forecast'
          ? await backtestForecastsInPool(
              this.ctx.compute,
              { spec: model, prices, timezone: m.timezone, start, end, gate_closure_hours_before_day_start: gate },
              {
                signal: job.signal,
                onDay: (done, total) => {
                  forecastDays = total;
                  report(done, total + 2 * total + 1);
                },
              },
            )
          : null;
      if (job.signal.aborted) throw new Error('the backtest was handed back (server stopping or lease lost)');
      const result = await runBacktest(
        {
          prices,
          timezone: m.timezone,
          battery: c.battery,
          strategy: kind as 'perfect' | 'persistence' | 'rolling' | 'forecast',
          start,
          end,
          ...(forecasts ? { forecaster: forecasterFromSeries(forecasts), strategy_label: c.strategy } : {}),
          gate_closure_hours_before_day_start: gate,
          rolling: { horizon_hours: c.horizon_hours, step_hours: 24 },
          max_segments: m.max_segments,
          compare: true,
          ...(c.ancillary ? { ancillary: await backtestAncillaryInputs(this.markets, m, c.ancillary, from, end) } : {}),
        },
        {
          solve: await this.solve(),
          onProgress: (done, total) => {
            if (job.signal.aborted) throw new Error('the backtest was handed back (server stopping or lease lost)');
            report(forecastDays + done, forecastDays + total);
          },
        },
      );
      await this.repo.updateBacktest(row.id, { status: 'succeeded', result: serializeReport(result), progress_done: 1, progress_total: 1, finished_at: new Date() });
      await publish(1, 1, 'succeeded');
    } catch (err) {
      // Handed back: the job runs again (here or elsewhere); the row stays running until then.
      if (job.signal.aborted) throw err;
      await this.repo.updateBacktest(row.id, { status: 'failed', error: (err as Error).message, finished_at: new Date() }).catch(() => undefined);
      await publish(0, 0, 'failed');
    }
  }
}

/** A backtest's delivery days [start, end] as instants in the market's clock (end exclusive). */
function localSpan(timezone: string, startDate: string, endDate: string): { start: Date; end: Date } {
  return { start: localDayBoundsUtc(startDate, timezone).start, end: localDayBoundsUtc(endDate, timezone).end };
}

/**
 * The report as stored and served. It must match the API's schema: the response serialiser checks a
 * nullable object against it whole, so one stored result that does not (a NaN saved as null, say)
 * would make every list of the organisation's backtests a 500. Such a report fails its backtest with
 * the reason instead of being stored.
 */
export function serializeReport(r: BacktestReport): BacktestResult {
  const json: unknown = JSON.parse(JSON.stringify(r));
  if (!Value.Check(BacktestResult, json)) {
    const e = [...Value.Errors(BacktestResult, json)][0];
    throw new Error(`the backtest's result does not match the API's schema at ${e?.instancePath || '/'}: ${e?.message ?? 'invalid'}`);
  }
  return json;
}

export function backtestView(r: BacktestRow): BacktestView {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  const total = Number(r.progress_total);
  const done = Number(r.progress_done);
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    // Stored by create() and execute() below in these shapes (older rows lack the optional fields).
    config: r.config as BacktestConfig,
    progress: { done, total, fraction: r.status === 'succeeded' ? 1 : total > 0 ? Math.round((done / total) * 1000) / 1000 : 0 },
    result: r.result as BacktestResult | null,
    error: r.error,
    created_at: new Date(r.created_at).toISOString(),
    started_at: iso(r.started_at),
    finished_at: iso(r.finished_at),
  };
}
