/** The prices repository, with the same assertions on every database backend. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { PricesRepository, type PricePoint } from '../src/db/repositories/prices.js';
import type { Database } from '../src/db/client.js';
import { describeEachBackend } from './helpers.js';

const H = 3_600_000;
const point = (location: string, hour: number, lmp: number, extra: Partial<PricePoint> = {}): PricePoint => ({
  market: 'NYISO',
  location,
  run: 'DA',
  interval_start: new Date(Date.UTC(2020, 2, 8, 5) + hour * H),
  interval_end: new Date(Date.UTC(2020, 2, 8, 5) + (hour + 1) * H),
  lmp_usd_per_mwh: lmp,
  energy_usd_per_mwh: lmp - 1,
  congestion_usd_per_mwh: null,
  loss_usd_per_mwh: 1,
  source: 'test',
  ...extra,
});

describeEachBackend('prices repository contract', (backend) => {
  let db: Database;
  let repo: PricesRepository;
  beforeAll(async () => {
    db = await backend.open();
    await migrate(db);
    repo = new PricesRepository(db);
  });
  afterAll(async () => db?.close());

  it('bulk-loads new rows (COPY path) with awkward text and nulls intact', async () => {
    const loc = 'ZONE "A", east';
    const rows = Array.from({ length: 30 }, (_, h) => point(loc, h, 20 + h, { source: 'file,with "quotes".csv' }));
    expect(await repo.upsert(rows)).toEqual({ inserted: 30, updated: 0, unchanged: 0 });
    const back = await repo.recent('NYISO', loc, ['DA'], new Date(0), new Date(Date.UTC(2030, 0, 1)));
    expect(back).toHaveLength(30);
    expect(back[0]).toMatchObject({ location: loc, lmp_usd_per_mwh: 20, energy_usd_per_mwh: 19, congestion_usd_per_mwh: null, loss_usd_per_mwh: 1 });
  });

  it('upserts a mixed batch: new rows inserted, changed rows updated with a revision, equal rows untouched', async () => {
    const loc = 'MIXED';
    await repo.upsert([point(loc, 0, 10), point(loc, 1, 11)]);
    const r = await repo.upsert([point(loc, 0, 10), point(loc, 1, 12.5), point(loc, 2, 13), point(loc, 2, 14)]);
    // The duplicate key in one batch: the last occurrence wins and the first counts as unchanged.
    expect(r).toEqual({ inserted: 1, updated: 1, unchanged: 2 });
    const revs = await repo.revisions('NYISO', loc, 'DA', point(loc, 1, 0).interval_start);
    expect(revs.map((x) => x.lmp_usd_per_mwh)).toEqual([11]);
    const stored = await repo.recent('NYISO', loc, ['DA'], new Date(0), new Date(Date.UTC(2030, 0, 1)));
    expect(stored.map((x) => x.lmp_usd_per_mwh)).toEqual([10, 12.5, 14]);
  });

  it('aggregates daily in the market-local calendar (a 23-hour spring-forward day)', async () => {
    const loc = 'DST';
    // 2020-03-08 in New York has 23 hours: 05:00Z .. 04:00Z next day.
    await repo.upsert(Array.from({ length: 23 }, (_, h) => point(loc, h, h)));
    const daily = await repo.query({ market: 'NYISO', location: loc, run: 'DA', start: new Date('2020-03-08T05:00:00Z'), end: new Date('2020-03-09T04:00:00Z'), resolution: 'daily', timezone: 'America/New_York', limit: 10 });
    expect(daily).toHaveLength(1);
    expect(daily[0]!.interval_start.toISOString()).toBe('2020-03-08T05:00:00.000Z');
    expect(daily[0]!.interval_end.toISOString()).toBe('2020-03-09T04:00:00.000Z');
    expect(daily[0]!.lmp_usd_per_mwh).toBeCloseTo(11, 9);
    const stats = await repo.stats({ market: 'NYISO', location: loc, run: 'DA', start: new Date('2020-03-08T05:00:00Z'), end: new Date('2020-03-09T04:00:00Z'), timezone: 'America/New_York' });
    expect(stats).toMatchObject({ intervals: 23, days: 1, min_usd_per_mwh: 0, max_usd_per_mwh: 22, mean_daily_spread_usd_per_mwh: 22, negative_price_hours: 0 });
  });
});
