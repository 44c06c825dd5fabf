/**
 * Which model a location gets when none is named: among the models its stored
 * history supports, the one that measured most accurate on its own recent days.
 * Each candidate walks forward over the last `CHOICE_EVAL_DAYS` complete days
 * (each day forecast from what was known at its gate, prices only) in the
 * compute pool, the registry's evaluation (engine.ts `evaluateOnBook`); the
 * lowest MAE wins (ties: the more capable). The candidates include our own models
 * (the combinations, GBM, ridge): the choice is the platform's for the shared market,
 * so the organisation flag that gates registering them does not apply (registry-service.ts).
 * The choice, its reason and every
 * candidate's scores are stored per series and reused until the history has
 * grown by `CHOICE_REUSE_DAYS` days or enough to admit another candidate.
 */
import { createForecastModel, FORECAST_DEFAULT_MODEL, LEAR_BENCHMARK_WINDOWS } from '@optibid/core';
import type { ComputePool } from '../../compute/pool.js';
import type { ModelChoiceRepository, ModelChoiceScore } from '../../db/repositories/model-choices.js';
import { EvaluationInputError, evaluateOnBook, planEvaluation } from './engine.js';
import type { PriceBook } from './price-book.js';

/** Days each candidate is measured on (two weeks: every weekday twice). */
export const CHOICE_EVAL_DAYS = 14;
/** A stored choice is measured again once this many newer complete days are stored. */
export const CHOICE_REUSE_DAYS = 7;

/** History a model needs to be trained with `evalDays` evaluation days (its minimum, the days, two more). */
function historyNeed(spec: string, evalDays: number): number {
  return createForecastModel(spec).min_history_days + evalDays + 2;
}

/**
 * The most capable model the history supports, without measuring: the platform default when the
 * stored history supports it (its minimum plus `evalDays` evaluation days and two more), else the
 * longest benchmark LEAR window that fits, else a 28-day LEAR, else the weekly naive. The reason
 * is returned with it. (The rule a measured choice falls back to; kept for callers that cannot wait.
 * Our own models are left out: they enter only by measurement, and a combination served cold,
 * without its members' recent errors, is only their plain mean.)
 */
export function defaultModelFor(historyDays: number, evalDays: number): { spec: string; note: string } {
  const spec = learLadder(historyDays, evalDays).find((c) => c !== 'naive') ?? 'weekly-naive';
  const note =
    spec === FORECAST_DEFAULT_MODEL
      ? `platform default (${FORECAST_DEFAULT_MODEL})`
      : `${FORECAST_DEFAULT_MODEL} needs ${historyNeed(FORECAST_DEFAULT_MODEL, evalDays)} days of history and ${historyDays} are stored: ${spec} until there are enough`;
  return { spec, note };
}

/** The platform default, the benchmark LEAR windows (longest first), a 28-day LEAR and the epftoolbox naive that fit, then the weekly naive. */
function learLadder(historyDays: number, trainEvalDays: number): string[] {
  const all = [FORECAST_DEFAULT_MODEL, ...[...LEAR_BENCHMARK_WINDOWS].sort((a, b) => b - a).map((w) => `lear:${w}`), 'lear:28', 'naive'];
  return [...new Set(all)].filter((c) => historyNeed(c, trainEvalDays) <= historyDays).concat('weekly-naive');
}

/** Ridge windows measured: `hybrid-rw`'s ridge members, and half a year so that a year of history has some. */
export const CHOICE_RIDGE_WINDOWS = [1456, 1092, 728, 364, 182] as const;
/** GBM windows measured: `hybrid-rw`'s GBM members, and half a year. */
export const CHOICE_GBM_WINDOWS = [1092, 364, 182] as const;

/**
 * Rank of a single-window model among candidates (lower: more capable): a longer window first; at
 * the same window ridge, then GBM, then LEAR (at 1,092 days both beat LEAR on the benchmark's NP,
 * FR and BE test periods, README Forecasting results; ridge beat GBM on two of the three).
 */
function singleRank(spec: string): number {
  const m = /^(ridge|gbm|lear):(\d+)$/.exec(spec);
  if (!m) return Number.POSITIVE_INFINITY;
  return -Number(m[2]) * 10 + ['ridge', 'gbm', 'lear'].indexOf(m[1]!);
}

/**
 * The models a history of `historyDays` complete days supports for a model trained with
 * `trainEvalDays` evaluation days, most capable first: `hybrid-rw` and `lear-rw` (ours; both
 * below the LEAR ensemble on the benchmark's three datasets), the platform default (the LEAR
 * ensemble), then single-window models, longest window first (`singleRank`): ridge at
 * `CHOICE_RIDGE_WINDOWS`, GBM at `CHOICE_GBM_WINDOWS`, LEAR at the benchmark windows and 28 days;
 * then the epftoolbox naive, and the weekly naive (always).
 */
export function choiceCandidates(historyDays: number, trainEvalDays: number): string[] {
  const singles = [
    ...CHOICE_RIDGE_WINDOWS.map((w) => `ridge:${w}`),
    ...CHOICE_GBM_WINDOWS.map((w) => `gbm:${w}`),
    ...[...LEAR_BENCHMARK_WINDOWS, 28].map((w) => `lear:${w}`),
  ].sort((a, b) => singleRank(a) - singleRank(b));
  const all = ['hybrid-rw', 'lear-rw', FORECAST_DEFAULT_MODEL, ...singles, 'naive'];
  return [...new Set(all)].filter((c) => historyNeed(c, trainEvalDays) <= historyDays).concat('weekly-naive');
}

export interface ModelChoice {
  spec: string;
  /** Why this model (shown with the registered model and the optimiser's forecast). */
  note: string;
  /** Every measured candidate, best first; empty when there was nothing to measure. */
  scores: ModelChoiceScore[];
  evaluated_from: string | null;
  evaluated_through: string | null;
}

