import type { AssetBidLimits, AssetSpec } from './types.js';

/**
 * Net MW range an asset may bid (supply positive, consumption negative):
 * battery [−charge_power_mw, +discharge_power_mw]; thermal [0, pmax_mw] (0 = not
 * committed; Pmin is a unit-commitment matter, not a bid limit); solar and wind
 * [0, capacity_mw]; demand response [0, max_reduction_mw] (a reduction sells
 * like supply); load [−max(profile_mw), 0].
 */
export function assetBidLimits(asset: AssetSpec): AssetBidLimits {
  switch (asset.type) {
    case 'battery':
      return { min_mw: -asset.params.charge_power_mw, max_mw: asset.params.discharge_power_mw };
    case 'thermal':
      return { min_mw: 0, max_mw: asset.params.pmax_mw };
    case 'solar':
    case 'wind':
      return { min_mw: 0, max_mw: asset.params.capacity_mw };
    case 'demand_response':
      return { min_mw: 0, max_mw: asset.params.max_reduction_mw };
    case 'load':
      return { min_mw: -Math.max(0, ...asset.params.profile_mw), max_mw: 0 };
  }
}
