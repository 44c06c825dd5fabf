export * from './types.js';
export { SUPPORTED_FORMATS, describeSupportedFormats, detectFormatFromText, type PriceFormatInfo } from './detect.js';
export { detectFormat, parsePriceFile, parsePriceText, UnsupportedPriceFormatError } from './parse-file.js';
export { readXlsx, type XlsxRow, type XlsxSheet } from './xlsx.js';
export {
  DecompressionBudget,
  DecompressionLimitError,
  DEFAULT_DECOMPRESSION_LIMITS,
  gunzipBounded,
  unzipBounded,
  MAX_ARCHIVE_DEPTH,
  MAX_ZIP_MEMBERS,
  RATIO_FLOOR_BYTES,
  type DecompressionLimitName,
  type DecompressionLimits,
} from './archive.js';
export * from './ancillary-prices.js';
export * from './load-forecast/index.js';
