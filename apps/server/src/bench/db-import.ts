/**
 * Import throughput into the prices table through the real repository (the
 * same upsert the API and CLI use), on PGlite and on PostgreSQL when reachable.
 */
import { scratchSchema } from './scratch-schema.js';
import { openDatabase, type Database } from '../db/client.js';
import { migrate } from '../db/migrate.js';
// This bench measures the prices repository alone, without the services around it.
// eslint-disable-next-line optibid/server-boundaries
import { PricesRepository, type PricePoint } from '../db/repositories/prices.js';

function syntheticRows(n: number): PricePoint[] {
  const rows: PricePoint[] = [];
  const t0 = Date.UTC(2024, 0, 1);
  const locations = 20;
  for (let i = 0; i < n; i++) {
    const loc = i % locations;
    const step = Math.floor(i / locations);
    const start = new Date(t0 + step * 300_000);
    const lmp = 30 + 20 * Math.sin(step / 12) + loc;
    rows.push({
      market: 'PJM',
      location: `NODE_${loc}`,
      run: 'RT5',
      interval_start: start,
      interval_end: new Date(start.getTime() + 300_000),
      lmp_usd_per_mwh: lmp,
      energy_usd_per_mwh: lmp - 2,
      congestion_usd_per_mwh: 1.5,
      loss_usd_per_mwh: 0.5,
      source: 'bench',
    });
  }
  return rows;
}

async function measure(db: Database, rows: PricePoint[]): Promise<{ insert_rows_per_s: number; reimport_rows_per_s: number }> {
  await migrate(db);
  const repo = new PricesRepository(db);
  let t = performance.now();
  await repo.upsert(rows);
  const insert = rows.length / ((performance.now() - t) / 1000);
  // Re-import with every tenth price corrected: updates plus revisions.
  const corrected = rows.map((r, i) => (i % 10 === 0 ? { ...r, lmp_usd_per_mwh: r.lmp_usd_per_mwh + 1 } : r));
  t = performance.now();
  await repo.upsert(corrected);
  const reimport = rows.length / ((performance.now() - t) / 1000);
  return { insert_rows_per_s: Math.round(insert), reimport_rows_per_s: Math.round(reimport) };
}

export async function benchDbImport(rowsCount = 200_000, pgUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'): Promise<Record<string, number | string>> {
  const rows = syntheticRows(rowsCount);
  const out: Record<string, number | string> = { rows: rowsCount };
  const lite = await openDatabase({});
  try {
    const r = await measure(lite, rows);
    out.pglite_insert_rows_per_s = r.insert_rows_per_s;
    out.pglite_reimport_rows_per_s = r.reimport_rows_per_s;
  } finally {
    await lite.close();
  }
  const schema = await scratchSchema(pgUrl);
  if ('error' in schema) {
    out.postgres = `not reachable at ${pgUrl}: ${schema.error}`;
    return out;
  }
  const db = await openDatabase({ url: pgUrl, pgOptions: schema.pgOptions, poolSize: 2 });
  try {
    const r = await measure(db, rows);
    out.postgres_insert_rows_per_s = r.insert_rows_per_s;
    out.postgres_reimport_rows_per_s = r.reimport_rows_per_s;
  } finally {
    await db.close();
    await schema.drop();
  }
  return out;
}
