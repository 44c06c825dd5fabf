/**
 * Fetches ISO data for market-local days: skips days already complete, downloads through
 * the ISO's polite HTTP queue, hands the bytes to the importers in the compute pool, stores the rows of the
 * requested days, records every download and marks a day complete only when every location
 * the ISO sent has all its intervals.
 */
import { createHash } from 'node:crypto';
import {
  getMarket,
  hoursInLocalDay,
  localDateOf,
  ymdRange,
  type AncillaryPriceRow,
  type IsoId,
  type LoadForecastRow,
  type NormalizedPriceRow,
  type PriceRun,
} from '@optibid/core';
import type { ComputePool } from '../../compute/pool.js';
import type { MarketFeedConfig } from '../../config/market-feed.js';
import type { AncillaryPricesRepository } from '../../db/repositories/ancillary-prices.js';
import { parseFetchedFile } from '../market-data/index.js';
import type { FetchDay, FetchRecordsRepository, LoadForecastsRepository } from '../../db/repositories/fetch-records.js';
import type { PricesRepository } from '../../db/repositories/prices.js';
import { FetchFailedError, PoliteHttp } from './polite-http.js';
import { AS_PRICES_UNSUPPORTED, type FetchDataset, type IsoClient, type PlannedDownload } from './iso-clients/index.js';

export interface FetchDaysOptions {
  trigger: 'schedule' | 'cli' | 'api';
  /** Fetch days even when already complete (an ISO correction). */
  force?: boolean;
  onProgress?: (done: number, total: number, note: string) => void;
  /** Told of each listing or download that failed after the polite client's retries (not of days the ISO has no data for). */
  onFailure?: (message: string) => void;
}

export interface FetchReport {
  market: IsoId;
  dataset: FetchDataset;
  days_requested: number;
  days_skipped: string[];
  days_complete: string[];
  days_incomplete: { day: string; reason: string }[];
  downloads: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: string[];
}

export interface MarketFeedDeps {
  config: MarketFeedConfig;
  clients: Record<IsoId, IsoClient>;
  prices: PricesRepository;
  ancillaryPrices: AncillaryPricesRepository;
  loadForecasts: LoadForecastsRepository;
  records: FetchRecordsRepository;
  /** Where downloads are opened and parsed (market-data's parseFetchedFile). */
  compute: ComputePool;
  now?: () => Date;
}

type AnyRow = NormalizedPriceRow | AncillaryPriceRow | LoadForecastRow;
const RUN_MINUTES: Record<PriceRun, number> = { DA: 60, RTH: 60, RT15: 15, RT5: 5 };

export class MarketFeedService {
  private readonly http = new Map<IsoId | 'EIA930', PoliteHttp>();
  private readonly now: () => Date;

