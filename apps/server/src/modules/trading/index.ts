/**
 * The trading loop: assets, bids, clearing, settlement and P&L. Routes are thin;
 * the services hold the rules and the trading repositories hold the SQL. The
 * services are built by the composition root (src/services.ts).
 */
import type { App } from '../../http/types.js';
import type { MarketService } from '../market-data/index.js';
import type { FeatureFlags } from '../platform/index.js';
import { assetRoutes } from './assets/asset-routes.js';
import { AssetService } from './assets/asset-service.js';
import { bidRoutes } from './bids/bid-routes.js';
import { BidExportService } from './bids/bid-export-service.js';
import { BidService } from './bids/bid-service.js';
import { clearingRoutes } from './clearing/clearing-routes.js';
import { ClearingService } from './clearing/clearing-service.js';
import { settlementRoutes } from './settlement/settlement-routes.js';
import { SettlementService } from './settlement/settlement-service.js';
import type { TradingDeps } from './common.js';

export { orgChannel, type Actor, type Clock, type PnlLedgerReads, type TradingDeps } from './common.js';

export interface TradingServices {
  assets: AssetService;
  bids: BidService;
  exports: BidExportService;
  clearing: ClearingService;
  settlement: SettlementService;
}

/** The trading services on one set of dependencies; called by the composition root only. */
export function tradingServicesOn(deps: TradingDeps): TradingServices {
  return {
    assets: new AssetService(deps),
    bids: new BidService(deps),
    exports: new BidExportService(deps),
    clearing: new ClearingService(deps),
    settlement: new SettlementService(deps),
  };
}

/** Assets, bids, clearing, settlement and P&L routes. */
export function registerTrading(app: App, s: TradingServices & { markets: MarketService; flags: FeatureFlags }): void {
  assetRoutes(app, s.assets);
  bidRoutes(app, s.bids, s.exports);
  clearingRoutes(app, { markets: s.markets, flags: s.flags, clearing: s.clearing });
  settlementRoutes(app, s.settlement);
}
