import { seedDemoAncillaryPrices } from './ancillary-history.js';
import { seedDemoAssets } from './assets.js';
import { seedDemoHistory } from './history.js';
import type { SeedStep } from './seed.js';

/** Demo seed steps beyond the organisation and its users (market history, assets), in order. */
export function demoSeedSteps(): Record<string, SeedStep> {
  return {
    history: (ctx) => seedDemoHistory(ctx),
    ancillary_prices: (ctx) => seedDemoAncillaryPrices(ctx),
    assets: (ctx, organizationId) => seedDemoAssets(ctx, organizationId),
  };
}
