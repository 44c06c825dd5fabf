/**
 * After ERCOT's 10:00 CT gate the next open day is the day after tomorrow, and the AS prices
 * the demo stores end tomorrow. In the simulated market (SIMULATION_MODE with
 * MARKET_DATA_SOURCE=simulated) clearing that day generates its AS clearing prices from the
 * stored history (core's simulateAncillaryPrices), stores them marked `simulated-da`, and
 * awards the bid's AS offers against them: 'complete'. With ISO data nothing is invented:
 * the same day stays 'partial', AS unpriced, energy standing. The optimiser's persistence
 * forecast reads the previous stored day before the clearing and the simulated day after it.
 */
import { addDaysYmd, localDayBoundsUtc } from '@optibid/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';
import { platformAdminToken } from './helpers-accounts.js';
import { createBattery, createDaBidWithAs, movableClock, newOrg, openErcotDay, storeDaPrices, type Org } from './trading-fixtures.js';

const TZ = 'America/Chicago';
const H = 3_600_000;
/** The stored AS history: per product, a price by local hour of day ($/MW). */
const HISTORY: Record<string, (h: number) => number> = { REGUP: (h) => 9.5 + (h % 4), REGDN: () => 8, RRS: (h) => 12 + (h % 3), NSPIN: () => 3 };
// The bid carries AS_OFFERS: RRS (2 ≤ ~12) and REGDN (1 ≤ ~8) clear whatever the perturbation; NSPIN (5 > ~3 + 0.34) never does.

// An hour after the gate of the day the wall clock would bid for: that day is now "tomorrow", the open one the day after.
const AT = openErcotDay().gate.getTime() + H;
const tomorrow = openErcotDay().date;
const open = openErcotDay(new Date(AT));

async function storeAsHistory(server: TestServer, lastDate: string, days: number) {
  const rows = [];
  for (let d = days - 1; d >= 0; d--) {
    const b = localDayBoundsUtc(addDaysYmd(lastDate, -d), TZ);
    for (let k = 0, t = b.start.getTime(); t < b.end.getTime(); k++, t += H) {
      for (const [product, price] of Object.entries(HISTORY)) {
        rows.push({ market: 'ERCOT' as const, zone: 'ERCOT', product, run: 'DA' as const, interval_start: new Date(t), interval_end: new Date(t + H), price_usd_per_mw: price(k) });
      }
    }
  }
  await server.ctx.repos.ancillaryPrices.upsert(rows, { source: 'test' });
}

