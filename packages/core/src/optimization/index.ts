export * from './asset-params.js';
export * from './model.js';
export * from './highs-solve.js';
export * from './solver-pool.js';
export * from './battery.js';
export * from './thermal.js';
export * from './flexible-assets.js';
export * from './bid-curves.js';
