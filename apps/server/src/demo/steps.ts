import { seedDemoAncillaryPrices } from './ancillary-history.js';
import { seedDemoAssets } from './assets.js';
import { seedDemoBids } from './bids.js';
import { seedDemoHistory } from './history.js';
import { seedDemoLoadForecasts } from './load-forecasts.js';
import type { SeedStep } from './seed.js';

/** Demo seed steps beyond the organisation and its users (market history, load forecasts and AS prices shifted like it, assets, the assets' optimised bids), in order. */
export function demoSeedSteps(): Record<string, SeedStep> {
  return {
    history: (ctx) => seedDemoHistory(ctx),
    load_forecasts: (ctx) => seedDemoLoadForecasts(ctx),
    ancillary_prices: (ctx) => seedDemoAncillaryPrices(ctx),
    assets: (ctx, organizationId) => seedDemoAssets(ctx, organizationId),
    bids: (ctx, organizationId) => seedDemoBids(ctx, organizationId),
  };
}
