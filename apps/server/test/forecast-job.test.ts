/**
 * The daily forecast job on the NYISO N.Y.C. demo history with one asset there:
 * it registers a default model (the candidate its history measured best when it is
 * too short for the platform default), trains and promotes it, stores the next day's forecast
 * before the gate, does nothing twice, waits for the lead time, and scores
 * served forecasts once their day's prices are stored. The location's work is a
 * durable job: two instances planning make one job, and a job whose worker died
 * is trained once by another instance after its lease.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FORECAST_DEFAULT_MODEL } from '@optibid/core';
import type { Database } from '../src/db/client.js';
import { JobRepository } from '../src/db/repositories/jobs.js';
import { FORECAST_QUEUE, planForecastJobs, registerForecastJobs, runForecastJobOnce, startForecastJob, defaultModelFor } from '../src/jobs/forecast.js';
import { TRAINING_QUEUE } from '../src/modules/forecasting/registry-service.js';
import { createServices, type Services } from '../src/services.js';
import { bearer, describeEachBackend, registerUser, testConfig, type TestServer } from './helpers.js';
import { addBattery, importNyc, startForecastServer } from './forecast-helpers.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

it('picks the platform default only when the history supports it', () => {
  expect(defaultModelFor(3000, 28).spec).toBe(FORECAST_DEFAULT_MODEL);
  expect(defaultModelFor(59, 28).spec).toBe('lear:28');
  expect(defaultModelFor(59, 28).note).toMatch(/needs \d+ days of history and 59 are stored/);
  expect(defaultModelFor(20, 28).spec).toBe('weekly-naive');
});

describeEachBackend('forecast job', (backend) => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  const get = (url: string) => server.app.inject({ method: 'GET', url, headers: bearer(owner.access_token) }).then((r) => r.json());

  beforeAll(async () => {
    server = await startForecastServer(backend);
    await importNyc(server);
    owner = await registerUser(server.app);
    await addBattery(server.ctx.database, owner.user.organization.id, 'NYISO', 'N.Y.C.');
  }, 60_000);
  afterAll(async () => server?.close());

  it('at start: registers, trains and promotes a default model, stores the next day before its gate', async () => {
    // 02:00 EDT on 2020-04-30: the gate for 2020-05-01 closes at 05:00 EDT (09:00 UTC).
    const stop = await startForecastJob(server.ctx, silent, { now: () => new Date('2020-04-30T06:00:00Z'), intervalMs: 3_600_000 });
    await stop();
    // The start round queued the location's job; the server's queue runs it.
    const [job] = await server.ctx.database.query<{ id: string; unique_key: string; payload: Record<string, unknown> }>(`SELECT id, unique_key, payload FROM jobs WHERE queue = $1`, [FORECAST_QUEUE]);
    expect(job).toMatchObject({ unique_key: `${owner.user.organization.id}:NYISO:N.Y.C.:2020-05-01`, payload: { delivery_date: '2020-05-01', as_of: '2020-04-30T06:00:00.000Z' } });
    expect((await server.ctx.jobs.awaitFinished([job!.id]))[0]).toMatchObject({ status: 'succeeded', progress: { registered: 1, trained: 1, forecasts_stored: 1 } });
    const models = (await get('/api/models')).items;
    expect(models).toHaveLength(1);
    // The model the location's history measured best (model-choice.test.ts checks the measuring), with its reason.
    const choice = await server.ctx.forecasting.deps.modelChoice.stored('NYISO', 'N.Y.C.');
    expect(choice!.scores.map((s) => s.spec).sort()).toEqual(['lear:28', 'naive', 'weekly-naive']);
    expect(models[0]).toMatchObject({ managed_by_job: true, model_type: choice!.spec, location: 'N.Y.C.', production_version: { version: 1, stage: 'production', trained_through: '2020-04-29' }, not_trained_reason: null });
    expect(models[0].description).toBe(`Registered by the daily forecast job: ${choice!.note}.`);
    expect(models[0].description).toContain(FORECAST_DEFAULT_MODEL);
    expect(Number.isFinite(models[0].production_version.metrics.mae)).toBe(true);
    const stored = (await get('/api/forecasts?market=NYISO&location=N.Y.C.&delivery_date=2020-05-01')).items;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ origin: 'job', model_version_id: models[0].production_version.id, gate_closure: '2020-04-30T09:00:00.000Z' });
    expect(stored[0].hours).toHaveLength(24);
    for (const h of stored[0].hours) expect(h.p10 <= h.p50 && h.p50 <= h.p90).toBe(true);
    const run = await get(`/api/runs/${models[0].production_version.run_id}`);
    expect(run).toMatchObject({ origin: 'job', status: 'finished', created_by: null });
  }, 120_000);

  it('is idempotent, and waits until the gate is within the lead time', async () => {
    const again = await runForecastJobOnce(server.ctx, silent, { now: () => new Date('2020-04-30T06:30:00Z') });
    expect(again).toMatchObject({ locations: 1, jobs: 0, registered: 0, trained: 0, forecasts_stored: 0 });
    // 08:00 EDT on 04-29: the next gate (for 05-01) is 21 h away, beyond the 6 h lead time.
    const early = await runForecastJobOnce(server.ctx, silent, { now: () => new Date('2020-04-29T12:00:00Z') });
    expect(early).toMatchObject({ locations: 1, trained: 0, forecasts_stored: 0, skipped: [] });
    expect((await get('/api/forecasts?origin=job')).items).toHaveLength(1);
  }, 60_000);

  it("scores the job's forecast once its day's prices are stored and publishes forecast_error", async () => {
    const nothingYet = await runForecastJobOnce(server.ctx, silent, { now: () => new Date('2020-05-03T12:00:00Z') });
    expect(nothingYet.scored).toBe(0);
    // The 2020-05-01 prices arrive: 24 hours from 04:00 UTC (midnight EDT), 20 $/MWh flat.
    const start = Date.parse('2020-05-01T04:00:00Z');
    await server.ctx.repos.prices.upsert(
      Array.from({ length: 24 }, (_, h) => ({
        market: 'NYISO', location: 'N.Y.C.', run: 'DA' as const,
        interval_start: new Date(start + h * 3_600_000), interval_end: new Date(start + (h + 1) * 3_600_000),
        lmp_usd_per_mwh: 20, energy_usd_per_mwh: null, congestion_usd_per_mwh: null, loss_usd_per_mwh: null, source: 'test',
      })),
    );
    const events: Record<string, unknown>[] = [];
    const unsubscribe = server.ctx.bus.subscribe(`org:${owner.user.organization.id}`, (m) => void events.push(m as Record<string, unknown>));
    const r = await runForecastJobOnce(server.ctx, silent, { now: () => new Date('2020-05-03T12:00:00Z') });
    unsubscribe();
    expect(r.scored).toBe(1);
    const f = (await get('/api/forecasts?delivery_date=2020-05-01&origin=job')).items[0];
    const mae = f.hours.reduce((s: number, h: { p50: number }) => s + Math.abs(20 - h.p50), 0) / 24;
    expect(f.mae_usd_per_mwh).toBeCloseTo(mae, 9);
    expect(events).toContainEqual(expect.objectContaining({ type: 'forecast_error', market_zone: 'nyiso', delivery_date: '2020-05-01', metric: 'mae', error_usd_per_mwh: f.mae_usd_per_mwh }));
    expect((await runForecastJobOnce(server.ctx, silent, { now: () => new Date('2020-05-03T13:00:00Z') })).scored).toBe(0);
  }, 60_000);
});

describeEachBackend('forecast training as a durable job', (backend) => {
  let server: TestServer;
  let database: Database;
  let orgId: string;
  const instances: Services[] = [];
  // Long enough that a loaded machine's heartbeats (every third of it) keep a live worker's lease.
  const LEASE_MS = 3_000;

  beforeAll(async () => {
    server = await startForecastServer({ name: backend.name, open: async () => (database = await backend.open()) });
    await importNyc(server);
    orgId = (await registerUser(server.app)).user.organization.id;
    await addBattery(database, orgId, 'NYISO', 'N.Y.C.');
    // Only the two instances below take forecast jobs.
    await server.ctx.jobs.stop();
    for (const worker of ['a', 'b']) instances.push(await createServices(testConfig(), { database, jobs: { worker, lease_ms: LEASE_MS, poll_ms: 50, backoff_ms: 100 } }));
  }, 60_000);
  afterAll(async () => {
    for (const s of instances) await s.close();
    await server?.close();
  });

  it('two planning instances make one job; a dead worker\'s job is trained once by another after its lease', async () => {
    const [a, b] = instances as [Services, Services];
    const now = () => new Date('2020-04-30T06:00:00Z');
    const plans = await Promise.all([planForecastJobs(a, { now }), planForecastJobs(b, { now })]);
    expect(plans.map((p) => p.jobs.length).sort()).toEqual([0, 1]);
    const jobs = await database.query<{ id: string }>(`SELECT id FROM jobs WHERE queue = $1`, [FORECAST_QUEUE]);
    expect(jobs).toHaveLength(1);

    // A worker claims it and dies: no heartbeat, no result.
    const claimed = await new JobRepository(database).claim([FORECAST_QUEUE], 'dead-instance', LEASE_MS);
    expect(claimed?.id).toBe(jobs[0]!.id);
    const t0 = Date.now();
    for (const s of [a, b]) {
      registerForecastJobs(s, silent);
      s.jobs.start();
    }
    const [row] = await a.jobs.awaitFinished([jobs[0]!.id], 120_000);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 2, progress: { registered: 1, trained: 1, forecasts_stored: 1 } });
    expect(['a', 'b']).toContain(row!.locked_by);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(LEASE_MS - 300);
    // Trained once: one model, one run, one version, one stored forecast of the day.
    const [counts] = await database.query<{ models: number; runs: number; versions: number; forecasts: number }>(
      `SELECT (SELECT count(*)::int FROM forecast_models WHERE organization_id = $1) AS models,
              (SELECT count(*)::int FROM forecast_runs WHERE organization_id = $1) AS runs,
              (SELECT count(*)::int FROM forecast_model_versions WHERE organization_id = $1) AS versions,
              (SELECT count(*)::int FROM forecasts WHERE organization_id = $1 AND origin = 'job' AND delivery_date = '2020-05-01') AS forecasts`,
      [orgId],
    );
    expect(counts).toEqual({ models: 1, runs: 1, versions: 1, forecasts: 1 });
    // The day is done: planning again on either instance queues nothing.
    expect((await planForecastJobs(b, { now: () => new Date('2020-04-30T07:00:00Z') })).jobs).toHaveLength(0);
  }, 180_000);

  it('a training asked for on the API is a job: a dead worker\'s training is taken by another instance and trained once', async () => {
    const [a, b] = instances as [Services, Services];
    const [model] = await server.ctx.forecasting.deps.repo.listModels(orgId, { market: 'NYISO', location: 'N.Y.C.' });
    const started = await server.ctx.forecasting.registry.train({ organization_id: orgId, user_id: null }, model!.id, { eval_days: 8, warmup_days: 0 });
    expect(started.version.status).toBe('training');
    const [job] = await database.query<{ id: string; status: string }>(`SELECT id, status FROM jobs WHERE queue = $1 AND unique_key = $2`, [TRAINING_QUEUE, started.run.id]);
    expect(job!.status).toBe('queued');
    await a.jobs.stop();
    await b.jobs.stop();
    expect((await new JobRepository(database).claim([TRAINING_QUEUE], 'dead-instance', LEASE_MS))?.id).toBe(job!.id);
    b.jobs.start();
    await a.forecasting.registry.awaitRun(started.run.id, 120_000);
    expect((await b.jobs.awaitFinished([job!.id]))[0]).toMatchObject({ status: 'succeeded', attempts: 2, locked_by: 'b' });
    const run = (await a.forecasting.deps.repo.getRun(orgId, started.run.id))!;
    expect(run).toMatchObject({ status: 'finished', progress: { done: 8, total: 8 } });
    expect((await a.forecasting.deps.repo.getVersion(orgId, started.version.id))!.status).toBe('ready');
    const [n] = await database.query<{ runs: number; evaluation: number }>(
      `SELECT (SELECT count(*)::int FROM forecast_runs WHERE organization_id = $1) AS runs,
              (SELECT count(*)::int FROM forecasts WHERE model_version_id = $2 AND origin = 'evaluation') AS evaluation`,
      [orgId, started.version.id],
    );
    expect(n).toEqual({ runs: 2, evaluation: 8 });
  }, 180_000);
});
