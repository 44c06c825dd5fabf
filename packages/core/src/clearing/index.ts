export * from './price-taker.js';
export * from './auction.js';
