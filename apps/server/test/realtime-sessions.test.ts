/**
 * Issue 13, finding 7: a WebSocket admitted with a token kept receiving its organisation's
 * `bid_status` after that session logged out. Ending a session (logout, revocation, role
 * change, removal, deactivation, password change, API-key revocation) now publishes
 * `sessions_ended` on the bus and every instance closes the matching sockets with 4401.
 * Two server instances on one database, through real loopback sockets: on one memory bus
 * in this process always, on Redis and on NATS when the run has them.
 */
import { connect as natsConnect } from 'nats';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MemoryBus, NatsBus, RedisBus, STREAMS, type Bus } from '../src/bus/index.js';
import type { Database } from '../src/db/client.js';
import { buildApp } from '../src/app.js';
import { createServices } from '../src/services.js';
import { backends, bearer, registerUser, testConfig, type TestServer } from './helpers.js';
import { memberWithRole, platformAdminToken } from './helpers-accounts.js';
import { connect, listen, ofType, sleep, type TestClient } from './realtime-client.js';
import { createBattery, createDaBid, openErcotDay } from './trading-fixtures.js';

const pglite = backends()[0]!;
const redisUrl = inject('redisUrl');
const natsUrl = inject('natsUrl');
const day = openErcotDay();

interface Instance extends TestServer {
  base: string;
}

/** One server instance on a shared database and bus (both owned by the caller). */
async function instance(database: Database, bus: Bus): Promise<Instance> {
  const ctx = await createServices(testConfig({ PUBLIC_MARKET_DATA: 'false' }), { database, bus });
  const app = await buildApp(ctx, { logger: false });
  await app.ready();
  const server: TestServer = {
    ctx,
    app,
    async close() {
      await app.close();
      await ctx.close();
    },
  };
  return { ...server, base: await listen(server) };
}

/** Two instances on one fresh database, each with the bus `makeBus` gives (the same one for memory). */
async function twoInstances(makeBus: () => Promise<Bus>) {
  const database = await pglite.open();
  const buses = [await makeBus(), await makeBus()];
  const one = await instance(database, buses[0]!);
  const two = await instance(database, buses[1]!);
  return {
    one,
    two,
    async close() {
      await Promise.all([one.close(), two.close()]);
      for (const b of new Set(buses)) await b.close();
      await database.close();
    },
  };
}

const sockets: TestClient[] = [];
/** An admitted socket on `/api/ws/ws/prices`, by `?token=` or by headers (an API key). */
async function socket(on: Instance, auth: { token?: string; headers?: Record<string, string> }): Promise<TestClient> {
  const c = connect(`${on.base}/api/ws/ws/prices${auth.token ? `?token=${auth.token}` : ''}`, auth.headers ? { headers: auth.headers } : {});
  sockets.push(c);
  await c.next(ofType('connection_established'));
  return c;
}

async function login(server: TestServer, email: string, password: string) {
  const res = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
  return res.json() as { access_token: string; refresh_token: string };
}

const stillOpen = (c: TestClient) => c.ws.readyState === c.ws.OPEN;
/** How the socket closed, or code 0 if it is still open after `ms`. */
const closedSoon = (c: TestClient, ms = 3000) => Promise.race([c.closed, sleep(ms).then(() => ({ code: 0, reason: `still open after ${ms} ms` }))]);

/** The owner's accepted DA bid, so its organisation's sockets get `bid_status` events. */
async function submitBid(server: TestServer, token: string, name: string): Promise<string> {
  const asset = await createBattery(server, token, name);
  const bid = (await createDaBid(server, token, asset.id, day.date, day.hours)).json();
  const res = await server.app.inject({ method: 'POST', url: `/api/bids/${bid.id}/submit`, headers: bearer(token) });
  expect(res.json().status).toBe('accepted');
  return bid.id;
}

