/**
 * Prices: bulk upsert that keeps revisions, and the time-series queries behind
 * /api/prices. Bulk writes go through `unnest` arrays in one statement per
 * batch: one round trip for thousands of rows on both backends.
 */
import type { IsoId, NormalizedPriceRow, PriceRun } from '@optibid/core';
import type { Database, Queryable, Transaction } from '../client.js';
import { latestPricesSql, OWNER_READ, priceSeriesSql } from './price-read-sql.js';

export { latestPricesSql, priceSeriesSql } from './price-read-sql.js';

export interface UpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface PricePoint {
  market: string;
  location: string;
  run: PriceRun;
  interval_start: Date;
  interval_end: Date;
  lmp_usd_per_mwh: number;
  energy_usd_per_mwh: number | null;
  congestion_usd_per_mwh: number | null;
  loss_usd_per_mwh: number | null;
  source?: string;
}

export interface PriceQuery {
  market: IsoId;
  location: string;
  run: PriceRun;
  start: Date;
  end: Date;
  resolution: 'native' | 'hourly' | 'daily';
  /** Market timezone (daily buckets are market-local days). */
  timezone: string;
  after?: Date;
  limit: number;
  /** Whose series: null (the default) is the shared market, an organisation id that organisation's own. */
  owner?: string | null;
}

/** Rows of one series owner: the shared market (owner null) or one organisation's own. */
const OWNER_IS = (param: number) => `owner_organization_id IS NOT DISTINCT FROM $${param}::uuid`;

/** What one write changed, for read caches: one market and owner, the runs, locations and interval starts touched. */
export interface PriceChange {
  market: string;
  owner: string | null;
  runs: string[];
  /** null: too many to list (treat as every location of the market). */
  locations: string[] | null;
  first_interval_start: Date;
  last_interval_start: Date;
}

/** Beyond this many locations in one write, a change names none (every location). */
const MAX_CHANGE_LOCATIONS = 100;

export interface PriceStats {
  intervals: number;
  mean_usd_per_mwh: number | null;
  min_usd_per_mwh: number | null;
  max_usd_per_mwh: number | null;
  std_usd_per_mwh: number | null;
  negative_price_hours: number;
  mean_daily_spread_usd_per_mwh: number | null;
  days: number;
}

export interface LatestPrice extends PricePoint {
  previous_lmp_usd_per_mwh: number | null;
}

const BATCH = 20_000;
/** Rows per COPY statement on PGlite (about 10–20 ms of WASM each on a loaded 2-core machine). */
const PGLITE_COPY_ROWS = 1_000;
const COPY_COLUMNS = ['market', 'location', 'run', 'interval_start', 'interval_end', 'lmp_usd_per_mwh', 'energy_usd_per_mwh', 'congestion_usd_per_mwh', 'loss_usd_per_mwh', 'source'] as const;

function copyRow(r: PricePoint, source?: string): unknown[] {
  return [r.market, r.location, r.run, r.interval_start, r.interval_end, r.lmp_usd_per_mwh, r.energy_usd_per_mwh, r.congestion_usd_per_mwh, r.loss_usd_per_mwh, r.source ?? source ?? 'unknown'];
}

const UPSERT_SQL = (keepRevisions: boolean) => `
WITH incoming AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[],
                       $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::text[])
    AS t(market, location, run, interval_start, interval_end, lmp, energy, congestion, loss, source)
),
${
  keepRevisions
    ? `revised AS (
  INSERT INTO price_revisions (market, location, run, interval_start, lmp_usd_per_mwh, energy_usd_per_mwh,
                               congestion_usd_per_mwh, loss_usd_per_mwh, source, ingested_at, revised_by_source, owner_organization_id)
  SELECT p.market, p.location, p.run, p.interval_start, p.lmp_usd_per_mwh, p.energy_usd_per_mwh,
         p.congestion_usd_per_mwh, p.loss_usd_per_mwh, p.source, p.ingested_at, i.source, p.owner_organization_id
  FROM prices p JOIN incoming i USING (market, location, run, interval_start)
  WHERE p.${OWNER_IS(11)} AND (p.lmp_usd_per_mwh, p.energy_usd_per_mwh, p.congestion_usd_per_mwh, p.loss_usd_per_mwh)
        IS DISTINCT FROM (i.lmp, i.energy, i.congestion, i.loss)
  RETURNING 1
),`
    : ''
}
upserted AS (
  INSERT INTO prices AS p (market, location, run, interval_start, interval_end, lmp_usd_per_mwh, energy_usd_per_mwh,
                           congestion_usd_per_mwh, loss_usd_per_mwh, source, owner_organization_id)
  SELECT market, location, run, interval_start, interval_end, lmp, energy, congestion, loss, source, $11::uuid FROM incoming
  ON CONFLICT (market, location, run, interval_start, owner_organization_id) DO UPDATE SET
    interval_end = EXCLUDED.interval_end,
    lmp_usd_per_mwh = EXCLUDED.lmp_usd_per_mwh,
    energy_usd_per_mwh = EXCLUDED.energy_usd_per_mwh,
    congestion_usd_per_mwh = EXCLUDED.congestion_usd_per_mwh,
    loss_usd_per_mwh = EXCLUDED.loss_usd_per_mwh,
    source = EXCLUDED.source,
    ingested_at = now()
  WHERE (p.lmp_usd_per_mwh, p.energy_usd_per_mwh, p.congestion_usd_per_mwh, p.loss_usd_per_mwh)
        IS DISTINCT FROM (EXCLUDED.lmp_usd_per_mwh, EXCLUDED.energy_usd_per_mwh, EXCLUDED.congestion_usd_per_mwh, EXCLUDED.loss_usd_per_mwh)
  RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM upserted`;

