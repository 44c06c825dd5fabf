/**
 * The daily forecast job, as durable jobs. Every `intervalMs` each instance plans: for
 * every (organisation, market, location) with an active asset whose next DA gate closes
 * within `leadTimeHours` (any distance at start), it queues one job (queue `forecast`,
 * key `<org>:<market>:<location>:<delivery date>`, unique while queued, running or
 * succeeded), so all instances planning make one job per location and day. Once the
 * day's load forecast is stored the key also carries when it was last stored or revised
 * (`…:load-forecast@<instant>`): its arrival or a revision before the gate is a new
 * job, which makes the stored forecast again with it (ForecastService.produce). Whichever
 * instance claims it makes sure a production model exists (registering a default one
 * and promoting its first version when there is none), retrains it when its newest
 * version is older than `retrainDays`, and stores the forecast of that day, with its
 * quantiles. The job works as of the instant it was planned (its payload's `as_of`), so
 * a retry does the same work; if its instance dies its lease expires and another takes
 * it; forecasts are idempotent per (model version, delivery day). A job whose input
 * cannot serve (no history, a hopeless training) fails for good at once, which frees its
 * key: the next planning round tries again, as prices may have arrived meanwhile.
 * Each round also scores past forecasts once their day's prices are stored, publishing
 * a `forecast_error` event (MAE) on the organisation's channel for alert rules; a
 * forecast is scored once however many instances score.
 */
import { addDaysYmd, nextDayAheadGateClosure, type IsoId } from '@optibid/core';
import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../services.js';
import type { JobRow } from '../db/repositories/jobs.js';
import { AppError } from '../http/errors.js';
import { DEFAULT_TRAIN_EVAL_DAYS, defaultModelFor, ForecastNotPossibleError, loadPriceBook, type Clock } from '../modules/forecasting/index.js';
import { runPeriodically } from './periodic.js';
import { PermanentJobError, type JobContext } from './queue.js';

/** The model a new location gets (the platform default when its history supports it; see the forecasting module). */
export { defaultModelFor };

export const FORECAST_QUEUE = 'forecast';

export interface ForecastJobOptions {
  now?: Clock;
  intervalMs?: number;
  /** Work on a location when its next gate closes within this many hours (default 6). */
  leadTimeHours?: number;
  /** Retrain when the production version's evaluation ended this many days before the delivery day (default 7). */
  retrainDays?: number;
  /** Evaluation days of a job training (default 28, as a model's `not_trained_reason` assumes). */
  evalDays?: number;
}

export interface ForecastJobReport {
  locations: number;
  /** Jobs this round queued (locations already queued, running or done for their day are not queued again). */
  jobs: number;
  registered: number;
  trained: number;
  forecasts_stored: number;
  /** Stored forecasts of a day still before its gate made again because its load forecast arrived or was revised since. */
  forecasts_remade: number;
  scored: number;
  skipped: { organization_id: string; market: string; location: string; reason: string }[];
}

interface LocationPayload {
  organization_id: string;
  market: string;
  location: string;
  delivery_date: string;
  as_of: string;
}

/** What one location's job did (kept as the job's progress). */
interface LocationOutcome {
  registered: number;
  trained: number;
  forecasts_stored: number;
  forecasts_remade: number;
}

/** The location's day, and when its load forecast was last stored or revised (so a change before the gate is a new job). */
export function forecastJobKey(p: Pick<LocationPayload, 'organization_id' | 'market' | 'location' | 'delivery_date'>, loadForecastAt: Date | null): string {
  return `${p.organization_id}:${p.market}:${p.location}:${p.delivery_date}${loadForecastAt ? `:load-forecast@${loadForecastAt.toISOString()}` : ''}`;
}

