/**
 * GET /api/bids/export and `optibid bids export` (in-process on the same services):
 * an organisation's submitted ERCOT energy and AS offers as EWS BidSet XML, never another's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bidsExport, outPaths } from '../src/cli/commands/bids.js';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { BATTERY, newOrg, openErcotDay, type Org } from './trading-fixtures.js';

const HALF_CURVE = [
  { mw: -5, price_usd_per_mwh: 20 },
  { mw: 5, price_usd_per_mwh: 50 },
];

describeEachBackend('bid export (ERCOT EWS)', (backend) => {
  let server: TestServer;
  let a: Org;
  let b: Org;
  let orgName: string;
  const day = openErcotDay();
  const curves = Array.from({ length: day.hours }, () => HALF_CURVE);
  const offers = curves.map((_, h) => (h === 17 ? [{ product: 'REGUP', mw: 3, price_usd_per_mw: 0 }, { product: 'RRS', mw: 2, price_usd_per_mw: 1.5 }] : []));

  async function battery(org: Org, name: string, params: Record<string, unknown> = {}): Promise<string> {
    const res = await server.app.inject({ method: 'POST', url: '/api/assets', headers: bearer(org.trader), payload: { name, type: 'battery', market: 'ercot', location: 'HB_HOUSTON', params: { ...BATTERY, ...params } } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }
  async function bid(org: Org, assetId: string, submit: boolean, as_offers?: unknown): Promise<string> {
    const c = await server.app.inject({ method: 'POST', url: '/api/bids', headers: bearer(org.trader), payload: { asset_id: assetId, run: 'DA', delivery_date: day.date, curves, as_offers } });
    expect(c.statusCode, c.body).toBe(201);
    if (submit) {
      const s = await server.app.inject({ method: 'POST', url: `/api/bids/${c.json().id}/submit`, headers: bearer(org.trader) });
      expect(s.json().status, s.body).toBe('accepted');
    }
    return c.json().id;
  }
  const get = (org: Org, query: string) => server.app.inject({ url: `/api/bids/export?${query}`, headers: bearer(org.viewer) });

  beforeAll(async () => {
    server = await startTestServer(backend);
    a = await newOrg(server);
    b = await newOrg(server);
    orgName = (await server.ctx.repos.accounts.findOrganization(a.id))!.name;
    await bid(a, await battery(a, 'Named ESR', { resource_name: 'HOU_ESR1' }), true, offers);
    await bid(a, await battery(a, 'Houston draft'), false, offers); // a draft is not exported
    await bid(b, await battery(b, 'Other org', { resource_name: 'OTHER_ESR9' }), true, offers);
  });
  afterAll(async () => server?.close());

  it("returns the organisation's offers as one BidSet per transaction type, in the delivery date's form", async () => {
    const res = await get(a, `market=ERCOT&delivery_date=${day.date}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    // From RTC+B (2025-12-05) a battery is one energy storage resource: ThreePartOffer + ASOffer, no EnergyBid.
    expect(body.form).toBe('energy_storage_resource');
    expect(body.documents.map((d: { transaction: string }) => d.transaction)).toEqual(['ThreePartOffer', 'ASOffer']);
    expect(body.resources).toHaveLength(1);
    expect(body.resources[0]).toMatchObject({ resource: 'HOU_ESR1', derived_name: false, load_resource: null });
    const all = body.documents.map((d: { xml: string }) => d.xml).join('\n');
    expect(all).toMatch(/^<\?xml/);
    expect(all).toContain('HOU_ESR1');
    expect(all).not.toContain('OTHER_ESR9');
    expect(all).not.toContain('HOUSTON_DRAFT');
    const aso = body.documents[1].xml as string;
    expect(aso).toMatch(/REGUP/);
    expect(aso).toMatch(/RRS/);
  });

  it('returns one document as application/xml with ?transaction=, 404 for a type the day has none of', async () => {
    const res = await get(a, `market=ERCOT&delivery_date=${day.date}&transaction=ASOffer`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    expect(res.body).toMatch(/^<\?xml[\s\S]*<BidSet[\s\S]*HOU_ESR1/);
    const none = await get(a, `market=ERCOT&delivery_date=${day.date}&transaction=EnergyBid`);
    expect(none.statusCode).toBe(404);
    expect(none.json().error.message).toMatch(/EnergyBid/);
  });

  it('answers 422 for a market without an export format and 404 for a day without submitted bids; tenancy holds', async () => {
    const caiso = await get(a, `market=CAISO&delivery_date=${day.date}`);
    expect(caiso.statusCode).toBe(422);
    expect(caiso.json().error.message).toMatch(/ERCOT only/);
    const empty = await get(a, `market=ERCOT&delivery_date=2020-01-01`);
    expect(empty.statusCode).toBe(404);
    expect(empty.json().error.message).toMatch(/2020-01-01/);
    const other = (await get(b, `market=ERCOT&delivery_date=${day.date}`)).json();
    expect(other.resources.map((r: { resource: string }) => r.resource)).toEqual(['OTHER_ESR9']);
    expect(other.documents.map((d: { xml: string }) => d.xml).join('')).not.toContain('HOU_ESR1');
    expect((await server.app.inject({ url: `/api/bids/export?market=ERCOT&delivery_date=${day.date}` })).statusCode).toBe(401);
  });

  it('optibid bids export prints the JSON, one XML alone, or writes the documents with --out', async () => {
    const json = await bidsExport(server.ctx, { market: 'ERCOT', date: day.date, organization: orgName });
    const parsed = JSON.parse(json.stdout);
    expect(parsed.organization_id).toBe(a.id);
    expect(parsed.documents).toHaveLength(2);
    const xml = await bidsExport(server.ctx, { market: 'ercot', date: day.date, organization: a.id, transaction: 'ThreePartOffer' });
    expect(xml.stdout).toMatch(/^<\?xml[\s\S]*ThreePartOffer[\s\S]*HOU_ESR1/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-export-'));
    const out = await bidsExport(server.ctx, { market: 'ERCOT', date: day.date, organization: orgName, out: path.join(dir, 'offers.xml') });
    expect(out.written.map((f) => path.basename(f))).toEqual(['offers-ThreePartOffer.xml', 'offers-ASOffer.xml']);
    expect(fs.readFileSync(out.written[1]!, 'utf8')).toBe(parsed.documents[1].xml);
    expect(outPaths('x.xml', ['ASOffer'])).toEqual(['x.xml']);
    await expect(bidsExport(server.ctx, { market: 'ERCOT', date: day.date, organization: 'no such org' })).rejects.toThrow(/not found/);
    await expect(bidsExport(server.ctx, { market: 'ERCOT', date: '2020-01-01', organization: orgName })).rejects.toThrow(/2020-01-01/);
  });
});
