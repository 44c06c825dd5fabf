/**
 * Prometheus metrics (prom-client). One `Metrics` per server holds what its parts record as
 * they run (request latency per route, job and compute-task durations, solver times) and the
 * gauges read at scrape time (WebSocket connections and send queues, job-queue depth, data
 * freshness, read-cache counters), registered by the composition root. The process metrics
 * (CPU, memory, GC, handles, and event-loop delay from perf_hooks' monitorEventLoopDelay as
 * `nodejs_eventloop_lag_*_seconds`) are the process's, so they live in one registry per
 * process, started when an app registers /metrics (a CLI command that never serves pays nothing).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TalliedHistogram } from './tallied-histogram.js';

let processRegistry: Registry | null = null;

/** The process's registry, started on first use: a serving app starts it (http/metrics-route.ts), a CLI command never does. */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 10 });
  }
  return processRegistry;
}

/** Latency buckets for HTTP requests and solves (seconds): 0.5 ms … 10 s. */
const FAST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Buckets for jobs and forecasts (seconds): 10 ms … 30 min. */
const SLOW_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export type Sample<L extends string> = { labels?: Partial<Record<L, string | number>>; value: number };

export class Metrics {
  readonly registry = new Registry();
  /** Tallied: replays of cached reads (http/fast-replies.ts) record through `tally`. */
  readonly httpRequestDuration: TalliedHistogram<'method' | 'route' | 'status_code'>;
  readonly jobDuration: Histogram<'queue' | 'outcome'>;
  readonly computeTaskDuration: Histogram<'task' | 'outcome'>;
  readonly solverDuration: Histogram<'outcome'>;
  private scrapes = 0;

  constructor() {
    const registers = [this.registry];
    this.httpRequestDuration = new TalliedHistogram({
      name: 'optibid_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern (not the raw URL), method and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: FAST_BUCKETS,
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'optibid_job_duration_seconds',
      help: 'Durable job run time by queue and outcome (succeeded, failed, handed_back)',
      labelNames: ['queue', 'outcome'],
      buckets: SLOW_BUCKETS,
      registers,
    });
    this.computeTaskDuration = new Histogram({
      name: 'optibid_compute_task_duration_seconds',
      help: 'Compute-pool task time (forecast serving and training fits), queueing included, by task and outcome',
      labelNames: ['task', 'outcome'],
      buckets: SLOW_BUCKETS,
      registers,
    });
    this.solverDuration = new Histogram({
      name: 'optibid_solver_duration_seconds',
      help: 'HiGHS solve time in the solver pool (optimisation and backtests), worker round trip included, by outcome',
      labelNames: ['outcome'],
      buckets: FAST_BUCKETS,
      registers,
    });
  }

  /** A gauge whose samples are read when Prometheus scrapes (a failing reader leaves it empty for that scrape). */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], read: () => Promise<Sample<L>[]> | Sample<L>[]): void {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        const samples = await Promise.resolve()
          .then(read)
          .catch(() => [] as Sample<L>[]);
        for (const s of samples) this.set((s.labels ?? {}) as Record<L, string | number>, s.value);
      },
    });
  }

  /** A counter kept elsewhere (a running total), read when Prometheus scrapes. */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[], read: () => Sample<L>[]): void {
    new Counter<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of read()) this.inc((s.labels ?? {}) as Record<L, string | number>, s.value);
      },
    });
  }

  /** A reader shared by the gauges of one scrape: read once per scrape, whichever gauge asks first. */
  perScrape<T>(read: () => Promise<T>): () => Promise<T> {
    let scrape = -1;
    let last: Promise<T> | null = null;
    return () => {
      if (!last || scrape !== this.scrapes) {
        scrape = this.scrapes;
        last = read();
      }
      return last;
    };
  }

  /** Times `fn` into `histogram` with outcome ok or error. */
  async time<T, L extends string>(histogram: Histogram<L | 'outcome'>, labels: Partial<Record<L, string>>, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      const out = await fn();
      histogram.observe({ ...labels, outcome: 'ok' } as Record<L | 'outcome', string>, (performance.now() - t0) / 1000);
      return out;
    } catch (err) {
      histogram.observe({ ...labels, outcome: 'error' } as Record<L | 'outcome', string>, (performance.now() - t0) / 1000);
      throw err;
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text: the process's metrics, then this server's. */
  async text(): Promise<string> {
    this.scrapes++;
    const [proc, own] = await Promise.all([processMetrics().metrics(), this.registry.metrics()]);
    return `${proc.trimEnd()}\n${own}`;
  }
}
