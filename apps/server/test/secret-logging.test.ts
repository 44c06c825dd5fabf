/**
 * Issue 13, finding 6: secrets never reach the log. The app runs with a real
 * pino logger writing to memory through a sign-up, failed and successful
 * logins, an API key, an invitation (its preview URL carries the token), a
 * password reset (no mail server, so the link would be logged), a WebSocket
 * connect with ?token= and a failed query whose parameters hold a password
 * hash; then the captured log is searched for every secret.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createServices } from '../src/services.js';
import type { Database } from '../src/db/client.js';
import { bearer, describeEachBackend, testConfig, uniqueEmail, type TestServer } from './helpers.js';
import { connect, listen } from './realtime-client.js';

describeEachBackend('secrets in logs', (backend) => {
  let server: TestServer;
  let database: Database;
  const lines: string[] = [];
  beforeAll(async () => {
    database = await backend.open();
    const ctx = await createServices(testConfig({ LOG_LEVEL: 'info', PUBLIC_MARKET_DATA: 'false' }), { database });
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString('utf8'));
        cb();
      },
    });
    const app = await buildApp(ctx, { logger: { level: 'debug', stream } });
    await app.ready();
    server = { ctx, app, close: async () => { await app.close(); await ctx.close(); await database.close(); } };
  });
  afterAll(async () => server?.close());

  it('a login, invite, reset and WebSocket flow logs no token, key, password or hash', async () => {
    const { app, ctx } = server;
    const email = uniqueEmail('logged');
    const password = 'very-secret-password-1';
    const reg = await app.inject({ method: 'POST', url: '/api/auth/register', payload: { email, password, name: 'L', organization_name: 'Logged Org' } });
    expect(reg.statusCode).toBe(201);
    const wrong = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'wrong-secret-password-2' } });
    expect(wrong.statusCode).toBe(401);
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    const { access_token, refresh_token } = login.json();
    const refreshed = await app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token } });
    expect(refreshed.statusCode).toBe(200);
    const access = refreshed.json().access_token as string;

    const key = await app.inject({ method: 'POST', url: '/api/org/api-keys', headers: bearer(access), payload: { name: 'ci', scopes: ['read'] } });
    expect(key.statusCode, key.body).toBe(201);
    const apiKey = key.json().key as string;
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': apiKey } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/api/auth/me?token=${access}`, headers: bearer(access) })).statusCode).toBe(200);

    const inv = await app.inject({ method: 'POST', url: '/api/org/invitations', headers: bearer(access), payload: { email: uniqueEmail('inv'), role: 'viewer' } });
    expect(inv.statusCode, inv.body).toBe(201);
    const invitationToken = inv.json().token as string;
    expect(invitationToken).toBeTruthy();
    expect((await app.inject({ method: 'GET', url: `/api/org/invitations/preview?token=${invitationToken}` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/auth/password-reset/request', payload: { email } })).statusCode).toBe(202);

    const base = await listen(server);
    const ws = connect(`${base}/api/ws/ws/prices?token=${encodeURIComponent(access)}`);
    await ws.next((m) => m.type === 'connection_established');
    ws.close();

    // A failed query as the error handler logs it: Drizzle's message carries the parameters.
    const user = await ctx.repos.accounts.findUserByEmail(email);
    const failed = await ctx.repos.accounts.createUser({ email, name: 'dup', password_hash: user!.password_hash }).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(Error);
    app.log.error({ err: failed, request_id: 'test' }, 'unhandled error');
    await new Promise((r) => setTimeout(r, 50));

    const log = lines.join('');
    expect(log).toContain('request completed');
    expect(log).toContain('/api/org/invitations/preview?token=[redacted]');
    for (const secret of [password, 'wrong-secret-password-2', access_token, access, refresh_token, apiKey, invitationToken, user!.password_hash]) {
      expect(log.includes(secret), `log contains ${secret.slice(0, 12)}…: ${lines.filter((l) => l.includes(secret)).join('')}`).toBe(false);
    }
    expect(log).not.toMatch(/\$argon2/);
    expect(log).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(log).not.toMatch(/obk_[\w-]{8,}/);
    expect(log).not.toMatch(/token=(?!\[redacted\])[\w%-]{8,}/);
  });
});
