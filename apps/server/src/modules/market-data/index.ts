/** Markets, locations and stored prices: lookups, queries, stats and imports of ISO price files. */
export { marketRoutes as registerMarketData } from './market-routes.js';
export { MarketService, type ImportActor, type ImportFile, type ImportOptions } from './market-service.js';
