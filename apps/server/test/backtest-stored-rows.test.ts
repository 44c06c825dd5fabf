/**
 * GET /api/backtests(/:id) on rows stored by earlier versions: the response schema
 * (contracts' BacktestView) is serialised by fast-json-stringify, which throws on a missing
 * required field and drops undeclared ones. A row from before ancillary services, price_scope
 * and no_history_days must still answer 200 with every stored field, and an asset's battery
 * params keep their extra fields (resource_name).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BacktestReport } from '@optibid/core';
import { OptimizationRepository } from '../src/db/repositories/optimization.js';
import { serializeReport } from '../src/modules/optimization/backtest-service.js';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { newOrg, type Org } from './trading-fixtures.js';

const BATTERY = {
  charge_power_mw: 1,
  discharge_power_mw: 1,
  energy_mwh: 2,
  charge_efficiency: 0.92,
  discharge_efficiency: 0.92,
  soc_min_mwh: 0,
  soc_max_mwh: 2,
  soc_initial_mwh: 1,
  degradation_cost_usd_per_mwh: 1,
};

/** The config and report as the first server backtests (2026-11-26) stored them. */
const OLD_CONFIG = { market: 'NYISO', location: 'N.Y.C.', run: 'DA', start: '2020-04-01', end: '2020-04-01', strategy: 'persistence', horizon_hours: 36, battery: BATTERY, asset_id: null };
const OLD_DAY = { date: '2020-04-01', revenue_usd: 40.5, cost_usd: 12.25, degradation_usd: 1.5, net_usd: 26.75, discharged_mwh: 1.5, charged_mwh: 1.7, soc_end_mwh: 1, status: 'optimal', undeliverable_mwh: 0, bid_violations: 0 };
const OLD_RESULT = {
  strategy: 'persistence',
  start: '2020-04-01T04:00:00.000Z',
  end: '2020-04-02T04:00:00.000Z',
  timezone: 'America/New_York',
  interval_hours: 1,
  intervals: 24,
  traded_intervals: 24,
  revenue_usd: 40.5,
  cost_usd: 12.25,
  degradation_usd: 1.5,
  net_usd: 26.75,
  discharged_mwh: 1.5,
  charged_mwh: 1.7,
  cycles: 0.75,
  perfect_foresight_net_usd: 30,
  capture_rate: 0.8916666666666667,
  persistence_net_usd: null,
  margin_over_persistence_usd: null,
  solve_time_ms_median: 3.5,
  solves: 1,
  daily: [OLD_DAY],
  interpolated_intervals: ['2020-04-01T10:00:00.000Z'],
  undeliverable_mwh: 0,
  bid_violations: 0,
  failed_days: [],
};

describeEachBackend('stored backtests of earlier versions', (backend) => {
  let server: TestServer;
  let org: Org;
  let repo: OptimizationRepository;
  beforeAll(async () => {
    server = await startTestServer(backend);
    org = await newOrg(server);
    repo = new OptimizationRepository(server.ctx.database);
  });
  afterAll(async () => server?.close());

  async function stored(config: Record<string, unknown>, result: Record<string, unknown>): Promise<string> {
    const row = await repo.insertBacktest({ organization_id: org.id, name: 'stored earlier', config, created_by: null });
    await repo.updateBacktest(row.id, { status: 'succeeded', result, progress_done: 1, progress_total: 1, started_at: new Date(), finished_at: new Date() });
    return row.id;
  }

  it('a row without the AS split, price_scope or no_history_days answers 200 with every stored field, on the detail and the list', async () => {
    const id = await stored(OLD_CONFIG, OLD_RESULT);
    const one = await server.app.inject({ url: `/api/backtests/${id}`, headers: bearer(org.viewer) });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json().config).toEqual(OLD_CONFIG);
    expect(one.json().result).toEqual(OLD_RESULT);

    const list = await server.app.inject({ url: '/api/backtests', headers: bearer(org.viewer) });
    expect(list.statusCode, list.body).toBe(200);
    const { daily: _daily, ...withoutDaily } = OLD_RESULT;
    expect(list.json().items.find((b: { id: string }) => b.id === id).result).toEqual(withoutDaily);
  });

  it("a row with AS, a null cycle cap and an asset's extra params keeps them all", async () => {
    const config = {
      ...OLD_CONFIG,
      battery: { ...BATTERY, max_cycles_per_day: null, resource_name: 'NYC_ESR1' },
      asset_id: '00000000-0000-4000-8000-000000000001',
      price_scope: 'shared',
      ancillary: { as_model: 'default', zone: 'NYCA', products: ['REGUP', 'SPIN10'] },
    };
    const split = { energy_revenue_usd: 28.25, as_revenue_usd: 7, revenue_by_product: { REGUP: 4, SPIN10: 3 } };
    const result = {
      ...OLD_RESULT,
      daily: [{ ...OLD_DAY, ...split }],
      no_history_days: 0,
      ...split,
      as_model: 'default',
      as_missing_intervals: 2,
    };
    const id = await stored(config, result);
    const one = await server.app.inject({ url: `/api/backtests/${id}`, headers: bearer(org.viewer) });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json().config).toEqual(config);
    expect(one.json().result).toEqual(result);
  });
});

it('stores only a report that matches the API schema: a NaN (saved as null) fails its backtest with the reason instead of breaking every list', () => {
  const report = OLD_RESULT as unknown as BacktestReport;
  expect(serializeReport(report)).toEqual(OLD_RESULT);
  expect(() => serializeReport({ ...report, cycles: Number.NaN })).toThrow(/\/cycles/);
  expect(() => serializeReport({ ...report, daily: [{ ...OLD_DAY, bid_violations: 0.5 }] } as unknown as BacktestReport)).toThrow(/\/daily\/0\/bid_violations/);
});
