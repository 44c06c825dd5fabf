/**
 * Model registry and forecast serving through the API, on the real NYISO
 * N.Y.C. day-ahead demo file (2020-03-02 … 04-30): register, train (walk-forward
 * metrics), promote (previous production archived), forecast a day with
 * ordered quantiles, no look-ahead past the gate, roles and tenancy.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, registerUser, type TestServer } from './helpers.js';
import { importNyc, startForecastServer } from './forecast-helpers.js';
import { memberWithRole } from './helpers-accounts.js';

interface Hour { interval_start: string; point: number; p10: number; p50: number; p90: number }

function expectOrderedQuantiles(hours: Hour[]) {
  for (const h of hours) {
    for (const x of [h.point, h.p10, h.p50, h.p90]) expect(Number.isFinite(x)).toBe(true);
    expect(h.p10).toBeLessThanOrEqual(h.p50 + 1e-9);
    expect(h.p50).toBeLessThanOrEqual(h.p90 + 1e-9);
  }
}

describeEachBackend('forecast registry and serving', (backend) => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let analyst: { access_token: string };
  let viewer: { access_token: string };
  let other: Awaited<ReturnType<typeof registerUser>>;
  let modelId: string;
  const versionIds: Record<number, string> = {};

  beforeAll(async () => {
    server = await startForecastServer(backend);
    await importNyc(server);
    owner = await registerUser(server.app);
    analyst = await memberWithRole(server, owner.user.organization.id, 'analyst');
    viewer = await memberWithRole(server, owner.user.organization.id, 'viewer');
    other = await registerUser(server.app);
  }, 60_000);
  afterAll(async () => server?.close());

  const inject = (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    server.app.inject({ method, url, headers: bearer(token), ...(payload !== undefined ? { payload: payload as object } : {}) });

  async function train(token: string, body: Record<string, unknown>) {
    const res = await inject(token, 'POST', `/api/models/${modelId}/versions`, body);
    expect(res.statusCode, res.body).toBe(202);
    const started = res.json();
    expect(started.version.status).toBe('training');
    expect(started.run.status).toBe('running');
    await server.ctx.forecasting.registry.awaitRun(started.run.id);
    return started as { version: { id: string; version: number }; run: { id: string } };
  }

  it('lists the model types and registers a model (analyst); validation, roles', async () => {
    const empty = await inject(viewer.access_token, 'GET', '/api/models');
    expect(empty.statusCode).toBe(200);
    expect(empty.json().items).toEqual([]);
    expect(empty.json().model_types.map((t: { spec: string }) => t.spec)).toContain('lear-ensemble');

    const body = { name: 'NYC LEAR 28', market: 'nyiso', location: 'n.y.c.', model_type: 'lear:28' };
    expect((await inject(viewer.access_token, 'POST', '/api/models', body)).statusCode).toBe(403);
    const bad = await inject(analyst.access_token, 'POST', '/api/models', { ...body, model_type: 'crystal-ball' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.message).toMatch(/unknown model type/);
    expect((await inject(analyst.access_token, 'POST', '/api/models', { ...body, location: 'ATLANTIS' })).statusCode).toBe(404);

    const res = await inject(analyst.access_token, 'POST', '/api/models', body);
    expect(res.statusCode, res.body).toBe(201);
    const m = res.json();
    expect(m).toMatchObject({ market: 'NYISO', location: 'N.Y.C.', model_type: 'lear:28', version_count: 0, latest_version: null, production_version: null });
    modelId = m.id;
    expect((await inject(analyst.access_token, 'POST', '/api/models', body)).statusCode).toBe(409);
  });

  it('trains a version: walk-forward metrics, progress, run with artefacts', async () => {
    // 28-day LEAR needs 28 days before each day: 14 evaluation + 7 warm-up days fit in the 60-day file.
    const tooLong = await inject(analyst.access_token, 'POST', `/api/models/${modelId}/versions`, { eval_days: 60 });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json().error.message).toMatch(/allow \d+/);

    const t = await train(analyst.access_token, { eval_days: 14, warmup_days: 7 });
    versionIds[1] = t.version.id;
    expect(t.version.version).toBe(1);
    const run = (await inject(viewer.access_token, 'GET', `/api/runs/${t.run.id}`)).json();
    expect(run.status, run.error).toBe('finished');
    expect(run.model_version_id).toBe(t.version.id);
    expect(run.progress).toMatchObject({ done: 21, total: 21, date: '2020-04-30' });
    expect(run.params).toMatchObject({ model_type: 'lear:28', eval_days: 14, price_run: 'DA' });
    for (const k of ['mae', 'rmse', 'smape', 'rmae']) expect(Number.isFinite(run.metrics[k]), k).toBe(true);
    expect(run.metrics).toMatchObject({ days: 14, evaluation_start: '2020-04-17', evaluation_end: '2020-04-30' });
    expect(run.metrics.mae).toBeGreaterThan(0);
    expect(run.artifacts.map((a: { name: string }) => a.name).sort()).toEqual(['forecasts.csv', 'metrics-per-hour.json', 'model-state.json']);

    const csv = await inject(viewer.access_token, 'GET', `/api/runs/${t.run.id}/artifacts/forecasts.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.trim().split('\n')).toHaveLength(1 + 21 * 24);
    const state = JSON.parse((await inject(viewer.access_token, 'GET', `/api/runs/${t.run.id}/artifacts/model-state.json`)).body);
    expect(state).toMatchObject({ name: 'lear:28', window_days: 28 });
    expect(state.coefficients_per_hour).toHaveLength(24);

    const versions = (await inject(viewer.access_token, 'GET', `/api/models/${modelId}/versions`)).json().items;
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ version: 1, status: 'ready', stage: 'none', trained_through: '2020-04-30' });
    expect(versions[0].metrics.mae).toBeCloseTo(run.metrics.mae, 9);

    const list = (await inject(viewer.access_token, 'GET', '/api/models')).json().items;
    expect(list[0].latest_version.metrics.rmae).toBeGreaterThan(0);
    const exps = (await inject(viewer.access_token, 'GET', '/api/experiments')).json().items;
    expect(exps).toEqual([expect.objectContaining({ name: 'NYC LEAR 28', run_count: 1 })]);

    // The evaluation days are stored as forecasts of the version, each made before its own gate.
    const evalRows = (await inject(viewer.access_token, 'GET', `/api/forecasts?model_version_id=${t.version.id}&origin=evaluation&limit=100`)).json().items;
    expect(evalRows).toHaveLength(21);
    for (const f of evalRows) {
      expect(new Date(f.history_end).getTime()).toBeLessThan(new Date(f.gate_closure).getTime());
      expectOrderedQuantiles(f.hours);
    }
  }, 120_000);

  it('promotes: viewer 403, analyst to production, the next production archives the previous', async () => {
    const t2 = await train(owner.access_token, { eval_days: 8, warmup_days: 0 });
    versionIds[2] = t2.version.id;
    expect(t2.version.version).toBe(2);

    expect((await inject(viewer.access_token, 'POST', `/api/models/${modelId}/versions/1/stage`, { stage: 'production' })).statusCode).toBe(403);
    const p1 = await inject(analyst.access_token, 'POST', `/api/models/${modelId}/versions/1/stage`, { stage: 'production' });
    expect(p1.statusCode, p1.body).toBe(200);
    expect(p1.json()).toMatchObject({ version: { version: 1, stage: 'production' }, archived_version_ids: [] });
    expect((await inject(analyst.access_token, 'POST', `/api/models/${modelId}/versions/2/stage`, { stage: 'staging' })).json().version.stage).toBe('staging');

    const p2 = await inject(owner.access_token, 'POST', `/api/models/${modelId}/versions/2/stage`, { stage: 'production' });
    expect(p2.json()).toMatchObject({ version: { version: 2, stage: 'production' }, archived_version_ids: [versionIds[1]] });
    const versions = (await inject(viewer.access_token, 'GET', `/api/models/${modelId}/versions`)).json().items;
    expect(versions.map((v: { stage: string }) => v.stage)).toEqual(['archived', 'production']);
    expect((await inject(viewer.access_token, 'GET', `/api/models/${modelId}`)).json().production_version.version).toBe(2);
    expect((await inject(analyst.access_token, 'POST', `/api/models/${modelId}/versions/9/stage`, { stage: 'production' })).statusCode).toBe(404);
  }, 120_000);

  it("forecasts the day after the data with the production version: 24 hours, ordered quantiles, stored once", async () => {
    const body = { market: 'NYISO', location: 'N.Y.C.', delivery_date: '2020-05-01' };
    // Starting forecast computation needs forecast:run, which a viewer lacks (reading stays open to it).
    expect((await inject(viewer.access_token, 'POST', '/api/forecasts', body)).statusCode).toBe(403);
    const res = await inject(analyst.access_token, 'POST', '/api/forecasts', body);
    expect(res.statusCode, res.body).toBe(201);
    const f = res.json();
    expect(f).toMatchObject({ model_version_id: versionIds[2], version: 2, model_name: 'NYC LEAR 28', origin: 'api', delivery_date: '2020-05-01' });
    // NYISO closes DA bids at 05:00 ET the day before: 09:00 UTC in EDT.
    expect(f.gate_closure).toBe('2020-04-30T09:00:00.000Z');
    expect(new Date(f.history_end).getTime()).toBeLessThan(new Date(f.gate_closure).getTime());
    expect(f.hours).toHaveLength(24);
    expect(f.hours[0].interval_start).toBe('2020-05-01T04:00:00.000Z');
    expectOrderedQuantiles(f.hours);
    expect(f.hours.some((h: Hour) => h.p90 - h.p10 > 0.01)).toBe(true);

    const again = await inject(analyst.access_token, 'POST', '/api/forecasts', body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(f.id);
    const got = (await inject(viewer.access_token, 'GET', '/api/forecasts?market=nyiso&location=N.Y.C.&delivery_date=2020-05-01')).json().items;
    expect(got.map((x: { id: string }) => x.id)).toEqual([f.id]);

    const forOptimizer = await server.ctx.forecasting.forecasts.forDay(owner.user.organization.id, { market: 'nyiso', location: 'N.Y.C.', delivery_date: '2020-05-01' });
    expect(forOptimizer?.model_version_id).toBe(versionIds[2]);
    expect(forOptimizer?.p50).toEqual(f.hours.map((h: Hour) => h.p50));
    expect(forOptimizer?.interval_starts[23]!.toISOString()).toBe('2020-05-02T03:00:00.000Z');
    expect(await server.ctx.forecasting.forecasts.forDay(other.user.organization.id, { market: 'nyiso', location: 'N.Y.C.', delivery_date: '2020-05-01' })).toBeNull();
  }, 60_000);

  it('uses nothing after the gate closure: prices changed after it leave the forecast unchanged', async () => {
    const day = '2020-04-08';
    const next = '2020-04-09';
    const byV1 = async (date: string) => {
      const r = await inject(analyst.access_token, 'POST', '/api/forecasts', { market: 'NYISO', location: 'N.Y.C.', delivery_date: date, model_version_id: versionIds[1] });
      expect(r.statusCode, r.body).toBe(201);
      return r.json();
    };
    const before = await byV1(day);
    const beforeNext = await byV1(next);
    const gate = new Date(before.gate_closure);
    expect(gate.toISOString()).toBe('2020-04-07T09:00:00.000Z');

    // Every stored price from the gate on is raised by 500 $/MWh (as if later data had been revised).
    const rows = await server.ctx.repos.prices.recent('NYISO', 'N.Y.C.', ['DA'], gate, new Date('2020-06-01T00:00:00Z'));
    await server.ctx.repos.prices.upsert(rows.map((r) => ({ ...r, lmp_usd_per_mwh: r.lmp_usd_per_mwh + 500 })));

    // A version trained after the change forecasts the same day identically …
    const t3 = await train(analyst.access_token, { eval_days: 8, warmup_days: 0 });
    versionIds[3] = t3.version.id;
    expect((await inject(analyst.access_token, 'GET', `/api/runs/${t3.run.id}`)).json().progress).toMatchObject({ done: 8, total: 8 });
    const after = await inject(analyst.access_token, 'POST', '/api/forecasts', { market: 'NYISO', location: 'N.Y.C.', delivery_date: day, model_version_id: t3.version.id });
    expect(after.statusCode, after.body).toBe(201);
    const a = after.json();
    expect(a.hours).toHaveLength(before.hours.length);
    a.hours.forEach((h: Hour, i: number) => {
      for (const k of ['point', 'p10', 'p50', 'p90'] as const) expect(h[k]).toBeCloseTo(before.hours[i][k], 6);
    });
    // … while the next day, whose gate is after the change began, does see it.
    const afterNext = (await inject(analyst.access_token, 'POST', '/api/forecasts', { market: 'NYISO', location: 'N.Y.C.', delivery_date: next, model_version_id: t3.version.id })).json();
    const shift = afterNext.hours.reduce((s: number, h: Hour, i: number) => s + Math.abs(h.point - beforeNext.hours[i].point), 0) / 24;
    expect(shift).toBeGreaterThan(1);
  }, 120_000);

  it('keeps organisations apart: 404 for another organisation', async () => {
    const t = other.access_token;
    expect((await inject(t, 'GET', `/api/models/${modelId}`)).statusCode).toBe(404);
    expect((await inject(t, 'GET', `/api/models/${modelId}/versions`)).statusCode).toBe(404);
    expect((await inject(t, 'POST', `/api/models/${modelId}/versions`, {})).statusCode).toBe(404);
    expect((await inject(t, 'POST', `/api/models/${modelId}/versions/2/stage`, { stage: 'archived' })).statusCode).toBe(404);
    const run = (await inject(owner.access_token, 'GET', `/api/models/${modelId}`)).json().latest_version.run_id;
    expect((await inject(t, 'GET', `/api/runs/${run}`)).statusCode).toBe(404);
    expect((await inject(t, 'GET', `/api/runs/${run}/artifacts/forecasts.csv`)).statusCode).toBe(404);
    expect((await inject(t, 'GET', `/api/forecasts?model_version_id=${versionIds[2]}`)).statusCode).toBe(404);
    expect((await inject(t, 'POST', '/api/forecasts', { market: 'NYISO', location: 'N.Y.C.', delivery_date: '2020-05-01', model_version_id: versionIds[2] })).statusCode).toBe(404);
    expect((await inject(t, 'GET', '/api/models')).json().items).toEqual([]);
    expect((await inject(t, 'GET', '/api/forecasts')).json().items).toEqual([]);
    expect((await inject(t, 'GET', '/api/experiments')).json().items).toEqual([]);
    const none = await inject(t, 'POST', '/api/forecasts', { market: 'NYISO', location: 'N.Y.C.', delivery_date: '2020-05-01' });
    expect(none.statusCode).toBe(422);
    expect(none.json().error.message).toMatch(/no production model/);
  });

  it('lists the registry in /health', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/health' });
    const entry = res.json().services.forecast_registry;
    expect(entry).toMatchObject({ status: 'ok', models: 1, versions: 3, production_versions: 1 });
    expect(entry.forecasts).toBeGreaterThanOrEqual(4);
    expect(typeof entry.latest_forecast_at).toBe('string');
  });
});
