import fs from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoHistory, weeklyShiftDays } from '../src/demo/history.js';
import { bearer, describeEachBackend, registerUser, startTestServer, type TestServer } from './helpers.js';
import { memberWithRole } from './helpers-accounts.js';
import { multipart } from './multipart.js';

const ERCOT_FILE = 'ercot_dam_hb_houston_2015-11-02_12-31.csv.gz';
const ercotBytes = () => new Uint8Array(fs.readFileSync(new URL(`./fixtures/${ERCOT_FILE}`, import.meta.url)));

describeEachBackend('market data API', (backend) => {
  let server: TestServer;
  let analyst: string;
  let viewer: string;
  let orgId: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    const owner = await registerUser(server.app);
    orgId = owner.user.organization.id;
    analyst = (await memberWithRole(server, owner.user.organization.id, 'analyst')).access_token;
    viewer = (await memberWithRole(server, owner.user.organization.id, 'viewer')).access_token;
  });
  afterAll(async () => server?.close());

  const importFiles = (token: string, files: { name: string; data: Uint8Array | string }[], fields: Record<string, string> = {}) => {
    const body = multipart(files, fields);
    return server.app.inject({ method: 'POST', url: '/api/prices/import', headers: { ...bearer(token), ...body.headers }, payload: body.payload });
  };

  it('lists the seven markets with their rules and locations', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/markets', headers: bearer(viewer) });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((m: { iso: string }) => m.iso).sort()).toEqual(['CAISO', 'ERCOT', 'ISONE', 'MISO', 'NYISO', 'PJM', 'SPP']);
    const miso = (await server.app.inject({ method: 'GET', url: '/api/markets/miso', headers: bearer(viewer) })).json();
    expect(miso.timezone).toBe('Etc/GMT+5');
    expect(miso.next_da_gate_closure.closes_at).toMatch(/Z$/);
    const locs = (await server.app.inject({ method: 'GET', url: '/api/markets/pjm/locations', headers: bearer(viewer) })).json();
    expect(locs.items.find((l: { iso_node_id?: string }) => l.iso_node_id === '51288')?.id).toBeTruthy();
    const unknown = await server.app.inject({ method: 'GET', url: '/api/markets/nem', headers: bearer(viewer) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toMatch(/market nem .*known markets: pjm/);
  });

  // An analyst's imports go into the organisation's own series (scope own); test/price-tenancy.test.ts covers the shared market.
  it('imports a real ISO file, reports counts, and keeps a revision when a corrected file is re-imported', async () => {
    const first = await importFiles(analyst, [{ name: ERCOT_FILE, data: ercotBytes() }]);
    expect(first.statusCode).toBe(200);
    const r1 = first.json();
    // 2015-11-02 .. 2015-12-31 = 60 days; 2015-11-01 (fall-back) is not in this excerpt: 60 × 24 rows.
    expect(r1.files[0]).toMatchObject({ format: 'ercot_dam_spp_yearly', rows: 1440, inserted: 1440, updated: 0, rejected: 0, markets: ['ERCOT'], locations: ['HB_HOUSTON'] });

    // The ISO republishes one corrected hour, plus a line it cannot parse.
    const text = gunzipSync(ercotBytes()).toString('utf8');
    const corrected = text.replace('11/02/2015,01:00,N,HB_HOUSTON,12.48', '11/02/2015,01:00,N,HB_HOUSTON,13.99') + '11/03/2015,xx:00,N,HB_HOUSTON,1\n';
    const second = (await importFiles(analyst, [{ name: 'corrected.csv.gz', data: gzipSync(corrected) }])).json();
    expect(second).toMatchObject({ inserted: 0, updated: 1, unchanged: 1439, rejected: 1 });
    expect(second.rejections[0]).toMatchObject({ file: 'corrected.csv', line: 1442 });
    const start = '2015-11-02T06:00:00.000Z'; // HE01 Central = 00:00 CST = 06:00 UTC
    const revisions = await server.ctx.repos.prices.revisions('ERCOT', 'HB_HOUSTON', 'DA', new Date(start), orgId);
    expect(revisions).toHaveLength(1);
    expect(revisions[0]!.lmp_usd_per_mwh).toBe(12.48);
    const now = (await server.app.inject({ method: 'GET', url: `/api/prices?market=ercot&location=hb_houston&start=${start}&end=2015-11-02T07:00:00Z&scope=own`, headers: bearer(viewer) })).json();
    expect(now.items).toEqual([expect.objectContaining({ interval_start: start, lmp_usd_per_mwh: 13.99, run: 'DA' })]);
  });

  it('queries native, hourly and daily series in market-local days, paged by cursor', async () => {
    const q = (extra: string) => server.app.inject({ method: 'GET', url: `/api/prices?market=ERCOT&location=HB_HOUSTON&run=DA&start=2015-11-10&end=2015-11-12&scope=own${extra}`, headers: bearer(viewer) });
    const native = (await q('&limit=30')).json();
    expect(native.items).toHaveLength(30);
    expect(native.items[0].interval_start).toBe('2015-11-10T06:00:00.000Z');
    const page2 = (await q(`&limit=30&cursor=${native.next_cursor}`)).json();
    expect(page2.items).toHaveLength(18);
    expect(page2.next_cursor).toBeNull();
    expect(page2.items[0].interval_start).toBe('2015-11-11T12:00:00.000Z');
    const daily = (await q('&resolution=daily')).json();
    expect(daily.items.map((d: { interval_start: string }) => d.interval_start)).toEqual(['2015-11-10T06:00:00.000Z', '2015-11-11T06:00:00.000Z']);
    const mean = [...native.items, ...page2.items].slice(0, 24).reduce((a: number, p: { lmp_usd_per_mwh: number }) => a + p.lmp_usd_per_mwh, 0) / 24;
    expect(daily.items[0].lmp_usd_per_mwh).toBeCloseTo(mean, 9);
    const hourly = (await q('&resolution=hourly')).json();
    expect(hourly.items).toHaveLength(48);
  });

  it('computes statistics and the latest price per location', async () => {
    const s = (await server.app.inject({ method: 'GET', url: '/api/prices/stats?market=ercot&location=HB_HOUSTON&start=2015-11-10&end=2015-11-12&scope=own', headers: bearer(viewer) })).json();
    expect(s.intervals).toBe(48);
    expect(s.days).toBe(2);
    expect(s.min_usd_per_mwh).toBeLessThanOrEqual(s.mean_usd_per_mwh);
    expect(s.negative_price_hours).toBe(0);
    expect(s.mean_daily_spread_usd_per_mwh).toBeGreaterThan(0);
  });

  it('answers bad queries with 4xx naming the problem', async () => {
    const get = (url: string) => server.app.inject({ method: 'GET', url, headers: bearer(viewer) });
    const loc = await get('/api/prices?market=ercot&location=HB_NOWHERE&start=2015-11-10&end=2015-11-12');
    expect(loc.statusCode).toBe(404);
    expect(loc.json().error.message).toBe('location HB_NOWHERE in ERCOT not found');
    const order = await get('/api/prices?market=ercot&location=HB_HOUSTON&start=2015-11-12&end=2015-11-10');
    expect(order.statusCode).toBe(400);
    expect(order.json().error.message).toMatch(/start .* must be before end/);
    const bad = await get('/api/prices?market=ercot&location=HB_HOUSTON&start=yesterday&end=2015-11-10');
    expect(bad.statusCode).toBe(400);
    const run = await get('/api/prices?market=ercot&location=HB_HOUSTON&run=RT99&start=2015-11-10&end=2015-11-12');
    expect(run.statusCode).toBe(400);
  });

  it('refuses an unknown file format naming the formats we read, and a viewer may not import', async () => {
    const res = await importFiles(analyst, [{ name: 'notes.txt', data: 'hello,world\n1,2\n' }]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/unknown price file format.*pjm_hrl_lmps/s);
    const denied = await importFiles(viewer, [{ name: ERCOT_FILE, data: ercotBytes() }]);
    expect(denied.statusCode).toBe(403);
  });
});

