/**
 * The daily forecast job. For every (organisation, market, location) with an
 * active asset it makes sure a production model exists (registering a default
 * one and promoting its first version when there is none), retrains it when
 * its newest version is older than `retrainDays`, and stores the forecast of
 * the next day whose DA gate is still open, with its quantiles, before that
 * gate closes. It runs at start and every `intervalMs`; work happens only
 * within `leadTimeHours` of a gate (and at start). Forecasts are idempotent per
 * (model version, delivery day), so a repeated tick stores nothing twice, except that a day
 * whose gate is still open is forecast again when its load forecast has arrived (or been revised)
 * since: the job may run before the ISO publishes, or before the fetch job has stored it.
 * Past forecasts are scored once their day's prices are stored, publishing a
 * `forecast_error` event (MAE) on the organisation's channel for alert rules.
 * With several instances on one Redis, one leader runs it.
 */
import { addDaysYmd, nextDayAheadGateClosure, type IsoId } from '@optibid/core';
import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../services.js';
import { defaultModelFor, ForecastNotPossibleError, loadPriceBook, type Clock } from '../modules/forecasting/index.js';

/** The model a new location gets (the platform default when its history supports it; see the forecasting module). */
export { defaultModelFor };
import { createLeaderLease } from './leader.js';

export interface ForecastJobOptions {
  now?: Clock;
  intervalMs?: number;
  /** Work on a location when its next gate closes within this many hours (default 6). */
  leadTimeHours?: number;
  /** Retrain when the production version's evaluation ended this many days before the delivery day (default 7). */
  retrainDays?: number;
  /** Evaluation days of a job training (default 28). */
  evalDays?: number;
  leaseName?: string;
}

export interface ForecastJobReport {
  locations: number;
  registered: number;
  trained: number;
  forecasts_stored: number;
  /** Stored forecasts of a day still before its gate made again because its load forecast arrived or was revised since. */
  forecasts_remade: number;
  scored: number;
  skipped: { organization_id: string; market: string; location: string; reason: string }[];
}

export async function runForecastJobOnce(ctx: Services, log: Pick<FastifyBaseLogger, 'info' | 'warn'>, opts: ForecastJobOptions & { ignoreLeadTime?: boolean } = {}): Promise<ForecastJobReport> {
  const now = (opts.now ?? (() => new Date()))();
  const { registry, forecasts, deps } = ctx.at(() => now).forecasting;
  const evalDays = opts.evalDays ?? 28;
  const report: ForecastJobReport = { locations: 0, registered: 0, trained: 0, forecasts_stored: 0, forecasts_remade: 0, scored: 0, skipped: [] };
  await deps.repo.failStaleRuns();
  for (const loc of await deps.repo.assetLocationsAllOrgs()) {
    report.locations++;
    const skip = (reason: string) => report.skipped.push({ ...loc, reason });
    let m;
    try {
      m = ctx.markets.market(loc.market);
    } catch {
      skip(`unknown market ${loc.market}`);
      continue;
    }
    const next = nextDayAheadGateClosure(m.iso, now, m);
    if (!opts.ignoreLeadTime && next.closes_at.getTime() - now.getTime() > (opts.leadTimeHours ?? 6) * 3_600_000) continue;
    const actor = { organization_id: loc.organization_id, user_id: null };
    try {
      let production = await deps.repo.productionVersionFor(loc.organization_id, m.iso, loc.location);
      const stale = production?.trained_through && daysBetween(production.trained_through, next.delivery_date) > (opts.retrainDays ?? 7);
      if (!production || stale) {
        let modelId = production?.model_id;
        if (!modelId) {
          const existing = (await deps.repo.listModels(loc.organization_id, { market: m.iso, location: loc.location })).find((x) => x.managed_by_job);
          modelId = existing?.id;
          if (!modelId) {
            const book = await loadPriceBook(ctx, m, loc.location, now, 1500 + evalDays + 30);
            // Measured once per location in the compute pool and stored (modules/forecasting/model-choice.ts).
            const choice = await deps.modelChoice.choose({ market: m.iso, location: loc.location, book, trainEvalDays: evalDays });
            const created = await registry.createModel(
              actor,
              { name: `${m.iso} ${loc.location} (default)`, market: m.iso, location: loc.location, model_type: choice.spec, description: `Registered by the daily forecast job: ${choice.note}.` },
              { managed_by_job: true },
            );
            modelId = created.id;
            report.registered++;
          }
        }
        const started = await registry.train(actor, modelId, { eval_days: evalDays }, { origin: 'job', as_of: now });
        await registry.awaitRun(started.run.id);
        const v = await deps.repo.getVersion(loc.organization_id, started.version.id);
        if (v?.status === 'ready') {
          await registry.setStage(actor, modelId, v.version, 'production');
          report.trained++;
        } else if (!production) {
          skip(`training failed: ${(await deps.repo.getRun(loc.organization_id, started.run.id))?.error ?? 'unknown'}`);
          continue;
        }
        production = await deps.repo.productionVersionFor(loc.organization_id, m.iso, loc.location);
      }
      if (!production) continue;
      const r = await forecasts.produce(actor, m.iso, loc.location, next.delivery_date, production, 'job');
      if (r.created) report.forecasts_stored++;
      if (r.remade) report.forecasts_remade++;
    } catch (err) {
      skip((err as Error).message);
      if (!(err instanceof ForecastNotPossibleError)) log.warn({ err: (err as Error).message, ...loc }, 'forecast job: location failed');
    }
  }
  report.scored = await scorePastForecasts(ctx, now);
  return report;
}

