/**
 * Durable jobs on PostgreSQL: a row per job, claimed with `SELECT … FOR
 * UPDATE SKIP LOCKED`, held under a lease the worker renews by heartbeat,
 * retried with exponential backoff, finished or failed with the reason.
 *
 * Why our own and not graphile-worker or pg-boss: both are good on a
 * PostgreSQL server, but OptiBid's default database is PGlite, one embedded
 * connection, where graphile-worker's LISTEN/NOTIFY-driven runner and
 * pg-boss's own schema, maintenance and multi-connection pool do not run as
 * designed; the platform needs the *same* queue, tested by one contract
 * suite, on both. The whole mechanism is four statements (claim, heartbeat,
 * finish, fail-or-retry) in `db/repositories/jobs.ts`, identical on both
 * backends; on PGlite (one process) SKIP LOCKED is trivially satisfied, on
 * PostgreSQL it is what makes a job run once across instances.
 *
 * A worker that dies stops heartbeating; when its lease expires another
 * instance (or the same one restarted) claims the job again — this replaces
 * failing every unfinished job at start, which also failed jobs another live
 * instance was running. A handler must therefore be safe to run again.
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { JobRepository, JobRow } from '../db/repositories/jobs.js';

export interface JobContext {
  job: JobRow;
  /** Records progress (and renews the lease). */
  progress(p: Record<string, unknown>): Promise<void>;
  /** Aborted when the lease is lost or the server stops. */
  signal: AbortSignal;
}

/**
 * Thrown by a handler when another attempt cannot help (the input itself is wrong or
 * missing): the job fails for good at once, saying why, instead of retrying with backoff.
 */
export class PermanentJobError extends Error {}

export interface JobHandler {
  run(payload: Record<string, unknown>, ctx: JobContext): Promise<void>;
  /** Called once when the job fails for good (attempts exhausted), to mark what it worked on. */
  failed?(payload: Record<string, unknown>, error: string): Promise<void>;
}

export interface JobQueueOptions {
  /** This worker's name in `locked_by`. */
  worker: string;
  lease_ms: number;
  /** How often idle workers look for due jobs. */
  poll_ms: number;
  /** First retry delay; doubles with each attempt. */
  backoff_ms: number;
  /** Jobs this instance runs at once. */
  concurrency: number;
}

/** Told how each run of a job ended (metrics). */
export type JobOutcome = 'succeeded' | 'retrying' | 'failed' | 'handed_back';
export type JobObserver = (queue: string, outcome: JobOutcome, seconds: number) => void;

export const DEFAULT_JOB_OPTIONS: Omit<JobQueueOptions, 'worker'> = { lease_ms: 30_000, poll_ms: 1_000, backoff_ms: 5_000, concurrency: 1 };

/**
 * Delay before attempt n+1 after n failed attempts: backoff · 2^(n−1)
 * (exponential backoff, as graphile-worker and pg-boss default to).
 */
export function retryDelayMs(backoffMs: number, attempts: number): number {
  return backoffMs * 2 ** Math.max(0, attempts - 1);
}

export class JobQueue {
  readonly options: JobQueueOptions;
  private readonly handlers = new Map<string, JobHandler>();
  /** Queues with a concurrency of their own; the others share `options.concurrency`. */
  private readonly ownLimits = new Map<string, number>();
  private readonly running = new Map<string, { queue: string; abort: AbortController; done: Promise<void> }>();
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private ticking: Promise<void> | null = null;
  private kickAgain = false;

  constructor(
    private readonly repo: JobRepository,
    opts: Partial<JobQueueOptions> = {},
    private readonly observe: JobObserver = () => undefined,
  ) {
    this.options = { ...DEFAULT_JOB_OPTIONS, worker: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, ...opts };
  }

  /**
   * `concurrency` gives the queue its own limit on this instance, beside the shared one, so
   * short scheduled work (fetches, forecasts) does not wait behind an hour of backtest.
   */
  register(queue: string, handler: JobHandler, opts: { concurrency?: number } = {}): void {
    this.handlers.set(queue, handler);
    if (opts.concurrency) this.ownLimits.set(queue, opts.concurrency);
    else this.ownLimits.delete(queue);
    if (this.started) this.kick();
  }

  async enqueue(queue: string, payload: Record<string, unknown>, opts: { max_attempts?: number; delay_ms?: number } = {}): Promise<JobRow> {
    const row = await this.repo.enqueue({ queue, payload, ...opts });
    if (this.started) this.kick();
    return row;
  }

  /** Enqueues under a key unique in the queue (see JobRepository.enqueueUnique); null when it is already there. */
  async enqueueUnique(queue: string, unique_key: string, payload: Record<string, unknown>, opts: { max_attempts?: number; exclusive_key?: string } = {}): Promise<JobRow | null> {
    const row = await this.repo.enqueueUnique({ queue, unique_key, payload, ...opts });
    if (row && this.started) this.kick();
    return row;
  }

  get(id: string): Promise<JobRow | null> {
    return this.repo.get(id);
  }

  /** Deletes the queue's jobs finished more than `olderThanMs` ago (see JobRepository.prune). */
  prune(queue: string, olderThanMs: number): Promise<number> {
    return this.repo.prune(queue, olderThanMs);
  }

