import { RecentErrorCombinationModel } from './combination.js';
import { GbmForecastModel } from './gbm-model.js';
import { LearModel } from './lear.js';
import { RidgeForecastModel } from './linear-model.js';
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
    { spec: 'gbm:<days>', description: 'OptiBid: gradient-boosted trees on lagged prices and exogenous forecasts, all hours in one model, refitted weekly on <days> days' },
    { spec: 'ridge:<days>', description: 'OptiBid: cross-validated ridge regression of the 24 prices on LEAR\'s features, refitted weekly on <days> days' },
    { spec: 'hybrid-rw', description: 'OptiBid hybrid: LEAR 56/84/1092/1456, gbm:364/1092 and ridge:364/728/1092/1456 combined per hour by inverse squared 28-day MAE, plus half the 28-day median residual' },
    { spec: 'default', description: `platform default for a new location (= ${FORECAST_DEFAULT_MODEL})` },
  ];
}

/** The recent-error combination settings shared by our own models (see combination.ts). */
const RECENT_ERROR_OPTIONS = { window_days: 28, shrinkage: 1, power: 2, min_days: 7, bias_days: 14, bias_shrink: 0.5 } as const;

/** Specs of the models of our own design (gated by the own_forecast_model feature flag). */
export const OWN_FORECAST_MODELS: readonly string[] = ['lear-rw', 'hybrid-rw'];

/** True for a spec of our own design: the combinations, `gbm:<days>` and `ridge:<days>`. */
export function isOwnForecastModel(spec: string): boolean {
  return OWN_FORECAST_MODELS.includes(spec) || /^(gbm|ridge):\d+$/.test(spec);
}

export const FORECAST_DEFAULT_MODEL = 'lear-ensemble';

/** Creates a fresh (stateful: warm starts) model instance from its spec string. */
export function createForecastModel(spec: string): ForecastPointModel {
  if (spec === 'default') return createForecastModel(FORECAST_DEFAULT_MODEL);
  if (spec === 'naive') return new NaiveModel();
  if (spec === 'weekly-naive') return new WeeklyNaiveModel();
  const lear = /^lear:(\d+)$/.exec(spec);
  if (lear) return new LearModel({ window_days: Number(lear[1]) });
  const gbm = /^gbm:(\d+)$/.exec(spec);
  if (gbm) return new GbmForecastModel({ window_days: Number(gbm[1]) });
  const ridge = /^ridge:(\d+)$/.exec(spec);
  if (ridge) return new RidgeForecastModel({ window_days: Number(ridge[1]) });
  if (spec === 'lear-ensemble') {
    return new MeanEnsembleModel('lear-ensemble', LEAR_BENCHMARK_WINDOWS.map((w) => new LearModel({ window_days: w })));
  }
  if (spec === 'lear-rw') {
    return new RecentErrorCombinationModel('lear-rw', LEAR_BENCHMARK_WINDOWS.map((w) => new LearModel({ window_days: w })), RECENT_ERROR_OPTIONS);
  }
  if (spec === 'hybrid-rw') {
    return new RecentErrorCombinationModel('hybrid-rw', [
      ...LEAR_BENCHMARK_WINDOWS.map((w) => new LearModel({ window_days: w })),
      ...[364, 1092].map((w) => new GbmForecastModel({ window_days: w })),
      ...[364, 728, 1092, 1456].map((w) => new RidgeForecastModel({ window_days: w })),
    ], { ...RECENT_ERROR_OPTIONS, bias_days: 28 });
  }
  throw new RangeError(`unknown forecast model "${spec}" (see listForecastModels)`);
}
