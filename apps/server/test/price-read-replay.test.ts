/**
 * Replays of cached anonymous reads (http/fast-replies.ts, issue 16), over real HTTP (app.inject
 * does not go through the server, so it always takes the pipeline): a replay writes what the
 * pipeline writes for the same request (every header but the request id and Date, the body, the
 * 304), counts as a cache hit and in the latency metric; a write, a credential, another origin,
 * bad input or private market data sends the request through the pipeline.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { addDaysYmd } from '@optibid/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { PriceReadCache } from '../src/modules/market-data/price-read-cache.js';
import { bearer, describeEachBackend, registerUser, startTestServer, uniqueEmail, type TestServer } from './helpers.js';
import { multipart } from './multipart.js';
import { pjmToday, westernHubCsv } from './pjm-fixtures.js';

const APP_ORIGIN = 'https://app.example.com';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A GET over a real socket; headers keyed lower-case, each as written (rawHeaders, so a duplicate would show). */
function httpGet(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(base + path, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const h: Record<string, string> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!.toLowerCase();
          h[name] = name in h ? `${h[name]} | ${res.rawHeaders[i + 1]}` : res.rawHeaders[i + 1]!;
        }
        resolve({ status: res.statusCode!, headers: h, body });
      });
    });
    req.on('error', reject);
  });
}

/** Headers that differ between any two answers whoever writes them. */
function comparable(a: Answer): Record<string, string> {
  const { date: _date, 'x-request-id': _id, ...rest } = a.headers;
  return rest;
}

async function listen(server: TestServer): Promise<string> {
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
}

async function platformAdmin(server: TestServer): Promise<string> {
  const email = uniqueEmail('platform');
  await server.ctx.auth.createAccount({ email, password: 'platform-password-1', name: 'Platform', organization_name: 'Operator', role: 'owner', is_platform_admin: true });
  return (await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'platform-password-1' } })).json().access_token;
}

async function importCsv(server: TestServer, token: string, name: string, csv: string): Promise<void> {
  const body = multipart([{ name, data: csv }], { format: 'gridstatus_lmp', market: 'PJM' });
  const res = await server.app.inject({ method: 'POST', url: '/api/prices/import', headers: { ...bearer(token), ...body.headers }, payload: body.payload });
  expect(res.statusCode, res.body).toBe(200);
}

const series = (date: string, extra = '') => `/api/prices?market=pjm&location=WESTERN%20HUB&start=${date}&end=${addDaysYmd(date, 1)}${extra}`;

