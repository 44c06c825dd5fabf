/**
 * The model registry: registered models per organisation and location,
 * training runs (walk-forward evaluation on stored history, with progress) that
 * each produce a version, and stage transitions (promotion to production
 * archives the model's previous production version). A training asked for on
 * the API is a durable job (queue `forecast-training`, key the run's id), which
 * any instance claims: it survives a restart and its instance dying (another
 * trains it again after the lease), and runs once. The daily forecast job
 * trains inside its own job (`inline`), which is the durable unit there.
 * A training uses the location's load forecast when every evaluated day has it
 * as published by that day's gate closure; the version then serves with it.
 */
import { createForecastModel, FORECAST_DEFAULT_MODEL, listForecastModels } from '@optibid/core';
import type { ForecastModelCreateBody, ForecastStage, ForecastTrainBody } from '@optibid/contracts';
import type { ModelRow, VersionRow } from '../../db/repositories/forecasting.js';
import { conflict, notFound, validationFailed } from '../../http/errors.js';
import { type Actor, type ForecastingDeps, loadExogenous, requireForecastModelAllowed, loadPriceBook, modelView, priceOwner, runView, versionView } from './common.js';
import { evaluateOnBook, evaluationCsv, EvaluationInputError, planEvaluation, type EvaluationPlan } from './engine.js';
import type { PriceBook } from './price-book.js';
import { DEFAULT_TRAIN_EVAL_DAYS, DEFAULT_TRAIN_WARMUP_DAYS, shortHistoryReason, trainingHistory } from './training-history.js';

export interface TrainOptions {
  origin?: 'api' | 'job';
  /** Train on prices stored before this instant (default: now). */
  as_of?: Date;
  /** Stops the training at its next day (the daily forecast job's, when its job is stopped). */
  signal?: AbortSignal;
  /** Train in this process now (awaitRun waits for it), not as a job of its own: for a caller that is itself a job. */
  inline?: boolean;
}

export const TRAINING_QUEUE = 'forecast-training';

interface TrainingPayload {
  organization_id: string;
  run_id: string;
  version_id: string;
  model_id: string;
  user_id: string | null;
  as_of: string;
}

/** Resolves a model spec from core's list ('default' becomes the concrete default) or throws 422. */
export function resolveModelType(raw: string): { spec: string; min_history_days: number } {
  const spec = raw.trim() === 'default' ? FORECAST_DEFAULT_MODEL : raw.trim();
  try {
    return { spec, min_history_days: createForecastModel(spec).min_history_days };
  } catch (err) {
    throw validationFailed(`unknown model type "${raw}": ${(err as Error).message}`, [
      { field: 'model_type', message: `one of ${listForecastModels().map((m) => m.spec).join(', ')}` },
    ]);
  }
}

export class RegistryService {
  private readonly inflight = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(private readonly d: ForecastingDeps) {}

  async requireModel(organizationId: string, id: string): Promise<ModelRow> {
    const m = await this.d.repo.getModel(organizationId, id);
    if (!m) throw notFound(`model ${id}`);
    return m;
  }

  async listModels(actor: Actor, q: { market?: string; location?: string } = {}) {
    const market = q.market ? this.d.markets.market(q.market).iso : undefined;
    const models = await this.d.repo.listModels(actor.organization_id, { market, location: q.location?.toUpperCase() });
    const versions = await this.d.repo.listVersions(actor.organization_id, models.map((m) => m.id));
    // Models of one location and window share the history read (the daily job's default models: one per location).
    const books = new Map<string, Promise<PriceBook>>();
    return { items: await Promise.all(models.map(async (m) => modelView(m, versions, await this.notTrainedReason(m, versions, books)))), model_types: listForecastModels() };
  }

  async getModel(actor: Actor, id: string) {
    const m = await this.requireModel(actor.organization_id, id);
    const versions = await this.d.repo.listVersions(actor.organization_id, [m.id]);
    return modelView(m, versions, await this.notTrainedReason(m, versions));
  }

