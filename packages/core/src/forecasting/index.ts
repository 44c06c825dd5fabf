export type { ForecastDataset, ForecastHistory, ForecastPointModel, ForecastDayResult } from './types.js';
export { forecastDayOfWeek, forecastHistoryAt, forecastRefitDay } from './types.js';
export { ForecastDataError, forecastDatasetFromHourly, forecastDatasetFromTidyRows, forecastDayIndex } from './dataset.js';
export type { ForecastTidyRow } from './dataset.js';
export { forecastMetrics } from './metrics.js';
export type { ForecastMetrics, ForecastMetricsReport } from './metrics.js';
export { NaiveModel, WeeklyNaiveModel } from './naive.js';
export { LearModel, learForecastDay, learFeatures, learFeatureCount } from './lear.js';
export type { LearOptions } from './lear.js';
export { lassoLarsIc, choleskyDelete } from './lasso-lars.js';
export type { LarsIcResult, LarsIcOptions } from './lasso-lars.js';
export { lassoCoordinateDescentGram } from './lasso-cd.js';
export type { LassoCdResult } from './lasso-cd.js';
export { fitInvariantScaler, invariantTransform, invariantInverse, forecastMedian, FORECAST_MAD_NORMAL_CONSTANT } from './scaling.js';
export type { InvariantScaler } from './scaling.js';
export {
  evaluateForecastDays, forecastResidualQuantiles, mergeForecastResults, splitForecastDays, forecastResultsMetrics,
} from './walk-forward.js';
export type { ForecastEvaluateOptions } from './walk-forward.js';
export {
  createForecastModel, listForecastModels, MeanEnsembleModel, LEAR_BENCHMARK_WINDOWS, FORECAST_DEFAULT_MODEL, OWN_FORECAST_MODELS, isOwnForecastModel,
} from './models.js';
export type { ForecastModelInfo } from './models.js';
export { RecentErrorCombinationModel, combinationWeights } from './combination.js';
export type { RecentErrorCombinationOptions } from './combination.js';
export { fitGbm, predictGbm, quantileEdges } from './gbm.js';
export type { GbmModel, GbmOptions, GbmTree } from './gbm.js';
export { GbmForecastModel, gbmFeatures, gbmFeatureCount } from './gbm-model.js';
export { RidgeForecastModel } from './linear-model.js';
export type { RidgeForecastOptions } from './linear-model.js';
export { crossFittedRidge, cholesky, choleskySolve } from './ridge.js';
export type { CrossFittedRidge } from './ridge.js';
export type { GbmForecastOptions } from './gbm-model.js';
