/**
 * Whether a location's stored history is long enough to train a model, the one rule behind a
 * training's 422 and the reason a registered model shows for having no trained version.
 */
import { addDaysYmd } from '@optibid/core';
import type { PriceBook } from './price-book.js';

/** Walk-forward evaluation days of a training when none are asked for (the API's default and the daily forecast job's). */
export const DEFAULT_TRAIN_EVAL_DAYS = 28;
/** Days forecast before the evaluation only to seed the quantiles, when none are asked for. */
export const DEFAULT_TRAIN_WARMUP_DAYS = 7;

export interface TrainingHistory {
  /** Complete days a training needs: the model's window before each evaluation day, the day before the first, and the evaluation days. */
  needed_days: number;
  /** Complete days stored in the book. */
  stored_days: number;
  /** Complete days late enough to be evaluated (each has the model's window before it). */
  usable_eval_days: number;
  first: string | null;
  last: string | null;
}

/**
 * The history a training of a model with `minHistoryDays` over `evalDays` evaluation days needs and what
 * the book holds. A day D is forecast from complete days up to D−2 and D−1 cut at its gate, so the first
 * day that can be evaluated is `minHistoryDays` + 1 days after the book's first.
 */
export function trainingHistory(book: PriceBook, minHistoryDays: number, evalDays: number): TrainingHistory {
  const completes = book.completeDates();
  const firstUsable = book.dates[0] ? addDaysYmd(book.dates[0], minHistoryDays + 1) : null;
  return {
    needed_days: minHistoryDays + 1 + evalDays,
    stored_days: completes.length,
    usable_eval_days: firstUsable ? completes.filter((d) => d >= firstUsable).length : 0,
    first: book.dates[0] ?? null,
    last: book.dates[book.dates.length - 1] ?? null,
  };
}

/**
 * Why `spec` cannot be trained with `evalDays` evaluation days on the book's history, naming the days stored
 * and needed; null when it can.
 */
export function shortHistoryReason(spec: string, book: PriceBook, minHistoryDays: number, evalDays: number): string | null {
  const h = trainingHistory(book, minHistoryDays, evalDays);
  if (h.usable_eval_days >= evalDays) return null;
  const stored = h.first ? `${h.stored_days} complete days are stored (${h.first} … ${h.last})` : 'none are stored';
  // Days stored but not all complete or consecutive: the count alone would not explain it.
  const gaps = h.stored_days >= h.needed_days ? `, with gaps that leave ${h.usable_eval_days} evaluation days` : '';
  return `${spec} needs ${h.needed_days} days of ${book.run} price history to be trained (${minHistoryDays} before each of ${evalDays} walk-forward evaluation days, and the day before the first) and ${stored}${gaps}`;
}
