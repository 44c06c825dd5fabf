import { afterAll, beforeAll, expect, it } from 'vitest';
import { securityHeaders } from '../src/http/response-headers.js';
import { bearer, describeEachBackend, registerUser, startTestServer, type TestServer } from './helpers.js';

/** Helmet's defaults without CSP and COEP, written out: a change to what the server sends must show here. */
const SECURITY: Record<string, string> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

it('computes exactly helmet\'s headers once (no CSP, no COEP)', () => {
  expect({ ...securityHeaders() }).toEqual(SECURITY);
});

describeEachBackend('Response headers on every answer: security headers, request id, CORS', (backend) => {
  let server: TestServer;
  const APP_ORIGIN = 'https://app.example.com';
  beforeAll(async () => {
    server = await startTestServer(backend, { CORS_ORIGINS: APP_ORIGIN, PUBLIC_MARKET_DATA: 'true' });
  });
  afterAll(async () => server?.close());

  const expectHeaders = (headers: Record<string, unknown>, requestId?: string) => {
    expect(headers).toMatchObject(SECURITY);
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['cross-origin-embedder-policy']).toBeUndefined();
    expect(headers['x-powered-by']).toBeUndefined();
    expect(headers['x-request-id']).toMatch(/^[\w-]{1,100}$/);
    if (requestId) expect(headers['x-request-id']).toBe(requestId);
  };

  it('on successes, cached reads and their 304s', async () => {
    expectHeaders((await server.app.inject({ method: 'GET', url: '/health/live' })).headers);
    expectHeaders((await server.app.inject({ method: 'GET', url: '/api/markets' })).headers);
    const url = '/api/prices?market=pjm&location=WESTERN%20HUB&run=DA&start=2026-01-05&end=2026-01-06';
    const first = await server.app.inject({ method: 'GET', url });
    expect(first.statusCode).toBe(200);
    expectHeaders(first.headers);
    const again = await server.app.inject({ method: 'GET', url, headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expectHeaders(again.headers);
  });

  it('on errors, with the request id the error body names', async () => {
    const notFound = await server.app.inject({ method: 'GET', url: '/api/does-not-exist' });
    expect(notFound.statusCode).toBe(404);
    expectHeaders(notFound.headers, notFound.json().error.request_id);
    const noToken = await server.app.inject({ method: 'GET', url: '/api/auth/me' });
    expect(noToken.statusCode).toBe(401);
    expectHeaders(noToken.headers, noToken.json().error.request_id);
    const badToken = await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer('not-a-token') });
    expect(badToken.statusCode).toBe(401);
    expectHeaders(badToken.headers, badToken.json().error.request_id);
    const badJson = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email": ' });
    expect(badJson.statusCode).toBe(400);
    expectHeaders(badJson.headers, badJson.json().error.request_id);
    const nul = await server.app.inject({ method: 'GET', url: '/api/prices?market=pjm&location=a%00b' });
    expect(nul.statusCode).toBe(400);
    expectHeaders(nul.headers, nul.json().error.request_id);
  });

  it('keeps a well-formed request id the client sent, replaces any other', async () => {
    const given = await server.app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'trace-1234_ab' } });
    expectHeaders(given.headers, 'trace-1234_ab');
    const odd = await server.app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'no spaces <allowed>' } });
    expectHeaders(odd.headers);
    expect(odd.headers['x-request-id']).not.toBe('no spaces <allowed>');
  });

  it('a signed-in read of a public route still learns the caller, an invalid token is ignored there', async () => {
    const reg = await registerUser(server.app);
    const own = await server.app.inject({ method: 'GET', url: '/api/prices?market=pjm&location=WESTERN%20HUB&run=DA&scope=own&start=2026-01-05&end=2026-01-06', headers: bearer(reg.access_token) });
    expect(own.statusCode).toBe(200);
    expect(own.headers['cache-control']).toBe('private, no-cache');
    expectHeaders(own.headers);
    const ownAnonymous = await server.app.inject({ method: 'GET', url: '/api/prices?market=pjm&location=WESTERN%20HUB&run=DA&scope=own&start=2026-01-05&end=2026-01-06' });
    expect(ownAnonymous.statusCode).toBe(401);
    const invalid = await server.app.inject({ method: 'GET', url: '/api/markets', headers: bearer('not-a-token') });
    expect(invalid.statusCode).toBe(200);
  });

  it('allows only the configured origin, on simple requests and preflights', async () => {
    const allowed = await server.app.inject({ method: 'GET', url: '/api/markets', headers: { origin: APP_ORIGIN } });
    expect(allowed.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(allowed.headers['access-control-expose-headers']).toBe('x-request-id, retry-after');
    expect(String(allowed.headers.vary)).toMatch(/origin/i);
    expectHeaders(allowed.headers);
    const other = await server.app.inject({ method: 'GET', url: '/api/markets', headers: { origin: 'https://evil.example.com' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await server.app.inject({
      method: 'OPTIONS',
      url: '/api/bids',
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    const refused = await server.app.inject({ method: 'OPTIONS', url: '/api/bids', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});
