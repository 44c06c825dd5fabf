export * from './types.js';
export * from './validate.js';
export * from './lifecycle.js';
export * from './periods.js';
export { formatMarketClock } from './local-time.js';
