// Each area has its own barrel; names must be unique across areas.
export * from './auth/index.js';
export * from './markets/index.js';
export * from './time/index.js';
export * from './importers/index.js';
export * from './assets/index.js';
export * from './bids/index.js';
export * from './clearing/index.js';
export * from './settlement/index.js';
export * from './optimization/index.js';
export * from './backtest/index.js';
export * from './forecasting/index.js';
export * from './simulation/index.js';
export * from './platform/index.js';
// Ancillary services: offers beside a bid's energy curve, price-taker awards, capacity settlement.
export * from './bids/ancillary-offers.js';
export * from './clearing/ancillary-awards.js';
export * from './settlement/ancillary-settlement.js';
export * from './exports/index.js';
