/**
 * The schedule of the ISO clients: each ISO's DA prices (and DA ancillary-service prices where
 * we read them) once its publication time has passed, RT prices every RT interval, load
 * forecasts from their assumed publication (every 6 h, and at each publication), always over a backfill window so
 * a gap left by a failed day is fetched again (complete days are skipped). After each pass a
 * dataset that turned stale raises one alert until it is fresh again. A server queues what is
 * due as durable jobs (`plan`, jobs/fetch.ts); `tick` fetches in this process.
 */
import { addDaysYmd, getMarket, localDateOf, type IsoId } from '@optibid/core';
import type { FetchRecordsRepository } from '../../db/repositories/fetch-records.js';
import type { FetchDataset } from './iso-clients/index.js';
import type { MarketFeedService } from './fetch-service.js';
import { expectedCompleteDay, freshnessView, loadForecastPublicationTime, newestPublishedLoadForecastDay, type FreshnessView } from './freshness.js';

export interface SchedulerDeps {
  service: MarketFeedService;
  records: FetchRecordsRepository;
  markets: readonly IsoId[];
  /** How many days back a pass looks for gaps. */
  backfillDays: number;
  /** Datasets to keep fresh (default: DA, RT, AS prices and load forecasts; each ISO's unsupported or history-only ones are left out). */
  datasets?: readonly FetchDataset[];
  onStale: (view: FreshnessView) => Promise<void> | void;
  onError?: (err: Error, iso: IsoId, dataset: FetchDataset) => void;
  now?: () => Date;
}

/** A scheduled fetch of one dataset of one ISO over a day range, in its period's slot. */
export interface DueFetch {
  iso: IsoId;
  dataset: FetchDataset;
  from: string;
  to: string;
  slot_start: Date;
}

const DAY_MS = 86_400_000;
const DEFAULT_DATASETS: readonly FetchDataset[] = ['da-lmp', 'rt-lmp', 'as-prices', 'load-forecast'];

export class FetchScheduler {
  private readonly due = new Map<string, number>();
  private readonly stale = new Set<string>();
  private readonly now: () => Date;

  constructor(private readonly deps: SchedulerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Whether the schedule keeps this dataset of this ISO fresh. */
  private kept(iso: IsoId, dataset: FetchDataset): boolean {
    return !this.deps.service.unavailable(iso, dataset) && !this.deps.service.notScheduled(iso, dataset);
  }

  /** How often each dataset is asked for: RT every pricing interval, the rest hourly until complete. */
  private periodMs(iso: IsoId, dataset: FetchDataset): number {
    if (dataset === 'rt-lmp') return getMarket(iso).rt_pricing_interval_min * 60_000;
    return dataset === 'load-forecast' ? DAY_MS / 4 : 3_600_000;
  }

  /**
   * When to ask again: a period later, but a load forecast no later than the next day's publication, so
   * it is stored before that day's gate (NYISO's is assumed published an hour before its gate).
   */
  private nextDue(iso: IsoId, dataset: FetchDataset, now: Date): number {
    const later = now.getTime() + this.periodMs(iso, dataset);
    if (dataset !== 'load-forecast') return later;
    const next = loadForecastPublicationTime(iso, addDaysYmd(newestPublishedLoadForecastDay(iso, now), 1)).getTime();
    return Math.min(later, next);
  }

  /**
   * The fetches due now (each dataset at most once per period on this scheduler, a load forecast
   * also at its publication), with the period's slot start: schedulers of several instances agree
   * on the slot and the day range, so a queue keyed on both gets one job per slot and range however
   * many ask (jobs/fetch.ts); a publication moves the range, so it is fetched within the slot too.
   */
  plan(now = this.now()): DueFetch[] {
    const out: DueFetch[] = [];
    for (const iso of this.deps.markets) {
      for (const dataset of this.deps.datasets ?? DEFAULT_DATASETS) {
        if (!this.kept(iso, dataset)) continue;
        const key = `${iso}|${dataset}`;
        if ((this.due.get(key) ?? 0) > now.getTime()) continue;
        const to = dataset === 'rt-lmp' ? localDateOf(now, getMarket(iso).timezone) : dataset === 'load-forecast' ? newestPublishedLoadForecastDay(iso, now) : expectedCompleteDay(iso, dataset, now);
        const period = this.periodMs(iso, dataset);
        out.push({ iso, dataset, from: addDaysYmd(to, -this.deps.backfillDays), to, slot_start: new Date(Math.floor(now.getTime() / period) * period) });
        this.due.set(key, this.nextDue(iso, dataset, now));
      }
    }
    return out;
  }

  /** One pass in this process: fetch whatever is due, then check freshness. Returns the freshness of every dataset. */
  async tick(): Promise<FreshnessView[]> {
    const now = this.now();
    for (const f of this.plan(now)) {
      try {
        await this.deps.service.fetchDays(f.iso, f.dataset, f.from, f.to, { trigger: 'schedule' });
      } catch (err) {
        this.deps.onError?.(err as Error, f.iso, f.dataset);
      }
    }
    return this.checkFreshness(now);
  }

  async checkFreshness(now = this.now()): Promise<FreshnessView[]> {
    const stored = new Map((await this.deps.records.freshness()).map((f) => [`${f.market}|${f.dataset}`, f]));
    const out: FreshnessView[] = [];
    for (const iso of this.deps.markets) {
      for (const dataset of this.deps.datasets ?? DEFAULT_DATASETS) {
        if (!this.kept(iso, dataset)) continue;
        const key = `${iso}|${dataset}`;
        const view = freshnessView(iso, dataset, stored.get(key), now);
        out.push(view);
        if (view.stale && !this.stale.has(key)) {
          this.stale.add(key);
          await this.deps.onStale(view);
        } else if (!view.stale) this.stale.delete(key);
      }
    }
    return out;
  }
}