/** Registers the location job's handler on this instance's queue (one forecast job at a time per instance). */
export function registerForecastJobs(ctx: Services, log: Pick<FastifyBaseLogger, 'warn'>, opts: Pick<ForecastJobOptions, 'retrainDays' | 'evalDays'> = {}): void {
  ctx.jobs.register(
    FORECAST_QUEUE,
    {
      async run(payload, job) {
        const outcome = await forecastLocation(ctx, payload as unknown as LocationPayload, job, opts);
        await job.progress({ ...outcome });
      },
      async failed(payload, error) {
        log.warn({ ...payload, error }, 'forecast job: location failed');
      },
    },
    { concurrency: 1 },
  );
}

/** One location's register / retrain / forecast of its payload's day, as of its payload's instant. */
async function forecastLocation(ctx: Services, p: LocationPayload, job: JobContext, opts: Pick<ForecastJobOptions, 'retrainDays' | 'evalDays'>): Promise<LocationOutcome> {
  const now = new Date(p.as_of);
  const { registry, forecasts, deps } = ctx.at(() => now).forecasting;
  const evalDays = opts.evalDays ?? DEFAULT_TRAIN_EVAL_DAYS;
  const out: LocationOutcome = { registered: 0, trained: 0, forecasts_stored: 0, forecasts_remade: 0 };
  const actor = { organization_id: p.organization_id, user_id: null };
  const lost = () => {
    if (job.signal.aborted) throw new Error('the job was stopped (lease lost or server stopping)');
  };
  try {
    const m = ctx.markets.market(p.market);
    let production = await deps.repo.productionVersionFor(p.organization_id, m.iso, p.location);
    const stale = production?.trained_through && daysBetween(production.trained_through, p.delivery_date) > (opts.retrainDays ?? 7);
    if (!production || stale) {
      let modelId = production?.model_id;
      if (!modelId) {
        const existing = (await deps.repo.listModels(p.organization_id, { market: m.iso, location: p.location })).find((x) => x.managed_by_job);
        modelId = existing?.id;
        if (!modelId) {
          const book = await loadPriceBook(ctx, m, p.location, now, 1500 + evalDays + 30);
          // Measured once per location in the compute pool and stored (modules/forecasting/model-choice.ts).
          const choice = await deps.modelChoice.choose({ market: m.iso, location: p.location, book, trainEvalDays: evalDays });
          const created = await registry.createModel(
            actor,
            { name: `${m.iso} ${p.location} (default)`, market: m.iso, location: p.location, model_type: choice.spec, description: `Registered by the daily forecast job: ${choice.note}.` },
            { managed_by_job: true },
          );
          modelId = created.id;
          out.registered++;
        }
      }
      lost();
      // Trained inside this job (its compute in the pool): the job is the durable unit, and stops the training when stopped.
      const started = await registry.train(actor, modelId, { eval_days: evalDays }, { origin: 'job', as_of: now, signal: job.signal, inline: true });
      await registry.awaitRun(started.run.id);
      const v = await deps.repo.getVersion(p.organization_id, started.version.id);
      // A training cut short by the job's stop is not a failed model: hand the job back (a finished one is kept and promoted).
      if (v?.status !== 'ready') lost();
      if (v?.status === 'ready') {
        await registry.setStage(actor, modelId, v.version, 'production');
        out.trained++;
      } else if (!production) {
        throw new PermanentJobError(`training failed: ${(await deps.repo.getRun(p.organization_id, started.run.id))?.error ?? 'unknown'}`);
      }
      production = await deps.repo.productionVersionFor(p.organization_id, m.iso, p.location);
    }
    if (!production) throw new PermanentJobError('no production model version');
    const r = await forecasts.produce(actor, m.iso, p.location, p.delivery_date, production, 'job');
    if (r.created) out.forecasts_stored++;
    if (r.remade) out.forecasts_remade++;
    return out;
  } catch (err) {
    // Retrying cannot help a day without the history it needs, or a request the registry refuses.
    if (err instanceof ForecastNotPossibleError || (err instanceof AppError && err.statusCode < 500)) throw new PermanentJobError(err.message);
    throw err;
  }
}