describeEachBackend('AS clearing of a day without stored AS prices', (backend) => {
  for (const mode of ['simulated', 'iso'] as const) {
    describe(`MARKET_DATA_SOURCE=${mode}`, () => {
      const clock = movableClock();
      let server: TestServer;
      let org: Org;
      let platform: string;
      let battery: { id: string };
      let bidId: string;

      beforeAll(async () => {
        clock.standAt(AT);
        server = await startTestServer(backend, { SIMULATION_MODE: 'true', MARKET_DATA_SOURCE: mode }, { now: clock.now });
        org = await newOrg(server);
        platform = await platformAdminToken(server);
        battery = await createBattery(server, org.trader, `AS ${mode}`);
        // As the demo: a week of energy and AS history through tomorrow, nothing for the open day.
        for (let d = -7; d <= 0; d++) await storeDaPrices(server, addDaysYmd(tomorrow, d));
        await storeAsHistory(server, tomorrow, 7);
        const created = await createDaBidWithAs(server, org.trader, battery.id, open.date, open.hours);
        expect(created.statusCode, created.body).toBe(201);
        bidId = created.json().id;
        expect((await server.app.inject({ method: 'POST', url: `/api/bids/${bidId}/submit`, headers: bearer(org.trader) })).json().status).toBe('accepted');
      });
      afterAll(async () => server?.close());

      const optimize = (date: string) =>
        server.app.inject({ method: 'POST', url: '/api/optimize', headers: bearer(org.trader), payload: { asset_id: battery.id, run: 'DA', delivery_date: date, price_source: { type: 'forecast', model: 'naive' } } });
      const clear = () => server.app.inject({ method: 'POST', url: '/api/markets/ercot/clear', headers: bearer(platform), payload: { run: 'DA', delivery_date: open.date } });
      const asRowsOf = (date: string) => {
        const b = localDayBoundsUtc(date, TZ);
        return server.ctx.database.query<{ product: string; interval_start: Date; price_usd_per_mw: number; source: string }>(
          `SELECT product, interval_start, price_usd_per_mw, source FROM ancillary_prices WHERE market = 'ERCOT' AND interval_start >= $1 AND interval_start < $2 ORDER BY product, interval_start`,
          [b.start, b.end],
        );
      };
      const settlement = async (token: string) => (await server.app.inject({ url: `/api/settlements?start=${open.date}&end=${open.date}`, headers: bearer(token) })).json();

      it("the optimiser forecasts the open day's AS prices from tomorrow's stored ones (persistence)", async () => {
        const res = await optimize(open.date);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json().ancillary).toMatchObject({ price_source: 'stored_previous_day', as_price_zone: 'ERCOT', as_price_date: tomorrow });
      });

      if (mode === 'simulated') {
        it('clearing the open day simulates its AS prices from the stored history, stores them as simulated and awards the AS offers: complete', async () => {
          const res = await clear();
          expect(res.statusCode, res.body).toBe(200);
          const r = res.json();
          expect(r).toMatchObject({ status: 'complete', bids_cleared: 1, unpriced: [] });
          expect(r.simulated_prices).toEqual(
            expect.arrayContaining([
              { location: 'HB_HOUSTON', hours: open.hours },
              { location: 'ERCOT ancillary services', hours: open.hours },
            ]),
          );

          // Every product with history, every hour, within ±(8 % + 0.10 $/MW) of its hour-of-day history, marked simulated; ECRS has none.
          const stored = await asRowsOf(open.date);
          expect(stored).toHaveLength(Object.keys(HISTORY).length * open.hours);
          const start = localDayBoundsUtc(open.date, TZ).start.getTime();
          const price = new Map<string, number>();
          for (const row of stored) {
            expect(row.source).toBe('simulated-da');
            const k = Math.round((new Date(row.interval_start).getTime() - start) / H);
            const mean = HISTORY[row.product]!(k);
            expect(Math.abs(Number(row.price_usd_per_mw) - mean)).toBeLessThanOrEqual(0.08 * mean + 0.1 + 0.005);
            price.set(`${row.product}|${k}`, Number(row.price_usd_per_mw));
          }

          // Awards: RRS and REGDN 4 MW every hour at the simulated price, settled as capacity.
          const lines = (await settlement(org.viewer)).lines.filter((l: { kind: string }) => l.kind === 'as_capacity');
          expect(lines).toHaveLength(2 * open.hours);
          for (const l of lines) {
            const k = Math.round((Date.parse(l.interval_start) - start) / H);
            expect(['RRS', 'REGDN']).toContain(l.product);
            expect(l.mw).toBe(4);
            expect(l.price_usd_per_mw).toBe(price.get(`${l.product}|${k}`));
          }

          // A re-run reads the stored prices: nothing simulated again, the same awards.
          const again = (await clear()).json();
          expect(again).toMatchObject({ status: 'complete', newly_cleared: 0, simulated_prices: [] });
          expect(await asRowsOf(open.date)).toEqual(stored);
          // Another organisation sees none of it.
          expect((await settlement((await newOrg(server)).viewer)).lines).toEqual([]);
        });

        it("the day after reads the simulated day's AS prices as its persistence forecast", async () => {
          const res = await optimize(addDaysYmd(open.date, 1));
          expect(res.statusCode, res.body).toBe(200);
          expect(res.json().ancillary).toMatchObject({ price_source: 'stored_previous_day', as_price_zone: 'ERCOT', as_price_date: open.date });
        });
      } else {
        it('with ISO data nothing is invented: energy clears, the AS offers stay unpriced and the clearing partial', async () => {
          const res = await clear();
          expect(res.statusCode, res.body).toBe(200);
          const r = res.json();
          expect(r.status).toBe('partial');
          expect(r.simulated_prices).toEqual([{ location: 'HB_HOUSTON', hours: open.hours }]);
          expect(r.unpriced).toEqual([{ bid_id: bidId, location: 'ERCOT ancillary services', missing_periods: Array.from({ length: open.hours }, (_, k) => k) }]);
          expect(await asRowsOf(open.date)).toEqual([]);
          const lines = (await settlement(org.viewer)).lines;
          expect(lines.some((l: { kind: string }) => l.kind === 'da_energy')).toBe(true);
          expect(lines.some((l: { kind: string }) => l.kind === 'as_capacity')).toBe(false);
        });
      }
    });
  }
});
