/**
 * The forecast registry's SQL: experiments, runs and their artefacts, registered
 * models, versions with stages, and stored forecasts. Every read is scoped by
 * organisation (another tenant's id simply is not found); the daily job's
 * cross-tenant queries say so in their names.
 */
import type { Database } from '../client.js';
import { sqlRunner, toDate, type SqlRunner } from './trading/sql.js';
import { dateOrNull, forecastRow as forecast, modelRow as model, runRow as run, versionRow as version } from './forecasting-rows.js';
import type { ArtifactRow, ExogenousSeries, ExperimentRow, ForecastOrigin, ForecastPriceScope, ForecastRow, ModelRow, RunRow, VersionRow, VersionStage } from './forecasting-rows.js';

export * from './forecasting-rows.js';

const VERSION_COLS = `id, organization_id, model_id, version, run_id, model_type, status, stage, metrics, trained_through,
  created_by, created_at, stage_changed_at, stage_changed_by, exogenous`;

export class ForecastingRepository {
  private readonly sql: SqlRunner;
  constructor(database: Database) {
    this.sql = sqlRunner(database);
  }

  // ---- experiments ----
  async ensureExperiment(organizationId: string, name: string, description: string, userId: string | null): Promise<string> {
    const rows = await this.sql.query<{ id: string }>(
      `INSERT INTO forecast_experiments (organization_id, name, description, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
      [organizationId, name, description, userId],
    );
    return rows[0]!.id;
  }

  async listExperiments(organizationId: string): Promise<ExperimentRow[]> {
    const rows = await this.sql.query<Record<string, unknown>>(
      `SELECT e.*, count(r.id)::int AS run_count, max(r.started_at) AS last_run_at
       FROM forecast_experiments e LEFT JOIN forecast_runs r ON r.experiment_id = e.id
       WHERE e.organization_id = $1 GROUP BY e.id ORDER BY e.created_at`,
      [organizationId],
    );
    return rows.map((r) => ({ ...(r as unknown as ExperimentRow), run_count: Number(r.run_count), created_at: toDate(r.created_at), last_run_at: dateOrNull(r.last_run_at) }));
  }

  // ---- registered models ----
  async createModel(input: Omit<ModelRow, 'id' | 'created_at' | 'updated_at'>): Promise<ModelRow | null> {
    const rows = await this.sql.query<Record<string, unknown>>(
      `INSERT INTO forecast_models (organization_id, experiment_id, name, description, market, location, model_type, managed_by_job, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (organization_id, name) DO NOTHING RETURNING *`,
      [input.organization_id, input.experiment_id, input.name, input.description, input.market, input.location, input.model_type, input.managed_by_job, input.created_by],
    );
    return rows[0] ? model(rows[0]) : null;
  }

  async getModel(organizationId: string, id: string): Promise<ModelRow | null> {
    const rows = await this.sql.query<Record<string, unknown>>(`SELECT * FROM forecast_models WHERE organization_id = $1 AND id = $2`, [organizationId, id]);
    return rows[0] ? model(rows[0]) : null;
  }

  async listModels(organizationId: string, filter: { market?: string; location?: string } = {}): Promise<ModelRow[]> {
    const rows = await this.sql.query<Record<string, unknown>>(
      `SELECT * FROM forecast_models WHERE organization_id = $1 AND ($2::text IS NULL OR market = $2) AND ($3::text IS NULL OR location = $3)
       ORDER BY created_at, name`,
      [organizationId, filter.market ?? null, filter.location ?? null],
    );
    return rows.map(model);
  }

  // ---- runs and artefacts ----
  async createRun(input: { organization_id: string; experiment_id: string; model_id: string; params: Record<string, unknown>; created_by: string | null; origin: 'api' | 'job' }): Promise<RunRow> {
    const rows = await this.sql.query<Record<string, unknown>>(
      `INSERT INTO forecast_runs (organization_id, experiment_id, model_id, status, params, created_by, origin)
       VALUES ($1, $2, $3, 'running', $4::jsonb, $5, $6) RETURNING *`,
      [input.organization_id, input.experiment_id, input.model_id, JSON.stringify(input.params), input.created_by, input.origin],
    );
    return run(rows[0]!);
  }

  async runProgress(runId: string, progress: RunRow['progress']): Promise<void> {
    await this.sql.query(`UPDATE forecast_runs SET progress = $2::jsonb, updated_at = now() WHERE id = $1 AND status = 'running'`, [runId, JSON.stringify(progress)]);
  }

  /** A run's status by id alone (waiting for a training that runs on any instance), or null. */
  async runStatus(id: string): Promise<RunRow['status'] | null> {
    const [row] = await this.sql.query<{ status: RunRow['status'] }>(`SELECT status FROM forecast_runs WHERE id = $1`, [id]);
    return row?.status ?? null;
  }

  async getRun(organizationId: string, id: string): Promise<RunRow | null> {
    const rows = await this.sql.query<Record<string, unknown>>(`SELECT * FROM forecast_runs WHERE organization_id = $1 AND id = $2`, [organizationId, id]);
    return rows[0] ? run(rows[0]) : null;
  }

  async artifacts(runId: string): Promise<ArtifactRow[]> {
    const rows = await this.sql.query<Record<string, unknown>>(
      `SELECT run_id, name, content_type, content, created_at FROM forecast_run_artifacts WHERE run_id = $1 ORDER BY name`,
      [runId],
    );
    return rows.map((r) => ({ ...(r as unknown as ArtifactRow), created_at: toDate(r.created_at) }));
  }

  /** Ends a run and its version together: artefacts, metrics, status. */
  async finishTraining(input: {
    run_id: string;
    version_id: string;
    organization_id: string;
    ok: boolean;
    metrics: Record<string, unknown> | null;
    version_metrics: Record<string, number> | null;
    error: string | null;
    trained_through: string | null;
    progress: RunRow['progress'];
    artifacts: { name: string; content_type: string; content: string }[];
  }): Promise<void> {
    await this.sql.transaction(async (tx) => {
      for (const a of input.artifacts) {
        await tx.query(
          `INSERT INTO forecast_run_artifacts (run_id, organization_id, name, content_type, content) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (run_id, name) DO UPDATE SET content = EXCLUDED.content, content_type = EXCLUDED.content_type`,
          [input.run_id, input.organization_id, a.name, a.content_type, a.content],
        );
      }
      await tx.query(
        `UPDATE forecast_runs SET status = $2, metrics = $3::jsonb, error = $4, progress = $5::jsonb, finished_at = now() WHERE id = $1`,
        [input.run_id, input.ok ? 'finished' : 'failed', input.metrics ? JSON.stringify(input.metrics) : null, input.error, JSON.stringify(input.progress)],
      );
      await tx.query(`UPDATE forecast_model_versions SET status = $2, metrics = $3::jsonb, trained_through = $4 WHERE id = $1`, [
        input.version_id,
        input.ok ? 'ready' : 'failed',
        input.version_metrics ? JSON.stringify(input.version_metrics) : null,
        input.trained_through,
      ]);
    });
  }

  /** Runs left 'running' by a server that stopped mid-training: no progress for `staleMinutes`. */
  async failStaleRuns(staleMinutes = 30): Promise<number> {
    const rows = await this.sql.query<{ id: string }>(
      `WITH r AS (UPDATE forecast_runs SET status = 'failed', error = 'interrupted: no progress for ${Math.round(staleMinutes)} minutes (server stopped?)', finished_at = now()
                  WHERE status = 'running' AND updated_at < now() - make_interval(mins => ${Math.round(staleMinutes)})
                    -- A run whose training job is still queued or running is not stale: the job will train it.
                    AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.queue = 'forecast-training' AND j.unique_key = forecast_runs.id::text AND j.status IN ('queued', 'running'))
                  RETURNING id)
       UPDATE forecast_model_versions v SET status = 'failed' FROM r WHERE v.run_id = r.id AND v.status = 'training' RETURNING v.id`,
    );
    return rows.length;
  }

  // ---- versions ----
  async createVersion(input: { organization_id: string; model_id: string; run_id: string; model_type: string; created_by: string | null; exogenous?: ExogenousSeries[] }): Promise<VersionRow> {
    // The number is taken under the model row's lock so two trainings started together get distinct versions.
    return this.sql.transaction(async (tx) => {
      await tx.query(`SELECT id FROM forecast_models WHERE id = $1 FOR UPDATE`, [input.model_id]);
      const rows = await tx.query<Record<string, unknown>>(
        `INSERT INTO forecast_model_versions (organization_id, model_id, version, run_id, model_type, status, created_by, exogenous)
         SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, 'training', $5, $6::jsonb FROM forecast_model_versions WHERE model_id = $2
         RETURNING ${VERSION_COLS}`,
        [input.organization_id, input.model_id, input.run_id, input.model_type, input.created_by, JSON.stringify(input.exogenous ?? [])],
      );
      await tx.query(`UPDATE forecast_models SET updated_at = now() WHERE id = $1`, [input.model_id]);
      return version(rows[0]!);
    });
  }

  async listVersions(organizationId: string, modelIds: string[]): Promise<VersionRow[]> {
    if (!modelIds.length) return [];
    const rows = await this.sql.query<Record<string, unknown>>(
      `SELECT ${VERSION_COLS} FROM forecast_model_versions WHERE organization_id = $1 AND model_id = ANY($2::uuid[]) ORDER BY model_id, version`,
      [organizationId, modelIds],
    );
    return rows.map(version);
  }

  async getVersion(organizationId: string, id: string): Promise<VersionRow | null> {
    const rows = await this.sql.query<Record<string, unknown>>(`SELECT ${VERSION_COLS} FROM forecast_model_versions WHERE organization_id = $1 AND id = $2`, [organizationId, id]);
    return rows[0] ? version(rows[0]) : null;
  }

  async getVersionByNumber(organizationId: string, modelId: string, n: number): Promise<VersionRow | null> {
    const rows = await this.sql.query<Record<string, unknown>>(
      `SELECT ${VERSION_COLS} FROM forecast_model_versions WHERE organization_id = $1 AND model_id = $2 AND version = $3`,
      [organizationId, modelId, n],
    );
    return rows[0] ? version(rows[0]) : null;
  }

  /** Model name, number and type of versions (for forecast views). */
  async versionInfo(organizationId: string, ids: string[]): Promise<Map<string, { model_id: string; model_name: string; version: number; model_type: string; market: string; location: string }>> {
    if (!ids.length) return new Map();
    const rows = await this.sql.query<Record<string, unknown>>(
      `SELECT v.id, v.model_id, m.name AS model_name, v.version, v.model_type, m.market, m.location
       FROM forecast_model_versions v JOIN forecast_models m ON m.id = v.model_id
       WHERE v.organization_id = $1 AND v.id = ANY($2::uuid[])`,
      [organizationId, [...new Set(ids)]],
    );
    return new Map(
      rows.map((r) => [
        String(r.id),
        { model_id: String(r.model_id), model_name: String(r.model_name), version: Number(r.version), model_type: String(r.model_type), market: String(r.market), location: String(r.location) },
      ]),
    );
  }

  async versionIdOfRun(runId: string): Promise<string | null> {
    const rows = await this.sql.query<{ id: string }>(`SELECT id FROM forecast_model_versions WHERE run_id = $1`, [runId]);
    return rows[0]?.id ?? null;
  }

  /**
   * Moves a version to a stage. Promotion to production first archives the
   * model's current production version, in the same transaction. Returns the
   * updated version and the ids of the versions archived on the way.
   */
  async setStage(organizationId: string, versionId: string, stage: VersionStage, userId: string | null): Promise<{ version: VersionRow; archived: string[] }> {
    return this.sql.transaction(async (tx) => {
      const [v] = await tx.query<Record<string, unknown>>(`SELECT model_id FROM forecast_model_versions WHERE organization_id = $1 AND id = $2`, [organizationId, versionId]);
      if (!v) throw new Error('version vanished');
      await tx.query(`SELECT id FROM forecast_models WHERE id = $1 FOR UPDATE`, [v.model_id]);
      let archived: string[] = [];
      if (stage === 'production') {
        const rows = await tx.query<{ id: string }>(
          `UPDATE forecast_model_versions SET stage = 'archived', stage_changed_at = now(), stage_changed_by = $3
           WHERE model_id = $1 AND stage = 'production' AND id <> $2 RETURNING id`,
          [v.model_id, versionId, userId],
        );
        archived = rows.map((r) => r.id);
      }
      const rows = await tx.query<Record<string, unknown>>(
        `UPDATE forecast_model_versions SET stage = $2, stage_changed_at = now(), stage_changed_by = $3 WHERE id = $1 RETURNING ${VERSION_COLS}`,
        [versionId, stage, userId],
      );
      return { version: version(rows[0]!), archived };
    });
  }

  /** The production version for a location: of the organisation's models there, the one promoted last. */
  async productionVersionFor(organizationId: string, market: string, location: string): Promise<(VersionRow & { model_name: string }) | null> {
    const rows = await this.sql.query<Record<string, unknown>>(
      `SELECT ${VERSION_COLS.split(',').map((c) => `v.${c.trim()}`).join(', ')}, m.name AS model_name
       FROM forecast_model_versions v JOIN forecast_models m ON m.id = v.model_id
       WHERE v.organization_id = $1 AND m.market = $2 AND m.location = $3 AND v.stage = 'production' AND v.status = 'ready'
       ORDER BY v.stage_changed_at DESC NULLS LAST, v.created_at DESC LIMIT 1`,
      [organizationId, market, location],
    );
    return rows[0] ? { ...version(rows[0]), model_name: String(rows[0].model_name) } : null;
  }

  // ---- forecasts ----
  /** Stores a forecast unless that version already has one for the day on those prices; returns the stored row either way. */
  async storeForecast(input: Omit<ForecastRow, 'id' | 'created_at' | 'mae_usd_per_mwh' | 'scored_at'>): Promise<{ row: ForecastRow; created: boolean }> {
    const rows = await this.sql.query<Record<string, unknown>>(
      `INSERT INTO forecasts (organization_id, model_version_id, market, location, delivery_date, origin, gate_closure, history_end, hours, daily_point, created_by, price_scope, exogenous, exogenous_note)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13::jsonb, $14)
       ON CONFLICT (model_version_id, delivery_date, price_scope) DO NOTHING RETURNING *`,
      [input.organization_id, input.model_version_id, input.market, input.location, input.delivery_date, input.origin, input.gate_closure, input.history_end, JSON.stringify(input.hours), JSON.stringify(input.daily_point), input.created_by, input.price_scope, JSON.stringify(input.exogenous), input.exogenous_note],
    );
    if (rows[0]) return { row: forecast(rows[0]), created: true };
    const existing = await this.forecastFor(input.organization_id, input.model_version_id, input.delivery_date, input.price_scope);
    return { row: existing!, created: false };
  }

  /**
   * Replaces a stored forecast's values (a re-make before its gate on newer inputs): made now, by
   * `origin`, unscored; its id, version, day and scope stay.
   */
  async replaceForecast(id: string, input: Pick<ForecastRow, 'origin' | 'gate_closure' | 'history_end' | 'hours' | 'daily_point' | 'created_by' | 'exogenous' | 'exogenous_note'>): Promise<ForecastRow> {
    const rows = await this.sql.query<Record<string, unknown>>(
      `UPDATE forecasts SET origin = $2, gate_closure = $3, history_end = $4, hours = $5::jsonb, daily_point = $6::jsonb, created_by = $7, exogenous = $8::jsonb, exogenous_note = $9,
         created_at = now(), mae_usd_per_mwh = NULL, scored_at = NULL
       WHERE id = $1 RETURNING *`,
      [id, input.origin, input.gate_closure, input.history_end, JSON.stringify(input.hours), JSON.stringify(input.daily_point), input.created_by, JSON.stringify(input.exogenous), input.exogenous_note],
    );
    return forecast(rows[0]!);
  }

  async forecastFor(organizationId: string, versionId: string, deliveryDate: string, scope: ForecastPriceScope = 'shared'): Promise<ForecastRow | null> {
    const rows = await this.sql.query<Record<string, unknown>>(
      `SELECT * FROM forecasts WHERE organization_id = $1 AND model_version_id = $2 AND delivery_date = $3 AND price_scope = $4`,
      [organizationId, versionId, deliveryDate, scope],
    );
    return rows[0] ? forecast(rows[0]) : null;
  }

  /** A version's forecasts on one price scope for delivery days in [from, to] (inclusive). */
  async versionForecasts(organizationId: string, versionId: string, from: string, to: string, scope: ForecastPriceScope = 'shared'): Promise<ForecastRow[]> {
    const rows = await this.sql.query<Record<string, unknown>>(
      `SELECT * FROM forecasts WHERE organization_id = $1 AND model_version_id = $2 AND delivery_date >= $3 AND delivery_date <= $4 AND price_scope = $5 ORDER BY delivery_date`,
      [organizationId, versionId, from, to, scope],
    );
    return rows.map(forecast);
  }

  async listForecasts(q: { organization_id: string; market?: string; location?: string; delivery_date?: string; model_version_id?: string; origin?: ForecastOrigin; price_scope?: ForecastPriceScope; limit: number }): Promise<ForecastRow[]> {
    const rows = await this.sql.query<Record<string, unknown>>(
      `SELECT * FROM forecasts WHERE organization_id = $1
         AND ($2::text IS NULL OR market = $2) AND ($3::text IS NULL OR location = $3)
         AND ($4::text IS NULL OR delivery_date = $4) AND ($5::uuid IS NULL OR model_version_id = $5)
         AND ($6::text IS NULL OR origin = $6) AND ($8::text IS NULL OR price_scope = $8)
       ORDER BY delivery_date DESC, created_at DESC LIMIT $7`,
      [q.organization_id, q.market ?? null, q.location ?? null, q.delivery_date ?? null, q.model_version_id ?? null, q.origin ?? null, q.limit, q.price_scope ?? null],
    );
    return rows.map(forecast);
  }

  /** Served forecasts whose delivery day is over and not yet scored (all organisations: the job scores them). */
  async unscoredForecastsAllOrgs(beforeDate: string, limit = 200): Promise<ForecastRow[]> {
    const rows = await this.sql.query<Record<string, unknown>>(
      `SELECT * FROM forecasts WHERE scored_at IS NULL AND origin <> 'evaluation' AND delivery_date < $1 ORDER BY delivery_date LIMIT $2`,
      [beforeDate, limit],
    );
    return rows.map(forecast);
  }

  /** Scores a forecast not scored yet; false when it already was (by another instance). */
  async scoreForecast(id: string, mae: number): Promise<boolean> {
    const rows = await this.sql.query(`UPDATE forecasts SET mae_usd_per_mwh = $2, scored_at = now() WHERE id = $1 AND scored_at IS NULL RETURNING id`, [id, mae]);
    return rows.length > 0;
  }

  /** (organisation, market, location) of every active asset, all organisations (the daily job's work list). */
  async assetLocationsAllOrgs(): Promise<{ organization_id: string; market: string; location: string }[]> {
    return this.sql.query(`SELECT DISTINCT organization_id::text AS organization_id, market, location FROM assets WHERE active ORDER BY 1, 2, 3`);
  }

  async counts(): Promise<{ models: number; versions: number; production_versions: number; forecasts: number; latest_forecast_at: Date | null; running_runs: number }> {
    const [r] = await this.sql.query<Record<string, unknown>>(
      `SELECT (SELECT count(*) FROM forecast_models)::int AS models,
              (SELECT count(*) FROM forecast_model_versions)::int AS versions,
              (SELECT count(*) FROM forecast_model_versions WHERE stage = 'production')::int AS production_versions,
              (SELECT count(*) FROM forecasts WHERE origin <> 'evaluation')::int AS forecasts,
              (SELECT max(created_at) FROM forecasts WHERE origin <> 'evaluation') AS latest_forecast_at,
              (SELECT count(*) FROM forecast_runs WHERE status = 'running')::int AS running_runs`,
    );
    return {
      models: Number(r!.models),
      versions: Number(r!.versions),
      production_versions: Number(r!.production_versions),
      forecasts: Number(r!.forecasts),
      latest_forecast_at: dateOrNull(r!.latest_forecast_at),
      running_runs: Number(r!.running_runs),
    };
  }
}
