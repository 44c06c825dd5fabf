export * from './price-taker.js';
export * from './auction.js';
export * from './storage-soc-clearing.js';
export * from './storage-award-cut.js';
