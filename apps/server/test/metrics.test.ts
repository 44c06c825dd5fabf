/**
 * GET /metrics (issue 16): refused without METRICS_TOKEN or a platform administrator (401/403 in
 * the standard error shape), and after real traffic (market-data reads, a 404, a WebSocket
 * connection, a job, an optimisation through the solver pool, a forecast in the compute pool)
 * answers in the Prometheus text format with those metrics, request latency labelled by route
 * pattern, never the raw URL.
 */
import { fileURLToPath } from 'node:url';
import { forecastDayIndex, forecastHistoryAt } from '@optibid/core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { connect as natsConnect } from 'nats';
import { NatsBus, STREAMS } from '../src/bus/index.js';
import { readForecastDataset } from '../src/cli/commands/forecast.js';
import { forecastInputs } from '../src/modules/forecasting/engine.js';
import { bearer, describeEachBackend, registerUser, startTestServer, uniqueEmail, type TestServer } from './helpers.js';
import { connect, listen, ofType, sleep } from './realtime-client.js';
import { createBattery, newOrg, openErcotDay } from './trading-fixtures.js';

const TOKEN = 'metrics-scraper-token-0123456789';
const NP = fileURLToPath(new URL('../../../packages/core/test-fixtures/epftoolbox/NP.csv.gz', import.meta.url));

/** A price_update as the feed publishes it. */
function tick(i: number) {
  const t = new Date(Date.UTC(2026, 0, 1, i)).toISOString();
  return { type: 'price_update' as const, market_zone: 'pjm', location: 'WESTERN HUB', interval_start: t, lmp: 30 + i, energy: 29 + i, congestion: 0.5, loss: 0.5, timestamp: t };
}

