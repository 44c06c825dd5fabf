export * from './price-series.js';
export * from './forecasters.js';
export * from './strategies.js';
export * from './engine.js';
export * from './forecast-adapter.js';
export * from './as-strategies.js';
export * from './forecast-series.js';
