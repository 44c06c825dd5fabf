/**
 * POST /api/backtests with `ancillary`: a battery's backtest co-optimised over energy and the
 * stored AS clearing prices, on ERCOT's real 2015 files (HB_HOUSTON day-ahead and NP4-181-ER,
 * packages/core/test-fixtures/ercot-2015) over two weeks around the spring DST change. The job's
 * figures must be those of core's backtest run on the same inputs; asking for AS where none are
 * stored, for a product the ISO does not have, or for a thermal unit is a 422.
 */
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import {
  dayAheadGateClosure,
  getAncillaryMarket,
  getMarket,
  localDayBoundsUtc,
  parseAncillaryPriceFile,
  parsePriceFile,
  runBacktest,
  solveInThread,
  type BatteryParams,
} from '@optibid/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { newOrg, type Org } from './trading-fixtures.js';

const FIX = fileURLToPath(new URL('../../../packages/core/test-fixtures/ercot-2015/', import.meta.url));
const read = (name: string) => ({ name, data: new Uint8Array(fs.readFileSync(FIX + name)) });
const TZ = 'America/Chicago';
/** Stored history: 2015-02-20 … 2015-03-15 (the spring-forward day 2015-03-08 inside). */
const STORED = { start: localDayBoundsUtc('2015-02-20', TZ).start, end: localDayBoundsUtc('2015-03-15', TZ).end };
const PERIOD = { start: '2015-03-02', end: '2015-03-12' };
/** Issue 14's battery: 1 MW / 2 MWh, η = √0.85 each way, 1 MWh at the start. */
const BATTERY: BatteryParams = {
  charge_power_mw: 1,
  discharge_power_mw: 1,
  energy_mwh: 2,
  charge_efficiency: Math.sqrt(0.85),
  discharge_efficiency: Math.sqrt(0.85),
  soc_min_mwh: 0,
  soc_max_mwh: 2,
  soc_initial_mwh: 1,
  degradation_cost_usd_per_mwh: 1,
  max_cycles_per_day: 2,
};

const energyRows = parsePriceFile(read('DAMLZHBSPP_2015_HB_HOUSTON_derived.csv.gz'), { location: 'HB_HOUSTON', run: 'DA' })
  .flatMap((r) => r.rows)
  .filter((r) => r.location === 'HB_HOUSTON' && r.interval_start >= STORED.start && r.interval_start < STORED.end);
const asRows = parseAncillaryPriceFile(read('NP4-181-ER_DAMASMCPC_2015.zip'))
  .flatMap((r) => r.rows)
  .filter((r) => r.interval_start >= STORED.start && r.interval_start < STORED.end);