  /**
   * For a model without a production version: why a default training (the shared market's prices, as the
   * daily forecast job trains) cannot run on the stored history, or null when it can.
   */
  private async notTrainedReason(m: ModelRow, versions: VersionRow[], books = new Map<string, Promise<PriceBook>>()): Promise<string | null> {
    if (versions.some((v) => v.model_id === m.id && v.stage === 'production')) return null;
    try {
      const { spec, min_history_days } = resolveModelType(m.model_type);
      const evalDays = DEFAULT_TRAIN_EVAL_DAYS;
      // The window train() loads with the default warm-up, so the answer is the one a training would give.
      const days = min_history_days + evalDays + DEFAULT_TRAIN_WARMUP_DAYS + 30;
      const key = `${m.market}|${m.location}|${days}`;
      let book = books.get(key);
      if (!book) books.set(key, (book = loadPriceBook(this.d.ctx, this.d.markets.market(m.market), m.location, this.d.now(), days, { latest: true })));
      return shortHistoryReason(spec, await book, min_history_days, evalDays);
    } catch {
      // A model whose market or type no longer resolves gives no reason rather than failing the whole list.
      return null;
    }
  }

  async createModel(actor: Actor, body: ForecastModelCreateBody, opts: { managed_by_job?: boolean } = {}) {
    const market = this.d.markets.market(body.market);
    // A catalogue location, one of the shared market's stored ones, else one of the organisation's own series.
    const location = await this.d.markets.location(market, body.location).catch(async (err: unknown) => {
      const own = await this.d.markets.location(market, body.location, actor.organization_id).catch(() => null);
      if (own) return own;
      throw err;
    });
    const { spec } = resolveModelType(body.model_type);
    // The daily job's model is the platform's measured choice for the shared market (model-choice.ts), served to every
    // organisation with assets there whatever its plan; only the job passes `managed_by_job` (the API never does).
    if (!opts.managed_by_job) await requireForecastModelAllowed(this.d.flags, actor.organization_id, spec);
    const name = body.name.trim();
    const experiment = await this.d.repo.ensureExperiment(actor.organization_id, name, `training runs of the registered model "${name}"`, actor.user_id);
    const m = await this.d.repo.createModel({
      organization_id: actor.organization_id,
      experiment_id: experiment,
      name,
      description: body.description?.trim() ?? '',
      market: market.iso,
      location,
      model_type: spec,
      managed_by_job: opts.managed_by_job ?? false,
      created_by: actor.user_id,
    });
    if (!m) throw conflict(`a model named "${name}" already exists in your organisation`, [{ field: 'name', message: 'already used' }]);
    await this.audit(actor, 'forecast_model.create', m.id, { name, market: m.market, location, model_type: spec });
    return modelView(m, [], await this.notTrainedReason(m, []));
  }

  async listVersions(actor: Actor, modelId: string) {
    const m = await this.requireModel(actor.organization_id, modelId);
    const versions = await this.d.repo.listVersions(actor.organization_id, [m.id]);
    return { items: versions.map(versionView) };
  }

