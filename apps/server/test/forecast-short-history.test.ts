/**
 * A location whose stored history is too short to train any model with the daily forecast job's
 * 28 evaluation days (the demo's CAISO month): the job registers its model and cannot train it,
 * and the model says why, with the days stored against the days needed, until the history grows.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runForecastJobOnce } from '../src/jobs/forecast.js';
import { bearer, describeEachBackend, registerUser, type TestServer } from './helpers.js';
import { addBattery, importNyc, startForecastServer } from './forecast-helpers.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describeEachBackend('a model on a history too short to train', (backend) => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  const models = async () => {
    const r = await server.app.inject({ method: 'GET', url: '/api/models', headers: bearer(owner.access_token) });
    expect(r.statusCode, r.body).toBe(200);
    return r.json().items as { id: string; model_type: string; version_count: number; production_version: unknown; not_trained_reason?: string | null }[];
  };

  beforeAll(async () => {
    server = await startForecastServer(backend);
    // 2020-03-02 … 2020-04-01: 31 days of N.Y.C. DA prices.
    await importNyc(server, { before: '2020-04-02' });
    owner = await registerUser(server.app);
    await addBattery(server.ctx.database, owner.user.organization.id, 'NYISO', 'N.Y.C.');
  }, 60_000);
  afterAll(async () => server?.close());

  it('the job registers the model but cannot train it; the model names the days stored and needed', async () => {
    // 02:00 EDT on 2020-04-01, before the gate for 04-02: 30 complete days, too few for a measured choice.
    const r = await runForecastJobOnce(server.ctx, silent, { now: () => new Date('2020-04-01T06:00:00Z') });
    expect(r).toMatchObject({ jobs: 1, registered: 0, trained: 0 });
    expect(r.skipped).toHaveLength(1);
    const [m, ...rest] = await models();
    expect(rest).toHaveLength(0);
    expect(m).toMatchObject({ model_type: 'weekly-naive', version_count: 0, production_version: null });
    // weekly-naive: 7 days before each of 28 evaluation days and the day before the first; all 31 stored days count now.
    expect(m!.not_trained_reason).toBe(
      'weekly-naive needs 36 days of DA price history to be trained (7 before each of 28 walk-forward evaluation days, and the day before the first) and 31 complete days are stored (2020-03-02 … 2020-04-01)',
    );
    const one = await server.app.inject({ method: 'GET', url: `/api/models/${m!.id}`, headers: bearer(owner.access_token) });
    expect(one.json().not_trained_reason).toBe(m!.not_trained_reason);
  }, 120_000);

  it('has no reason once the stored history is long enough', async () => {
    await importNyc(server);
    const [m] = await models();
    expect(m).toMatchObject({ version_count: 0, not_trained_reason: null });
  }, 60_000);
});