/**
 * One planning round as of `now`: queues the due locations' jobs and scores past
 * forecasts. Returns the jobs it queued (those of locations not queued already).
 */
export async function planForecastJobs(ctx: Services, opts: ForecastJobOptions & { ignoreLeadTime?: boolean } = {}): Promise<{ locations: number; jobs: JobRow[]; scored: number; skipped: ForecastJobReport['skipped'] }> {
  const now = (opts.now ?? (() => new Date()))();
  const { deps } = ctx.forecasting;
  const jobs: JobRow[] = [];
  const skipped: ForecastJobReport['skipped'] = [];
  await deps.repo.failStaleRuns();
  const locations = await deps.repo.assetLocationsAllOrgs();
  for (const loc of locations) {
    let m;
    try {
      m = ctx.markets.market(loc.market);
    } catch {
      skipped.push({ ...loc, reason: `unknown market ${loc.market}` });
      continue;
    }
    const next = nextDayAheadGateClosure(m.iso, now, m);
    if (!opts.ignoreLeadTime && next.closes_at.getTime() - now.getTime() > (opts.leadTimeHours ?? 6) * 3_600_000) continue;
    const payload: LocationPayload = { organization_id: loc.organization_id, market: m.iso, location: loc.location, delivery_date: next.delivery_date, as_of: now.toISOString() };
    const loadForecastAt = await ctx.forecasting.forecasts.loadForecastStamp(m.iso, loc.location, next.delivery_date);
    const row = await ctx.jobs.enqueueUnique(FORECAST_QUEUE, forecastJobKey(payload, loadForecastAt), { ...payload });
    if (row) jobs.push(row);
  }
  return { locations: locations.length, jobs, scored: await scorePastForecasts(ctx, now), skipped };
}

/**
 * A planning round that waits for the jobs it queued, on whichever instance runs them
 * (this one's queue must be started), and reports what they did.
 */
export async function runForecastJobOnce(ctx: Services, log: Pick<FastifyBaseLogger, 'warn'>, opts: ForecastJobOptions & { ignoreLeadTime?: boolean } = {}): Promise<ForecastJobReport> {
  registerForecastJobs(ctx, log, opts);
  const plan = await planForecastJobs(ctx, opts);
  const report: ForecastJobReport = { locations: plan.locations, jobs: plan.jobs.length, registered: 0, trained: 0, forecasts_stored: 0, forecasts_remade: 0, scored: plan.scored, skipped: plan.skipped };
  for (const row of await ctx.jobs.awaitFinished(plan.jobs.map((j) => j.id))) {
    const p = row.payload as unknown as LocationPayload;
    if (row.status === 'failed') {
      report.skipped.push({ organization_id: p.organization_id, market: p.market, location: p.location, reason: row.last_error ?? 'failed' });
      continue;
    }
    const o = (row.progress ?? {}) as Partial<LocationOutcome>;
    report.registered += o.registered ?? 0;
    report.trained += o.trained ?? 0;
    report.forecasts_stored += o.forecasts_stored ?? 0;
    report.forecasts_remade += o.forecasts_remade ?? 0;
  }
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
    // Another instance may have scored it meanwhile: only the one that did publishes.
    if (!(await deps.repo.scoreForecast(f.id, mae))) continue;
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
  registerForecastJobs(ctx, log, opts);
  let first = true;
  const round = async () => {
    const ignoreLeadTime = first;
    first = false;
    const r = await planForecastJobs(ctx, { ...opts, ignoreLeadTime });
    if (r.jobs.length || r.scored || r.skipped.length) log.info({ jobs: r.jobs.length, scored: r.scored, skipped: r.skipped }, 'forecast job: planned');
  };
  return runPeriodically(round, {
    intervalMs: opts.intervalMs ?? 10 * 60_000,
    runNow: true,
    onError: (err) => log.error({ err: err.message }, 'forecast job planning failed; retrying next tick'),
  });
}
