/**
 * /health/ready covers NATS when the bus is NATS (BUS_URL): an instance that cannot reach NATS
 * while another instance reached it recently is cut off (503, naming NATS); when no instance
 * reaches it, NATS is down and the instance stays ready, serving in-process, with NATS listed in
 * `degraded`. /health/live stays ok throughout. The unreachable cases need no NATS; the reachable
 * one runs when TEST_NATS_URL is set, on streams named for the run and deleted after it.
 */
import { afterAll, expect, inject, it } from 'vitest';
import { connect } from 'nats';
import { NatsBus, STREAMS } from '../src/bus/index.js';
import { openDatabase } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { BusContactRepository } from '../src/db/repositories/bus-contacts.js';
import { HealthRegistry } from '../src/health.js';
import { SystemService } from '../src/modules/system/index.js';
import { describeEachBackend, startTestServer, testConfig, type TestServer } from './helpers.js';

const natsUrl = inject('natsUrl');
const namespace = `r${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
/** Nothing listens on port 1: a bus there starts degraded (delivering in-process) and keeps retrying. */
const DEAD_NATS = 'nats://127.0.0.1:1';

afterAll(async () => {
  if (!natsUrl) return;
  const nc = await connect({ servers: natsUrl });
  const jsm = await nc.jetstreamManager();
  for (const s of STREAMS) await jsm.streams.delete(`${namespace}_${s.key}`.toUpperCase()).catch(() => undefined);
  await nc.close();
});

describeEachBackend('readiness', (backend) => {
  let server: TestServer | null = null;
  afterAll(async () => server?.close());

  it('without BUS_URL: ready when the database answers, and says what it checked', async () => {
    server = await startTestServer(backend);
    const res = await server.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
    await server.close();
    server = null;
  });

  it('with BUS_URL and NATS unreachable: ready but degraded while no instance reaches NATS; 503 once another instance does', async () => {
    server = await startTestServer(backend, { BUS_URL: DEAD_NATS });
    const alone = await server.app.inject({ method: 'GET', url: '/health/ready' });
    expect(alone.statusCode).toBe(200);
    expect(alone.json()).toMatchObject({ status: 'ready', checks: { database: 'ok', nats: 'down' }, degraded: [expect.stringMatching(/^nats: NATS unreachable.*no instance reaches it/)] });

    // Another instance reached NATS a moment ago: this one is cut off.
    await new BusContactRepository(server.ctx.database).record('another-instance');
    const cutOff = await server.app.inject({ method: 'GET', url: '/health/ready' });
    expect(cutOff.statusCode).toBe(503);
    expect(cutOff.json()).toMatchObject({ status: 'not_ready', checks: { database: 'ok', nats: 'down' }, message: expect.stringMatching(/^nats: NATS unreachable.*this one is cut off/) });
    // It still serves whoever reaches it.
    expect((await server.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/api/markets' })).statusCode).toBe(401);
    await server.close();
    server = null;
  });
});

it.skipIf(!natsUrl)('with NATS reachable: ready and NATS checked; an instance on the same database that cannot reach it is cut off', async () => {
  const database = await openDatabase({});
  await migrate(database);
  const up = new NatsBus(natsUrl!, { namespace });
  const down = new NatsBus(DEAD_NATS, { namespace, reconnectDelayMs: 60_000 });
  try {
    await up.start();
    await down.start().catch(() => undefined);
    const contacts = new BusContactRepository(database);
    const a = new SystemService(new HealthRegistry('test'), database, testConfig({ BUS_URL: natsUrl! }), { bus: up, contacts });
    const b = new SystemService(new HealthRegistry('test'), database, testConfig({ BUS_URL: DEAD_NATS }), { bus: down, contacts });
    expect(await a.readiness()).toEqual({ ready: true, checks: { database: 'ok', nats: 'ok' } });
    expect(await b.readiness()).toMatchObject({ ready: false, checks: { database: 'ok', nats: 'down' }, message: expect.stringMatching(/cut off/) });
  } finally {
    await up.close().catch(() => undefined);
    await down.close().catch(() => undefined);
    await database.close();
  }
});
