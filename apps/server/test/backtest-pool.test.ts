/**
 * A `forecast:<model>` backtest's forecasts run in the compute pool, not on the
 * event loop: while a two-week LEAR (84-day window) backtest runs as a job, `/health/live`
 * keeps answering and the loop's longest stall stays far below the time the
 * same forecasts take when computed on the main thread (measured in the same
 * run; a structural check, not a timing threshold). The stored result equals
 * core's backtest with the model called inside its day loop.
 */
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backtestForecastSeries, dayAheadGateClosure, forecasterFromModel, localDayBoundsUtc, runBacktest, solveInThread, type BatteryParams } from '@optibid/core';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { newOrg, type Org } from './trading-fixtures.js';

/** A year of NYISO N.Y.C. day-ahead prices (see the folder's README). */
const YEAR = new URL('../../../packages/core/test-fixtures/nyiso-nyc-2019-2020/nyc-damlbmp-zone-2019-05-01_2020-04-30.csv.gz', import.meta.url);
const BATTERY: BatteryParams = { charge_power_mw: 1, discharge_power_mw: 1, energy_mwh: 2, charge_efficiency: 0.92, discharge_efficiency: 0.92, soc_min_mwh: 0, soc_max_mwh: 2, soc_initial_mwh: 1, degradation_cost_usd_per_mwh: 1, max_cycles_per_day: 1 };

describeEachBackend('backtest forecasts in the compute pool', (backend) => {
  let server: TestServer;
  let org: Org;
  beforeAll(async () => {
    server = await startTestServer(backend);
    org = await newOrg(server);
    const data = new Uint8Array(fs.readFileSync(YEAR));
    await server.ctx.imports.importFiles([{ name: 'nyc-damlbmp-zone-2019-05-01_2020-04-30.csv.gz', data }], {}, { organization_id: null, user_id: null, origin: 'seed' }, null);
  });
  afterAll(async () => server?.close());

  it('a lear:84 backtest leaves the event loop free and equals core run in-process', { timeout: 300_000 }, async () => {
    const body = { battery: BATTERY, market: 'nyiso', location: 'N.Y.C.', start: '2020-04-01', end: '2020-04-14', strategy: 'forecast:lear:84' };
    const loop = monitorEventLoopDelay({ resolution: 10 });
    const progress: { done: number; total: number }[] = [];
    const off = server.ctx.bus.subscribe(`org:${org.id}`, (m) => {
      const e = m as { type: string; done: number; total: number };
      if (e.type === 'backtest_progress') progress.push({ done: e.done, total: e.total });
    });
    loop.enable();
    const t0 = performance.now();
    const created = await server.app.inject({ method: 'POST', url: '/api/backtests', headers: bearer(org.trader), payload: body });
    expect(created.statusCode).toBe(202);
    let view = created.json();
    let probes = 0;
    while (['queued', 'running'].includes(view.status)) {
      expect((await server.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
      probes++;
      await new Promise((r) => setTimeout(r, 50));
      view = (await server.app.inject({ method: 'GET', url: `/api/backtests/${view.id}`, headers: bearer(org.viewer) })).json();
    }
    const backtestMs = performance.now() - t0;
    loop.disable();
    off();
    expect(view.status, view.error).toBe('succeeded');
    const maxDelayMs = loop.max / 1e6;

    // The same inputs the job reads: 120 days before the period, the gate of NYISO's day-ahead market.
    const m = server.ctx.markets.market('NYISO');
    const start = localDayBoundsUtc(body.start, m.timezone).start;
    const end = localDayBoundsUtc(body.end, m.timezone).end;
    const stored = await server.ctx.repos.prices.recent('NYISO', 'N.Y.C.', ['DA'], new Date(start.getTime() - 120 * 86_400_000), end, null);
    const prices = stored.map((p) => ({ interval_start: p.interval_start, price_usd_per_mwh: p.lmp_usd_per_mwh }));
    const gate = Math.max(0, (start.getTime() - dayAheadGateClosure('NYISO', body.start, m).getTime()) / 3_600_000);
    const config = { prices, timezone: m.timezone, start, end, gate_closure_hours_before_day_start: gate };
    // What the job used to do on the event loop: the forecasts alone, timed on this thread.
    const t1 = performance.now();
    backtestForecastSeries({ ...config, forecaster: forecasterFromModel('lear:84') });
    const mainThreadForecastMs = performance.now() - t1;
    console.log(
      `${backend.name}: lear:84 backtest of 14 days ${(backtestMs / 1000).toFixed(1)} s as a job; event-loop max delay ${maxDelayMs.toFixed(0)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms over ${probes} probes; the same forecasts on the main thread ${(mainThreadForecastMs / 1000).toFixed(1)} s`,
    );
    expect(probes).toBeGreaterThan(3);
    // Structural: no stall anywhere near the forecasts' own length (they would be one stall on the loop).
    expect(maxDelayMs).toBeLessThan(mainThreadForecastMs / 4);
    expect(maxDelayMs).toBeLessThan(backtestMs / 4);

    const local = await runBacktest(
      { ...config, battery: BATTERY, strategy: 'forecast', forecaster: forecasterFromModel('lear:84'), strategy_label: body.strategy, rolling: { horizon_hours: 36, step_hours: 24 }, max_segments: m.max_segments, compare: true },
      { solve: solveInThread },
    );
    const r = view.result as { net_usd: number; perfect_foresight_net_usd: number; persistence_net_usd: number; daily: { date: string; net_usd: number }[] };
    expect(r.daily.map((d) => d.date)).toEqual(local.daily.map((d) => d.date));
    expect(r.daily).toHaveLength(14);
    r.daily.forEach((d, i) => expect(d.net_usd).toBeCloseTo(local.daily[i]!.net_usd, 6));
    expect(r.net_usd).toBeCloseTo(local.net_usd, 6);
    expect(r.perfect_foresight_net_usd).toBeCloseTo(local.perfect_foresight_net_usd!, 6);
    // Progress covered the forecast days first, then the backtest's steps, and ended at the whole.
    expect(progress.some((p) => p.total > 0 && p.done > 0 && p.done < p.total)).toBe(true);
    expect(view.progress.fraction).toBe(1);
  });
});
