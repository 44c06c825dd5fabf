/**
 * Market data has an owner (issue 13, finding 1): an organisation's price import goes into its own
 * series, which only it reads (scope=own); the shared market that clearing and every organisation
 * read is written only by the platform.
 */
import { addDaysYmd, localDayBoundsUtc } from '@optibid/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, registerUser, startTestServer, uniqueEmail, type TestServer } from './helpers.js';
import { multipart } from './multipart.js';
import { PJM_TZ, pjmToday, westernHubCsv } from './pjm-fixtures.js';


describeEachBackend('price series owners', (backend) => {
  let server: TestServer;
  let orgA: string; // an organisation owner who imports
  let orgAId: string;
  let orgB: string; // another organisation
  let admin: string; // a platform admin
  const today = pjmToday();
  const tomorrow = addDaysYmd(today, 1);
  const yesterday = addDaysYmd(today, -1);

  beforeAll(async () => {
    server = await startTestServer(backend);
    const a = await registerUser(server.app);
    orgA = a.access_token;
    orgAId = a.user.organization.id;
    orgB = (await registerUser(server.app)).access_token;
    const email = uniqueEmail('platform');
    await server.ctx.auth.createAccount({ email, password: 'platform-password-1', name: 'Platform', organization_name: 'Operator', role: 'owner', is_platform_admin: true });
    admin = (await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'platform-password-1' } })).json().access_token;
  });
  afterAll(async () => server?.close());

  const importCsv = (token: string, name: string, csv: string, fields: Record<string, string> = {}) => {
    const body = multipart([{ name, data: csv }], { format: 'gridstatus_lmp', market: 'PJM', ...fields });
    return server.app.inject({ method: 'POST', url: '/api/prices/import', headers: { ...bearer(token), ...body.headers }, payload: body.payload });
  };
  const get = (token: string, url: string) => server.app.inject({ method: 'GET', url, headers: bearer(token) });
  const series = (date: string, extra = '') => `/api/prices?market=pjm&location=WESTERN%20HUB&start=${date}&end=${addDaysYmd(date, 1)}${extra}`;

  it("an organisation's $1,999 import changes neither another organisation's view nor clearing's; its owner reads it with scope=own", async () => {
    // The platform's history: yesterday at 27.39.
    const shared = await importCsv(admin, 'history.csv', westernHubCsv(yesterday, () => 27.39));
    expect(shared.statusCode, shared.body).toBe(200);
    expect(shared.json()).toMatchObject({ scope: 'shared', inserted: 24 });

    // Organisation A uploads tomorrow at $1,999 and rewrites yesterday at −150.
    const spike = await importCsv(orgA, 'spike.csv', westernHubCsv(tomorrow, () => 1999));
    expect(spike.statusCode, spike.body).toBe(200);
    expect(spike.json()).toMatchObject({ scope: 'own', inserted: 24, updated: 0 });
    const rewrite = await importCsv(orgA, 'rewrite.csv', westernHubCsv(yesterday, () => -150));
    expect(rewrite.json()).toMatchObject({ scope: 'own', inserted: 24, updated: 0 });
    // Asking to write the shared market is refused.
    const refused = await importCsv(orgA, 'spike.csv', westernHubCsv(tomorrow, () => 1999), { scope: 'shared' });
    expect(refused.statusCode).toBe(403);

    // Another organisation, and A by default, read the shared market: no 1999, no −150.
    for (const token of [orgB, orgA]) {
      const next = (await get(token, series(tomorrow))).json();
      expect(next).toMatchObject({ scope: 'shared', items: [] });
      const past = (await get(token, series(yesterday))).json();
      expect(past.items).toHaveLength(24);
      expect(past.items.every((p: { lmp_usd_per_mwh: number }) => Math.abs(p.lmp_usd_per_mwh - 27.39) < 1e-9)).toBe(true);
      const stats = (await get(token, `/api/prices/stats?market=pjm&location=WESTERN%20HUB&start=${yesterday}&end=${addDaysYmd(tomorrow, 1)}`)).json();
      expect(stats).toMatchObject({ intervals: 24 });
      expect(stats.max_usd_per_mwh).toBeCloseTo(27.39, 9);
      const latest = (await get(token, '/api/prices/latest?market=pjm')).json();
      const hub = latest.items.filter((p: { location: string }) => p.location === 'WESTERN HUB');
      expect(hub.every((p: { lmp_usd_per_mwh: number }) => Math.abs(p.lmp_usd_per_mwh - 27.39) < 1e-9)).toBe(true);
    }
    // Clearing reads the shared series through the repository's default owner.
    const day = localDayBoundsUtc(tomorrow, PJM_TZ);
    expect(await server.ctx.repos.prices.recent('PJM', 'WESTERN HUB', ['DA'], day.start, day.end)).toEqual([]);

    // A sees its own series only when it asks, labelled as such.
    const own = (await get(orgA, series(tomorrow, '&scope=own'))).json();
    expect(own.scope).toBe('own');
    expect(own.items).toHaveLength(24);
    expect(own.items.every((p: { lmp_usd_per_mwh: number }) => p.lmp_usd_per_mwh === 1999)).toBe(true);
    const ownPast = (await get(orgA, series(yesterday, '&scope=own'))).json();
    expect(ownPast.items.every((p: { lmp_usd_per_mwh: number }) => p.lmp_usd_per_mwh === -150)).toBe(true);
    const ownStats = (await get(orgA, `/api/prices/stats?market=pjm&location=WESTERN%20HUB&start=${tomorrow}&end=${addDaysYmd(tomorrow, 1)}&scope=own`)).json();
    expect(ownStats).toMatchObject({ intervals: 24, max_usd_per_mwh: 1999 });
    // B's own series is empty: A's is not B's.
    expect((await get(orgB, series(tomorrow, '&scope=own'))).json().items).toEqual([]);
    expect(await server.ctx.repos.prices.recent('PJM', 'WESTERN HUB', ['DA'], day.start, day.end, orgAId)).toHaveLength(24);
  });

  it("a platform admin's import changes the shared market, with a revision kept", async () => {
    const res = await importCsv(admin, 'correction.csv', westernHubCsv(yesterday, (h) => (h === 0 ? 31.5 : 27.39)));
    expect(res.json()).toMatchObject({ scope: 'shared', updated: 1, unchanged: 23 });
    const seen = (await get(orgB, series(yesterday))).json();
    expect(seen.items[0].lmp_usd_per_mwh).toBe(31.5);
    const first = new Date(seen.items[0].interval_start);
    const revisions = await server.ctx.repos.prices.revisions('PJM', 'WESTERN HUB', 'DA', first);
    expect(revisions.map((r) => r.lmp_usd_per_mwh)).toEqual([27.39]);
    // A's own series did not move.
    const ownPast = (await get(orgA, series(yesterday, '&scope=own'))).json();
    expect(ownPast.items[0].lmp_usd_per_mwh).toBe(-150);
  });
});