/** MAE of served forecasts whose delivery day's prices are all stored; a forecast_error event per score. */
async function scorePastForecasts(ctx: Services, now: Date): Promise<number> {
  const { deps } = ctx.forecasting;
  let scored = 0;
  // A day after tomorrow's UTC date cannot be over anywhere; each row is then checked against its own hours.
  for (const f of await deps.repo.unscoredForecastsAllOrgs(addDaysYmd(now.toISOString().slice(0, 10), 1))) {
    const start = new Date(f.hours[0]!.interval_start);
    const end = new Date(new Date(f.hours[f.hours.length - 1]!.interval_start).getTime() + 3_600_000);
    if (end.getTime() > now.getTime()) continue;
    // Scored against the prices it forecast: the shared market, or the organisation's own series.
    const actual = await ctx.repos.prices.recent(f.market as IsoId, f.location, ['DA'], start, end, f.price_scope === 'own' ? f.organization_id : null);
    const byTime = new Map(actual.map((p) => [p.interval_start.getTime(), p.lmp_usd_per_mwh]));
    const errs = f.hours.map((h) => Math.abs((byTime.get(new Date(h.interval_start).getTime()) ?? NaN) - h.p50));
    if (errs.some((e) => Number.isNaN(e))) continue;
    const mae = errs.reduce((s, e) => s + e, 0) / errs.length;
    await deps.repo.scoreForecast(f.id, mae);
    const info = (await deps.repo.versionInfo(f.organization_id, [f.model_version_id])).get(f.model_version_id);
    await ctx.bus
      .publish(`org:${f.organization_id}`, {
        type: 'forecast_error',
        market_zone: f.market.toLowerCase(),
        location: f.location,
        model: info ? `${info.model_name} v${info.version}` : f.model_version_id,
        model_version_id: f.model_version_id,
        delivery_date: f.delivery_date,
        error_usd_per_mwh: mae,
        metric: 'mae',
        timestamp: now.toISOString(),
      })
      .catch(() => undefined);
    scored++;
  }
  return scored;
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export async function startForecastJob(ctx: Services, log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>, opts: ForecastJobOptions = {}): Promise<() => Promise<void>> {
  const lease = createLeaderLease(ctx.config.redisUrl, opts.leaseName ?? 'forecast-job');
  await lease.start();
  let running: Promise<void> | null = null;
  let stopped = false;
  let first = true;
  const tick = () => {
    if (running || stopped || !lease.isLeader()) return;
    const ignoreLeadTime = first;
    first = false;
    running = runForecastJobOnce(ctx, log, { ...opts, ignoreLeadTime })
      .then((r) => {
        if (r.registered || r.trained || r.forecasts_stored || r.forecasts_remade || r.scored || r.skipped.length) log.info(r, 'forecast job');
      })
      .catch((err: Error) => log.error({ err: err.message }, 'forecast job failed; retrying next tick'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, opts.intervalMs ?? 10 * 60_000);
  timer.unref?.();
  tick();
  return async () => {
    stopped = true;
    clearInterval(timer);
    if (running) await running;
    await lease.close();
  };
}
