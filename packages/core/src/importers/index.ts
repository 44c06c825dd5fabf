export * from './types.js';
export { SUPPORTED_FORMATS, describeSupportedFormats, detectFormatFromText, type PriceFormatInfo } from './detect.js';
export { detectFormat, parsePriceFile, parsePriceText, UnsupportedPriceFormatError } from './parse-file.js';
export { readXlsx, type XlsxRow, type XlsxSheet } from './xlsx.js';
export * from './ancillary-prices.js';
export * from './load-forecast/index.js';