  /**
   * Starts training a new version now: a run with the parameters, a version in
   * 'training', and the walk-forward evaluation in the background. Fails at
   * once (422) when the stored history cannot support the evaluation.
   */
  async train(actor: Actor, modelId: string, body: ForecastTrainBody, opts: TrainOptions = {}) {
    const m = await this.requireModel(actor.organization_id, modelId);
    const { spec, min_history_days } = resolveModelType(m.model_type);
    const params = {
      model_type: spec,
      market: m.market,
      location: m.location,
      eval_days: body.eval_days ?? DEFAULT_TRAIN_EVAL_DAYS,
      warmup_days: body.warmup_days ?? DEFAULT_TRAIN_WARMUP_DAYS,
      quantile_window_days: body.quantile_window_days ?? 28,
      quantile_levels: [0.1, 0.5, 0.9],
      price_scope: body.price_scope ?? 'shared',
      no_look_ahead: 'each day uses only prices known at its own day-ahead gate closure, and only load-forecast hours published by then',
    };
    const market = this.d.markets.market(m.market);
    const asOf = opts.as_of ?? this.d.now();
    const owner = priceOwner(params.price_scope, actor.organization_id);
    const book = await loadPriceBook(this.d.ctx, market, m.location, asOf, min_history_days + params.eval_days + params.warmup_days + 30, { latest: true, owner });
    if (owner && !book.dates.length) {
      throw validationFailed(`your organisation has no own DA or RTH prices for ${m.market} ${m.location}; import them, or train on the shared market (price_scope shared)`, [
        { field: 'price_scope', message: 'no own series for this location' },
      ]);
    }
    // Check before creating anything, so a hopeless request is a 422 and not a failed version.
    const usable = trainingHistory(book, min_history_days, params.eval_days).usable_eval_days;
    if (usable < params.eval_days) {
      throw validationFailed(
        `${spec} needs ${min_history_days} days of ${book.run} prices before each of ${params.eval_days} evaluation days at ${m.location}; ` +
          `the stored prices (${book.dates[0] ?? 'none'} … ${book.dates[book.dates.length - 1] ?? 'none'}) allow ${usable}`,
        [{ field: 'eval_days', message: `at most ${usable} with this model and history` }],
      );
    }
    // The days' inputs, with the load forecast when every day has it (cut at its own gate); built now, so the version records it.
    const exogenous = await loadExogenous(this.d, book, m.location, asOf);
    let plan: EvaluationPlan;
    try {
      plan = planEvaluation(spec, book, { evalDays: params.eval_days, warmupDays: params.warmup_days }, exogenous);
    } catch (err) {
      if (err instanceof EvaluationInputError) throw validationFailed(err.message, [{ field: 'eval_days', message: 'too many for this model and history' }]);
      throw err;
    }
    const compare = body.compare_without_exogenous && plan.exogenous.length ? planEvaluation(spec, book, { evalDays: params.eval_days, warmupDays: params.warmup_days }) : null;
    Object.assign(params, {
      price_run: book.run,
      data_start: book.dates[0],
      data_end: book.dates[book.dates.length - 1],
      exogenous: plan.exogenous,
      exogenous_note: plan.exogenous_note,
      compare_without_exogenous: compare !== null,
    });
    const run = await this.d.repo.createRun({ organization_id: actor.organization_id, experiment_id: m.experiment_id, model_id: m.id, params, created_by: actor.user_id, origin: opts.origin ?? 'api' });
    const version = await this.d.repo.createVersion({ organization_id: actor.organization_id, model_id: m.id, run_id: run.id, model_type: spec, created_by: actor.user_id, exogenous: plan.exogenous });
    await this.audit(actor, 'forecast_model.train', m.id, { version: version.version, run_id: run.id, exogenous: plan.exogenous.map((x) => `${x.series}:${x.market}:${x.area}`), price_scope: params.price_scope });
    if (opts.inline) {
      const work = this.runTraining(actor, m, version, run.id, spec, params, book, plan, compare, { signal: opts.signal }).finally(() => this.inflight.delete(run.id));
      this.inflight.set(run.id, work);
    } else {
      const payload: TrainingPayload = { organization_id: actor.organization_id, run_id: run.id, version_id: version.id, model_id: m.id, user_id: actor.user_id, as_of: asOf.toISOString() };
      await this.d.ctx.jobs.enqueueUnique(TRAINING_QUEUE, run.id, { ...payload });
    }
    return { version: versionView(version), run: runView(run, [], version.id) };
  }

