import type { IsoId } from '../../markets/types.js';

/** One hour of an ISO's day-ahead load forecast. Instants UTC. */
export interface LoadForecastRow {
  market: IsoId;
  /** The area the forecast covers: the balancing authority code (EIA-930) or the ISO's zone. */
  area: string;
  interval_start: Date;
  interval_end: Date;
  load_forecast_mw: number;
  /** When the forecast was (or is assumed to be) known; a model may use it only after this. */
  published_at: Date;
  source: string;
}

export const LOAD_FORECAST_FORMAT_IDS = ['eia930_demand'] as const;
export type LoadForecastFormatId = (typeof LOAD_FORECAST_FORMAT_IDS)[number];

export interface LoadForecastParseResult {
  format: LoadForecastFormatId;
  file: string;
  rows: LoadForecastRow[];
  rejections: { line: number; reason: string }[];
}