/** Each candidate's walk-forward MAE (and rMAE against the weekly naive) over the book's last `evalDays` complete days. */
export async function measureCandidates(compute: ComputePool, book: PriceBook, candidates: string[], evalDays: number): Promise<{ scores: ModelChoiceScore[]; from: string | null; through: string | null }> {
  let from: string | null = null;
  let through: string | null = null;
  const measured = await Promise.all(
    candidates.map(async (spec) => {
      let plan;
      try {
        plan = planEvaluation(spec, book, { evalDays, warmupDays: 0 });
      } catch (err) {
        if (err instanceof EvaluationInputError) return null;
        throw err;
      }
      const r = await evaluateOnBook(compute, spec, book, plan, { quantileWindowDays: 0 });
      const scored = r.days.filter((d) => !d.warmup);
      from = scored[0]?.date ?? from;
      through = scored[scored.length - 1]?.date ?? through;
      return { spec, mae_usd_per_mwh: r.metrics.mae, rmae: Number.isFinite(r.metrics.rmae) ? r.metrics.rmae : null, seconds: r.seconds };
    }),
  );
  const scores = measured.filter((s): s is ModelChoiceScore => s !== null);
  // Best first; a tie keeps the candidates' order (the more capable model).
  const order = new Map(candidates.map((c, i) => [c, i]));
  scores.sort((a, b) => a.mae_usd_per_mwh - b.mae_usd_per_mwh || order.get(a.spec)! - order.get(b.spec)!);
  return { scores, from, through };
}

function describe(choice: { spec: string; scores: ModelChoiceScore[]; from: string | null; through: string | null }, candidates: string[], historyDays: number, trainEvalDays: number): string {
  const fit =
    candidates.includes(FORECAST_DEFAULT_MODEL)
      ? ''
      : `; ${FORECAST_DEFAULT_MODEL} needs ${historyNeed(FORECAST_DEFAULT_MODEL, trainEvalDays)} days of history (so do hybrid-rw and lear-rw) and ${historyDays} are stored`;
  if (choice.scores.length < 2) return `the only model the ${historyDays} stored days support${fit}`;
  const list = choice.scores.map((s) => `${s.spec} ${s.mae_usd_per_mwh.toFixed(2)}${s.rmae !== null ? ` (rMAE ${s.rmae.toFixed(3)})` : ''}`).join(', ');
  return `most accurate of ${choice.scores.length} candidates on ${choice.from} … ${choice.through} (walk-forward, prices only; MAE $/MWh: ${list})${fit}`;
}

export class ModelChooser {
  private readonly inflight = new Map<string, Promise<ModelChoice>>();

  constructor(private readonly d: { compute: ComputePool; repo: ModelChoiceRepository; evalDays?: number }) {}

  /** The stored choice for a series (null: never chosen). */
  stored(market: string, location: string, scopeKey = 'shared') {
    return this.d.repo.find(market, location, scopeKey);
  }

  /**
   * The default model of a location's series: the stored choice while still fresh, else measured now
   * (in the compute pool) and stored. `trainEvalDays` is the evaluation length the chosen model
   * will be trained with: a candidate must support it. Concurrent calls for a series share one measurement.
   */
  async choose(args: { market: string; location: string; book: PriceBook; trainEvalDays: number; scopeKey?: string }): Promise<ModelChoice> {
    const key = `${args.market}|${args.location}|${args.scopeKey ?? 'shared'}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.chooseNow(args).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async chooseNow(args: { market: string; location: string; book: PriceBook; trainEvalDays: number; scopeKey?: string }): Promise<ModelChoice> {
    const scopeKey = args.scopeKey ?? 'shared';
    const completes = args.book.completeDates();
    const historyDays = completes.length;
    const candidates = choiceCandidates(historyDays, args.trainEvalDays);
    const newest = completes[completes.length - 1] ?? null;
    const prev = await this.d.repo.find(args.market, args.location, scopeKey);
    if (prev && sameList(choiceCandidates(prev.history_days, args.trainEvalDays), candidates) && fresh(prev.evaluated_through, newest)) {
      return { spec: prev.spec, note: prev.note, scores: prev.scores, evaluated_from: prev.evaluated_from, evaluated_through: prev.evaluated_through };
    }
    const evalDays = this.d.evalDays ?? CHOICE_EVAL_DAYS;
    const measured = candidates.length > 1 ? await measureCandidates(this.d.compute, args.book, candidates, evalDays) : { scores: [], from: null, through: null };
    // Too short to measure (or nothing but the weekly naive fits): the most capable model that fits.
    const spec = measured.scores[0]?.spec ?? defaultModelFor(historyDays, args.trainEvalDays).spec;
    const note = measured.scores.length ? describe({ spec, ...measured }, candidates, historyDays, args.trainEvalDays) : defaultModelFor(historyDays, args.trainEvalDays).note;
    const choice: ModelChoice = { spec, note, scores: measured.scores, evaluated_from: measured.from, evaluated_through: measured.through };
    await this.d.repo.save({ market: args.market, location: args.location, scope_key: scopeKey, spec, note, scores: measured.scores, history_days: historyDays, evaluated_from: measured.from, evaluated_through: measured.through });
    return choice;
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Measured at most `CHOICE_REUSE_DAYS` complete days before the newest one (an unmeasured choice stays while its candidates do). */
function fresh(evaluatedThrough: string | null, newest: string | null): boolean {
  if (!evaluatedThrough || !newest) return true;
  return (Date.parse(`${newest}T00:00:00Z`) - Date.parse(`${evaluatedThrough}T00:00:00Z`)) / 86_400_000 < CHOICE_REUSE_DAYS;
}
