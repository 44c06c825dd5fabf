/**
 * The published WebSocket contract, through the real server on a loopback port
 * with real `ws` clients (memory bus; the two-instance Redis case is in
 * realtime-redis.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, bearer, registerUser, startTestServer, type TestServer } from './helpers.js';
import { connect, listen, ofType, sleep, type TestClient } from './realtime-client.js';
import { orgChannel, priceChannel, priceUpdateMessage } from '../src/realtime/messages.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const pglite = backends()[0]!;

function tick(server: TestServer, iso: 'PJM' | 'ERCOT' | 'CAISO', lmp: number, location = 'HUB') {
  return server.ctx.bus.publish(priceChannel(iso), priceUpdateMessage(iso, { location, interval_start: new Date('2025-06-02T14:05:00Z'), lmp, energy: lmp - 1, congestion: 0.5, loss: 0.5 }));
}

async function makeAdmin(server: TestServer) {
  const admin = await registerUser(server.app);
  await server.ctx.repos.accounts.updateUser(admin.user.id, { is_platform_admin: true });
  return admin;
}

describe('WebSocket endpoints (public market data)', () => {
  let server: TestServer;
  let base: string;
  const clients: TestClient[] = [];
  const open = (path: string) => {
    const c = connect(base + path);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startTestServer(pglite, { PUBLIC_MARKET_DATA: 'true' });
    base = await listen(server);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.close();
  });

  it('greets with connection_established in the published shape', async () => {
    const c = open('/api/ws/ws/market/PJM');
    const hello = await c.next();
    expect(Object.keys(hello).sort()).toEqual(['connection_id', 'market_zone', 'message', 'storage_backend', 'timestamp', 'type']);
    expect(hello).toMatchObject({ type: 'connection_established', market_zone: 'pjm', storage_backend: 'memory', message: 'Connected to pjm market updates' });
    expect(hello.connection_id).toMatch(UUID);
    expect(new Date(hello.timestamp as string).toISOString()).toBe(hello.timestamp);
  });

  it('delivers ticks of the subscribed zone only, in the price_update shape', async () => {
    const pjm = open('/api/ws/ws/market/pjm');
    const ercot = open('/api/ws/ws/market/Ercot');
    await pjm.next(ofType('connection_established'));
    await ercot.next(ofType('connection_established'));
    await tick(server, 'PJM', 41.25);
    await tick(server, 'ERCOT', 22.5);
    const p = await pjm.next(ofType('price_update'));
    expect(p).toEqual({
      type: 'price_update',
      market_zone: 'pjm',
      location: 'HUB',
      interval_start: '2025-06-02T14:05:00.000Z',
      lmp: 41.25,
      energy: 40.25,
      congestion: 0.5,
      loss: 0.5,
      timestamp: expect.any(String),
    });
    const e = await ercot.next(ofType('price_update'));
    expect(e.market_zone).toBe('ercot');
    await sleep(50);
    expect(pjm.messages.filter(ofType('price_update')).map((m) => m.market_zone)).toEqual(['pjm']);
    expect(ercot.messages.filter(ofType('price_update')).map((m) => m.market_zone)).toEqual(['ercot']);
  });

  it('forwards the day-ahead prices a clearing publishes to the zone', async () => {
    const c = open('/api/ws/ws/market/ercot');
    await c.next(ofType('connection_established'));
    const items = [{ interval_start: '2025-06-03T05:00:00.000Z', lmp_usd_per_mwh: 31.5 }];
    await server.ctx.bus.publish(priceChannel('ERCOT'), { type: 'da_prices', market: 'ERCOT', location: 'HB_HOUSTON', delivery_date: '2025-06-03', source: 'simulated-da', items, timestamp: '2025-06-02T15:00:00.000Z' });
    const m = await c.next(ofType('da_prices'));
    expect(m).toMatchObject({ market_zone: 'ercot', location: 'HB_HOUSTON', delivery_date: '2025-06-03', items });
  });

  it('serves all zones on /prices and honours subscribe / unsubscribe', async () => {
    const c = open('/api/ws/ws/prices');
    expect(await c.next()).toMatchObject({ type: 'connection_established', market_zone: 'all', message: 'Connected to all market updates' });
    await tick(server, 'PJM', 1);
    await tick(server, 'CAISO', 2);
    await c.next((m) => m.type === 'price_update' && m.lmp === 2);
    c.send({ action: 'unsubscribe', zones: ['PJM', 'caiso'] });
    const ack = await c.next(ofType('subscription'));
    expect(ack.zones).toEqual(['ercot', 'nyiso', 'miso', 'spp', 'isone']);
    await tick(server, 'PJM', 3);
    await tick(server, 'ERCOT', 4);
    await c.next((m) => m.type === 'price_update' && m.lmp === 4);
    c.send({ action: 'subscribe', zones: ['pjm'] });
    await c.next((m) => m.type === 'subscription' && (m.zones as string[]).includes('pjm'));
    await tick(server, 'PJM', 5);
    await c.next((m) => m.type === 'price_update' && m.lmp === 5);
    expect(c.messages.filter(ofType('price_update')).map((m) => m.lmp)).toEqual([1, 2, 4, 5]);

    c.send({ action: 'subscribe', zones: ['pjm', 'nowhere'] });
    expect((await c.next(ofType('error'))).message).toMatch(/unknown zone.*nowhere/);
  });

  it('answers ping with pong, and malformed messages with an error while staying up', async () => {
    const c = open('/api/ws/ws/market/spp');
    await c.next(ofType('connection_established'));
    c.send({ type: 'ping' });
    expect(await c.next(ofType('pong'))).toMatchObject({ type: 'pong' });
    c.send('this is not json');
    c.send('[1,2]');
    c.send({ hello: 'world' });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    c.send({ action: 'subscribe', zones: 'pjm' });
    await sleep(100);
    const errors = c.messages.filter(ofType('error')).map((m) => m.message as string);
    expect(errors).toHaveLength(5);
    expect(errors[0]).toMatch(/not valid JSON/);
    expect(errors[1]).toMatch(/JSON object/);
    expect(errors[2]).toMatch(/unknown message/);
    expect(errors[3]).toMatch(/binary/);
    expect(errors[4]).toMatch(/zones/);
    c.send({ type: 'ping' });
    await c.next((m) => m.type === 'pong' && c.messages.filter(ofType('pong')).length === 2);
    expect(c.ws.readyState).toBe(1);
  });

  it('closes an unknown zone with 4404 and a reason', async () => {
    const c = open('/api/ws/ws/market/atlantis');
    const { code, reason } = await c.closed;
    expect(code).toBe(4404);
    expect(reason).toMatch(/unknown market zone "atlantis"/);
  });

  it('pings clients and terminates the ones that do not answer', async () => {
    const hub = server.ctx.realtime;
    hub.setHeartbeatInterval(100);
    try {
      const alive = open('/api/ws/ws/market/miso');
      const dead = connect(base + '/api/ws/ws/market/miso', { autoPong: false });
      clients.push(dead);
      await alive.next(ofType('connection_established'));
      await dead.next(ofType('connection_established'));
      let pings = 0;
      alive.ws.on('ping', () => pings++);
      const { code } = await dead.closed;
      expect(code).toBe(1006);
      expect(pings).toBeGreaterThanOrEqual(1);
      await sleep(250);
      expect(alive.ws.readyState).toBe(1);
    } finally {
      hub.setHeartbeatInterval(30_000);
    }
  });

  it('forwards alerts to everyone and organisation events only to that organisation', async () => {
    const a = await registerUser(server.app);
    const b = await registerUser(server.app);
    const ca = open(`/api/ws/ws/market/pjm?token=${a.access_token}`);
    const cb = open('/api/ws/ws/prices');
    const anon = open('/api/ws/ws/market/pjm');
    await ca.next(ofType('connection_established'));
    await cb.next(ofType('connection_established'));
    await anon.next(ofType('connection_established'));
    // b signs in after connecting, with an auth message.
    cb.send({ type: 'auth', token: b.access_token });
    expect(await cb.next(ofType('authenticated'))).toMatchObject({ organization_id: b.user.organization.id, user_id: b.user.id });

    await server.ctx.bus.publish(orgChannel(a.user.organization.id), { type: 'bid_status', bid_id: 'x1', status: 'accepted' });
    await server.ctx.bus.publish(orgChannel(b.user.organization.id), { type: 'award', bid_id: 'y1' });
    expect(await ca.next(ofType('bid_status'))).toEqual({ type: 'bid_status', bid_id: 'x1', status: 'accepted' });
    expect(await cb.next(ofType('award'))).toEqual({ type: 'award', bid_id: 'y1' });

    const admin = await makeAdmin(server);
    const res = await server.app.inject({ method: 'POST', url: '/api/ws/broadcast/alert', headers: bearer(admin.access_token), payload: { title: 'Test', message: 'Hello all', severity: 'warning' } });
    expect(res.statusCode).toBe(200);
    for (const c of [ca, cb, anon]) expect(await c.next(ofType('alert'))).toMatchObject({ type: 'alert', title: 'Test', message: 'Hello all', severity: 'warning', category: 'broadcast' });
    await sleep(50);
    expect(ca.messages.some(ofType('award'))).toBe(false);
    expect(cb.messages.some(ofType('bid_status'))).toBe(false);
    expect(anon.messages.some((m) => m.type === 'award' || m.type === 'bid_status')).toBe(false);
  });

  it('lets only platform admins broadcast, validates bodies, and delivers the broadcast price', async () => {
    const user = await registerUser(server.app);
    const admin = await makeAdmin(server);
    const payload = { market_zone: 'PJM', location: 'western hub', lmp: 123.45 };
    expect((await server.app.inject({ method: 'POST', url: '/api/ws/broadcast/price', payload })).statusCode).toBe(401);
    expect((await server.app.inject({ method: 'POST', url: '/api/ws/broadcast/price', headers: bearer(user.access_token), payload })).statusCode).toBe(403);
    expect((await server.app.inject({ method: 'POST', url: '/api/ws/broadcast/alert', headers: bearer(user.access_token), payload: { title: 't', message: 'm' } })).statusCode).toBe(403);
    const bad = await server.app.inject({ method: 'POST', url: '/api/ws/broadcast/price', headers: bearer(admin.access_token), payload: { market_zone: 'pjm', lmp: '12' } });
    expect(bad.statusCode).toBe(400);
    const unknown = await server.app.inject({ method: 'POST', url: '/api/ws/broadcast/price', headers: bearer(admin.access_token), payload: { market_zone: 'xyz', lmp: 1 } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/unknown zone/);

    const c = open('/api/ws/ws/market/pjm');
    await c.next(ofType('connection_established'));
    const ok = await server.app.inject({ method: 'POST', url: '/api/ws/broadcast/price', headers: bearer(admin.access_token), payload });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ published: 1, channel: 'prices:PJM' });
    expect(await c.next((m) => m.type === 'price_update' && m.lmp === 123.45)).toMatchObject({ location: 'WESTERN HUB', energy: null });
  });

  it('reports health and stats, and /health lists the websocket service', async () => {
    const h = await server.app.inject({ url: '/api/ws/health' });
    expect(h.statusCode).toBe(200);
    expect(h.json()).toMatchObject({ status: 'ok', storage_backend: 'memory' });
    expect(h.json().connections).toBeGreaterThan(0);
    const s = (await server.app.inject({ url: '/api/ws/stats' })).json();
    expect(s.total_connections).toBe(h.json().connections);
    expect(Object.keys(s.by_zone).sort()).toEqual(['caiso', 'ercot', 'isone', 'miso', 'nyiso', 'pjm', 'spp']);
    expect(s.by_zone.pjm).toBeGreaterThan(0);
    expect(s.messages_sent).toBeGreaterThan(10);
    expect(s.uptime_s).toBeGreaterThanOrEqual(0);
    const health = (await server.app.inject({ url: '/health' })).json();
    expect(health.services.websocket).toMatchObject({ status: 'ok', connections: s.total_connections });
  });

  it('keeps /simulate for platform admins outside demo mode', async () => {
    const user = await registerUser(server.app);
    expect((await server.app.inject({ method: 'POST', url: '/simulate/price-update' })).statusCode).toBe(401);
    expect((await server.app.inject({ method: 'POST', url: '/simulate/market-events', headers: bearer(user.access_token), payload: {} })).statusCode).toBe(403);
    const admin = await makeAdmin(server);
    const res = await server.app.inject({ method: 'POST', url: '/simulate/price-update', headers: bearer(admin.access_token), payload: { market_zone: 'nyiso' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().updates[0]).toMatchObject({ market_zone: 'nyiso', location: 'N.Y.C.' });
  });
});

describe('WebSocket endpoints (token required)', () => {
  let server: TestServer;
  let base: string;

  beforeAll(async () => {
    server = await startTestServer(pglite, { PUBLIC_MARKET_DATA: 'false' });
    base = await listen(server);
  });
  afterAll(async () => server.close());

  it('refuses anonymous sockets after the auth timeout, and bad tokens at once, with 4401', async () => {
    server.ctx.realtime.authTimeoutMs = 300;
    const silent = connect(base + '/api/ws/ws/market/pjm');
    // Ping is answered while waiting, but nothing else is allowed.
    await new Promise((r) => silent.ws.once('open', r));
    silent.send({ type: 'ping' });
    await silent.next(ofType('pong'));
    silent.send({ action: 'subscribe', zones: ['pjm'] });
    expect((await silent.next(ofType('error'))).message).toMatch(/authenticate first/);
    expect(await silent.closed).toMatchObject({ code: 4401, reason: expect.stringMatching(/authentication required/) });
    expect(silent.messages.some(ofType('connection_established'))).toBe(false);

    const badQuery = connect(base + '/api/ws/ws/market/pjm?token=nonsense');
    expect((await badQuery.closed).code).toBe(4401);
    const badMessage = connect(base + '/api/ws/ws/prices');
    await new Promise((r) => badMessage.ws.once('open', r));
    badMessage.send({ type: 'auth', token: 'nonsense' });
    expect((await badMessage.closed).code).toBe(4401);
  });

  it('admits a valid token from the query, the first message or the Authorization header', async () => {
    const u = await registerUser(server.app);
    const q = connect(`${base}/api/ws/ws/market/caiso?token=${u.access_token}`);
    expect(await q.next()).toMatchObject({ type: 'connection_established', market_zone: 'caiso' });
    const m = connect(`${base}/api/ws/ws/market/caiso`);
    await new Promise((r) => m.ws.once('open', r));
    m.send({ type: 'auth', token: u.access_token });
    expect(await m.next()).toMatchObject({ type: 'connection_established', market_zone: 'caiso' });
    const h = connect(`${base}/api/ws/ws/prices`, { headers: bearer(u.access_token) });
    expect(await h.next()).toMatchObject({ type: 'connection_established', market_zone: 'all' });

    await server.ctx.bus.publish(orgChannel(u.user.organization.id), { type: 'alert', title: 'for the org' });
    for (const c of [q, m, h]) expect(await c.next(ofType('alert'))).toMatchObject({ title: 'for the org' });
    for (const c of [q, m, h]) c.close();
  });
});

describe('/simulate in demo mode', () => {
  let server: TestServer;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer(pglite, { DEMO_MODE: 'true', SIMULATION_MODE: 'false' });
    base = await listen(server);
  });
  afterAll(async () => server.close());

  it('lets anyone publish simulated updates and market events through the bus', async () => {
    const c = connect(base + '/api/ws/ws/prices');
    await c.next(ofType('connection_established'));
    const res = await server.app.inject({ method: 'POST', url: '/simulate/price-update' });
    expect(res.statusCode).toBe(200);
    expect(res.json().published).toBe(7);
    await c.next(() => c.messages.filter(ofType('price_update')).length === 7);
    expect(new Set(c.messages.filter(ofType('price_update')).map((m) => m.market_zone)).size).toBe(7);

    const ev = await server.app.inject({ method: 'POST', url: '/simulate/market-events', payload: { market_zone: 'ercot', events: 2, kinds: ['negative_price'] } });
    expect(ev.statusCode).toBe(200);
    const body = ev.json();
    expect(body.updates).toHaveLength(2);
    for (const u of body.updates) expect(u.lmp).toBeLessThan(0);
    expect(body.alerts[0]).toMatchObject({ type: 'alert', category: 'market_event', market_zone: 'ercot', title: 'Negative price in ERCOT' });
    await c.next(() => c.messages.filter(ofType('alert')).length === 2);
    const fixed = await server.app.inject({ method: 'POST', url: '/simulate/price-update', payload: { market_zone: 'pjm', lmp: 99999 } });
    expect(fixed.statusCode).toBe(400);
    c.close();
  });
});
