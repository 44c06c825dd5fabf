/**
 * Ancillary-service prices through the ordinary import path (API upload), stored as
 * their own series and served by GET /api/ancillary-prices; energy imports unchanged.
 * Files: ERCOT's real NP4-181-ER 2015 zip and SPP's DA-MCP (packages/core/test-fixtures).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, registerUser, startTestServer, uniqueEmail, type TestServer } from './helpers.js';
import { memberWithRole } from './helpers-accounts.js';
import { multipart } from './multipart.js';

const FIX = fileURLToPath(new URL('../../../packages/core/test-fixtures/', import.meta.url));
const read = (rel: string) => new Uint8Array(fs.readFileSync(`${FIX}/${rel}`));

describeEachBackend('ancillary-service prices', (backend) => {
  let server: TestServer;
  let analyst: string;
  let viewer: string;
  let admin: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    const owner = await registerUser(server.app);
    analyst = (await memberWithRole(server, owner.user.organization.id, 'analyst')).access_token;
    viewer = (await memberWithRole(server, owner.user.organization.id, 'viewer')).access_token;
    // AS clearing prices are market-wide: only the platform stores them through the API.
    const email = uniqueEmail('platform');
    await server.ctx.auth.createAccount({ email, password: 'platform-password-1', name: 'Platform', organization_name: 'Operator', role: 'owner', is_platform_admin: true });
    admin = (await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'platform-password-1' } })).json().access_token;
  });
  afterAll(async () => server?.close());

  it("refuses an organisation's AS price upload: the shared market's AS prices are the platform's", async () => {
    const res = await importFiles(analyst, [{ name: 'NP4-181-ER_DAMASMCPC_2015.zip', data: read('ercot-2015/NP4-181-ER_DAMASMCPC_2015.zip') }]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/market-wide/);
  });

  const importFiles = (token: string, files: { name: string; data: Uint8Array | string }[], fields: Record<string, string> = {}) => {
    const body = multipart(files, fields);
    return server.app.inject({ method: 'POST', url: '/api/prices/import', headers: { ...bearer(token), ...body.headers }, payload: body.payload });
  };
  const get = (url: string) => server.app.inject({ method: 'GET', url, headers: bearer(viewer) });

  it('imports the ERCOT NP4-181-ER yearly zip as four product series, not as energy', async () => {
    const res = await importFiles(admin, [{ name: 'NP4-181-ER_DAMASMCPC_2015.zip', data: read('ercot-2015/NP4-181-ER_DAMASMCPC_2015.zip') }]);
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.files).toHaveLength(1);
    expect(r.files[0]).toMatchObject({ format: 'ercot_dam_as_mcpc', rows: 4 * 8760, inserted: 4 * 8760, rejected: 0, markets: ['ERCOT'], locations: ['ERCOT'] });
    expect([...r.files[0].products].sort()).toEqual(['NSPIN', 'REGDN', 'REGUP', 'RRS']);
    // Nothing went into the energy series.
    const locations = (await get('/api/markets/ercot/locations')).json();
    expect(locations.items.filter((l: { has_data: boolean }) => l.has_data)).toEqual([]);

    // Re-import: every row unchanged.
    const again = (await importFiles(admin, [{ name: 'again.zip', data: read('ercot-2015/NP4-181-ER_DAMASMCPC_2015.zip') }])).json();
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 4 * 8760 });
  });

  it('serves a market-local day of one product, and every product by default', async () => {
    // 2015-11-01 is Central fall-back: 25 hours.
    const one = await get('/api/ancillary-prices?market=ercot&product=regup&start=2015-11-01&end=2015-11-02');
    expect(one.statusCode).toBe(200);
    const page = one.json();
    expect(page).toMatchObject({ market: 'ERCOT', zone: 'ERCOT', run: 'DA', zones: ['ERCOT'], products: ['REGUP'] });
    expect(page.items).toHaveLength(25);
    expect(page.items[0].interval_start).toBe('2015-11-01T05:00:00.000Z');
    for (const it of page.items) expect(Number.isFinite(it.price_usd_per_mw)).toBe(true);
    const all = (await get('/api/ancillary-prices?market=ERCOT&start=2015-03-08&end=2015-03-09')).json();
    expect(all.products).toEqual(['NSPIN', 'REGDN', 'REGUP', 'RRS']);
    expect(all.items).toHaveLength(4 * 23); // spring-forward day
    // HE01 of 2015-01-01 Central is 06:00–07:00 UTC.
    const jan = (await get('/api/ancillary-prices?market=ercot&product=RRS&start=2015-01-01T06:00:00Z&end=2015-01-01T07:00:00Z')).json();
    expect(jan.items).toHaveLength(1);
    expect(jan.items[0].interval_end).toBe('2015-01-01T07:00:00.000Z');
  });

  it('imports SPP DA-MCP per reserve zone and serves a chosen zone', async () => {
    const r = (await importFiles(admin, [{ name: 'DA-MCP-202202010100.csv', data: read('market-data/spp/DA-MCP-202202010100.csv') }])).json();
    // 144 lines (24 hours × 6 zones) × 4 products.
    expect(r.files[0]).toMatchObject({ format: 'spp_da_mcp', rows: 576, inserted: 576, markets: ['SPP'] });
    const page = (await get('/api/ancillary-prices?market=spp&zone=1&product=RegUP&start=2022-02-01&end=2022-02-02')).json();
    expect(page.zone).toBe('1');
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items[0].price_usd_per_mw).toBeCloseTo(4.0558, 6);
  });

  it('keeps energy imports as they were, and an explicit AS format is honoured', async () => {
    const energy = (await importFiles(admin, [{ name: 'spp.csv.gz', data: read('market-data/spp/DA-LMP-SL_hubs_2022-03-12_14.csv.gz') }])).json();
    expect(energy.files[0].format).toBe('spp_lmp_sl');
    expect(energy.files[0].products).toBeUndefined();
    const forced = (await importFiles(admin, [{ name: 'mcp.csv', data: read('market-data/spp/DA-MCP-202203130100.csv') }], { format: 'spp_da_mcp' })).json();
    // 138 lines (23 hours × 6 zones) × 6 products (RampUP/RampDN appear that day).
    expect(forced.files[0]).toMatchObject({ format: 'spp_da_mcp', rows: 828 });
    const wrong = await importFiles(admin, [{ name: 'mcp.csv', data: read('market-data/spp/DA-MCP-202203130100.csv') }], { format: 'ercot_dam_as_mcpc' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.message).toMatch(/spp_da_mcp, not ercot_dam_as_mcpc/);
    const junk = await importFiles(admin, [{ name: 'x.csv', data: 'a,b\n1,2\n' }]);
    expect(junk.statusCode).toBe(400);
    expect(junk.json().error.message).toMatch(/unknown price file format/);
  });

  it('answers bad requests with 4xx and a message', async () => {
    expect((await get('/api/ancillary-prices?market=ercot&zone=NORTH&start=2015-01-01&end=2015-01-02')).statusCode).toBe(404);
    const p = await get('/api/ancillary-prices?market=ercot&product=ECRS&start=2015-01-01&end=2015-01-02');
    expect(p.statusCode).toBe(404);
    expect(p.json().error.message).toMatch(/ECRS .*products with prices: NSPIN, REGDN, REGUP, RRS/);
    expect((await get('/api/ancillary-prices?market=ercot&start=2015-01-01&end=2016-06-01')).statusCode).toBe(400);
    expect((await get('/api/ancillary-prices?market=ercot&start=2015-01-02&end=2015-01-01')).statusCode).toBe(400);
    expect((await get('/api/ancillary-prices?market=nem&start=2015-01-01&end=2015-01-02')).statusCode).toBe(404);
    const empty = (await get('/api/ancillary-prices?market=pjm&start=2025-01-01&end=2025-01-02')).json();
    expect(empty).toMatchObject({ market: 'PJM', zones: [], items: [] });
  });
});
