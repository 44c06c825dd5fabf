import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, registerUser, startTestServer, uniqueEmail, type TestServer } from './helpers.js';

async function platformAdmin(server: TestServer) {
  const email = uniqueEmail('padmin');
  await server.ctx.auth.createAccount({ email, password: 'platform-admin-pw', name: 'Platform Admin', organization_name: 'Ops', role: 'owner', is_platform_admin: true });
  const res = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'platform-admin-pw' } });
  return res.json() as { access_token: string };
}

describeEachBackend('plans, quotas and feature flags', (backend) => {
  let server: TestServer;
  let admin: { access_token: string };
  beforeAll(async () => {
    server = await startTestServer(backend);
    admin = await platformAdmin(server);
  });
  afterAll(async () => server?.close());

  const setPlan = (org: string, plan_id: string, limit_overrides?: Record<string, number | null>) =>
    server.app.inject({ method: 'PUT', url: `/api/admin/subscriptions/${org}`, headers: bearer(admin.access_token), payload: { plan_id, limit_overrides } });

  it('new organisations are on the free plan and see their usage against its limits', async () => {
    const u = await registerUser(server.app);
    const usage = await server.app.inject({ method: 'GET', url: '/api/usage', headers: bearer(u.access_token) });
    expect(usage.statusCode).toBe(200);
    const body = usage.json();
    expect(body.plan).toMatchObject({ id: 'free', limits: { members: 5, assets: 5 } });
    expect(body.quotas.find((q: { metric: string }) => q.metric === 'members')).toMatchObject({ used: 1, limit: 5, remaining: 4, kind: 'count', resets_at: null });
    const api = body.quotas.find((q: { metric: string }) => q.metric === 'api_requests_per_day');
    expect(api.kind).toBe('rate');
    expect(new Date(api.resets_at).getUTCHours()).toBe(0);
  });

  it('API requests over the daily limit get 429 with the limit, the usage and the reset time', async () => {
    const u = await registerUser(server.app);
    const org = u.user.organization.id;
    expect((await setPlan(org, 'free', { api_requests_per_day: 3 })).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await server.app.inject({ method: 'GET', url: '/api/org/members', headers: bearer(u.access_token) })).statusCode).toBe(200);
    const over = await server.app.inject({ method: 'GET', url: '/api/org/members', headers: bearer(u.access_token) });
    expect(over.statusCode).toBe(429);
    const err = over.json().error;
    expect(err.code).toBe('quota_exceeded');
    expect(err.details[0]).toMatchObject({ metric: 'api_requests_per_day', limit: 3, used: 3 });
    expect(Date.parse(err.details[0].resets_at)).toBeGreaterThan(Date.now());
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    // Usage stays readable so the UI can show why.
    const usage = await server.app.inject({ method: 'GET', url: '/api/usage', headers: bearer(u.access_token) });
    expect(usage.json().quotas.find((q: { metric: string }) => q.metric === 'api_requests_per_day')).toMatchObject({ limit: 3, remaining: 0 });
    // Another organisation is not affected; raising the limit lifts the block.
    const other = await registerUser(server.app);
    expect((await server.app.inject({ method: 'GET', url: '/api/org/members', headers: bearer(other.access_token) })).statusCode).toBe(200);
    await setPlan(org, 'pro');
    expect((await server.app.inject({ method: 'GET', url: '/api/org/members', headers: bearer(u.access_token) })).statusCode).toBe(200);
  });

  it('member, asset and per-day quotas: 403 for counts, 429 for rates', async () => {
    const u = await registerUser(server.app);
    const org = u.user.organization.id;
    await setPlan(org, 'free', { members: 2, assets: 0, bids_per_day: 2 });
    const first = await server.app.inject({ method: 'POST', url: '/api/org/invitations', headers: bearer(u.access_token), payload: { email: uniqueEmail(), role: 'viewer' } });
    expect(first.statusCode).toBe(201);
    const second = await server.app.inject({ method: 'POST', url: '/api/org/invitations', headers: bearer(u.access_token), payload: { email: uniqueEmail(), role: 'viewer' } });
    expect(second.statusCode).toBe(403);
    expect(second.json().error.details[0]).toMatchObject({ metric: 'members', limit: 2, used: 2, resets_at: null });

    await expect(server.ctx.platform.quotas.check(org, 'assets')).rejects.toMatchObject({ statusCode: 403, code: 'quota_exceeded' });
    await expect(server.ctx.platform.quotas.check(org, 'bids_per_day')).resolves.toMatchObject({ used: 0, limit: 2 });
    await server.ctx.platform.quotas.recordUsage(org, 'bids', 2);
    await expect(server.ctx.platform.quotas.check(org, 'bids_per_day')).rejects.toMatchObject({ statusCode: 429 });
    const usage = (await server.app.inject({ method: 'GET', url: '/api/usage', headers: bearer(u.access_token) })).json();
    expect(usage.quotas.find((q: { metric: string }) => q.metric === 'bids_per_day')).toMatchObject({ used: 2, limit: 2, remaining: 0 });
  });

  it('feature flags: seeded flags, per-organisation override, rollout, all audited', async () => {
    const a = await registerUser(server.app);
    const b = await registerUser(server.app);
    const features = async (token: string) => (await server.app.inject({ method: 'GET', url: '/api/features', headers: bearer(token) })).json().features;
    expect(await features(a.access_token)).toMatchObject({ auction_clearing: true, own_forecast_model: false });

    const put = await server.app.inject({
      method: 'PUT',
      url: `/api/admin/features/own_forecast_model/overrides/${a.user.organization.id}`,
      headers: bearer(admin.access_token),
      payload: { enabled: true },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().overrides).toEqual([expect.objectContaining({ organization_id: a.user.organization.id, enabled: true })]);
    expect((await features(a.access_token)).own_forecast_model).toBe(true);
    expect((await features(b.access_token)).own_forecast_model).toBe(false);
    expect(await server.ctx.platform.flags.isEnabled(a.user.organization.id, 'own_forecast_model')).toBe(true);
    expect(await server.ctx.platform.flags.isEnabled(b.user.organization.id, 'own_forecast_model')).toBe(false);
    expect(await server.ctx.platform.flags.isEnabled(b.user.organization.id, 'no_such_flag')).toBe(false);

    const created = await server.app.inject({ method: 'POST', url: '/api/admin/features', headers: bearer(admin.access_token), payload: { key: 'half_rollout', enabled: true, rollout_percentage: 0 } });
    expect(created.statusCode).toBe(201);
    expect((await features(b.access_token)).half_rollout).toBe(false);
    await server.app.inject({ method: 'PATCH', url: '/api/admin/features/half_rollout', headers: bearer(admin.access_token), payload: { rollout_percentage: 100 } });
    expect((await features(b.access_token)).half_rollout).toBe(true);
    const off = await server.app.inject({ method: 'PATCH', url: '/api/admin/features/half_rollout', headers: bearer(admin.access_token), payload: { enabled: false } });
    expect(off.json()).toMatchObject({ enabled: false, rollout_percentage: 100 });
    expect((await features(b.access_token)).half_rollout).toBe(false);
    expect((await server.app.inject({ method: 'DELETE', url: '/api/admin/features/half_rollout', headers: bearer(admin.access_token) })).statusCode).toBe(200);

    const audit = await server.ctx.repos.audit.list({ organization_id: null, action: 'admin.feature_*', limit: 20 });
    expect(audit.map((r) => r.action)).toEqual(
      expect.arrayContaining(['admin.feature_override_set', 'admin.feature_created', 'admin.feature_changed', 'admin.feature_deleted']),
    );
    const changed = audit.find((r) => r.action === 'admin.feature_changed' && (r.details as { after?: { enabled?: boolean } }).after?.enabled === false);
    expect(changed?.details).toMatchObject({ before: { enabled: true, rollout_percentage: 100 } });
  });

  it('a monthly statement prorates the plan fee and totals the recorded usage', async () => {
    const u = await registerUser(server.app);
    const org = u.user.organization.id;
    await setPlan(org, 'pro');
    await server.ctx.platform.quotas.recordUsage(org, 'backtests', 4);
    for (let i = 0; i < 2; i++) await server.app.inject({ method: 'GET', url: '/api/org/members', headers: bearer(u.access_token) });
    const month = new Date().toISOString().slice(0, 7);
    const res = await server.app.inject({ method: 'GET', url: `/api/admin/statements?organization_id=${org}&month=${month}`, headers: bearer(admin.access_token) });
    expect(res.statusCode).toBe(200);
    const [s] = res.json().items;
    const dim = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();
    const daysBilled = dim - new Date().getUTCDate() + 1;
    expect(s).toMatchObject({ organization_id: org, month, plan: { id: 'pro', price_usd_per_month: 499 }, days_billed: daysBilled });
    expect(s.fee_usd).toBeCloseTo(Math.round(((499 * daysBilled) / dim) * 100) / 100, 2);
    expect(s.usage.find((l: { metric: string }) => l.metric === 'backtests').total).toBe(4);
    expect(s.usage.find((l: { metric: string }) => l.metric === 'api_requests').total).toBe(2);
  });
});
