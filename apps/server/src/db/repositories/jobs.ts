/** The durable job queue's SQL (see jobs/queue.ts for why it is ours and how it behaves). */
import type { Database } from '../client.js';
import { isUniqueViolation } from './accounts.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface JobRow {
  id: string;
  queue: string;
  payload: Record<string, unknown>;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  locked_by: string | null;
  lease_expires_at: Date | null;
  progress: Record<string, unknown> | null;
  last_error: string | null;
  /** Unique in its queue among jobs not failed for good (migration 0017), or null. */
  unique_key: string | null;
  /** Held by at most one running job at a time across instances (migration 0020), or null. */
  exclusive_key: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export class JobRepository {
  constructor(private readonly database: Database) {}

  async enqueue(job: { queue: string; payload: Record<string, unknown>; max_attempts?: number; delay_ms?: number }): Promise<JobRow> {
    const [row] = await this.database.query<JobRow>(
      `INSERT INTO jobs (queue, payload, max_attempts, run_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4::float8 / 1000)) RETURNING *`,
      [job.queue, JSON.stringify(job.payload), job.max_attempts ?? 3, job.delay_ms ?? 0],
    );
    return row!;
  }

  /**
   * Enqueues a job under `unique_key` unless one with that key is queued, running or
   * succeeded in the queue (then null): every instance may ask, one job results.
   */
  async enqueueUnique(job: { queue: string; unique_key: string; payload: Record<string, unknown>; max_attempts?: number; exclusive_key?: string }): Promise<JobRow | null> {
    const [row] = await this.database.query<JobRow>(
      `INSERT INTO jobs (queue, payload, max_attempts, unique_key, exclusive_key) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (queue, unique_key) WHERE unique_key IS NOT NULL AND status <> 'failed' DO NOTHING
       RETURNING *`,
      [job.queue, JSON.stringify(job.payload), job.max_attempts ?? 3, job.unique_key, job.exclusive_key ?? null],
    );
    return row ?? null;
  }

  /**
   * Claims the oldest due job of the queues: a queued job whose time has come,
   * or a running one whose lease expired (its worker died). SKIP LOCKED lets
   * concurrent claimers pass over a row another is taking, so each job goes
   * to one worker; the lease is measured on the database's clock, which every
   * instance shares. A job whose exclusive key another running job holds waits (a
   * running job with an expired lease still holds it until it is claimed again, which
   * the run order makes the first candidate); when two claims race for one key, the
   * unique index refuses the second, which then claims nothing this round.
   */
  async claim(queues: string[], worker: string, leaseMs: number): Promise<JobRow | null> {
    const rows = await this.database.query<JobRow>(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $2,
              lease_expires_at = now() + make_interval(secs => $3::float8 / 1000), started_at = coalesce(started_at, now())
       WHERE id = (
         SELECT id FROM jobs
         WHERE queue = ANY($1::text[])
           AND ((status = 'queued' AND run_at <= now()) OR (status = 'running' AND lease_expires_at < now()))
           AND (exclusive_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM jobs holder WHERE holder.exclusive_key = jobs.exclusive_key AND holder.status = 'running' AND holder.id <> jobs.id))
         ORDER BY run_at, created_at
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [queues, worker, leaseMs],
    ).catch((err: unknown) => {
      if (isUniqueViolation(err)) return [];
      throw err;
    });
    return rows[0] ?? null;
  }

  /** Extends the lease while `worker` still holds it; false when it was lost (expired and taken). */
  async heartbeat(id: string, worker: string, leaseMs: number, progress?: Record<string, unknown>): Promise<boolean> {
    const rows = await this.database.query(
      `UPDATE jobs SET lease_expires_at = now() + make_interval(secs => $3::float8 / 1000), progress = coalesce($4::jsonb, progress)
       WHERE id = $1 AND locked_by = $2 AND status = 'running' RETURNING id`,
      [id, worker, leaseMs, progress ? JSON.stringify(progress) : null],
    );
    return rows.length > 0;
  }

  async succeed(id: string, worker: string): Promise<boolean> {
    const rows = await this.database.query(
      `UPDATE jobs SET status = 'succeeded', finished_at = now(), lease_expires_at = NULL WHERE id = $1 AND locked_by = $2 AND status = 'running' RETURNING id`,
      [id, worker],
    );
    return rows.length > 0;
  }

  /** Back to the queue after `retryInMs`, or failed for good (retryInMs null). */
  async fail(id: string, worker: string, error: string, retryInMs: number | null): Promise<boolean> {
    const rows = await this.database.query(
      retryInMs === null
        ? `UPDATE jobs SET status = 'failed', last_error = $3, finished_at = now(), lease_expires_at = NULL WHERE id = $1 AND locked_by = $2 AND status = 'running' RETURNING id`
        : `UPDATE jobs SET status = 'queued', last_error = $3, locked_by = NULL, lease_expires_at = NULL, run_at = now() + make_interval(secs => $4::float8 / 1000)
           WHERE id = $1 AND locked_by = $2 AND status = 'running' RETURNING id`,
      retryInMs === null ? [id, worker, error] : [id, worker, error, retryInMs],
    );
    return rows.length > 0;
  }

  async get(id: string): Promise<JobRow | null> {
    const [row] = await this.database.query<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
    return row ?? null;
  }

  /** Queued and running jobs per queue (the claim index covers exactly these rows). */
  async depth(): Promise<{ queue: string; status: 'queued' | 'running'; jobs: number }[]> {
    const rows = await this.database.query<{ queue: string; status: 'queued' | 'running'; jobs: number }>(
      `SELECT queue, status, count(*)::int AS jobs FROM jobs WHERE status IN ('queued', 'running') GROUP BY queue, status ORDER BY queue, status`,
    );
    return rows.map((r) => ({ ...r, jobs: Number(r.jobs) }));
  }

  /**
   * Deletes finished jobs of the queue older than `olderThanMs`: for queues whose unique
   * keys carry their time slot (the scheduled fetches), so an old key can never recur.
   */
  async prune(queue: string, olderThanMs: number): Promise<number> {
    const rows = await this.database.query(
      `DELETE FROM jobs WHERE queue = $1 AND status IN ('succeeded', 'failed') AND finished_at < now() - make_interval(secs => $2::float8 / 1000) RETURNING id`,
      [queue, olderThanMs],
    );
    return rows.length;
  }

  /** Unfinished jobs of the queues. */
  async pending(queues: string[]): Promise<number> {
    const [row] = await this.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE queue = ANY($1::text[]) AND status IN ('queued', 'running')`, [queues]);
    return Number(row?.n ?? 0);
  }
}