describeEachBackend('backtests with ancillary services', (backend) => {
  let server: TestServer;
  let org: Org;
  beforeAll(async () => {
    server = await startTestServer(backend);
    org = await newOrg(server);
    await server.ctx.repos.prices.upsert(energyRows.map((r) => ({ ...r, source: 'test' })));
    await server.ctx.repos.ancillaryPrices.upsert(asRows, { source: 'test' });
  });
  afterAll(async () => server?.close());

  const start = (payload: Record<string, unknown>) =>
    server.app.inject({ method: 'POST', url: '/api/backtests', headers: bearer(org.trader), payload: { market: 'ERCOT', location: 'HB_HOUSTON', battery: BATTERY, ...PERIOD, ...payload } });

  async function finished(id: string) {
    await server.ctx.optimization.backtests.idle();
    const r = (await server.app.inject({ url: `/api/backtests/${id}`, headers: bearer(org.trader) })).json();
    expect(r.status, r.error).toBe('succeeded');
    return r;
  }

  /** Core's backtest on the inputs the job reads: the stored rows, the catalogue products, the same gate. */
  async function coreReport(strategy: 'persistence' | 'perfect', model: 'reference' | 'default') {
    const m = getMarket('ERCOT');
    const from = localDayBoundsUtc(PERIOD.start, TZ).start;
    const gate = (from.getTime() - dayAheadGateClosure('ERCOT', PERIOD.start, m).getTime()) / 3_600_000;
    return runBacktest(
      {
        prices: energyRows.map((r) => ({ interval_start: r.interval_start, price_usd_per_mwh: r.lmp_usd_per_mwh })),
        timezone: TZ,
        battery: BATTERY,
        strategy,
        start: from,
        end: localDayBoundsUtc(PERIOD.end, TZ).end,
        gate_closure_hours_before_day_start: gate,
        rolling: { horizon_hours: 36, step_hours: 24 },
        max_segments: m.max_segments,
        compare: true,
        ancillary: { model, products: getAncillaryMarket('ERCOT').products.filter((p) => ['REGUP', 'REGDN', 'RRS', 'NSPIN'].includes(p.id)), prices: asRows },
      },
      { solve: solveInThread },
    );
  }

  const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b)));

  it("persistence, reference model: net, perfect foresight, energy, AS and each product are core's on the same inputs", async () => {
    const res = await start({ strategy: 'persistence', ancillary: { as_model: 'reference' } });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().config.ancillary).toEqual({ as_model: 'reference', zone: 'ERCOT', products: ['REGUP', 'REGDN', 'RRS', 'NSPIN'] });
    const r = (await finished(res.json().id)).result;
    expect(Object.keys(r.revenue_by_product).sort()).toEqual(['NSPIN', 'REGDN', 'REGUP', 'RRS']);
    expect(r.as_model).toBe('reference');
    expect(r.as_missing_intervals).toBe(0);
    expect(r.undeliverable_mwh).toBe(0);
    expect(r.failed_days).toEqual([]);
    expect(r.as_revenue_usd).toBeGreaterThan(0);
    // The reference model pays capacity only and has no degradation: net = energy + AS.
    close(r.energy_revenue_usd + r.as_revenue_usd, r.net_usd);

    const core = await coreReport('persistence', 'reference');
    close(r.net_usd, core.net_usd);
    close(r.perfect_foresight_net_usd, core.perfect_foresight_net_usd!);
    close(r.capture_rate, core.capture_rate!);
    close(r.energy_revenue_usd, core.energy_revenue_usd);
    close(r.as_revenue_usd, core.as_revenue_usd);
    for (const [p, v] of Object.entries(core.revenue_by_product)) close(r.revenue_by_product[p], v);
    // Every field of core's report, and of its days, survives the response schema (its serialiser drops undeclared fields).
    const stored = JSON.parse(JSON.stringify(core));
    expect(Object.keys(r).sort()).toEqual(Object.keys(stored).sort());
    expect(Object.keys(r.daily[0]).sort()).toEqual(Object.keys(stored.daily[0]).sort());
    expect(r.interpolated_intervals).toEqual(stored.interpolated_intervals);
    expect([r.start, r.end, r.no_history_days]).toEqual([stored.start, stored.end, stored.no_history_days]);
    // AS is most of the value, as on the whole year.
    expect(r.as_revenue_usd).toBeGreaterThan(Math.abs(r.energy_revenue_usd));
    expect(r.daily).toHaveLength(11);
  }, 120_000);

  it("perfect, default model (the default): the split and the capture rate include AS", async () => {
    const res = await start({ strategy: 'perfect', ancillary: {} });
    expect(res.statusCode, res.body).toBe(202);
    const r = (await finished(res.json().id)).result;
    expect(r.as_model).toBe('default');
    const core = await coreReport('perfect', 'default');
    close(r.net_usd, core.net_usd);
    close(r.as_revenue_usd, core.as_revenue_usd);
    close(r.energy_revenue_usd, core.energy_revenue_usd);
    close(r.capture_rate, 1);
    close(r.energy_revenue_usd + r.as_revenue_usd - r.degradation_usd, r.net_usd);
  }, 120_000);

  it('refuses AS for a period without stored AS prices, an unknown product, partly covered prices or a thermal unit (422)', async () => {
    const none = await start({ strategy: 'persistence', start: '2016-01-05', end: '2016-01-06', ancillary: { as_model: 'default' } });
    expect(none.statusCode).toBe(422);
    expect(none.json().error.message).toMatch(/no stored ERCOT ancillary-service prices for 2016-01-05 … 2016-01-06/);

    const unknown = await start({ strategy: 'persistence', ancillary: { products: ['REGUP', 'SPIN'] } });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.message).toMatch(/SPIN is not in the ERCOT catalogue/);

    const partly = await start({ strategy: 'persistence', start: '2015-03-10', end: '2015-03-25', ancillary: {} });
    expect(partly.statusCode).toBe(422);
    expect(partly.json().error.message).toMatch(/stored REGUP prices cover only/);

    const unit = await server.app.inject({
      method: 'POST',
      url: '/api/assets',
      headers: bearer(org.trader),
      payload: { name: 'gas', type: 'thermal', market: 'ercot', location: 'HB_HOUSTON', params: { pmin_mw: 0, pmax_mw: 50, cost_segments: [{ mw: 50, price_usd_per_mwh: 30 }], startup_cost_usd: 0, min_up_h: 1, min_down_h: 1 } },
    });
    const thermal = await server.app.inject({
      method: 'POST',
      url: '/api/backtests',
      headers: bearer(org.trader),
      payload: { market: 'ERCOT', location: 'HB_HOUSTON', asset_id: unit.json().id, ...PERIOD, strategy: 'perfect', ancillary: {} },
    });
    expect(thermal.statusCode).toBe(422);
    expect(thermal.json().error.message).toMatch(/backtests with ancillary services run batteries; asset gas is a thermal/);
  });
});