/** The finding itself, on whichever bus: logout ends the session's sockets on both instances, another session of the user keeps its events. */
async function logoutEndsEverywhere(one: Instance, two: Instance) {
  const email = `logout.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;
  const password = 'correct-horse-battery';
  const first = await registerUser(one.app, { email, password });
  const second = await login(two, email, password);
  const onOne = await socket(one, { token: first.access_token });
  const onTwo = await socket(two, { token: first.access_token });
  const other = await socket(two, { token: second.access_token });

  const out = await one.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(first.access_token), payload: {} });
  expect(out.statusCode).toBe(200);
  for (const c of [onOne, onTwo]) expect(await closedSoon(c)).toEqual({ code: 4401, reason: 'session ended: signed out' });

  const bidId = await submitBid(two, second.access_token, 'after logout');
  expect(await other.next((m) => m.type === 'bid_status' && m.bid_id === bidId && m.status === 'accepted')).toBeTruthy();
  expect(stillOpen(other)).toBe(true);
  for (const c of [onOne, onTwo]) expect(c.messages.some(ofType('bid_status'))).toBe(false);
  // The ended session's token no longer opens a socket either.
  const again = connect(`${one.base}/api/ws/ws/prices?token=${first.access_token}`);
  sockets.push(again);
  expect(await closedSoon(again)).toMatchObject({ code: 4401, reason: expect.stringMatching(/session was ended/) });
  other.close();
}

describe('sessions end everywhere: two instances on one memory bus', () => {
  let pair: Awaited<ReturnType<typeof twoInstances>>;
  const shared = new MemoryBus();

  beforeAll(async () => {
    pair = await twoInstances(async () => shared);
  });
  afterAll(async () => {
    for (const c of sockets) c.close();
    await pair?.close();
  });

  it('logout closes the session\'s sockets on both instances with 4401; the user\'s other session stays open and keeps receiving bid_status', async () => {
    await logoutEndsEverywhere(pair.one, pair.two);
  });

  it('revoking a session (DELETE /api/auth/sessions/{id}) closes its sockets on both instances, not the revoking session\'s', async () => {
    const { one, two } = pair;
    const email = `revoke.${Date.now()}@example.com`;
    const a = await registerUser(one.app, { email, password: 'correct-horse-battery' });
    const b = await login(two, email, 'correct-horse-battery');
    const aSockets = [await socket(one, { token: a.access_token }), await socket(two, { token: a.access_token })];
    const bSocket = await socket(one, { token: b.access_token });
    const sessions = (await two.app.inject({ url: '/api/auth/sessions', headers: bearer(b.access_token) })).json().items as { id: string; current: boolean }[];
    const target = sessions.find((s) => !s.current)!;
    expect((await two.app.inject({ method: 'DELETE', url: `/api/auth/sessions/${target.id}`, headers: bearer(b.access_token) })).statusCode).toBe(200);
    for (const c of aSockets) expect(await closedSoon(c)).toEqual({ code: 4401, reason: 'session ended: revoked' });
    bSocket.send({ type: 'ping' });
    await bSocket.next(ofType('pong'));
    expect(stillOpen(bSocket)).toBe(true);
  });

  it('a role change closes that user\'s sockets in that organisation on every instance (their token still works: they reconnect with the new role); others stay', async () => {
    const { one, two } = pair;
    const owner = await registerUser(one.app);
    const org = owner.user.organization.id;
    const trader = await memberWithRole(one, org, 'trader');
    const traderSockets = [await socket(one, { token: trader.access_token }), await socket(two, { token: trader.access_token })];
    const ownerSocket = await socket(two, { token: owner.access_token });
    const res = await one.app.inject({ method: 'PATCH', url: `/api/org/members/${trader.user.id}`, headers: bearer(owner.access_token), payload: { role: 'analyst' } });
    expect(res.statusCode, res.body).toBe(200);
    for (const c of traderSockets) expect(await closedSoon(c)).toEqual({ code: 4401, reason: expect.stringMatching(/your role changed/) });
    expect(stillOpen(ownerSocket)).toBe(true);
    const back = await socket(two, { token: trader.access_token });
    expect(stillOpen(back)).toBe(true);
    back.close();
  });

  it('removing a member, or a platform admin deactivating a user, closes their sockets (API-key sockets of the keys they created too); a revoked API key\'s socket closes', async () => {
    const { one, two } = pair;
    const owner = await registerUser(one.app);
    const org = owner.user.organization.id;
    const admin = await memberWithRole(one, org, 'admin');
    const key = (await one.app.inject({ method: 'POST', url: '/api/org/api-keys', headers: bearer(admin.access_token), payload: { name: 'feed', scopes: ['read'] } })).json();
    expect(key.key).toMatch(/^obk_/);
    const adminSockets = [await socket(one, { token: admin.access_token }), await socket(two, { headers: { 'x-api-key': key.key } })];
    const ownerSocket = await socket(one, { token: owner.access_token });
    expect((await two.app.inject({ method: 'DELETE', url: `/api/org/members/${admin.user.id}`, headers: bearer(owner.access_token) })).statusCode).toBe(200);
    for (const c of adminSockets) expect(await closedSoon(c)).toEqual({ code: 4401, reason: 'session ended: membership removed from the organisation' });
    expect(stillOpen(ownerSocket)).toBe(true);

    const ownKey = (await one.app.inject({ method: 'POST', url: '/api/org/api-keys', headers: bearer(owner.access_token), payload: { name: 'own', scopes: ['read'] } })).json();
    const keySocket = await socket(two, { headers: { 'x-api-key': ownKey.key } });
    expect((await one.app.inject({ method: 'DELETE', url: `/api/org/api-keys/${ownKey.id}`, headers: bearer(owner.access_token) })).statusCode).toBe(200);
    expect(await closedSoon(keySocket)).toEqual({ code: 4401, reason: 'session ended: API key revoked' });
    expect(stillOpen(ownerSocket)).toBe(true);

    const platform = await platformAdminToken(one);
    const ownerElsewhere = await socket(two, { token: owner.access_token });
    expect((await one.app.inject({ method: 'PATCH', url: `/api/admin/users/${owner.user.id}`, headers: bearer(platform), payload: { is_active: false } })).statusCode).toBe(200);
    for (const c of [ownerSocket, ownerElsewhere]) expect(await closedSoon(c)).toEqual({ code: 4401, reason: 'session ended: account deactivated' });
  });

  it('a password change closes the user\'s other sessions\' sockets and keeps the one that changed it', async () => {
    const { one, two } = pair;
    const email = `pw.${Date.now()}@example.com`;
    const a = await registerUser(one.app, { email, password: 'correct-horse-battery' });
    const b = await login(one, email, 'correct-horse-battery');
    const bSocket = await socket(two, { token: b.access_token });
    const aSocket = await socket(two, { token: a.access_token });
    const res = await one.app.inject({ method: 'POST', url: '/api/auth/password', headers: bearer(a.access_token), payload: { current_password: 'correct-horse-battery', new_password: 'another-horse-battery' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await closedSoon(bSocket)).toEqual({ code: 4401, reason: 'session ended: password changed' });
    aSocket.send({ type: 'ping' });
    await aSocket.next(ofType('pong'));
    expect(stillOpen(aSocket)).toBe(true);
  });

  it('a socket whose token was checked before its session ended is refused when admitted after the message arrived', async () => {
    const { one, two } = pair;
    const u = await registerUser(one.app);
    const checkedBefore = await two.ctx.auth.authenticate(u.access_token);
    await one.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(u.access_token), payload: {} });
    // The message reaches the other instance's hub (memory bus: in a microtask).
    for (let i = 0; i < 50 && !two.ctx.realtime.endedSince(checkedBefore); i++) await sleep(10);
    expect(two.ctx.realtime.endedSince(checkedBefore)).toBe('session ended: signed out');
    // Another user's session, and a check made after the message, are not affected.
    const v = await registerUser(one.app);
    expect(two.ctx.realtime.endedSince(await two.ctx.auth.authenticate(v.access_token))).toBeNull();
    expect(two.ctx.realtime.endedSince({ ...checkedBefore, checked_at: Date.now() + 1 })).toBeNull();
  });
});

/** Deletes the JetStream streams a namespaced test bus created. */
async function dropNatsStreams(namespace: string) {
  const nc = await natsConnect({ servers: natsUrl! });
  const jsm = await nc.jetstreamManager();
  for (const s of STREAMS) await jsm.streams.delete(`${namespace}_${s.key}`.toUpperCase()).catch(() => undefined);
  await nc.close();
}

const transports: { name: string; url: string | null; make: (namespace: string) => Promise<Bus>; after?: (namespace: string) => Promise<void> }[] = [
  {
    name: 'Redis',
    url: redisUrl,
    make: async (namespace) => {
      const bus = new RedisBus(redisUrl!, { namespace });
      await bus.start();
      await bus.ready();
      return bus;
    },
  },
  {
    name: 'NATS',
    url: natsUrl,
    make: async (namespace) => {
      const bus = new NatsBus(natsUrl!, { namespace });
      await bus.start();
      return bus;
    },
    after: dropNatsStreams,
  },
];

for (const t of transports) {
  describe.skipIf(!t.url)(`sessions end everywhere: two instances on ${t.name}`, () => {
    const namespace = `s${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    let pair: Awaited<ReturnType<typeof twoInstances>>;
    beforeAll(async () => {
      pair = await twoInstances(() => t.make(namespace));
    });
    afterAll(async () => {
      for (const c of sockets) c.close();
      await pair?.close();
      await t.after?.(namespace);
    });

    it('logout on one instance closes the session\'s sockets on both with 4401; another session of the user keeps receiving bid_status', async () => {
      await logoutEndsEverywhere(pair.one, pair.two);
    });
  });
}
