/** Markets, locations and stored prices: lookups, queries, stats and imports of ISO price files. */
export { marketRoutes as registerMarketData } from './market-routes.js';
export { MarketService } from './market-service.js';
export { ImportService, type ImportActor, type ImportFile, type ImportOptions, type ImportSource } from './import-service.js';
export { PriceReads, CLOSED_MAX_AGE_S, type PriceReadsOptions } from './price-reads.js';
export type { ReadCacheOptions } from './price-read-cache.js';
export { parseFetchedFile, type FetchedFile, type FetchedRow, type ParsedDownload } from './parse-fetched.js';
