/**
 * P&L over a year of settled days, from the per-request settlement on PostgreSQL
 * and from the settlement ledger in ClickHouse: one organisation, two ERCOT
 * HB_HOUSTON batteries, every day of 2025 cleared (charge at hours 2–3, discharge
 * at 18–19: 17,520 DA awards), a year of RT15 prices at the hub and a meter reading
 * of each battery's hour 18 every day. Data goes into a PostgreSQL schema of its own
 * (BENCH_DATABASE_URL, else DATABASE_URL, else the local test server) and a
 * ClickHouse database of its own (BENCH_ANALYTICS_URL, else ANALYTICS_URL, else
 * http://127.0.0.1:8123), both dropped after. Both paths run through the services
 * (SettlementService.pnl), and their answers are compared, so a fast wrong one fails.
 * The per-request settlement of a year takes tens of seconds (it matches RT prices to
 * awards interval by interval), so it is timed once, not as a median.
 */
import { randomUUID } from 'node:crypto';
import { scratchSchema } from './scratch-schema.js';
import { localDayBoundsUtc, addDaysYmd, type PnlGroupBy } from '@optibid/core';
import type { PnlView } from '@optibid/contracts';
import { loadConfig } from '../config/index.js';
import { openDatabase, type Database } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { createServices, type Services } from '../services.js';
import { median } from './median.js';

const ASSETS = 2;
const FIRST = '2025-01-01';
const LAST = '2025-12-31';
const TZ = 'America/Chicago';
const H = 3_600_000;
const BATTERY = { charge_power_mw: 10, discharge_power_mw: 10, energy_mwh: 40, charge_efficiency: 0.95, discharge_efficiency: 0.95, soc_min_mwh: 4, soc_max_mwh: 40, soc_initial_mwh: 20, degradation_cost_usd_per_mwh: 2, max_cycles_per_day: 2 };

/** A day's DA price shape with a slow seasonal term, so each day differs. */
const daPrice = (k: number, d: number) => 30 + 20 * Math.sin(((k - 7) / 24) * 2 * Math.PI) + 8 * Math.sin(d / 29);
const awardMw = (k: number) => (k === 2 || k === 3 ? -10 : k === 18 || k === 19 ? 10 : 0);

/**
 * The year's rows, written straight into the tables the clearing would have filled (a bench
 * fixture, as bench/analytics.ts loads prices with COPY).
 */
