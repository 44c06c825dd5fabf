export * from './types.js';
export * from './energy.js';
export * from './battery-soc.js';
export * from './pnl.js';
export * from './pnl-ledger.js';
