/**
 * The SQL of the price read path (issue 16), kept apart from the repository so the query-plan
 * test runs exactly what the repository runs. Reads name their owner in a form the series
 * indexes of migration 0018 can use.
 */

/**
 * The same condition for reads, written so the series index can use it: `IS NULL` for the shared
 * market, `= $n` for an organisation (`IS NOT DISTINCT FROM` is never an index condition). The
 * parameter is still passed (cast, so its type is known) to keep the parameter numbering.
 */
export const OWNER_READ = (param: number, owner: string | null | undefined) =>
  owner == null ? `owner_organization_id IS NULL AND $${param}::uuid IS NULL` : `owner_organization_id = $${param}::uuid`;

/**
 * A recursive walk over the distinct (location, run) of one market and owner ("loose index
 * scan"): each step is one descent of the series index to the next (location, run) after the
 * current one. The shared market walks its partial series index, an organisation its own
 * (migration 0018), so neither steps over the other's rows.
 */
function seriesWalkSql(owner: string | null): string {
  const who = OWNER_READ(2, owner);
  return `WITH RECURSIVE series AS (
    (SELECT location, run FROM prices WHERE market = $1 AND ${who} ORDER BY location, run LIMIT 1)
    UNION ALL
    SELECT n.location, n.run FROM series s CROSS JOIN LATERAL (
      SELECT p.location, p.run FROM prices p
      WHERE p.market = $1 AND (p.location, p.run) > (s.location, s.run) AND p.${who}
      ORDER BY p.location, p.run LIMIT 1
    ) n
  )`;
}

/** The (location, run) series of a market for one owner: $1 market, $2 owner. Exported for the query-plan test. */
export function priceSeriesSql(owner: string | null): string {
  return `${seriesWalkSql(owner)} SELECT location, run FROM series ORDER BY location, run`;
}

/** The newest two intervals (at or before now, within 60 days) of each series of a market: $1 market, $2 owner. Exported for the query-plan test. */
export function latestPricesSql(owner: string | null): string {
  return `${seriesWalkSql(owner)}
  SELECT l.* FROM series s CROSS JOIN LATERAL (
    SELECT p.market, p.location, p.run, p.interval_start, p.interval_end, p.lmp_usd_per_mwh, p.energy_usd_per_mwh,
           p.congestion_usd_per_mwh, p.loss_usd_per_mwh, p.source
    FROM prices p
    WHERE p.market = $1 AND p.location = s.location AND p.run = s.run AND p.${OWNER_READ(2, owner)}
      AND p.interval_start <= now() AND p.interval_start > now() - interval '60 days'
    ORDER BY p.interval_start DESC LIMIT 2
  ) l
  ORDER BY l.location, l.run, l.interval_start DESC`;
}
