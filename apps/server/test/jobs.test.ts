/**
 * The durable job queue's contract, on PGlite and PostgreSQL: a job a dead
 * worker held is taken by a new instance on the same database once its lease
 * expires; jobs run once across two instances; failures retry with
 * exponential backoff and fail for good after the last attempt (or at once when
 * another attempt cannot help), saying why; an exclusive key is held by one running
 * job at a time.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { JobRepository } from '../src/db/repositories/jobs.js';
import { PermanentJobError } from '../src/jobs/queue.js';
import { createServices, type Services } from '../src/services.js';
import { describeEachBackend, testConfig } from './helpers.js';

const FAST = { lease_ms: 400, poll_ms: 40, backoff_ms: 200 };

describeEachBackend('durable jobs', (backend) => {
  let database: Database;
  const open: Services[] = [];
  const instance = async (worker: string) => {
    const s = await createServices(testConfig(), { database, jobs: { ...FAST, worker } });
    open.push(s);
    return s;
  };
  beforeEach(async () => {
    database = await backend.open();
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    await database.close();
  });

  it('survives a restart: a job whose worker died is taken after its lease expires', async () => {
    const before = await instance('a');
    const job = await before.jobs.enqueue('contract', { n: 1 });
    // The first instance claims it and dies without a word (no heartbeat, no hand-back).
    const claimed = await new JobRepository(database).claim(['contract'], 'a', FAST.lease_ms);
    expect(claimed?.id).toBe(job.id);
    await before.close();
    open.splice(0);

    const after = await instance('b');
    const ran: { at: number; attempt: number }[] = [];
    after.jobs.register('contract', { run: async (_p, ctx) => void ran.push({ at: Date.now(), attempt: ctx.job.attempts }) });
    const t0 = Date.now();
    after.jobs.start();
    await after.jobs.drain(10_000);
    const row = (await after.jobs.get(job.id))!;
    expect(row.status).toBe('succeeded');
    expect(row.attempts).toBe(2);
    expect(row.locked_by).toBe('b');
    expect(ran).toHaveLength(1);
    // Not before the dead worker's lease ran out (less a little for the two clocks).
    expect(ran[0]!.at - t0).toBeGreaterThanOrEqual(FAST.lease_ms - 150);
  });

  it('runs each job once across two instances, with progress', async () => {
    const [a, b] = [await instance('a'), await instance('b')];
    const runs: { id: string; worker: string }[] = [];
    for (const [s, name] of [[a, 'a'], [b, 'b']] as const) {
      s.jobs.register('contract', {
        run: async (p, ctx) => {
          runs.push({ id: String(p.n), worker: name });
          await ctx.progress({ done: 1, total: 1 });
          await new Promise((r) => setTimeout(r, 20));
        },
      });
    }
    const ids = [];
    for (let n = 0; n < 24; n++) ids.push((await a.jobs.enqueue('contract', { n })).id);
    a.jobs.start();
    b.jobs.start();
    await a.jobs.drain(30_000);
    expect(runs.map((r) => Number(r.id)).sort((x, y) => x - y)).toEqual(Array.from({ length: 24 }, (_, n) => n));
    const rows = await Promise.all(ids.map((id) => a.jobs.get(id)));
    expect(rows.every((r) => r!.status === 'succeeded' && r!.attempts === 1)).toBe(true);
    expect(rows[0]!.progress).toEqual({ done: 1, total: 1 });
    console.log(`[${backend.name}] 24 jobs: ${runs.filter((r) => r.worker === 'a').length} on a, ${runs.filter((r) => r.worker === 'b').length} on b`);
  });

  it('retries with exponential backoff, then fails for good saying why', async () => {
    const s = await instance('a');
    const attempts: number[] = [];
    s.jobs.register('flaky', {
      run: async (_p, ctx) => {
        attempts.push(Date.now());
        if (ctx.job.attempts < 3) throw new Error(`transient failure ${ctx.job.attempts}`);
      },
    });
    const failures: string[] = [];
    s.jobs.register('broken', {
      run: async () => {
        throw new Error('always broken');
      },
      failed: async (_p, error) => void failures.push(error),
    });
    s.jobs.register('hopeless', {
      run: async () => {
        throw new PermanentJobError('the input cannot serve');
      },
      failed: async (_p, error) => void failures.push(error),
    });
    const flaky = await s.jobs.enqueue('flaky', {}, { max_attempts: 3 });
    const hopeless = await s.jobs.enqueue('hopeless', {}, { max_attempts: 3 });
    const broken = await s.jobs.enqueue('broken', {}, { max_attempts: 2 });
    s.jobs.start();
    await s.jobs.drain(20_000);
    const f = (await s.jobs.get(flaky.id))!;
    expect(f.status).toBe('succeeded');
    expect(f.attempts).toBe(3);
    expect(f.last_error).toBe('transient failure 2');
    // Delays backoff·2^(n−1): ≥ 200 ms then ≥ 400 ms (less a little for the two clocks).
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(FAST.backoff_ms - 50);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(2 * FAST.backoff_ms - 50);
    const b = (await s.jobs.get(broken.id))!;
    expect(b.status).toBe('failed');
    expect(b.attempts).toBe(2);
    expect(b.last_error).toBe('always broken');
    // A permanent error is not retried: one attempt of three.
    expect((await s.jobs.get(hopeless.id))!).toMatchObject({ status: 'failed', attempts: 1, last_error: 'the input cannot serve' });
    expect(failures.sort()).toEqual(['always broken', 'the input cannot serve']);
  });

  it('holds an exclusive key on one running job at a time across instances, and gives it up when the job ends', async () => {
    const [a, b] = [await instance('a'), await instance('b')];
    const spans: { n: number; key: string; from: number; to: number }[] = [];
    for (const s of [a, b]) {
      s.jobs.register(
        'polite',
        {
          run: async (p) => {
            const from = Date.now();
            await new Promise((r) => setTimeout(r, 60));
            spans.push({ n: Number(p.n), key: String(p.key), from, to: Date.now() });
          },
        },
        { concurrency: 4 },
      );
    }
    // Six jobs on host X and two on host Y, each with its own unique key.
    for (let n = 0; n < 8; n++) {
      const key = n < 6 ? 'host:X' : 'host:Y';
      await a.jobs.enqueueUnique('polite', `job-${n}`, { n, key }, { exclusive_key: key });
    }
    // While a dead worker holds one of host X's jobs, no other job of X is claimed; Y's are.
    const repo = new JobRepository(database);
    const held = (await repo.claim(['polite'], 'dead', FAST.lease_ms))!;
    expect(held.exclusive_key).toBe('host:X');
    const next = (await repo.claim(['polite'], 'probe', 60_000))!;
    expect(next.exclusive_key).toBe('host:Y');
    expect(await repo.fail(next.id, 'probe', 'probe hands it back', 0)).toBe(true);
    a.jobs.start();
    b.jobs.start();
    await a.jobs.drain(30_000);
    expect(spans.map((s) => s.n).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const key of ['host:X', 'host:Y']) {
      const mine = spans.filter((s) => s.key === key).sort((x, y) => x.from - y.from);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.from).toBeGreaterThanOrEqual(mine[i - 1]!.to);
    }
    // The job the dead worker held ran again after its lease, on a or b.
    expect((await a.jobs.get(held.id))!).toMatchObject({ status: 'succeeded', attempts: 2 });
  });
});
