export * from './xml.js';
export * from './ercot-clock.js';
export * from './ercot-ews-curves.js';
export * from './ercot-ews-types.js';
export * from './ercot-ews-as.js';
export * from './ercot-ews.js';
export * from './ercot-resource-names.js';
