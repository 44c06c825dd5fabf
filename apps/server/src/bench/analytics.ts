/**
 * Price statistics over 5 million rows, in PostgreSQL and in ClickHouse: the
 * same synthetic rows (5 hubs × 1,000,000 five-minute RT intervals, about 9.5
 * years each) loaded with COPY into a schema of their own in PostgreSQL
 * (BENCH_DATABASE_URL, else DATABASE_URL, else the local test server) and as
 * TabSeparated into a database of their own in ClickHouse (BENCH_ANALYTICS_URL,
 * else ANALYTICS_URL, else http://127.0.0.1:8123); then the statistics
 * `GET /api/prices/stats` computes, through each store's repository, for one
 * hub over one year and over its whole history. Both answers are compared, so
 * a fast wrong answer cannot pass. Everything it created is dropped after.
 */
import { scratchSchema } from './scratch-schema.js';
import { ClickHouse, tsvRows } from '../db/clickhouse.js';
import { openDatabase, type Database } from '../db/client.js';
import { migrate } from '../db/migrate.js';
// This bench measures the two stores' statistics queries alone, without the services around them.
// eslint-disable-next-line optibid/server-boundaries
import { AnalyticsPricesRepository } from '../db/repositories/analytics-prices.js';
// eslint-disable-next-line optibid/server-boundaries
import { PricesRepository, type PriceStats } from '../db/repositories/prices.js';
import { median } from './median.js';

const HUBS = 5;
const STEP_MS = 300_000;
const CHUNK = 250_000;
const T0 = Date.UTC(2016, 5, 1);
const TZ = 'America/New_York';

/** Row i of hub h: a daily and weekly shape, a trend, noise from a fixed hash, and some negative prices. */
function price(h: number, i: number): number {
  const hour = (i / 12) % 24;
  const x = Math.sin(i * 12.9898 + h * 78.233) * 43758.5453;
  const noise = (x - Math.floor(x) - 0.5) * 30;
  return Math.round((35 + 15 * Math.sin(((hour - 7) / 24) * 2 * Math.PI) + 5 * Math.sin(i / 2016) + h + noise) * 100) / 100;
}

function* chunks(perHub: number): Generator<{ pg: unknown[][]; ch: string }> {
  for (let h = 0; h < HUBS; h++) {
    for (let from = 0; from < perHub; from += CHUNK) {
      const pgRows: unknown[][] = [];
      const chRows: unknown[][] = [];
      for (let i = from; i < Math.min(perHub, from + CHUNK); i++) {
        const start = new Date(T0 + i * STEP_MS);
        const end = new Date(start.getTime() + STEP_MS);
        const lmp = price(h, i);
        pgRows.push(['PJM', `BENCH_HUB_${h}`, 'RT5', start, end, lmp, lmp - 2, 1.5, 0.5, 'bench']);
        chRows.push(['PJM', `BENCH_HUB_${h}`, 'RT5', start, end, lmp, lmp - 2, 1.5, 0.5, 'bench', 1]);
      }
      yield { pg: pgRows, ch: tsvRows(chRows) };
    }
  }
}

function same(a: PriceStats, b: PriceStats): boolean {
  const close = (x: number | null, y: number | null) => (x === null || y === null ? x === y : Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x)));
  return a.intervals === b.intervals && a.days === b.days && close(a.mean_usd_per_mwh, b.mean_usd_per_mwh) && close(a.std_usd_per_mwh, b.std_usd_per_mwh) && close(a.min_usd_per_mwh, b.min_usd_per_mwh) && close(a.max_usd_per_mwh, b.max_usd_per_mwh) && close(a.negative_price_hours, b.negative_price_hours) && close(a.mean_daily_spread_usd_per_mwh, b.mean_daily_spread_usd_per_mwh);
}

export async function benchAnalytics(
  rows = Number(process.env.BENCH_ANALYTICS_ROWS ?? 5_000_000),
  pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  chUrl = process.env.BENCH_ANALYTICS_URL ?? process.env.ANALYTICS_URL ?? 'http://127.0.0.1:8123',
): Promise<Record<string, number | string>> {
  const perHub = Math.floor(rows / HUBS);
  const out: Record<string, number | string> = { rows: perHub * HUBS, series: `${HUBS} hubs × ${perHub.toLocaleString('en-US')} five-minute intervals` };
  const schema = await scratchSchema(pgUrl);
  if ('error' in schema) {
    out.skipped = `PostgreSQL not reachable at ${pgUrl}: ${schema.error}`;
    return out;
  }
  const u = new URL(chUrl);
  u.pathname = `/${schema.name}`;
  const ch = new AnalyticsPricesRepository(new ClickHouse({ url: u.toString(), timeoutMs: 600_000 }));
  try {
    await ch.ensureSchema();
  } catch (err) {
    await schema.drop();
    out.skipped = `ClickHouse not reachable: ${(err as Error).message}`;
    return out;
  }
  let db: Database | null = null;
  try {
    out.clickhouse_version = await ch.version();
    db = await openDatabase({ url: pgUrl, pgOptions: schema.pgOptions, poolSize: 2 });
    await migrate(db);
    const pgPrices = new PricesRepository(db);
    let pgMs = 0;
    let chMs = 0;
    for (const c of chunks(perHub)) {
      let t = performance.now();
      await db.copyRows('prices', ['market', 'location', 'run', 'interval_start', 'interval_end', 'lmp_usd_per_mwh', 'energy_usd_per_mwh', 'congestion_usd_per_mwh', 'loss_usd_per_mwh', 'source'], c.pg);
      pgMs += performance.now() - t;
      t = performance.now();
      await ch.writeTsv(c.ch);
      chMs += performance.now() - t;
    }
    await db.exec('ANALYZE prices');
    out.postgres_copy_rows_per_s = Math.round((perHub * HUBS) / (pgMs / 1000));
    out.clickhouse_insert_rows_per_s = Math.round((perHub * HUBS) / (chMs / 1000));

    const lastMs = T0 + perHub * STEP_MS;
    const ranges: [string, Date, Date][] = [
      ['one hub, one year', new Date(Date.UTC(2020, 0, 1)), new Date(Date.UTC(2021, 0, 1))],
      [`one hub, all ${perHub.toLocaleString('en-US')} rows`, new Date(T0), new Date(lastMs)],
    ];
    for (const [label, start, end] of ranges) {
      const q = { market: 'PJM' as const, location: 'BENCH_HUB_2', run: 'RT5' as const, start, end, timezone: TZ };
      const a = await pgPrices.stats({ ...q, owner: null });
      const b = await ch.stats(q, 600_000);
      if (!same(a, b)) throw new Error(`${label}: the stores disagree: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      out[`${label}: intervals`] = a.intervals;
      out[`${label}: PostgreSQL median ms`] = await median(5, () => pgPrices.stats({ ...q, owner: null }));
      out[`${label}: ClickHouse median ms`] = await median(5, () => ch.stats(q, 600_000));
    }
  } finally {
    await db?.close().catch(() => undefined);
    await schema.drop();
    await ch.dropDatabase().catch(() => undefined);
  }
  return out;
}