  /**
   * Registers the training job's handler (once, by the composition root). A job rebuilds the
   * run's inputs from its stored parameters as of the instant it was asked for, so a second
   * attempt trains on what the first saw; a run that already ended is left alone.
   */
  registerTrainingJobs(): void {
    this.d.ctx.jobs.register(
      TRAINING_QUEUE,
      {
        run: async (raw, job) => {
          const p = raw as unknown as TrainingPayload;
          const run = await this.d.repo.getRun(p.organization_id, p.run_id);
          const v = await this.d.repo.getVersion(p.organization_id, p.version_id);
          const m = await this.d.repo.getModel(p.organization_id, p.model_id);
          if (!run || run.status !== 'running' || !v || !m) return;
          const actor = { organization_id: p.organization_id, user_id: p.user_id };
          const params = run.params as { model_type: string; eval_days: number; warmup_days: number; quantile_window_days: number; price_scope: 'shared' | 'own'; compare_without_exogenous?: boolean };
          const { min_history_days } = resolveModelType(params.model_type);
          const asOf = new Date(p.as_of);
          const market = this.d.markets.market(m.market);
          const book = await loadPriceBook(this.d.ctx, market, m.location, asOf, min_history_days + params.eval_days + params.warmup_days + 30, {
            latest: true,
            owner: priceOwner(params.price_scope, p.organization_id),
          });
          const exogenous = await loadExogenous(this.d, book, m.location, asOf);
          const windows = { evalDays: params.eval_days, warmupDays: params.warmup_days };
          let plan: EvaluationPlan;
          let compare: EvaluationPlan | null = null;
          try {
            plan = planEvaluation(params.model_type, book, windows, exogenous);
            if (params.compare_without_exogenous) compare = planEvaluation(params.model_type, book, windows);
          } catch (err) {
            // The stored prices changed since the request was accepted (deleted or replaced): say so on the run.
            if (!(err instanceof EvaluationInputError)) throw err;
            await this.d.repo.finishTraining({ run_id: run.id, version_id: v.id, organization_id: p.organization_id, ok: false, metrics: null, version_metrics: null, error: err.message, trained_through: null, progress: run.progress, artifacts: [] });
            return;
          }
          await this.runTraining(actor, m, v, run.id, params.model_type, params, book, plan, compare, { signal: job.signal, handBack: true });
        },
        failed: async (raw, error) => {
          const p = raw as unknown as TrainingPayload;
          const run = await this.d.repo.getRun(p.organization_id, p.run_id);
          if (run?.status !== 'running') return;
          await this.d.repo.finishTraining({ run_id: p.run_id, version_id: p.version_id, organization_id: p.organization_id, ok: false, metrics: null, version_metrics: null, error: `training failed: ${error}`, trained_through: null, progress: run.progress, artifacts: [] });
        },
      },
      { concurrency: 1 },
    );
  }

  private async runTraining(
    actor: Actor,
    m: ModelRow,
    v: VersionRow,
    runId: string,
    spec: string,
    params: { quantile_window_days: number; price_scope: 'shared' | 'own' },
    book: Awaited<ReturnType<typeof loadPriceBook>>,
    plan: EvaluationPlan,
    compare: EvaluationPlan | null,
    opts: { signal?: AbortSignal; handBack?: boolean } = {},
  ): Promise<void> {
    const { signal } = opts;
    const market = this.d.markets.market(m.market);
    let lastProgress = { done: 0, total: 0 } as { done: number; total: number; date?: string };
    try {
      const result = await evaluateOnBook(this.d.ctx.compute, spec, book, plan, {
        quantileWindowDays: params.quantile_window_days,
        onProgress: async (done, total, date) => {
          if (this.stopping) throw new Error('the server is stopping');
          if (signal?.aborted) throw new Error('its job was stopped');
          lastProgress = { done, total, date };
          await this.d.repo.runProgress(runId, lastProgress);
        },
      });
      for (const day of result.days) {
        await this.d.repo.storeForecast({
          organization_id: actor.organization_id,
          model_version_id: v.id,
          market: m.market,
          location: m.location,
          delivery_date: day.date,
          origin: 'evaluation',
          gate_closure: day.gate_closure,
          history_end: day.history_end,
          hours: day.hours,
          daily_point: Array.from(day.daily_point),
          created_by: actor.user_id,
          price_scope: params.price_scope,
          exogenous: day.exogenous,
          exogenous_note: day.exogenous_note,
        });
      }
      const { per_hour, ...overall } = result.metrics;
      const finite = (x: number) => (Number.isFinite(x) ? x : null);
      // The same days on prices alone, when asked: what the load forecast is worth here.
      let without: Record<string, unknown> | undefined;
      if (compare) {
        const r = await evaluateOnBook(this.d.ctx.compute, spec, book, compare, { quantileWindowDays: params.quantile_window_days });
        const { per_hour: _perHour, ...o } = r.metrics;
        without = { ...o, seconds: Math.round(r.seconds * 1000) / 1000 };
      }
      const metrics = {
        ...overall,
        seconds: Math.round(result.seconds * 1000) / 1000,
        weekly_naive_mae: finite(result.naive_metrics.mae),
        evaluation_start: result.days.find((d) => !d.warmup)?.date,
        evaluation_end: result.days[result.days.length - 1]?.date,
        ...(without ? { without_exogenous: without } : {}),
      };
      await this.d.repo.finishTraining({
        run_id: runId,
        version_id: v.id,
        organization_id: actor.organization_id,
        ok: true,
        metrics,
        version_metrics: overall,
        error: null,
        trained_through: result.days[result.days.length - 1]?.date ?? null,
        // Every day was fitted: say so even when the pool's last progress message arrives after its result.
        progress: { done: result.days.length, total: result.days.length, date: result.days[result.days.length - 1]?.date ?? lastProgress.date },
        artifacts: [
          { name: 'model-state.json', content_type: 'application/json', content: JSON.stringify(result.state) },
          { name: 'forecasts.csv', content_type: 'text/csv', content: evaluationCsv(result.days, market) },
          { name: 'metrics-per-hour.json', content_type: 'application/json', content: JSON.stringify(per_hour.map((p, hour) => ({ hour, ...p }))) },
        ],
      });
    } catch (err) {
      // A job stopped (its server stopping, or its lease lost) hands the run back unfinished: the job's next attempt trains it.
      if (opts.handBack && signal?.aborted) throw err;
      const message = err instanceof EvaluationInputError ? err.message : `training failed: ${(err as Error).message}`;
      await this.d.repo
        .finishTraining({ run_id: runId, version_id: v.id, organization_id: actor.organization_id, ok: false, metrics: null, version_metrics: null, error: message, trained_through: null, progress: lastProgress, artifacts: [] })
        .catch(() => undefined);
    }
  }

