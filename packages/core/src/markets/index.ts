export * from './types.js';
export * from './catalogue.js';
export * from './gate-closure.js';
export * from './ancillary-services.js';
export * from './publication.js';