async function load(db: Database): Promise<{ organization_id: string }> {
  const [org] = await db.query<{ id: string }>(`INSERT INTO organizations (name) VALUES ('P&L bench') RETURNING id::text AS id`);
  const orgId = org!.id;
  const assetIds: string[] = [];
  for (let a = 0; a < ASSETS; a++) {
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO assets (organization_id, name, type, market, location, params) VALUES ($1, $2, 'battery', 'ERCOT', 'HB_HOUSTON', $3::jsonb) RETURNING id::text AS id`,
      [orgId, `bench battery ${a + 1}`, JSON.stringify(BATTERY)],
    );
    assetIds.push(row!.id);
  }
  const bids: unknown[][] = [];
  const awards: unknown[][] = [];
  const prices: unknown[][] = [];
  const telemetry: unknown[][] = [];
  let d = 0;
  for (let day = FIRST; day <= LAST; day = addDaysYmd(day, 1), d++) {
    const { start, end } = localDayBoundsUtc(day, TZ);
    const hours = Math.round((end.getTime() - start.getTime()) / H);
    for (let q = 0; q < hours * 4; q++) {
      const t = new Date(start.getTime() + q * 900_000);
      prices.push(['ERCOT', 'HB_HOUSTON', 'RT15', t, new Date(t.getTime() + 900_000), daPrice(Math.floor(q / 4), d) + 5 * Math.sin(q), 'bench']);
    }
    for (const assetId of assetIds) {
      const bidId = randomUUID();
      bids.push([bidId, orgId, assetId, 'ERCOT', 'HB_HOUSTON', 'DA', 'storage', day, '[]', 'settled', start]);
      for (let k = 0; k < hours; k++) awards.push([bidId, k, orgId, assetId, 'ERCOT', 'HB_HOUSTON', 'DA', day, new Date(start.getTime() + k * H), 1, awardMw(k), daPrice(k, d), 'price_taker']);
      for (let q = 0; q < 4; q++) telemetry.push([orgId, assetId, new Date(start.getTime() + 18 * H + q * 900_000), 8 + (d % 3)]);
    }
  }
  await db.copyRows('bids', ['id', 'organization_id', 'asset_id', 'market', 'location', 'run', 'side', 'delivery_date', 'curves', 'status', 'gate_closure'], bids);
  await db.copyRows('bid_awards', ['bid_id', 'period', 'organization_id', 'asset_id', 'market', 'location', 'run', 'delivery_date', 'interval_start', 'duration_h', 'awarded_mw', 'price_usd_per_mwh', 'mode'], awards);
  await db.copyRows('prices', ['market', 'location', 'run', 'interval_start', 'interval_end', 'lmp_usd_per_mwh', 'source'], prices);
  await db.copyRows('asset_telemetry', ['organization_id', 'asset_id', 'interval_start', 'delivered_mw'], telemetry);
  await db.exec('ANALYZE');
  return { organization_id: orgId };
}

function same(a: PnlView, b: PnlView): boolean {
  const close = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? x === y : Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y)));
  const rowSame = (x: PnlView['totals'], y: PnlView['totals']) => x.key === y.key && close(x.net_usd, y.net_usd) && close(x.revenue_usd, y.revenue_usd) && close(x.cost_usd, y.cost_usd) && close(x.mwh_sold, y.mwh_sold) && close(x.cycles, y.cycles);
  return a.rows.length === b.rows.length && a.rows.every((r, i) => rowSame(r, b.rows[i]!)) && rowSame(a.totals, b.totals);
}

export async function benchPnlAnalytics(
  pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  chUrl = process.env.BENCH_ANALYTICS_URL ?? process.env.ANALYTICS_URL ?? 'http://127.0.0.1:8123',
): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = { data: `${ASSETS} batteries × 365 days: ${(ASSETS * 8760).toLocaleString('en-US')} DA awards, 35,040 RT15 prices, daily meter readings` };
  const schema = await scratchSchema(pgUrl);
  if ('error' in schema) {
    out.skipped = `PostgreSQL not reachable at ${pgUrl}: ${schema.error}`;
    return out;
  }
  const u = new URL(chUrl);
  u.pathname = `/${schema.name}`;
  let db: Database | null = null;
  let withLedger: Services | null = null;
  let plain: Services | null = null;
  try {
    db = await openDatabase({ url: pgUrl, pgOptions: schema.pgOptions, poolSize: 4 });
    await migrate(db);
    const { organization_id } = await load(db);
    const env = { OPTIBID_ENV: 'test', DEMO_MODE: 'false', SIMULATION_MODE: 'false', LOG_LEVEL: 'silent', DATABASE_URL: pgUrl };
    // No overlap: the year was written just now, and with the default 120 s every read of it would go to PostgreSQL
    // until two minutes after the backfill (the freshness check still runs on each ledger read, and is timed with it).
    withLedger = await createServices(loadConfig({ ...env, ANALYTICS_URL: u.toString() }), { database: db, migrate: false, analytics: { pnl: { overlapMs: 0, readMarginMs: 0 } } });
    plain = await createServices(loadConfig(env), { database: db, migrate: false });
    const analytics = withLedger.analytics!;
    if (!(await analytics.pnl.ensureSchema())) {
      out.skipped = `ClickHouse not reachable at ${chUrl}`;
      return out;
    }
    let t = performance.now();
    const report = await analytics.pnlSync.backfill();
    out['ledger backfill: days, entries'] = `${report.days}, ${report.entries}`;
    out['ledger backfill s'] = Math.round(performance.now() - t) / 1000;
    const actor = { organization_id, user_id: null };
    for (const group_by of ['day', 'asset'] as PnlGroupBy[]) {
      const q = { start: FIRST, end: LAST, group_by };
      t = performance.now();
      const a = await plain.trading.settlement.pnl(actor, q);
      if (group_by === 'day') out['year by day: PostgreSQL (settled per request) ms, one run'] = Math.round(performance.now() - t);
      // The ledger answers while its last sync is recent: sync again after the long PostgreSQL run.
      await analytics.pnlSync.run();
      const before = analytics.pnl.served.clickhouse;
      const b = await withLedger.trading.settlement.pnl(actor, q);
      if (analytics.pnl.served.clickhouse !== before + 1) throw new Error('the ledger did not answer');
      if (!same(b, a)) throw new Error(`group_by=${group_by}: the stores disagree: ${JSON.stringify(a.totals)} vs ${JSON.stringify(b.totals)}`);
      out[`year by ${group_by}: rows`] = a.rows.length;
      out[`year by ${group_by}: ClickHouse ledger median ms`] = await median(5, () => withLedger!.trading.settlement.pnl(actor, q));
    }
  } finally {
    await withLedger?.analytics?.prices.store.dropDatabase().catch(() => undefined);
    await withLedger?.close().catch(() => undefined);
    await plain?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await schema.drop();
  }
  return out;
}
