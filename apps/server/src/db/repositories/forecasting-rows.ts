/** The forecast registry's rows as the repository returns them, and their mappers from SQL rows. */
import { toDate } from './trading/sql.js';

export type VersionStage = 'none' | 'staging' | 'production' | 'archived';
export type VersionStatus = 'training' | 'ready' | 'failed';
export type RunStatus = 'running' | 'finished' | 'failed';
export type ForecastOrigin = 'evaluation' | 'api' | 'job';
export type ForecastPriceScope = 'shared' | 'own';

/** An exogenous series a forecast or version used (stored as JSON; see contracts ExogenousSeriesView). */
export interface ExogenousSeries {
  series: 'load_forecast';
  market: string;
  area: string;
  unit: 'MW';
  known_at?: string;
  filled_hours?: number;
  sources?: string[];
}

export interface ExperimentRow {
  id: string;
  organization_id: string;
  name: string;
  description: string;
  created_by: string | null;
  created_at: Date;
  run_count: number;
  last_run_at: Date | null;
}

export interface ModelRow {
  id: string;
  organization_id: string;
  experiment_id: string;
  name: string;
  description: string;
  market: string;
  location: string;
  model_type: string;
  managed_by_job: boolean;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface RunRow {
  id: string;
  organization_id: string;
  experiment_id: string;
  model_id: string | null;
  status: RunStatus;
  params: Record<string, unknown>;
  metrics: Record<string, unknown> | null;
  progress: { done: number; total: number; date?: string };
  error: string | null;
  created_by: string | null;
  origin: 'api' | 'job';
  started_at: Date;
  finished_at: Date | null;
}

export interface ArtifactRow {
  run_id: string;
  name: string;
  content_type: string;
  content: string;
  created_at: Date;
}

export interface VersionRow {
  id: string;
  organization_id: string;
  model_id: string;
  version: number;
  run_id: string;
  model_type: string;
  status: VersionStatus;
  stage: VersionStage;
  metrics: Record<string, number> | null;
  trained_through: string | null;
  created_by: string | null;
  created_at: Date;
  stage_changed_at: Date | null;
  stage_changed_by: string | null;
  exogenous: ExogenousSeries[];
}

export interface ForecastHour {
  interval_start: string;
  point: number;
  p10: number;
  p50: number;
  p90: number;
}

export interface ForecastRow {
  id: string;
  organization_id: string;
  model_version_id: string;
  market: string;
  location: string;
  delivery_date: string;
  origin: ForecastOrigin;
  gate_closure: Date;
  history_end: Date | null;
  hours: ForecastHour[];
  daily_point: number[];
  price_scope: ForecastPriceScope;
  exogenous: ExogenousSeries[];
  exogenous_note: string | null;
  mae_usd_per_mwh: number | null;
  scored_at: Date | null;
  created_by: string | null;
  created_at: Date;
}

export const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
export const dateOrNull = (v: unknown) => (v === null || v === undefined ? null : toDate(v));

export function modelRow(r: Record<string, unknown>): ModelRow {
  return { ...(r as unknown as ModelRow), created_at: toDate(r.created_at), updated_at: toDate(r.updated_at) };
}
export function runRow(r: Record<string, unknown>): RunRow {
  return {
    ...(r as unknown as RunRow),
    params: json(r.params) as RunRow['params'],
    metrics: json(r.metrics) as RunRow['metrics'],
    progress: json(r.progress) as RunRow['progress'],
    started_at: toDate(r.started_at),
    finished_at: dateOrNull(r.finished_at),
  };
}
export function versionRow(r: Record<string, unknown>): VersionRow {
  return {
    ...(r as unknown as VersionRow),
    version: Number(r.version),
    metrics: json(r.metrics) as VersionRow['metrics'],
    exogenous: (json(r.exogenous) as ExogenousSeries[] | null) ?? [],
    created_at: toDate(r.created_at),
    stage_changed_at: dateOrNull(r.stage_changed_at),
  };
}
export function forecastRow(r: Record<string, unknown>): ForecastRow {
  return {
    ...(r as unknown as ForecastRow),
    hours: json(r.hours) as ForecastHour[],
    daily_point: json(r.daily_point) as number[],
    exogenous: (json(r.exogenous) as ExogenousSeries[] | null) ?? [],
    gate_closure: toDate(r.gate_closure),
    history_end: dateOrNull(r.history_end),
    mae_usd_per_mwh: r.mae_usd_per_mwh === null ? null : Number(r.mae_usd_per_mwh),
    scored_at: dateOrNull(r.scored_at),
    created_at: toDate(r.created_at),
  };
}
