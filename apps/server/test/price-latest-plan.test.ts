/**
 * `/api/prices/latest` never scans history (issue 16): with years of hourly prices stored, the
 * query behind it reads a handful of index entries per series, whatever the history's length.
 * Checked on the executed plan (EXPLAIN ANALYZE) of the repository's own SQL, on both backends:
 * no sequential scan, only the series indexes, and rows and pages touched proportional to the
 * number of series (PostgreSQL: ~300,000 rows; PGlite: ~100,000, for time).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { latestPricesSql, priceSeriesSql, PricesRepository, type PricePoint } from '../src/db/repositories/prices.js';
import { describeEachBackend } from './helpers.js';

const H = 3_600_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

function nodes(n: PlanNode): PlanNode[] {
  return [n, ...(n.Plans ?? []).flatMap(nodes)];
}

function hourly(location: string, fromMs: number, toMs: number, run: PricePoint['run'] = 'DA'): PricePoint[] {
  const rows: PricePoint[] = [];
  const step = run === 'RT5' ? 300_000 : H;
  for (let t = fromMs; t < toMs; t += step) {
    rows.push({ market: 'PJM', location, run, interval_start: new Date(t), interval_end: new Date(t + step), lmp_usd_per_mwh: 20 + ((t / step) % 31), energy_usd_per_mwh: null, congestion_usd_per_mwh: null, loss_usd_per_mwh: null, source: 'plan-test' });
  }
  return rows;
}

describeEachBackend('latest prices query plan', (backend) => {
  let db: Database;
  let repo: PricesRepository;
  let org: string;
  const hubs = backend.name === 'postgres' ? 12 : 4;
  const hour = Math.floor(Date.now() / H) * H;
  let stored = 0;

  beforeAll(async () => {
    db = await backend.open();
    await migrate(db);
    repo = new PricesRepository(db);
    const from = hour - 3 * 365 * 24 * H;
    // Three years of hourly DA per hub, including tomorrow's (published, not yet current).
    for (let i = 0; i < hubs; i++) stored += (await repo.upsert(hourly(`HUB ${i}`, from, hour + 48 * H))).inserted;
    stored += (await repo.upsert(hourly('HUB 0', hour - 20 * 24 * H, hour, 'RT5'))).inserted;
    // An organisation's own series: one of a shared hub, one only it has (the shared walk must not step through either).
    org = (await db.query<{ id: string }>(`INSERT INTO organizations (name) VALUES ('plan test') RETURNING id`))[0]!.id;
    stored += (await repo.upsert(hourly('HUB 1', hour - 365 * 24 * H, hour), { owner: org })).inserted;
    stored += (await repo.upsert(hourly('OWN NODE', hour - 2 * 365 * 24 * H, hour), { owner: org })).inserted;
    await db.query('ANALYZE prices');
  }, 600_000);
  afterAll(async () => db?.close());

  it('reads a few index entries per series and never the history', async () => {
    expect(stored).toBeGreaterThan(backend.name === 'postgres' ? 300_000 : 100_000);
    const [row] = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${latestPricesSql(null)}`, ['PJM', null]);
    const raw = row!['QUERY PLAN'];
    const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
    const all = nodes(plan[0]!.Plan);
    expect(all.filter((n) => n['Node Type'].includes('Seq Scan')), 'no sequential scan').toEqual([]);
    const onPrices = all.filter((n) => n['Relation Name'] === 'prices');
    expect(onPrices.length).toBeGreaterThan(0);
    for (const n of onPrices) expect(n['Index Name'], n['Node Type']).toBe('prices_shared_series_idx');
    const touched = onPrices.reduce((a, n) => a + ((n['Actual Rows'] ?? 0) + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) * (n['Actual Loops'] ?? 1), 0);
    const series = hubs + 1; // every hub's DA, and HUB 0's RT5
    // The walk: one row per series step; the newest two per series.
    expect(touched).toBeLessThanOrEqual(3 * series + 2);
    const pages = onPrices.reduce((a, n) => a + (n['Shared Hit Blocks'] ?? 0) + (n['Shared Read Blocks'] ?? 0), 0);
    const [size] = await db.query<{ pages: number }>(`SELECT sum(relpages)::int AS pages FROM pg_class WHERE relname IN ('prices', 'prices_shared_series_idx')`);
    expect(pages).toBeLessThan(Number(size!.pages) / 20);

    // And the answer is right: the current hour (not tomorrow's DA), with the hour before.
    const latest = await repo.latest('PJM');
    expect(latest).toHaveLength(series);
    const hub0 = latest.find((p) => p.location === 'HUB 0' && p.run === 'DA')!;
    const current = Math.floor(Date.now() / H) * H; // the hour may have turned since the rows were written
    expect(hub0.interval_start.getTime()).toBe(current);
    expect(hub0.previous_lmp_usd_per_mwh).toBe(20 + (((current - H) / H) % 31));
    expect(latest.find((p) => p.run === 'RT5')!.interval_start.getTime()).toBe(hour - 300_000);
    expect(latest.some((p) => p.location === 'OWN NODE')).toBe(false);
  });

  it("walks an organisation's own series in its own index", async () => {
    const [row] = await db.query<{ 'QUERY PLAN': unknown }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${priceSeriesSql(org)}`,
      ['PJM', org],
    );
    const raw = row!['QUERY PLAN'];
    const all = nodes(((typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[])[0]!.Plan);
    expect(all.filter((n) => n['Node Type'].includes('Seq Scan'))).toEqual([]);
    for (const n of all.filter((x) => x['Relation Name'] === 'prices')) expect(n['Index Name']).toBe('prices_own_series_idx');
    expect(await repo.series('PJM', org)).toEqual([
      { location: 'HUB 1', run: 'DA' },
      { location: 'OWN NODE', run: 'DA' },
    ]);
    expect((await repo.series('PJM')).map((s) => `${s.location} ${s.run}`)).toEqual([...Array.from({ length: hubs }, (_, i) => `HUB ${i} DA`).sort(), 'HUB 0 RT5'].sort());
  });
});
