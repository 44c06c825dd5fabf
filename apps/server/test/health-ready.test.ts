/**
 * /health/ready covers NATS when the bus is NATS (BUS_URL): ready with the database and NATS
 * answering; 503 naming NATS when it cannot be reached (the process still serves, /health/live
 * stays ok). The unreachable case needs no NATS; the reachable one runs when TEST_NATS_URL is
 * set, on streams named for the run and deleted after it.
 */
import { afterAll, expect, inject, it } from 'vitest';
import { connect } from 'nats';
import { NatsBus, STREAMS } from '../src/bus/index.js';
import { openDatabase } from '../src/db/client.js';
import { HealthRegistry } from '../src/health.js';
import { SystemService } from '../src/modules/system/index.js';
import { describeEachBackend, startTestServer, testConfig, type TestServer } from './helpers.js';

const natsUrl = inject('natsUrl');
const namespace = `r${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

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

  it('with BUS_URL and NATS unreachable: 503 naming NATS, while the server keeps serving', async () => {
    // Nothing listens on port 1: the bus starts degraded (delivering in-process) and keeps retrying.
    server = await startTestServer(backend, { BUS_URL: 'nats://127.0.0.1:1' });
    const res = await server.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'not_ready', checks: { database: 'ok', nats: 'down' }, message: expect.stringMatching(/^nats: NATS unreachable/) });
    expect((await server.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/api/markets' })).statusCode).toBe(401);
    await server.close();
    server = null;
  });
});

it.skipIf(!natsUrl)('with NATS reachable: ready, NATS checked; once the bus has lost NATS: not ready', async () => {
  const database = await openDatabase({});
  const bus = new NatsBus(natsUrl!, { namespace });
  try {
    await bus.start();
    const system = new SystemService(new HealthRegistry('test'), database, testConfig({ BUS_URL: natsUrl! }), bus);
    expect(await system.readiness()).toEqual({ ready: true, checks: { database: 'ok', nats: 'ok' } });
    await bus.close();
    expect(await system.readiness()).toMatchObject({ ready: false, checks: { database: 'ok', nats: 'down' } });
  } finally {
    await bus.close().catch(() => undefined);
    await database.close();
  }
});
