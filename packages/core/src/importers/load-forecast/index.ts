export * from './types.js';
export * from './eia930.js';
export { parseLoadForecastFile } from './parse.js';
