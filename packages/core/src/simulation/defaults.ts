/**
 * Fallback simulation profiles for a market location without stored history.
 * Levels are round illustrative figures for a US hub in the mid-2020s, not
 * fitted to any dataset: they only need to look plausible on a demo dashboard
 * until real history is imported, after which the feed learns from it.
 */
import type { IsoId, MarketDefinition } from '../markets/types.js';
import { defaultPriceProfile, type PriceProfile } from './profile.js';

const LEVELS: Record<IsoId, number> = { PJM: 35, CAISO: 45, ERCOT: 30, NYISO: 40, MISO: 32, SPP: 28, ISONE: 45 };

/** Built-in profile for a market: its timezone and offer floor / hard cap, duck curve for CAISO, no components for ERCOT hubs. */
export function defaultMarketPriceProfile(market: MarketDefinition): PriceProfile {
  return defaultPriceProfile({
    timezone: market.timezone,
    floor_usd_per_mwh: market.offer_limits.floor_usd_per_mwh,
    cap_usd_per_mwh: market.offer_limits.hard_cap_usd_per_mwh,
    level_usd_per_mwh: LEVELS[market.iso],
    solar_dip: market.iso === 'CAISO',
    // ERCOT settlement point prices carry no energy/congestion/loss split.
    has_components: market.iso !== 'ERCOT',
  });
}
