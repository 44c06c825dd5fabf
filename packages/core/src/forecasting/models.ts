import { RecentErrorCombinationModel } from './combination.js';
import { LearModel } from './lear.js';
import { NaiveModel, WeeklyNaiveModel } from './naive.js';
import type { ForecastHistory, ForecastPointModel } from './types.js';

/** The benchmark's four LEAR calibration windows (days). */
export const LEAR_BENCHMARK_WINDOWS = [56, 84, 1092, 1456] as const;

/**
 * Mean of several point models (the benchmark's "LEAR Ensemble" is the arithmetic mean
 * of LEAR 56, 84, 1092 and 1456). The members' last forecasts are kept in
 * `last_members` for inspection and export.
 */
export class MeanEnsembleModel implements ForecastPointModel {
  readonly min_history_days: number;
  last_members: Record<string, Float64Array> = {};
  constructor(readonly name: string, readonly members: ForecastPointModel[]) {
    this.min_history_days = Math.max(...members.map((m) => m.min_history_days));
  }
  forecastDay(history: ForecastHistory): Float64Array {
    const out = new Float64Array(24);
    this.last_members = {};
    for (const m of this.members) {
      const f = m.forecastDay(history);
      this.last_members[m.name] = f;
      for (let h = 0; h < 24; h++) out[h]! += f[h]! / this.members.length;
    }
    return out;
  }
}

export interface ForecastModelInfo {
  spec: string;
  description: string;
}

export function listForecastModels(): ForecastModelInfo[] {
  return [
    { spec: 'naive', description: 'epftoolbox naive: day d-1 for Tue-Fri, d-7 for Mon/Sat/Sun' },
    { spec: 'weekly-naive', description: 'same hour one week before (rMAE reference)' },
    { spec: 'lear:<days>', description: 'LEAR with one calibration window, e.g. lear:56, lear:1456' },
    { spec: 'lear-ensemble', description: 'mean of LEAR 56, 84, 1092, 1456 (benchmark LEAR Ensemble)' },
    { spec: 'lear-rw', description: 'OptiBid: LEAR 56/84/1092/1456 combined per hour by inverse squared 28-day MAE, plus half the 14-day median residual' },
    { spec: 'default', description: `platform default for a new location (= ${FORECAST_DEFAULT_MODEL})` },
  ];
}

export const FORECAST_DEFAULT_MODEL = 'lear-ensemble';

/** Creates a fresh (stateful: warm starts) model instance from its spec string. */
export function createForecastModel(spec: string): ForecastPointModel {
  if (spec === 'default') return createForecastModel(FORECAST_DEFAULT_MODEL);
  if (spec === 'naive') return new NaiveModel();
  if (spec === 'weekly-naive') return new WeeklyNaiveModel();
  const lear = /^lear:(\d+)$/.exec(spec);
  if (lear) return new LearModel({ window_days: Number(lear[1]) });
  if (spec === 'lear-ensemble') {
    return new MeanEnsembleModel('lear-ensemble', LEAR_BENCHMARK_WINDOWS.map((w) => new LearModel({ window_days: w })));
  }
  if (spec === 'lear-rw') {
    return new RecentErrorCombinationModel('lear-rw', LEAR_BENCHMARK_WINDOWS.map((w) => new LearModel({ window_days: w })), {
      window_days: 28, shrinkage: 1, power: 2, min_days: 7, bias_days: 14, bias_shrink: 0.5,
    });
  }
  throw new RangeError(`unknown forecast model "${spec}" (see listForecastModels)`);
}