  /** Resolves when the run's training has ended, here or on whichever instance runs its job. */
  async awaitRun(runId: string, timeoutMs = 600_000): Promise<void> {
    await this.inflight.get(runId);
    const until = Date.now() + timeoutMs;
    while ((await this.d.repo.runStatus(runId)) === 'running') {
      if (Date.now() > until) throw new Error(`training run ${runId} did not end within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async awaitAll(): Promise<void> {
    await Promise.all([...this.inflight.values()]);
  }

  /** Stops running trainings at their next day (they end as failed, saying why) and waits for them. */
  async close(): Promise<void> {
    this.stopping = true;
    await this.awaitAll();
  }

  async setStage(actor: Actor, modelId: string, n: number, stage: ForecastStage) {
    const m = await this.requireModel(actor.organization_id, modelId);
    const v = await this.d.repo.getVersionByNumber(actor.organization_id, m.id, n);
    if (!v) throw notFound(`version ${n} of model ${m.name}`);
    if ((stage === 'production' || stage === 'staging') && v.status !== 'ready') {
      throw validationFailed(`version ${n} is ${v.status}; only a trained (ready) version can go to ${stage}`, [{ field: 'stage', message: `version is ${v.status}` }]);
    }
    const r = await this.d.repo.setStage(actor.organization_id, v.id, stage, actor.user_id);
    await this.audit(actor, 'forecast_model.stage', m.id, { version: n, from: v.stage, to: stage, archived: r.archived });
    return { version: versionView(r.version), archived_version_ids: r.archived };
  }

  async experiments(actor: Actor) {
    const rows = await this.d.repo.listExperiments(actor.organization_id);
    return {
      items: rows.map((e) => ({
        id: e.id,
        name: e.name,
        description: e.description,
        created_by: e.created_by,
        created_at: e.created_at.toISOString(),
        run_count: e.run_count,
        last_run_at: e.last_run_at?.toISOString() ?? null,
      })),
    };
  }

  async getRun(actor: Actor, id: string) {
    const r = await this.d.repo.getRun(actor.organization_id, id);
    if (!r) throw notFound(`run ${id}`);
    return runView(r, await this.d.repo.artifacts(r.id), await this.d.repo.versionIdOfRun(r.id));
  }

  async artifact(actor: Actor, runId: string, name: string) {
    const r = await this.d.repo.getRun(actor.organization_id, runId);
    if (!r) throw notFound(`run ${runId}`);
    const a = (await this.d.repo.artifacts(r.id)).find((x) => x.name === name);
    if (!a) throw notFound(`artifact ${name} of run ${runId}`);
    return a;
  }

  private async audit(actor: Actor, action: string, id: string, details: Record<string, unknown>) {
    await this.d.ctx.repos.audit.record({ organization_id: actor.organization_id, actor_user_id: actor.user_id, action, target_type: 'forecast_model', target_id: id, details });
  }
}
