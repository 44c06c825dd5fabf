export * from './common.js';
export * from './auth.js';
export * from './system.js';
export * from './markets.js';
export * from './realtime.js';
export * from './trading.js';
export * from './platform.js';
export * from './optimization.js';
