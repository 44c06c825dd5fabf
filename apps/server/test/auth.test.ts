import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, describeEachBackend, registerUser, startTestServer, uniqueEmail, type TestServer } from './helpers.js';
import { memberWithRole } from './helpers-accounts.js';

describeEachBackend('accounts, tokens and roles', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { LOGIN_RATE_LIMIT_PER_EMAIL: '3', LOGIN_RATE_LIMIT_PER_IP: '1000' });
  });
  afterAll(async () => server?.close());

  it('register → login → me → refresh, and reusing the old refresh token revokes the family', async () => {
    const email = uniqueEmail('flow');
    const reg = await registerUser(server.app, { email, password: 'a-good-password', organization_name: 'Flow Energy' });
    expect(reg.user.role).toBe('owner');
    expect(reg.user.organization.name).toBe('Flow Energy');

    const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: email.toUpperCase(), password: 'a-good-password' } });
    expect(login.statusCode).toBe(200);
    const tokens = login.json();
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(900);
    expect(tokens.user).toMatchObject({ email, role: 'owner', is_platform_admin: false, organization: { name: 'Flow Energy' } });

    const me = await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(tokens.access_token) });
    expect(me.statusCode).toBe(200);
    expect(me.json().id).toBe(reg.user.id);

    const r1 = await server.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: tokens.refresh_token } });
    expect(r1.statusCode).toBe(200);
    const rotated = r1.json();
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);

    // Presented again at once (a retry of a refresh whose answer was lost): accepted within the grace period.
    const retried = await server.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: tokens.refresh_token } });
    expect(retried.statusCode).toBe(200);
    // After the grace period the old token again is reuse → 401 and the whole family, including the new token, is revoked.
    const rotatedAt = new Date(Date.now() - 60_000);
    await server.ctx.database.query('UPDATE refresh_tokens SET rotated_at = $1 WHERE rotated_at IS NOT NULL AND user_id = $2', [rotatedAt, reg.user.id]);
    const reuse = await server.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: tokens.refresh_token } });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().error.message).toMatch(/already used/);
    const after = await server.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: rotated.refresh_token } });
    expect(after.statusCode).toBe(401);
    // Access tokens of the revoked session stop working too.
    const meAfter = await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(rotated.access_token) });
    expect(meAfter.statusCode).toBe(401);
    const audit = await server.ctx.repos.audit.list({ organization_id: reg.user.organization.id, action: 'auth.refresh_reuse_detected', limit: 5 });
    expect(audit).toHaveLength(1);
  });

  it('refuses a wrong password with 401 and audits it', async () => {
    const reg = await registerUser(server.app);
    const res = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: reg.user.email, password: 'not-the-password' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'unauthorized', message: 'email or password is incorrect' });
    const failed = await server.ctx.repos.audit.list({ organization_id: null, action: 'auth.login_failed', limit: 50 });
    expect(failed.some((a) => a.target_id === reg.user.email.toLowerCase())).toBe(true);
  });

  it('rate-limits failed logins per email with 429 and Retry-After', async () => {
    const reg = await registerUser(server.app);
    for (let i = 0; i < 3; i++) {
      const r = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: reg.user.email, password: 'wrong-password' } });
      expect(r.statusCode).toBe(401);
    }
    const limited = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: reg.user.email, password: 'correct-horse-battery' } });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error.code).toBe('rate_limited');
  });

  it('enforces the minimum password length with a clear message', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email: uniqueEmail(), password: 'short', name: 'S', organization_name: 'S Org' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toBe('password must be at least 8 characters');
  });

  it('refuses a duplicate email with 409', async () => {
    const reg = await registerUser(server.app);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email: reg.user.email, password: 'another-password', name: 'Dup', organization_name: 'Dup Org' },
    });
    expect(res.statusCode).toBe(409);
  });

  it('changes the password only with the current one, and logout ends the session', async () => {
    const reg = await registerUser(server.app, { password: 'first-password' });
    const wrong = await server.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: bearer(reg.access_token),
      payload: { current_password: 'nope-nope-nope', new_password: 'second-password' },
    });
    expect(wrong.statusCode).toBe(422);
    const ok = await server.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: bearer(reg.access_token),
      payload: { current_password: 'first-password', new_password: 'second-password' },
    });
    expect(ok.statusCode).toBe(200);
    const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: reg.user.email, password: 'second-password' } });
    expect(login.statusCode).toBe(200);
    const out = await server.app.inject({ method: 'POST', url: '/api/auth/logout', payload: { refresh_token: login.json().refresh_token } });
    expect(out.statusCode).toBe(200);
    const me = await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(login.json().access_token) });
    expect(me.statusCode).toBe(401);
  });

  it('logs out with no body at all (the access token names the session)', async () => {
    const reg = await registerUser(server.app);
    const out = await server.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(reg.access_token) });
    expect(out.statusCode).toBe(200);
    const me = await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(reg.access_token) });
    expect(me.statusCode).toBe(401);
  });

  describe('roles and tenancy', () => {
    it('answers 401 without a token and 401 for a forged one', async () => {
      expect((await server.app.inject({ method: 'GET', url: '/api/org/members' })).statusCode).toBe(401);
      const forged = await server.app.inject({ method: 'GET', url: '/api/org/members', headers: bearer('eyJhbGciOiJIUzI1NiJ9.e30.abc') });
      expect(forged.statusCode).toBe(401);
    });

    it('lets a member read their organisation and hides another organisation (404)', async () => {
      const a = await registerUser(server.app, { organization_name: 'Org A' });
      const b = await registerUser(server.app, { organization_name: 'Org B' });
      const own = await server.app.inject({ method: 'GET', url: `/api/organizations/${a.user.organization.id}/members`, headers: bearer(a.access_token) });
      expect(own.statusCode).toBe(200);
      expect(own.json().items.map((m: { email: string }) => m.email)).toEqual([a.user.email]);
      const other = await server.app.inject({ method: 'GET', url: `/api/organizations/${b.user.organization.id}/members`, headers: bearer(a.access_token) });
      expect(other.statusCode).toBe(404);
      expect(other.json().error.code).toBe('not_found');
      const mine = await server.app.inject({ method: 'GET', url: '/api/org/members', headers: bearer(b.access_token) });
      expect(mine.json().items.map((m: { email: string }) => m.email)).toEqual([b.user.email]);
    });

    it('applies the role matrix: 403 for a role without the permission', async () => {
      const owner = await registerUser(server.app);
      const orgId = owner.user.organization.id;
      const admin = await memberWithRole(server, orgId, 'admin');
      const trader = await memberWithRole(server, orgId, 'trader');
      const viewer = await memberWithRole(server, orgId, 'viewer');
      const audit = (token: string) => server.app.inject({ method: 'GET', url: '/api/org/audit', headers: bearer(token) });
      expect((await audit(owner.access_token)).statusCode).toBe(200);
      expect((await audit(admin.access_token)).statusCode).toBe(200);
      const refused = await audit(trader.access_token);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.message).toMatch(/trader.*audit:read/);
      expect((await audit(viewer.access_token)).statusCode).toBe(403);
      // Everyone in the organisation reads its members.
      expect((await server.app.inject({ method: 'GET', url: '/api/org/members', headers: bearer(viewer.access_token) })).json().items).toHaveLength(4);
      // The audit log is scoped to the caller's organisation.
      const entries = (await audit(owner.access_token)).json().items as { organization_id: string }[];
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.every((e) => e.organization_id === orgId)).toBe(true);
    });
  });
});
