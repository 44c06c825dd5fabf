/**
 * What every ISO client does: for a dataset and market-local days, say which downloads hold
 * them (listing first where the ISO makes one look documents up) and with what credentials.
 * The bytes go to the importers in packages/core; the clients never parse prices themselves.
 */
import { addDaysYmd, getMarket, localDayBoundsUtc, type IsoId } from '@optibid/core';
import type { MarketFeedConfig } from '../../../config/market-feed.js';
import type { HttpRequest, PoliteHttp } from '../polite-http.js';

export const FETCH_DATASETS = ['da-lmp', 'rt-lmp', 'as-prices', 'load-forecast'] as const;
export type FetchDataset = (typeof FETCH_DATASETS)[number];

export interface PlannedDownload {
  request: HttpRequest;
  /** File name handed to the importer (its run hints come from it). */
  name: string;
  /** Market-local days whose rows this download holds; rows of other days are not stored. */
  days: string[];
  kind: 'prices' | 'as-prices' | 'load-forecast';
}

export interface PlanContext {
  http: PoliteHttp;
  now: Date;
  /** Days the client cannot fetch, and why (no request is made for them; they stay incomplete). */
  skip(days: string[], reason: string): void;
}

export interface IsoClient {
  readonly iso: IsoId;
  /** Why a dataset cannot be fetched (unsupported, or missing credentials), or null when it can. */
  unavailable(dataset: FetchDataset): string | null;
  /** Why the schedule does not keep a dataset fresh although `optibid fetch` can fetch it (a history-only source), or null. */
  notScheduled?(dataset: FetchDataset): string | null;
  /** The downloads that hold `days` of `dataset`. May make listing requests through `ctx.http`. */
  plan(dataset: FetchDataset, days: string[], ctx: PlanContext): Promise<PlannedDownload[]>;
}

export type ClientConfig = MarketFeedConfig;

export function compactYmd(day: string): string {
  return day.replace(/-/g, '');
}

/** UTC bounds of a market-local day (MISO: EST). */
export function dayBounds(iso: IsoId, day: string): { start: Date; end: Date } {
  return localDayBoundsUtc(day, getMarket(iso).timezone);
}

export function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}

export { addDaysYmd };

/** Ancillary-service prices are read for ERCOT (NP4-181-ER) and SPP (DA-MCP) only. */
export const AS_PRICES_UNSUPPORTED = 'ancillary-service prices: no importer reads this ISO\'s AS file yet (ERCOT and SPP only)';