  constructor(private readonly deps: MarketFeedDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** One queue per host we ask: requests to the same ISO never overlap. */
  private httpFor(key: IsoId | 'EIA930'): PoliteHttp {
    let h = this.http.get(key);
    if (!h) {
      const c = this.deps.config;
      h = new PoliteHttp({ timeoutMs: c.timeoutMs, maxAttempts: c.maxAttempts, backoffBaseMs: c.backoffBaseMs, maxRetryAfterS: c.maxRetryAfterS });
      this.http.set(key, h);
    }
    return h;
  }

  unavailable(iso: IsoId, dataset: FetchDataset): string | null {
    return this.deps.clients[iso].unavailable(dataset);
  }

  /** Why the schedule leaves a dataset alone although it can be fetched by hand (a history-only source), or null. */
  notScheduled(iso: IsoId, dataset: FetchDataset): string | null {
    return this.deps.clients[iso].notScheduled?.(dataset) ?? null;
  }

  /**
   * Per ISO, what cannot be fetched for lack of credentials. An ISO whose AS prices no importer
   * reads is not a problem to report (most ISOs), but an AS client missing its keys is.
   */
  credentialProblems(): { market: IsoId; problems: string[] }[] {
    return (Object.keys(this.deps.clients) as IsoId[])
      .map((iso) => ({
        market: iso,
        problems: [...new Set((['da-lmp', 'rt-lmp', 'as-prices', 'load-forecast'] as const).map((d) => this.unavailable(iso, d)).filter((p): p is string => p !== null && p !== AS_PRICES_UNSUPPORTED))],
      }))
      .filter((x) => x.problems.length > 0);
  }

  async fetchDays(iso: IsoId, dataset: FetchDataset, from: string, to: string, opts: FetchDaysOptions): Promise<FetchReport> {
    const days = ymdRange(from, to);
    const report: FetchReport = { market: iso, dataset, days_requested: days.length, days_skipped: [], days_complete: [], days_incomplete: [], downloads: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, errors: [] };
    const why = this.unavailable(iso, dataset);
    if (why) throw new RangeError(`${iso} ${dataset}: ${why}`);
    const done = opts.force ? new Set<string>() : await this.deps.records.completeDays(iso, dataset, from, to);
    const todo = days.filter((d) => !done.has(d));
    report.days_skipped = days.filter((d) => done.has(d));
    if (todo.length === 0) return report;
    const client = this.deps.clients[iso];
    const http = this.httpFor(dataset === 'load-forecast' ? 'EIA930' : iso);
    let plan: PlannedDownload[];
    const skipped = new Map<string, string>();
    try {
      plan = await client.plan(dataset, todo, { http, now: this.now(), skip: (ds, reason) => ds.forEach((d) => skipped.set(d, reason)) });
    } catch (err) {
      const msg = (err as Error).message;
      await this.deps.records.record({ ...emptyRecord(iso, dataset, todo, opts.trigger, new Date()), url: `${iso} ${dataset} listing`, http_status: err instanceof FetchFailedError ? err.status : null, error: msg });
      report.errors.push(msg);
      opts.onFailure?.(msg);
      for (const d of todo) report.days_incomplete.push({ day: d, reason: msg });
      return report;
    }
    const outcome = new Map<string, FetchDay>();
    opts.onProgress?.(0, plan.length, '');
    for (let i = 0; i < plan.length; i++) {
      const dl = plan[i]!;
      for (const d of await this.runDownload(iso, dataset, dl, opts, report)) {
        const prev = outcome.get(d.day);
        // A day spread over several downloads (ERCOT RT) is complete when the union is.
        if (!prev || (!prev.complete && d.complete) || (prev.complete === d.complete && d.rows > prev.rows)) outcome.set(d.day, d);
      }
      report.downloads++;
      opts.onProgress?.(i + 1, plan.length, dl.name);
    }
    for (const d of todo) {
      const o = outcome.get(d);
      if (o?.complete) report.days_complete.push(d);
      else report.days_incomplete.push({ day: d, reason: o?.detail ?? skipped.get(d) ?? 'no download succeeded' });
    }
    if (skipped.size) report.errors.push(`${iso} ${dataset}: ${skipped.size} day(s) not fetched: ${[...new Set(skipped.values())].join('; ')}`);
    return report;
  }

  private async runDownload(iso: IsoId, dataset: FetchDataset, dl: PlannedDownload, opts: FetchDaysOptions, report: FetchReport): Promise<FetchDay[]> {
    const started = new Date();
    const rec = { ...emptyRecord(iso, dataset, dl.days, opts.trigger, started), url: dl.request.safeUrl };
    let status: number | null = null;
    try {
      const res = await this.httpFor(dataset === 'load-forecast' ? 'EIA930' : iso).get(dl.request);
      status = res.status;
      rec.http_status = res.status;
      rec.bytes = res.bytes.length;
      rec.attempts = res.attempts;
      rec.sha256 = createHash('sha256').update(res.bytes).digest('hex');
      const { rows, rejected, noData } = await parseFetchedFile(this.deps.compute, iso, { name: dl.name, kind: dl.kind, bytes: res.bytes });
      const tz = getMarket(iso).timezone;
      const wanted = new Set(dl.days);
      const kept = rows.filter((r) => wanted.has(localDateOf(r.interval_start, tz)));
      const stored =
        dl.kind === 'load-forecast'
          ? await this.deps.loadForecasts.upsert(kept as LoadForecastRow[])
          : dl.kind === 'as-prices'
            ? await this.deps.ancillaryPrices.upsert(kept as AncillaryPriceRow[], { source: `fetch:${dl.name}` })
            : await this.deps.prices.upsert(kept as NormalizedPriceRow[]);
      Object.assign(rec, { rows_inserted: stored.inserted, rows_updated: stored.updated, rows_unchanged: stored.unchanged, rows_rejected: rejected });
      report.inserted += stored.inserted;
      report.updated += stored.updated;
      report.unchanged += stored.unchanged;
      report.rejected += rejected;
      const days = dl.days.map((d) => judgeDay(d, tz, kept.filter((r) => localDateOf(r.interval_start, tz) === d), noData));
      rec.ok = kept.length > 0;
      if (!rec.ok) rec.error = noData ?? 'the download held no rows for the requested days';
      const id = await this.deps.records.record(rec);
      await this.deps.records.markDays(iso, dataset, days, id);
      if (rec.error) report.errors.push(`${dl.request.safeUrl}: ${rec.error}`);
      return days;
    } catch (err) {
      const msg = (err as Error).message;
      rec.error = msg;
      rec.http_status = err instanceof FetchFailedError ? err.status : status;
      rec.attempts = err instanceof FetchFailedError ? err.attempts : rec.attempts;
      const id = await this.deps.records.record(rec);
      const days = dl.days.map((d) => ({ day: d, complete: false, rows: 0, detail: msg }));
      await this.deps.records.markDays(iso, dataset, days, id);
      report.errors.push(msg);
      opts.onFailure?.(msg);
      return days;
    }
  }
}

function emptyRecord(market: IsoId, dataset: string, days: string[], trigger: FetchDaysOptions['trigger'], started: Date) {
  return { market, dataset, url: '', days, started_at: started, http_status: null as number | null, bytes: 0, sha256: null as string | null, attempts: 0, rows_inserted: 0, rows_updated: 0, rows_unchanged: 0, rows_rejected: 0, ok: false, error: null as string | null, trigger };
}

/**
 * A day is complete when it has rows and every series in it (location and run, or forecast
 * area) has every interval of the market-local day: hours × 60 / interval minutes, so 23 or
 * 25 hours on DST days.
 */
export function judgeDay(day: string, timeZone: string, rows: AnyRow[], noData: string | null): FetchDay {
  if (rows.length === 0) return { day, complete: false, rows: 0, detail: noData ?? 'no rows for this day' };
  const hours = hoursInLocalDay(day, timeZone);
  const series = new Map<string, { n: Set<number>; expected: number }>();
  for (const r of rows) {
    // Energy: location × run; AS: reserve zone × product (hourly); load forecast: area (hourly).
    const key = 'zone' in r ? `${r.zone} ${r.product}|AS` : 'run' in r ? `${r.location}|${r.run}` : `${r.area}|LF`;
    const minutes = 'location' in r ? RUN_MINUTES[r.run] : 60;
    let s = series.get(key);
    if (!s) series.set(key, (s = { n: new Set(), expected: (hours * 60) / minutes }));
    s.n.add(r.interval_start.getTime());
  }
  const short = [...series].filter(([, s]) => s.n.size < s.expected);
  if (short.length === 0) return { day, complete: true, rows: rows.length, detail: null };
  const [k, s] = short[0]!;
  return { day, complete: false, rows: rows.length, detail: `${short.length} of ${series.size} series incomplete (e.g. ${k.split('|')[0]}: ${s.n.size} of ${s.expected} intervals)` };
}
