export * from './plans.js';
export * from './flags.js';
export * from './alerts.js';
export * from './statement.js';
