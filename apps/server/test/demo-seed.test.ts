/** The demo: organisation, users, real shifted history and assets, usable at once, and idempotent. */
import { addDaysYmd, localDateOf } from '@optibid/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/seed.js';
import { demoSeedSteps } from '../src/demo/steps.js';
import { DEMO_ASSETS } from '../src/demo/assets.js';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';

describeEachBackend('demo seed', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { DEMO_MODE: 'true' });
  });
  afterAll(async () => server?.close());

  it('creates the demo organisation, accounts and assets once; a second run changes nothing', async () => {
    const first = await seedDemo(server.ctx, demoSeedSteps());
    expect(first.created_users).toEqual(['admin@optibid.io', 'trader@optibid.io', 'analyst@optibid.io', 'viewer@optibid.io']);
    expect(first.steps.assets).toEqual({ created: DEMO_ASSETS.map((a) => a.name) });
    const second = await seedDemo(server.ctx, demoSeedSteps());
    expect(second.organization_id).toBe(first.organization_id);
    expect(second.created_users).toEqual([]);
    expect(second.steps.assets).toEqual({ created: [] });
    expect(second.steps.history).toHaveProperty('skipped');
    const meta = (await server.app.inject({ method: 'GET', url: '/api/meta' })).json();
    expect(meta.demo_mode).toBe(true);
    expect(meta.demo_accounts.map((a: { email: string }) => a.email)).toContain('admin@optibid.io');
  });

  it("lets the demo trader optimise tomorrow's bid for the Houston battery on the demo's day-ahead prices", async () => {
    const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'trader@optibid.io', password: 'trader123' } });
    expect(login.statusCode).toBe(200);
    const token = login.json().access_token;
    const assets = (await server.app.inject({ method: 'GET', url: '/api/assets', headers: bearer(token) })).json();
    const houston = assets.items.find((a: { name: string }) => a.name === 'Houston Battery');
    expect(houston).toMatchObject({ market: 'ERCOT', location: 'HB_HOUSTON', type: 'battery' });
    const tomorrow = addDaysYmd(localDateOf(new Date(), 'America/Chicago'), 1);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/optimize',
      headers: bearer(token),
      payload: { asset_id: houston.id, run: 'DA', delivery_date: tomorrow, price_source: { type: 'historical' } },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().expected_net_usd).toBeGreaterThanOrEqual(0);
    expect(res.json().bid_issues).toEqual([]);
  });
});