export class PricesRepository {
  private readonly listeners = new Set<(change: PriceChange) => void>();

  constructor(private readonly database: Database) {}

  /**
   * Calls `listener` after every write that stored a new or changed price, once per market
   * written (read caches drop what it names); a write inside a transaction is announced once
   * the transaction has committed. Returns the function that stops it.
   */
  onChange(listener: (change: PriceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the listeners now, or, inside a transaction, once it has committed (never if it rolls back). */
  private announce(batch: readonly PricePoint[], owner: string | null, tx: Transaction | undefined): void {
    if (this.listeners.size === 0) return;
    if (tx) tx.afterCommit(() => this.changed(batch, owner));
    else this.changed(batch, owner);
  }

  private changed(batch: readonly PricePoint[], owner: string | null): void {
    if (this.listeners.size === 0) return;
    const byMarket = new Map<string, { runs: Set<string>; locations: Set<string>; first: number; last: number }>();
    for (const r of batch) {
      const t = r.interval_start.getTime();
      const m = byMarket.get(r.market);
      if (!m) byMarket.set(r.market, { runs: new Set([r.run]), locations: new Set([r.location]), first: t, last: t });
      else {
        m.runs.add(r.run);
        if (m.locations.size <= MAX_CHANGE_LOCATIONS) m.locations.add(r.location);
        if (t < m.first) m.first = t;
        if (t > m.last) m.last = t;
      }
    }
    for (const [market, m] of byMarket) {
      const change: PriceChange = {
        market,
        owner,
        runs: [...m.runs],
        locations: m.locations.size > MAX_CHANGE_LOCATIONS ? null : [...m.locations],
        first_interval_start: new Date(m.first),
        last_interval_start: new Date(m.last),
      };
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch {
          /* a listener's failure is its own; the write stands */
        }
      }
    }
  }

  /**
   * Inserts new intervals and updates changed ones; an update first copies the
   * old values into price_revisions (unless `keepRevisions` is false, as for the
   * simulated live feed that refines the current interval every tick). Given
   * `tx`, every statement runs in that transaction (an import stores a file, its
   * record and its audit row together); otherwise each batch commits alone.
   */
  async upsert(rows: readonly PricePoint[] | readonly NormalizedPriceRow[], opts: { keepRevisions?: boolean; source?: string; owner?: string | null } = {}, tx?: Transaction): Promise<UpsertResult> {
    const db: Queryable & Pick<Transaction, 'copyRows'> = tx ?? this.database;
    const keep = opts.keepRevisions ?? true;
    const owner = opts.owner ?? null;
    // The same key twice in one statement cannot be upserted: the last occurrence wins, as in a file read top to bottom.
    const dedup = new Map<string, PricePoint>();
    for (const r of rows as PricePoint[]) dedup.set(`${r.market}|${r.location}|${r.run}|${r.interval_start.getTime()}`, r);
    const all = [...dedup.values()];
    const result: UpsertResult = { inserted: 0, updated: 0, unchanged: rows.length - all.length };
    for (let i = 0; i < all.length; i += BATCH) {
      const batch = all.slice(i, i + BATCH);
      // Fast path: a batch none of whose keys exist yet (a first import) goes in with COPY.
      // A concurrent writer inserting the same keys makes COPY fail as a whole; the upsert then redoes it.
      // In a transaction the attempt runs under a savepoint, so a failed COPY leaves the transaction usable.
      if (!(await this.anyExists(batch, owner, db))) {
        try {
          if (tx) await tx.query('SAVEPOINT price_copy');
          // PGlite runs a COPY on this thread in one call: smaller pieces let the event loop turn between them.
          const piece = this.database.backend === 'pglite' ? PGLITE_COPY_ROWS : batch.length;
          for (let j = 0; j < batch.length; j += piece) {
            const part = batch.slice(j, j + piece);
            if (owner === null) await db.copyRows('prices', COPY_COLUMNS, part.map((r) => copyRow(r, opts.source)));
            else await db.copyRows('prices', [...COPY_COLUMNS, 'owner_organization_id'], part.map((r) => [...copyRow(r, opts.source), owner]));
          }
          if (tx) await tx.query('RELEASE SAVEPOINT price_copy');
          result.inserted += batch.length;
          this.announce(batch, owner, tx);
          continue;
        } catch {
          /* fall back to the upsert below */
          if (tx) await tx.query('ROLLBACK TO SAVEPOINT price_copy');
        }
      }
      const cols: unknown[][] = [[], [], [], [], [], [], [], [], [], []];
      for (const r of batch) {
        cols[0]!.push(r.market);
        cols[1]!.push(r.location);
        cols[2]!.push(r.run);
        cols[3]!.push(r.interval_start.toISOString());
        cols[4]!.push(r.interval_end.toISOString());
        cols[5]!.push(r.lmp_usd_per_mwh);
        cols[6]!.push(r.energy_usd_per_mwh);
        cols[7]!.push(r.congestion_usd_per_mwh);
        cols[8]!.push(r.loss_usd_per_mwh);
        cols[9]!.push(r.source ?? opts.source ?? 'unknown');
      }
      const [counts] = await db.query<{ inserted: number; updated: number }>(UPSERT_SQL(keep), [...cols, owner]);
      result.inserted += Number(counts?.inserted ?? 0);
      result.updated += Number(counts?.updated ?? 0);
      result.unchanged += batch.length - Number(counts?.inserted ?? 0) - Number(counts?.updated ?? 0);
      if (Number(counts?.inserted ?? 0) + Number(counts?.updated ?? 0) > 0) this.announce(batch, owner, tx);
    }
    return result;
  }

  /** Whether any key of the batch is already stored (one index range scan per series in the batch). */
  private async anyExists(batch: readonly PricePoint[], owner: string | null, db: Queryable): Promise<boolean> {
    const series = new Map<string, { market: string; location: string; run: string; min: number; max: number }>();
    for (const r of batch) {
      const k = `${r.market}|${r.location}|${r.run}`;
      const t = r.interval_start.getTime();
      const s = series.get(k);
      if (!s) series.set(k, { market: r.market, location: r.location, run: r.run, min: t, max: t });
      else {
        s.min = Math.min(s.min, t);
        s.max = Math.max(s.max, t);
      }
    }
    const list = [...series.values()];
    const rows = await db.query<{ hit: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[]) AS s(market, location, run, lo, hi)
         JOIN prices p ON p.market = s.market AND p.location = s.location AND p.run = s.run AND p.interval_start BETWEEN s.lo AND s.hi
           AND p.${OWNER_IS(6)}
       ) AS hit`,
      [list.map((s) => s.market), list.map((s) => s.location), list.map((s) => s.run), list.map((s) => new Date(s.min).toISOString()), list.map((s) => new Date(s.max).toISOString()), owner],
    );
    return Boolean(rows[0]?.hit);
  }

  async query(q: PriceQuery): Promise<PricePoint[]> {
    const after = q.after ?? new Date(0);
    if (q.resolution === 'native') {
      const rows = await this.database.query<PricePoint>(
        `SELECT market, location, run, interval_start, interval_end, lmp_usd_per_mwh, energy_usd_per_mwh,
                congestion_usd_per_mwh, loss_usd_per_mwh, source
         FROM prices WHERE market = $1 AND location = $2 AND run = $3
           AND interval_start >= $4 AND interval_start < $5 AND interval_start > $6 AND ${OWNER_READ(8, q.owner)}
         ORDER BY interval_start LIMIT $7`,
        [q.market, q.location, q.run, q.start, q.end, after, q.limit, q.owner ?? null],
      );
      return rows.map(normalisePoint);
    }
    // Hourly buckets are UTC hours; daily buckets are market-local calendar days. Averages are time-weighted.
    const bucket =
      q.resolution === 'hourly'
        ? `date_trunc('hour', interval_start)`
        : `(date_trunc('day', interval_start AT TIME ZONE $9) AT TIME ZONE $9)`;
    const bucketEnd = q.resolution === 'hourly' ? `b + interval '1 hour'` : `((date_trunc('day', b AT TIME ZONE $9) + interval '1 day') AT TIME ZONE $9)`;
    const params: unknown[] = [q.market, q.location, q.run, q.start, q.end, after, q.limit, q.owner ?? null];
    if (q.resolution === 'daily') params.push(q.timezone);
    const w = `extract(epoch from (interval_end - interval_start))`;
    const rows = await this.database.query<PricePoint>(
      `WITH s AS (
         SELECT ${bucket} AS b, interval_start, interval_end, lmp_usd_per_mwh, energy_usd_per_mwh, congestion_usd_per_mwh, loss_usd_per_mwh
         FROM prices WHERE market = $1 AND location = $2 AND run = $3 AND interval_start >= $4 AND interval_start < $5 AND ${OWNER_READ(8, q.owner)}
       )
       SELECT $1::text AS market, $2::text AS location, $3::text AS run, b AS interval_start, ${bucketEnd} AS interval_end,
              sum(lmp_usd_per_mwh * ${w}) / sum(${w}) AS lmp_usd_per_mwh,
              sum(energy_usd_per_mwh * ${w}) / nullif(sum(CASE WHEN energy_usd_per_mwh IS NULL THEN 0 ELSE ${w} END), 0) AS energy_usd_per_mwh,
              sum(congestion_usd_per_mwh * ${w}) / nullif(sum(CASE WHEN congestion_usd_per_mwh IS NULL THEN 0 ELSE ${w} END), 0) AS congestion_usd_per_mwh,
              sum(loss_usd_per_mwh * ${w}) / nullif(sum(CASE WHEN loss_usd_per_mwh IS NULL THEN 0 ELSE ${w} END), 0) AS loss_usd_per_mwh
       FROM s WHERE b > $6 GROUP BY b ORDER BY b LIMIT $7`,
      params,
    );
    return rows.map(normalisePoint);
  }

  async stats(q: Omit<PriceQuery, 'resolution' | 'after' | 'limit'>): Promise<PriceStats> {
    const [row] = await this.database.query<Record<string, number | null>>(
      `WITH s AS (
         SELECT interval_start, lmp_usd_per_mwh AS p, extract(epoch from (interval_end - interval_start)) / 3600.0 AS h,
                (interval_start AT TIME ZONE $6)::date AS d
         FROM prices WHERE market = $1 AND location = $2 AND run = $3 AND interval_start >= $4 AND interval_start < $5 AND ${OWNER_READ(7, q.owner)}
       ), daily AS (SELECT d, max(p) - min(p) AS spread FROM s GROUP BY d)
       SELECT (SELECT count(*)::int FROM s) AS intervals,
              (SELECT avg(p) FROM s) AS mean, (SELECT min(p) FROM s) AS min, (SELECT max(p) FROM s) AS max,
              (SELECT stddev_pop(p) FROM s) AS std,
              (SELECT coalesce(sum(h) FILTER (WHERE p < 0), 0) FROM s) AS negative_hours,
              (SELECT avg(spread) FROM daily) AS spread, (SELECT count(*)::int FROM daily) AS days`,
      [q.market, q.location, q.run, q.start, q.end, q.timezone, q.owner ?? null],
    );
    const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return {
      intervals: Number(row?.intervals ?? 0),
      mean_usd_per_mwh: n(row?.mean),
      min_usd_per_mwh: n(row?.min),
      max_usd_per_mwh: n(row?.max),
      std_usd_per_mwh: n(row?.std),
      negative_price_hours: Number(row?.negative_hours ?? 0),
      mean_daily_spread_usd_per_mwh: n(row?.spread),
      days: Number(row?.days ?? 0),
    };
  }

  /**
   * The newest interval (at or before now, within 60 days) of every location and run in a market,
   * with the one before it (for the change): a walk over the market's series in the series index,
   * then two index rows per series, so the cost grows with the number of series, never with history.
   */
  async latest(market: IsoId, owner: string | null = null): Promise<LatestPrice[]> {
    const rows = await this.database.query<PricePoint>(latestPricesSql(owner), [market, owner]);
    const out: LatestPrice[] = [];
    // Two rows per series, newest first: the first is the latest, the second its predecessor.
    for (const r of rows) {
      const p = normalisePoint(r);
      const last = out[out.length - 1];
      if (last && last.location === p.location && last.run === p.run) last.previous_lmp_usd_per_mwh = p.lmp_usd_per_mwh;
      else out.push({ ...p, previous_lmp_usd_per_mwh: null });
    }
    return out;
  }

  /** The (location, run) series that have prices in a market for one owner, walked in the series index (no scan of history). */
  async series(market: IsoId, owner: string | null = null): Promise<{ location: string; run: PriceRun }[]> {
    return this.database.query<{ location: string; run: PriceRun }>(priceSeriesSql(owner), [market, owner]);
  }

  /** Recent history of one series (the feed learns its shape from it). */
  async recent(market: IsoId, location: string, runs: PriceRun[], since: Date, until: Date, owner: string | null = null): Promise<PricePoint[]> {
    const rows = await this.database.query<PricePoint>(
      `SELECT market, location, run, interval_start, interval_end, lmp_usd_per_mwh, energy_usd_per_mwh, congestion_usd_per_mwh, loss_usd_per_mwh
       FROM prices WHERE market = $1 AND location = $2 AND run = ANY($3::text[]) AND interval_start >= $4 AND interval_start < $5 AND ${OWNER_READ(6, owner)}
       ORDER BY interval_start`,
      [market, location, runs, since, until, owner],
    );
    return rows.map(normalisePoint);
  }

  /** Locations that have any stored prices in a market, with their count and newest interval. */
  async locationsWithData(market: IsoId, owner: string | null = null): Promise<{ location: string; run: PriceRun; intervals: number; newest: Date }[]> {
    const rows = await this.database.query<{ location: string; run: PriceRun; intervals: number; newest: Date }>(
      `SELECT location, run, count(*)::int AS intervals, max(interval_start) AS newest FROM prices WHERE market = $1 AND ${OWNER_READ(2, owner)} GROUP BY location, run ORDER BY location, run`,
      [market, owner],
    );
    return rows.map((r) => ({ ...r, intervals: Number(r.intervals), newest: new Date(r.newest) }));
  }

  /** One owner's series (market, location, run) with their count and span; every market unless one is named. */
  async seriesOf(owner: string | null, market?: IsoId): Promise<{ market: IsoId; location: string; run: PriceRun; intervals: number; first: Date; last: Date }[]> {
    const rows = await this.database.query<{ market: IsoId; location: string; run: PriceRun; intervals: number; first: Date; last: Date }>(
      `SELECT market, location, run, count(*)::int AS intervals, min(interval_start) AS first, max(interval_start) AS last FROM prices
       WHERE ${OWNER_READ(1, owner)} AND ($2::text IS NULL OR market = $2) GROUP BY market, location, run ORDER BY market, location, run`,
      [owner, market ?? null],
    );
    return rows.map((r) => ({ ...r, intervals: Number(r.intervals), first: new Date(r.first), last: new Date(r.last) }));
  }

  async revisions(market: IsoId, location: string, run: PriceRun, intervalStart: Date, owner: string | null = null): Promise<(PricePoint & { revised_at: Date })[]> {
    const rows = await this.database.query<PricePoint & { revised_at: Date }>(
      `SELECT market, location, run, interval_start, interval_start AS interval_end, lmp_usd_per_mwh, energy_usd_per_mwh,
              congestion_usd_per_mwh, loss_usd_per_mwh, source, revised_at
       FROM price_revisions WHERE market = $1 AND location = $2 AND run = $3 AND interval_start = $4 AND ${OWNER_IS(5)} ORDER BY revised_at`,
      [market, location, run, intervalStart, owner],
    );
    return rows.map((r) => ({ ...normalisePoint(r), revised_at: new Date(r.revised_at) }));
  }

  /** Records one import (inside `tx`, the transaction that stored its rows, when given). */
  async recordImport(
    input: {
      organization_id: string | null;
      user_id: string | null;
      origin: 'api' | 'cli' | 'seed';
      report: unknown;
      inserted: number;
      updated: number;
      unchanged: number;
      rejected: number;
    },
    tx: Queryable = this.database,
  ): Promise<string> {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO price_imports (organization_id, user_id, origin, report, inserted, updated, unchanged, rejected)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8) RETURNING id`,
      [input.organization_id, input.user_id, input.origin, JSON.stringify(input.report), input.inserted, input.updated, input.unchanged, input.rejected],
    );
    return row!.id;
  }
}

function normalisePoint<T extends PricePoint>(r: T): T {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    ...r,
    interval_start: new Date(r.interval_start),
    interval_end: new Date(r.interval_end),
    lmp_usd_per_mwh: Number(r.lmp_usd_per_mwh),
    energy_usd_per_mwh: num(r.energy_usd_per_mwh),
    congestion_usd_per_mwh: num(r.congestion_usd_per_mwh),
    loss_usd_per_mwh: num(r.loss_usd_per_mwh),
  };
}
