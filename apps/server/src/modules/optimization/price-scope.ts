/**
 * Whose prices an optimisation or a backtest runs on: the platform's shared
 * market (the default) or the caller organisation's own imported series
 * (`price_scope: own`), never the two merged. Asking for `own` where the
 * organisation has no own series for that location, run and period is a 422
 * that says so, not a silent fall-back to the shared market; another
 * organisation's series is never read (its id is never the owner asked for).
 */
import type { IsoId, PriceRun } from '@optibid/core';
import type { PriceScope } from '@optibid/contracts';
import type { ServerContext } from '../../context.js';
import { validationFailed } from '../../http/errors.js';

export interface PriceScopeChoice {
  scope: PriceScope;
  /** The `prices.owner_organization_id` to read: null for the shared market. */
  owner: string | null;
}

/**
 * The series a request names. With `own`, checks that the organisation has own prices of one of `runs`
 * at the location with intervals in [start, end) (422 otherwise).
 */
export async function resolvePriceScope(
  ctx: Pick<ServerContext, 'repos'>,
  organizationId: string,
  scope: PriceScope | undefined,
  q: { market: IsoId; location: string; runs: PriceRun[]; start: Date; end: Date },
): Promise<PriceScopeChoice> {
  if (scope !== 'own') return { scope: 'shared', owner: null };
  const series = (await ctx.repos.prices.seriesOf(organizationId, q.market)).filter((s) => s.location === q.location && q.runs.includes(s.run));
  const overlaps = series.some((s) => s.first.getTime() < q.end.getTime() && s.last.getTime() >= q.start.getTime());
  if (!overlaps) {
    const have = series.length ? `; your own ${q.location} series cover ${series.map((s) => `${s.run} ${s.first.toISOString().slice(0, 10)} … ${s.last.toISOString().slice(0, 10)}`).join(', ')}` : '';
    throw validationFailed(
      `your organisation has no own ${q.runs.join('/')} prices for ${q.market} ${q.location} between ${q.start.toISOString()} and ${q.end.toISOString()}${have}; import them (POST /api/prices/import) or use the shared market (price_scope shared)`,
      [{ field: 'price_scope', message: 'no own series for this location and period' }],
    );
  }
  return { scope: 'own', owner: organizationId };
}
