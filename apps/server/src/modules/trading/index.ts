/**
 * The trading loop: assets, bids, clearing, settlement and P&L. Routes are thin;
 * the services hold the rules and the repositories (built here from the
 * database) hold the SQL.
 */
import type { ServerContext } from '../../context.js';
import { createTradingRepositories } from '../../db/repositories/trading/index.js';
import type { App } from '../../http/types.js';
import { assetRoutes } from './assets/asset-routes.js';
import { AssetService } from './assets/asset-service.js';
import { bidRoutes } from './bids/bid-routes.js';
import { BidService } from './bids/bid-service.js';
import { clearingRoutes } from './clearing/clearing-routes.js';
import { ClearingService } from './clearing/clearing-service.js';
import { settlementRoutes } from './settlement/settlement-routes.js';
import { SettlementService } from './settlement/settlement-service.js';
import type { Clock } from './common.js';

export interface TradingServices {
  assets: AssetService;
  bids: BidService;
  clearing: ClearingService;
  settlement: SettlementService;
}

/** The services on a context; `now` is injectable so tests can stand at any moment relative to a gate. */
export function createTradingServices(ctx: ServerContext, opts: { now?: Clock } = {}): TradingServices {
  const deps = { ctx, repos: createTradingRepositories(ctx.database), now: opts.now ?? (() => new Date()) };
  return {
    assets: new AssetService(deps),
    bids: new BidService(deps),
    clearing: new ClearingService(deps),
    settlement: new SettlementService(deps),
  };
}

/** Assets, bids, clearing, settlement and P&L routes. */
export async function registerTrading(app: App, ctx: ServerContext): Promise<void> {
  const s = createTradingServices(ctx);
  assetRoutes(app, s.assets);
  bidRoutes(app, s.bids);
  clearingRoutes(app, ctx, s.clearing);
  settlementRoutes(app, s.settlement);
}