  /** Queued and running jobs per queue, across every instance (the queue's depth). */
  depth(): Promise<{ queue: string; status: 'queued' | 'running'; jobs: number }[]> {
    return this.repo.depth();
  }

  /** Starts claiming jobs of the registered queues (a server; the CLI never does). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.kick();
  }

  /**
   * Stops claiming; running jobs may finish within `graceMs` (default 0), then the rest are
   * aborted and handed back to the queue at once (not waiting for their lease), so another
   * instance takes them on its next poll. Resolves with what happened to each.
   */
  async stop(graceMs = 0): Promise<{ finished: number; handed_back: number }> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    const before = this.running.size;
    if (before > 0 && graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...this.running.values()].map((r) => r.done)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    const left = [...this.running.values()];
    for (const r of left) r.abort.abort();
    await Promise.all(left.map((r) => r.done));
    return { finished: before - left.length, handed_back: left.length };
  }

  /** Jobs this instance is running now. */
  get runningCount(): number {
    return this.running.size;
  }

  /**
   * Resolves with the jobs' rows once each has succeeded or failed for good, on whichever
   * instance ran them (a caller waiting for work it enqueued).
   */
  async awaitFinished(ids: string[], timeoutMs = 300_000): Promise<JobRow[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const rows = await Promise.all(ids.map((id) => this.repo.get(id)));
      if (rows.every((r) => !r || r.status === 'succeeded' || r.status === 'failed')) return rows.filter((r): r is JobRow => r !== null);
      if (Date.now() > until) throw new Error(`jobs did not finish within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Resolves when no job of the registered queues is queued or running anywhere (tests). */
  async drain(timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((await this.repo.pending([...this.handlers.keys()])) > 0 || this.running.size > 0) {
      if (Date.now() > until) throw new Error('jobs did not drain in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // A kick while a round runs (a job enqueued here meanwhile) starts another round right after it, not a poll later.
    if (this.ticking) {
      this.kickAgain = true;
      return;
    }
    this.ticking = this.tick().finally(() => {
      this.ticking = null;
      const again = this.kickAgain;
      this.kickAgain = false;
      if (!this.started) return;
      if (again) this.kick();
      else this.timer = setTimeout(() => this.kick(), this.options.poll_ms);
    });
  }

  /** The registered queues this instance has room for now. */
  private claimable(): string[] {
    const counts = new Map<string, number>();
    let shared = 0;
    for (const r of this.running.values()) {
      counts.set(r.queue, (counts.get(r.queue) ?? 0) + 1);
      if (!this.ownLimits.has(r.queue)) shared++;
    }
    return [...this.handlers.keys()].filter((q) => {
      const own = this.ownLimits.get(q);
      return own ? (counts.get(q) ?? 0) < own : shared < this.options.concurrency;
    });
  }

  private async tick(): Promise<void> {
    for (let queues = this.claimable(); this.started && queues.length; queues = this.claimable()) {
      const job = await this.repo.claim(queues, this.options.worker, this.options.lease_ms).catch(() => null);
      if (!job) return;
      const abort = new AbortController();
      const done = this.execute(job, abort).finally(() => {
        this.running.delete(job.id);
        if (this.started) this.kick();
      });
      this.running.set(job.id, { queue: job.queue, abort, done });
    }
  }

  private async execute(job: JobRow, abort: AbortController): Promise<void> {
    const { worker, lease_ms } = this.options;
    const handler = this.handlers.get(job.queue)!;
    if (job.attempts > job.max_attempts) {
      // Its worker died on every attempt (the lease expired each time): give up, saying so.
      const error = job.last_error ?? `the job's lease expired on each of its ${job.max_attempts} attempts (its worker stopped)`;
      if (await this.repo.fail(job.id, worker, error, null)) await handler.failed?.(job.payload, error).catch(() => undefined);
      return;
    }
    const t0 = performance.now();
    const took = () => (performance.now() - t0) / 1000;
    const beat = setInterval(() => {
      void this.repo.heartbeat(job.id, worker, lease_ms).then((held) => held || abort.abort(), () => undefined);
    }, Math.max(50, Math.floor(lease_ms / 3)));
    try {
      await handler.run(job.payload, {
        job,
        signal: abort.signal,
        progress: async (p) => {
          if (!(await this.repo.heartbeat(job.id, worker, lease_ms, p))) abort.abort();
        },
      });
      clearInterval(beat);
      await this.repo.succeed(job.id, worker);
      this.observe(job.queue, 'succeeded', took());
    } catch (err) {
      clearInterval(beat);
      const message = (err as Error).message ?? String(err);
      if (abort.signal.aborted && !this.started) {
        // The server is stopping: hand the job back now, without spending an attempt's backoff.
        await this.repo.fail(job.id, worker, `handed back: ${message}`, 0).catch(() => undefined);
        this.observe(job.queue, 'handed_back', took());
        return;
      }
      const last = job.attempts >= job.max_attempts || err instanceof PermanentJobError;
      const ok = await this.repo.fail(job.id, worker, message, last ? null : retryDelayMs(this.options.backoff_ms, job.attempts)).catch(() => false);
      this.observe(job.queue, last ? 'failed' : 'retrying', took());
      if (ok && last) await handler.failed?.(job.payload, message).catch(() => undefined);
    } finally {
      clearInterval(beat);
    }
  }
}
