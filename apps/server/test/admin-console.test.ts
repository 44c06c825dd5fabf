import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, registerUser, startTestServer, uniqueEmail, type TestServer } from './helpers.js';
import { memberWithRole } from './helpers-accounts.js';

/** A body that passes each admin route's schema, so the 403 comes from the access check and not validation. */
const SAMPLE_BODIES: Record<string, unknown> = {
  'PATCH /api/admin/organizations/{id}': { name: 'Renamed' },
  'PATCH /api/admin/users/{id}': { name: 'Renamed' },
  'PATCH /api/admin/users/{id}/memberships/{organization_id}': { role: 'viewer' },
  'PATCH /api/admin/plans/{id}': { name: 'Free' },
  'PUT /api/admin/subscriptions/{organization_id}': { plan_id: 'free' },
  'POST /api/admin/features': { key: 'some_flag' },
  'PATCH /api/admin/features/{key}': { enabled: true },
  'PUT /api/admin/features/{key}/overrides/{organization_id}': { enabled: true },
};

describeEachBackend('admin console API', (backend) => {
  let server: TestServer;
  let admin: { access_token: string; user: { id: string } };
  beforeAll(async () => {
    server = await startTestServer(backend);
    const email = uniqueEmail('root');
    await server.ctx.auth.createAccount({ email, password: 'platform-admin-pw', name: 'Root', organization_name: 'Ops', role: 'owner', is_platform_admin: true });
    admin = (await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'platform-admin-pw' } })).json();
  });
  afterAll(async () => server?.close());

  it('every /api/admin route answers 403 to an organisation owner who is not a platform admin, and 401 without a token', async () => {
    const owner = await registerUser(server.app);
    const spec = server.app.swagger() as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    const routes = Object.entries(spec.paths)
      .filter(([p]) => p.startsWith('/api/admin/'))
      .flatMap(([p, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path: p, hasBody: !!op.requestBody })));
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const r of routes) {
      const key = `${r.method} ${r.path}`;
      if (r.hasBody) expect(SAMPLE_BODIES, `add a sample body for ${key}`).toHaveProperty([key]);
      const url = r.path.replace('{key}', 'auction_clearing').replace(/\{[a-z_]+\}/g, () => (r.path.includes('/plans/') ? 'free' : randomUUID()));
      const payload = SAMPLE_BODIES[key] as Record<string, unknown> | undefined;
      const method = r.method as 'GET';
      const asOwner = await server.app.inject({ method, url, headers: bearer(owner.access_token), ...(payload ? { payload } : {}) });
      expect(asOwner.statusCode, key).toBe(403);
      expect(asOwner.json().error.code, key).toBe('forbidden');
      const anonymous = await server.app.inject({ method, url, ...(payload ? { payload } : {}) });
      expect(anonymous.statusCode, key).toBe(401);
    }
  });

  it('overview and system show the platform without secrets', async () => {
    const overview = await server.app.inject({ method: 'GET', url: '/api/admin/overview', headers: bearer(admin.access_token) });
    expect(overview.statusCode).toBe(200);
    const o = overview.json();
    expect(o.organizations).toBeGreaterThanOrEqual(1);
    expect(o.users).toBeGreaterThanOrEqual(1);
    expect(o.database_backend).toBe(backend.name);
    expect(o.database_size_bytes).toBeGreaterThan(0);
    expect(o.active_bids).toBe(0);
    expect(o.jobs.map((j: { name: string }) => j.name)).toContain('alert_evaluator');

    const system = await server.app.inject({ method: 'GET', url: '/api/admin/system', headers: bearer(admin.access_token) });
    const s = system.json();
    expect(Object.keys(s.services)).toEqual(expect.arrayContaining(['database', 'cache', 'bus']));
    expect(s.services.database.latency_ms).toBeGreaterThanOrEqual(0);
    expect(s.uptime_s).toBeGreaterThan(0);
    expect(s.config).toMatchObject({ env: 'test', jwt_secret: 'default (development only)' });
    expect(JSON.stringify(s)).not.toContain(server.ctx.config.jwtSecret);
  });

  it('searches users and organisations, changes roles and deactivates users (their tokens stop at once), all audited', async () => {
    const owner = await registerUser(server.app, { organization_name: `Searchable ${randomUUID().slice(0, 6)}` });
    const org = owner.user.organization.id;
    const trader = await memberWithRole(server, org, 'trader');

    const orgs = await server.app.inject({ method: 'GET', url: `/api/admin/organizations?q=${encodeURIComponent(owner.user.organization.name)}`, headers: bearer(admin.access_token) });
    expect(orgs.json().items).toEqual([expect.objectContaining({ id: org, plan_id: 'free', members: 2, active_members: 2 })]);
    const detail = await server.app.inject({ method: 'GET', url: `/api/admin/organizations/${org}`, headers: bearer(admin.access_token) });
    expect(detail.json().member_list).toHaveLength(2);
    expect(detail.json().usage.plan.id).toBe('free');

    const users = await server.app.inject({ method: 'GET', url: `/api/admin/users?q=${encodeURIComponent(owner.user.email)}`, headers: bearer(admin.access_token) });
    expect(users.json().items).toEqual([expect.objectContaining({ id: owner.user.id, is_active: true, mfa_enabled: false, organizations: 1 })]);

    const role = await server.app.inject({ method: 'PATCH', url: `/api/admin/users/${trader.user.id}/memberships/${org}`, headers: bearer(admin.access_token), payload: { role: 'analyst' } });
    expect(role.statusCode).toBe(200);
    expect(role.json().memberships[0]).toMatchObject({ organization_id: org, role: 'analyst' });
    const lastOwner = await server.app.inject({ method: 'PATCH', url: `/api/admin/users/${owner.user.id}/memberships/${org}`, headers: bearer(admin.access_token), payload: { role: 'admin' } });
    expect(lastOwner.statusCode).toBe(409);

    expect((await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(trader.access_token) })).statusCode).toBe(200);
    const off = await server.app.inject({ method: 'PATCH', url: `/api/admin/users/${trader.user.id}`, headers: bearer(admin.access_token), payload: { is_active: false } });
    expect(off.json()).toMatchObject({ is_active: false, sessions: 0 });
    expect((await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(trader.access_token) })).statusCode).toBe(401);
    const self = await server.app.inject({ method: 'PATCH', url: `/api/admin/users/${admin.user.id}`, headers: bearer(admin.access_token), payload: { is_active: false } });
    expect(self.statusCode).toBe(409);

    const audit = await server.app.inject({ method: 'GET', url: '/api/admin/audit?action=admin.*', headers: bearer(admin.access_token) });
    const actions = audit.json().items.map((a: { action: string }) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['admin.membership_changed', 'admin.user_changed']));
    expect(audit.json().items[0].actor_email).toBeTruthy();
    const theirs = await server.app.inject({ method: 'GET', url: `/api/admin/audit?organization_id=${org}`, headers: bearer(admin.access_token) });
    expect(theirs.json().items.every((a: { organization_id: string }) => a.organization_id === org)).toBe(true);
  });

  it('plans and subscriptions: a plan change applies to the organisation at once', async () => {
    const plans = await server.app.inject({ method: 'GET', url: '/api/admin/plans', headers: bearer(admin.access_token) });
    expect(plans.json().items.map((p: { id: string }) => p.id)).toEqual(['free', 'pro', 'enterprise']);
    expect(plans.json().items[2].limits.assets).toBeNull();

    const u = await registerUser(server.app);
    const put = await server.app.inject({ method: 'PUT', url: `/api/admin/subscriptions/${u.user.organization.id}`, headers: bearer(admin.access_token), payload: { plan_id: 'enterprise' } });
    expect(put.json()).toMatchObject({ plan_id: 'enterprise', status: 'active' });
    const usage = await server.app.inject({ method: 'GET', url: '/api/usage', headers: bearer(u.access_token) });
    expect(usage.json().plan.id).toBe('enterprise');
    const unknown = await server.app.inject({ method: 'PUT', url: `/api/admin/subscriptions/${u.user.organization.id}`, headers: bearer(admin.access_token), payload: { plan_id: 'gold' } });
    expect(unknown.statusCode).toBe(422);
    const subs = await server.app.inject({ method: 'GET', url: '/api/admin/subscriptions?limit=200', headers: bearer(admin.access_token) });
    expect(subs.json().items.find((s: { organization_id: string }) => s.organization_id === u.user.organization.id).plan_id).toBe('enterprise');

    const patched = await server.app.inject({ method: 'PATCH', url: '/api/admin/plans/pro', headers: bearer(admin.access_token), payload: { limits: { members: 30 } } });
    expect(patched.json().limits).toMatchObject({ members: 30, assets: 50 });
    const all = await server.app.inject({ method: 'GET', url: '/api/admin/statements', headers: bearer(admin.access_token) });
    expect(all.json().items.length).toBeGreaterThanOrEqual(2);
  });
});