describe('demo history shift', () => {
  it('shifts by whole weeks so the newest day lands on tomorrow or up to six days later', () => {
    expect(weeklyShiftDays('2015-12-31', '2026-11-25') % 7).toBe(0);
    const shift = weeklyShiftDays('2026-11-20', '2026-11-25');
    expect(shift).toBe(7);
    expect(weeklyShiftDays('2026-11-26', '2026-11-25')).toBe(0);
  });
});

describeEachBackend('demo history seed', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => server?.close());

  it('loads every ISO, with DA up to tomorrow and nothing in the future for RT, and changes nothing the second time', async () => {
    const now = new Date();
    const state = await seedDemoHistory(server.ctx, now);
    expect('files' in state && state.files.length).toBeGreaterThanOrEqual(7);
    for (const iso of ['PJM', 'CAISO', 'ERCOT', 'NYISO', 'MISO', 'SPP', 'ISONE'] as const) {
      const locs = await server.ctx.repos.prices.locationsWithData(iso);
      expect(locs.length, iso).toBeGreaterThan(0);
      for (const l of locs) {
        if (l.run !== 'DA') expect(l.newest.getTime(), `${iso} ${l.location} ${l.run}`).toBeLessThanOrEqual(now.getTime());
        else expect(l.newest.getTime(), `${iso} DA`).toBeLessThanOrEqual(now.getTime() + 2 * 86_400_000);
      }
    }
    expect(await seedDemoHistory(server.ctx, now)).toHaveProperty('skipped');
  });
});
