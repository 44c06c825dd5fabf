export * from './rng.js';
export * from './profile.js';
export * from './simulator.js';
export * from './defaults.js';
export * from './ancillary-prices.js';
