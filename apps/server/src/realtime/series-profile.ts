/**
 * A location's price profile for the simulators (the live feed and /simulate):
 * learned from its stored history, or the market's built-in shape.
 */
import { defaultMarketPriceProfile, learnPriceProfile, type MarketDefinition, type PriceProfile, type PriceRun } from '@optibid/core';
import type { PricesRepository } from '../db/repositories/prices.js';

const HISTORY_DAYS = 56;
const DAY_MS = 86_400_000;
/** Learn from the ISO's published runs first; RT5 last because the feed itself writes RT5. */
const LEARN_RUN_ORDER: PriceRun[] = ['DA', 'RTH', 'RT15', 'RT5'];

/**
 * The profile of one location: learned from up to 56 days of its newest stored
 * history (the first run in DA, RTH, RT15, RT5 order with enough prices), or the
 * market's built-in shape when there is not enough.
 */
export async function loadSeriesProfile(prices: PricesRepository, market: MarketDefinition, location: string, runs?: { run: PriceRun; intervals: number; newest: Date }[]): Promise<PriceProfile> {
  const available = runs ?? (await prices.locationsWithData(market.iso)).filter((r) => r.location === location);
  const bounds = { timezone: market.timezone, floor_usd_per_mwh: market.offer_limits.floor_usd_per_mwh, cap_usd_per_mwh: market.offer_limits.hard_cap_usd_per_mwh };
  for (const run of LEARN_RUN_ORDER) {
    const r = available.find((x) => x.run === run);
    if (!r || r.intervals < 48) continue;
    const until = new Date(r.newest.getTime() + 1);
    const points = await prices.recent(market.iso, location, [run], new Date(until.getTime() - HISTORY_DAYS * DAY_MS), until);
    try {
      return learnPriceProfile(
        {
          interval_start_ms: points.map((p) => p.interval_start.getTime()),
          lmp_usd_per_mwh: points.map((p) => p.lmp_usd_per_mwh),
          congestion_usd_per_mwh: points.map((p) => p.congestion_usd_per_mwh),
          loss_usd_per_mwh: points.map((p) => p.loss_usd_per_mwh),
        },
        bounds,
      );
    } catch {
      /* too short within the window: try the next run */
    }
  }
  return defaultMarketPriceProfile(market);
}