/** The samples of one metric family in an exposition text: name{labels} value. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

describeEachBackend('metrics', (backend) => {
  let server: TestServer;
  let admin: string;
  let user: string;

  beforeAll(async () => {
    server = await startTestServer(backend, { METRICS_TOKEN: TOKEN, PUBLIC_MARKET_DATA: 'true' });
    const email = uniqueEmail('platform');
    await server.ctx.auth.createAccount({ email, password: 'platform-password-1', name: 'Platform', organization_name: 'Operator', role: 'owner', is_platform_admin: true });
    admin = (await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'platform-password-1' } })).json().access_token;
    user = (await registerUser(server.app)).access_token;
  });
  afterAll(async () => server?.close());

  const scrape = (headers: Record<string, string> = {}) => server.app.inject({ method: 'GET', url: '/metrics', headers });

  it('is refused without METRICS_TOKEN or a platform administrator, in the standard error shape', async () => {
    const none = await scrape();
    expect(none.statusCode).toBe(401);
    expect(none.json().error).toMatchObject({ code: 'unauthorized', request_id: expect.any(String) });
    const wrong = await scrape(bearer('not-the-metrics-token-at-all'));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.message).toMatch(/not valid/);
    const notAdmin = await scrape(bearer(user));
    expect(notAdmin.statusCode).toBe(403);
    expect(notAdmin.json().error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/platform administrators/) });
    expect((await scrape({ 'x-api-key': 'obk_nonsense' })).statusCode).toBe(401);

    for (const ok of [bearer(TOKEN), bearer(admin)]) {
      const res = await scrape(ok);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    }
  });

  it('after requests, a WebSocket, a job, a solve and a forecast, reports each in the Prometheus text format', async () => {
    // Market-data reads (a miss, then a hit), a route with a path parameter, and an unknown URL.
    for (let i = 0; i < 2; i++) expect((await server.app.inject({ method: 'GET', url: '/api/prices/latest?market=pjm' })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/api/markets/ercot' })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/api/no-such-route/12345' })).statusCode).toBe(404);

    // A WebSocket client stays connected while we scrape.
    const ws = connect(`${await listen(server)}/api/ws/ws/market/pjm`);
    await ws.next(ofType('connection_established'));

    // A durable job through the queue: one that succeeds, one waiting for later.
    let ran = 0;
    server.ctx.jobs.register('metrics-test', { run: async () => void ran++ });
    await server.ctx.jobs.enqueue('metrics-test', {});
    await server.ctx.jobs.drain(30_000);
    expect(ran).toBe(1);
    await server.ctx.jobs.enqueue('metrics-test', {}, { delay_ms: 3_600_000 });

    // An optimisation (HiGHS in the solver pool) and a forecast (the compute pool).
    const org = await newOrg(server);
    const asset = await createBattery(server, org.trader);
    const day = openErcotDay();
    const opt = await server.app.inject({
      method: 'POST',
      url: '/api/optimize',
      headers: bearer(org.trader),
      payload: { asset_id: asset.id, run: 'DA', delivery_date: day.date, price_source: { type: 'explicit', prices: Array.from({ length: day.hours }, (_, h) => (h === 3 ? 10 : h === 18 ? 90 : 30)) } },
    });
    expect(opt.statusCode, opt.body).toBe(200);
    const data = readForecastDataset(NP);
    const d = forecastDayIndex(data, '2016-12-27');
    const { days } = await forecastInputs(server.ctx.compute, 'naive', [{ date: data.dates[d]!, history: forecastHistoryAt(data, d), gate_closure: new Date(), history_end: new Date(), exogenous: [], exogenous_note: null }]);
    expect(days[0]!.daily_point).toHaveLength(24);

    const res = await scrape(bearer(TOKEN));
    expect(res.statusCode).toBe(200);
    const text = res.body;
    ws.close();

    // Every line is a comment or a sample; every family has HELP and TYPE.
    for (const line of text.split('\n').filter(Boolean)) expect(line, line).toMatch(/^(# (HELP|TYPE) [a-zA-Z_:][\w:]* .+|[a-zA-Z_:][\w:]*(\{.*\})? -?[\d.e+-]+|[a-zA-Z_:][\w:]*(\{.*\})? (NaN|[+-]Inf))$/);

    // Request latency per route pattern: the template, never the URL with its query or ids.
    const http = samples(text, 'optibid_http_request_duration_seconds_count');
    const count = (route: string, status: string) => http.filter((s) => s.labels.route === route && s.labels.status_code === status).reduce((a, s) => a + s.value, 0);
    expect(count('/api/prices/latest', '200')).toBe(2);
    expect(count('/api/markets/:iso', '200')).toBe(1);
    expect(count('unmatched', '404')).toBe(1);
    expect(count('/metrics', '401')).toBeGreaterThanOrEqual(2);
    expect(http.some((s) => /[?=]|12345|ercot/.test(s.labels.route ?? ''))).toBe(false);
    expect(text).toContain('# TYPE optibid_http_request_duration_seconds histogram');

    // WebSocket connections and the send queue.
    expect(samples(text, 'optibid_ws_connections').find((s) => s.labels.endpoint === 'market')?.value).toBe(1);
    expect(samples(text, 'optibid_ws_send_queue_bytes').map((s) => s.labels.stat).sort()).toEqual(['max', 'total']);
    expect(samples(text, 'optibid_ws_messages_sent_total')[0]!.value).toBeGreaterThanOrEqual(1);

    // Event-loop delay (monitorEventLoopDelay) and the default process metrics.
    expect(samples(text, 'nodejs_eventloop_lag_p99_seconds')).toHaveLength(1);
    expect(samples(text, 'process_resident_memory_bytes')[0]!.value).toBeGreaterThan(0);

    // Jobs: the queue's depth and the finished job's duration.
    expect(samples(text, 'optibid_jobs').find((s) => s.labels.queue === 'metrics-test' && s.labels.state === 'queued')?.value).toBe(1);
    expect(samples(text, 'optibid_job_duration_seconds_count').find((s) => s.labels.queue === 'metrics-test' && s.labels.outcome === 'succeeded')?.value).toBe(1);

    // Solver and forecast timings.
    expect(samples(text, 'optibid_solver_duration_seconds_count').find((s) => s.labels.outcome === 'ok')?.value).toBeGreaterThanOrEqual(1);
    expect(samples(text, 'optibid_compute_task_duration_seconds_count').find((s) => s.labels.task === 'forecastDays' && s.labels.outcome === 'ok')?.value).toBe(1);

    // Data freshness and the read cache.
    expect(text).toContain('# TYPE optibid_price_newest_interval_timestamp_seconds gauge');
    expect(text).toContain('# TYPE optibid_market_data_stale gauge');
    const cache = samples(text, 'optibid_price_read_cache_requests_total').filter((s) => s.labels.kind === 'latest');
    expect(Object.fromEntries(cache.map((s) => [s.labels.result, s.value]))).toEqual({ hit: 1, miss: 1 });
  });

  it("reports a durable consumer group's lag on the event log", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handled: string[] = [];
    const stop = await server.ctx.bus.subscribeDurable('prices:*', 'metrics-lag', async (_m, d) => {
      await gate;
      handled.push(d.id);
    });
    try {
      for (let i = 0; i < 3; i++) await server.ctx.bus.publish('prices:PJM', tick(i));
      await sleep(100);
      const text = (await scrape(bearer(TOKEN))).body;
      const of = (name: string) => samples(text, name).find((s) => s.labels.consumer === 'metrics-lag' && s.labels.stream === 'market')?.value;
      // Taken by the (blocked) member and not acknowledged, or still waiting: three in all.
      const unacked = of('optibid_bus_consumer_unacknowledged_messages')!;
      expect(unacked).toBeGreaterThanOrEqual(1);
      expect(unacked + of('optibid_bus_consumer_pending_messages')!).toBe(3);
    } finally {
      release();
      await stop();
    }
    expect(handled.length).toBeGreaterThanOrEqual(1);
  });

  it('reports the newest stored price per market and run', async () => {
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    await server.ctx.repos.prices.upsert([
      { market: 'PJM', location: 'WESTERN HUB', run: 'RTH', interval_start: new Date(hour), interval_end: new Date(hour + 3_600_000), lmp_usd_per_mwh: 31, energy_usd_per_mwh: null, congestion_usd_per_mwh: null, loss_usd_per_mwh: null, source: 'test' },
    ]);
    const text = (await scrape(bearer(admin))).body;
    expect(samples(text, 'optibid_price_newest_interval_timestamp_seconds').find((s) => s.labels.market === 'PJM' && s.labels.run === 'RTH')?.value).toBe(hour / 1000);
  });
});

const natsUrl = inject('natsUrl');
const namespace = `m${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

it.skipIf(!natsUrl)('NATS: a durable group\'s lag comes from JetStream\'s consumer info', async () => {
  const bus = new NatsBus(natsUrl!, { namespace });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  try {
    await bus.start();
    const stop = await bus.subscribeDurable('prices:*', 'lag-test', async () => gate);
    for (let i = 0; i < 5; i++) await bus.publish('prices:PJM', tick(i));
    let lag = await bus.consumerLag();
    for (let k = 0; k < 50 && (lag[0]?.pending ?? 0) + (lag[0]?.unacknowledged ?? 0) < 5; k++) {
      await sleep(100);
      lag = await bus.consumerLag();
    }
    expect(lag).toHaveLength(1);
    expect(lag[0]).toMatchObject({ stream: 'market', consumer: 'lag-test' });
    expect(lag[0]!.pending + lag[0]!.unacknowledged).toBe(5);
    release();
    await stop();
  } finally {
    release();
    await bus.close();
    const nc = await natsConnect({ servers: natsUrl! });
    const jsm = await nc.jetstreamManager();
    for (const s of STREAMS) await jsm.streams.delete(`${namespace}_${s.key}`.toUpperCase()).catch(() => undefined);
    await nc.close();
  }
});