describeEachBackend('replayed price reads', (backend) => {
  let server: TestServer;
  let base: string;
  let admin: string;
  const yesterday = addDaysYmd(pjmToday(), -1);
  const replayed = () => server.ctx.priceReads.replies.counters.replayed;

  beforeAll(async () => {
    server = await startTestServer(backend, { PUBLIC_MARKET_DATA: 'true', CORS_ORIGINS: APP_ORIGIN });
    base = await listen(server);
    admin = await platformAdmin(server);
    await importCsv(server, admin, 'day.csv', westernHubCsv(yesterday, (h) => 30 + h));
  });
  afterAll(async () => server?.close());

  /** The same request through the pipeline (replays off), then replayed: both answers. */
  async function pipelineThenReplay(path: string, headers: Record<string, string> = {}): Promise<[Answer, Answer]> {
    const replies = server.ctx.priceReads.replies;
    replies.enabled = false;
    const slow = await httpGet(base, path, headers);
    replies.enabled = true;
    const before = replayed();
    const fast = await httpGet(base, path, headers);
    expect(replayed(), `${path} was replayed`).toBe(before + 1);
    return [slow, fast];
  }

  it('a replay writes the headers and body the pipeline writes: without an origin, from the allowed origin, from another one', async () => {
    for (const headers of [{}, { origin: APP_ORIGIN }, { origin: 'https://elsewhere.example' }]) {
      const [slow, fast] = await pipelineThenReplay(series(yesterday), headers);
      expect(slow.status).toBe(200);
      expect(fast.status).toBe(200);
      expect(comparable(fast)).toEqual(comparable(slow));
      expect(fast.body).toBe(slow.body);
      expect(fast.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(fast.headers['x-request-id']).not.toBe(slow.headers['x-request-id']);
    }
    // What the pipeline wrote, so also what the replay wrote: helmet's headers, CORS for the allowed origin only.
    const [, fromApp] = await pipelineThenReplay(series(yesterday), { origin: APP_ORIGIN });
    expect(fromApp.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN', 'access-control-allow-origin': APP_ORIGIN, 'content-type': 'application/json; charset=utf-8' });
    expect(fromApp.headers['strict-transport-security']).toBeDefined();
    expect(JSON.parse(fromApp.body).items).toHaveLength(24);
    const [, fromElsewhere] = await pipelineThenReplay(series(yesterday), { origin: 'https://elsewhere.example' });
    expect(fromElsewhere.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("304 for a matching validator, as the pipeline answers it; the caller's request id is echoed", async () => {
    const etag = (await httpGet(base, series(yesterday))).headers.etag!;
    const [slow, fast] = await pipelineThenReplay(series(yesterday), { 'if-none-match': `"other", W/${etag}`, 'x-request-id': 'poll-7' });
    expect(slow.status).toBe(304);
    expect(fast.status).toBe(304);
    expect(fast.body).toBe('');
    expect(comparable(fast)).toEqual(comparable(slow));
    expect(fast.headers['x-request-id']).toBe('poll-7');
    expect(fast.headers['content-length']).toBeUndefined();
    const other = await httpGet(base, series(yesterday), { 'if-none-match': '"other"' });
    expect(other.status).toBe(200);
  });

  it('a replay is a cache hit and is in the latency metric', async () => {
    await httpGet(base, series(yesterday));
    const count = async () => Number(/optibid_http_request_duration_seconds_count\{method="GET",route="\/api\/prices",status_code="200"\} (\d+)/.exec(await server.ctx.metrics.text())?.[1] ?? 0);
    const hits = server.ctx.priceReads.cache.counters.hits.prices;
    const [counted, before] = [await count(), replayed()];
    await httpGet(base, series(yesterday));
    expect(replayed()).toBe(before + 1);
    expect(server.ctx.priceReads.cache.counters.hits.prices).toBe(hits + 1);
    expect(await count()).toBe(counted + 1);
  });

  it('a write that changes the day is answered at once: the pipeline recomputes, then the new answer is replayed', async () => {
    const old = await httpGet(base, series(yesterday));
    await httpGet(base, series(yesterday));
    await importCsv(server, admin, 'fix.csv', westernHubCsv(yesterday, (h) => (h === 3 ? 333 : 30 + h)));
    const before = replayed();
    const after = await httpGet(base, series(yesterday), { 'if-none-match': old.headers.etag! });
    expect(replayed()).toBe(before);
    expect(after.status).toBe(200);
    expect(JSON.parse(after.body).items[3].lmp_usd_per_mwh).toBe(333);
    expect(after.headers.etag).not.toBe(old.headers.etag);
    const again = await httpGet(base, series(yesterday));
    expect(replayed()).toBe(before + 1);
    expect(again.body).toBe(after.body);
  });

  it("a credential always takes the pipeline: an organisation's own series is never replayed, and without a token scope=own stays 401", async () => {
    const orgA = (await registerUser(server.app)).access_token;
    const orgB = (await registerUser(server.app)).access_token;
    const own = series(yesterday, '&scope=own');
    const body = multipart([{ name: 'own.csv', data: westernHubCsv(yesterday, () => 1999) }], { format: 'gridstatus_lmp', market: 'PJM', scope: 'own' });
    expect((await server.app.inject({ method: 'POST', url: '/api/prices/import', headers: { ...bearer(orgA), ...body.headers }, payload: body.payload })).json()).toMatchObject({ scope: 'own', inserted: 24 });
    const before = replayed();
    for (let i = 0; i < 3; i++) {
      expect(JSON.parse((await httpGet(base, own, bearer(orgA))).body).items[0].lmp_usd_per_mwh).toBe(1999);
      expect(JSON.parse((await httpGet(base, own, bearer(orgB))).body)).toMatchObject({ scope: 'own', items: [] });
      const anonymous = await httpGet(base, own);
      expect(anonymous.status).toBe(401);
      expect(JSON.parse(anonymous.body).error.message).toMatch(/scope=own/);
      // A signed-in read of the shared series takes the pipeline too (auth, the API quota).
      expect((await httpGet(base, series(yesterday), bearer(orgA))).status).toBe(200);
    }
    expect(replayed()).toBe(before);
  });

  it('bad input is never replayed: 400 with its message every time; a request with a body takes the pipeline', async () => {
    const before = replayed();
    for (let i = 0; i < 2; i++) {
      const bad = await httpGet(base, `/api/prices?market=pjm&location=WESTERN%20HUB&start=${yesterday}&end=${addDaysYmd(yesterday, -1)}`);
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body).error.message).toMatch(/must be before end/);
      const nul = await httpGet(base, series(yesterday, '&run=DA%00'));
      expect(nul.status).toBe(400);
    }
    expect(replayed()).toBe(before);
    await httpGet(base, series(yesterday));
    expect(replayed()).toBe(before + 1);
    const withBody = await httpGet(base, series(yesterday), { 'content-length': '0' });
    expect(withBody.status).toBe(200);
    expect(replayed()).toBe(before + 1);
  });
});

describeEachBackend('replayed price reads, market data not public', (backend) => {
  let server: TestServer;
  afterAll(async () => server?.close());

  it('a signed-in read is never recorded: without a token the same URL stays 401', async () => {
    server = await startTestServer(backend, { PUBLIC_MARKET_DATA: 'false' });
    const base = await listen(server);
    const admin = await platformAdmin(server);
    const day = addDaysYmd(pjmToday(), -2);
    await importCsv(server, admin, 'day.csv', westernHubCsv(day, () => 42));
    for (let i = 0; i < 3; i++) {
      const signedIn = await httpGet(base, series(day), bearer(admin));
      expect(signedIn.status).toBe(200);
      expect(signedIn.headers['cache-control']).toMatch(/^private/);
      expect((await httpGet(base, series(day))).status).toBe(401);
    }
    expect(server.ctx.priceReads.replies.counters.replayed).toBe(0);
    expect(server.ctx.priceReads.replies.size).toBe(0);
  });

  it('at LOG_LEVEL=debug every request is logged, so nothing is replayed', async () => {
    const discard = new Writable({ write: (_c, _e, cb) => cb() });
    const debugApp = await buildApp(server.ctx, { logger: { level: 'debug', stream: discard } });
    try {
      expect(server.ctx.priceReads.replies.enabled).toBe(false);
    } finally {
      await debugApp.close();
    }
  });
});

describe('the read cache seen by replays', () => {
  it('an entry is live until it expires or a write drops it', async () => {
    let now = 1_000_000;
    const cache = new PriceReadCache({ now: () => now, openTtlMs: 60_000 });
    const span = { kind: 'prices' as const, market: 'PJM', owner: null, run: 'DA', location: 'WESTERN HUB', start_ms: 0, end_ms: 3_600_000 };
    const entry = await cache.read('prices', 'k', async () => ({ payload: { a: 1 }, span, closed: false }), (p) => JSON.stringify(p));
    expect(cache.holds('k', entry)).toBe(true);
    expect(cache.live('k')).toBe(entry);
    now += 60_000;
    expect(cache.live('k')).toBeUndefined();
    const again = await cache.read('prices', 'k', async () => ({ payload: { a: 2 }, span, closed: false }), (p) => JSON.stringify(p));
    expect(cache.live('k')).toBe(again);
    cache.invalidate({ market: 'PJM', owner: null, runs: ['DA'], locations: null, first_ms: 0, last_ms: 0 });
    expect(cache.live('k')).toBeUndefined();
  });
});
