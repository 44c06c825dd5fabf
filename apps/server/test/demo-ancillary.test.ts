/** Demo AS prices: the real ERCOT NP4-181-ER zip shifted by whole weeks to end tomorrow, stored once. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addDaysYmd, hoursInLocalDay, localDateOf, parseAncillaryPriceFile } from '@optibid/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemoAncillaryPrices } from '../src/demo/ancillary-history.js';
import { bearer, describeEachBackend, registerUser, startTestServer, type TestServer } from './helpers.js';

const ZIP = fileURLToPath(new URL('../../../packages/core/test-fixtures/ercot-2015/NP4-181-ER_DAMASMCPC_2015.zip', import.meta.url));

describeEachBackend('demo ancillary-service prices', (backend) => {
  let server: TestServer;
  let dir: string;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    token = (await registerUser(server.app)).access_token;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-as-'));
    fs.copyFileSync(ZIP, path.join(dir, path.basename(ZIP)));
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shifts the 2015 file by whole weeks so that it ends tomorrow, keeps weekdays and prices, and seeds once', async () => {
    const now = new Date('2026-12-04T15:00:00Z');
    const r = await seedDemoAncillaryPrices(server.ctx, now, dir);
    if (!('files' in r)) throw new Error(`skipped: ${r.skipped}`);
    const shift = r.files[0]!.shift_days;
    expect(shift % 7).toBe(0);
    const tomorrow = addDaysYmd(localDateOf(now, 'America/Chicago'), 1);
    const page = await server.app.inject({ url: `/api/ancillary-prices?market=ercot&start=${tomorrow}&end=${addDaysYmd(tomorrow, 1)}`, headers: bearer(token) });
    expect(page.statusCode).toBe(200);
    expect(page.json().products).toEqual(['NSPIN', 'REGDN', 'REGUP', 'RRS']);
    expect(page.json().items).toHaveLength(4 * hoursInLocalDay(tomorrow, 'America/Chicago'));
    const after = (await server.app.inject({ url: `/api/ancillary-prices?market=ercot&start=${addDaysYmd(tomorrow, 1)}&end=${addDaysYmd(tomorrow, 8)}`, headers: bearer(token) })).json();
    expect(after.items).toEqual([]);
    // 2015-12-31 was a Thursday: the shifted last day is a Thursday too.
    const lastDay = addDaysYmd('2015-12-31', shift);
    expect(new Date(`${lastDay}T12:00:00Z`).getUTCDay()).toBe(4);
    // The price at 2015-07-01 HE18 CDT (22:00 UTC) moved by the shift, unchanged.
    const original = parseAncillaryPriceFile({ name: 'z.zip', data: new Uint8Array(fs.readFileSync(ZIP)) })[0]!.rows.find(
      (x) => x.product === 'RRS' && x.interval_start.toISOString() === '2015-07-01T22:00:00.000Z',
    )!;
    const at = new Date(original.interval_start.getTime() + shift * 86_400_000);
    const moved = (await server.app.inject({ url: `/api/ancillary-prices?market=ercot&product=RRS&start=${at.toISOString()}&end=${new Date(at.getTime() + 3_600_000).toISOString()}`, headers: bearer(token) })).json();
    expect(moved.items).toHaveLength(1);
    expect(moved.items[0].price_usd_per_mw).toBe(original.price_usd_per_mw);
    expect(await seedDemoAncillaryPrices(server.ctx, new Date('2027-03-01T00:00:00Z'), dir)).toMatchObject({ skipped: expect.stringMatching(/already seeded/) });
  });
});
