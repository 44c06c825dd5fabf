/**
 * Whether each ISO dataset is as fresh as the ISO's calendar says it should be. A dataset is
 * stale when its newest complete day is older than the day that should be complete by now:
 * DA prices (and DA AS prices, published with them) for tomorrow once the ISO's publication
 * time (plus a grace) has passed, else today; RT prices for yesterday once today is a grace old; load forecasts for tomorrow once
 * their assumed publication (06:00 market time, NYISO 04:00) plus a grace has passed.
 */
import { addDaysYmd, dayAheadPublicationTime, eia930AssumedPublicationLocalTime, getMarket, localDateOf, zonedLocalToUtc, type IsoId } from '@optibid/core';
import type { DatasetFreshness } from '../../db/repositories/fetch-records.js';
import type { FetchDataset } from './iso-clients/index.js';

export const FRESHNESS_GRACE_MS = 2 * 3_600_000;

export interface FreshnessView {
  market: IsoId;
  dataset: FetchDataset;
  last_good_fetch_at: string | null;
  last_attempt_at: string | null;
  last_error: string | null;
  newest_complete_day: string | null;
  expected_day: string;
  stale: boolean;
}

/** When a delivery day's load forecast is assumed published: the EIA-930 assumption (06:00 market time the day before; NYISO 04:00, before its 05:00 gate). */
export function loadForecastPublicationTime(iso: IsoId, deliveryDay: string): Date {
  return zonedLocalToUtc(addDaysYmd(deliveryDay, -1), eia930AssumedPublicationLocalTime(iso), getMarket(iso).timezone);
}

/**
 * The newest market-local day whose load forecast is published at `now` (no grace): what the schedule
 * asks for, so a forecast published shortly before its day's gate is fetched before the gate.
 */
export function newestPublishedLoadForecastDay(iso: IsoId, now: Date): string {
  const tomorrow = addDaysYmd(localDateOf(now, getMarket(iso).timezone), 1);
  return now.getTime() >= loadForecastPublicationTime(iso, tomorrow).getTime() ? tomorrow : addDaysYmd(tomorrow, -1);
}

/** The newest market-local day that should be complete at `now`. */
export function expectedCompleteDay(iso: IsoId, dataset: FetchDataset, now: Date): string {
  const tz = getMarket(iso).timezone;
  const today = localDateOf(now, tz);
  const tomorrow = addDaysYmd(today, 1);
  if (dataset === 'da-lmp' || dataset === 'as-prices') return now.getTime() >= dayAheadPublicationTime(iso, tomorrow).getTime() + FRESHNESS_GRACE_MS ? tomorrow : today;
  if (dataset === 'load-forecast') return now.getTime() >= loadForecastPublicationTime(iso, tomorrow).getTime() + FRESHNESS_GRACE_MS ? tomorrow : today;
  return now.getTime() >= zonedLocalToUtc(today, '00:00', tz).getTime() + FRESHNESS_GRACE_MS ? addDaysYmd(today, -1) : addDaysYmd(today, -2);
}

export function freshnessView(iso: IsoId, dataset: FetchDataset, f: DatasetFreshness | undefined, now: Date): FreshnessView {
  const expected = expectedCompleteDay(iso, dataset, now);
  return {
    market: iso,
    dataset,
    last_good_fetch_at: f?.last_good_fetch_at?.toISOString() ?? null,
    last_attempt_at: f?.last_attempt_at.toISOString() ?? null,
    last_error: f?.last_error ?? null,
    newest_complete_day: f?.newest_complete_day ?? null,
    expected_day: expected,
    stale: !f?.newest_complete_day || f.newest_complete_day < expected,
  };
}
