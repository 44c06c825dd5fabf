/**
 * Scheduled ISO fetches are durable jobs, against the ISO test server, on both backends:
 * two instances' schedulers asking for the same due fetch make one job (key with the
 * period's slot), which runs once; a fetch whose download failed after the polite client's
 * retries is retried with the queue's backoff and completes the day; a fetch on a worker
 * that died is taken by another instance after its lease.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IsoId } from '@optibid/core';
import type { Database } from '../src/db/client.js';
import { JobRepository } from '../src/db/repositories/jobs.js';
import { FETCH_QUEUE, planFetchJobs, registerFetchJobs } from '../src/jobs/fetch.js';
import { FetchScheduler } from '../src/modules/market-feed/fetch-scheduler.js';
import { createServices, type Services } from '../src/services.js';
import { describeEachBackend, testConfig } from './helpers.js';
import { IsoTestServer, isoBaseUrlEnv } from './iso-test-server.js';

const LEASE_MS = 600;
const BACKOFF_MS = 150;

describeEachBackend('scheduled fetches as jobs', (backend) => {
  // 2019-05-01 is a recorded NYISO day; 2019-05-02 is answered with a recorded day re-dated.
  const iso = new IsoTestServer({ replayToday: true });
  let database: Database;
  let clock = new Date('2019-05-01T12:00:00Z');
  const instances: Services[] = [];
  // Each instance has its own scheduler, as each server does; here only NYISO's DA prices.
  const scheduler = (s: Services) =>
    new FetchScheduler({ service: s.marketFeed.service, records: s.marketFeed.records, markets: ['NYISO' as IsoId], datasets: ['da-lmp'], backfillDays: 0, now: () => clock, onStale: () => undefined });
  let schedulers: FetchScheduler[] = [];

  beforeAll(async () => {
    await iso.start();
    database = await backend.open();
    for (const worker of ['a', 'b']) {
      const s = await createServices(
        testConfig({ ...isoBaseUrlEnv(iso.url), MARKET_DATA_SOURCE: 'iso', ISO_FETCH_TIMEOUT_MS: '2000', ISO_FETCH_BACKOFF_MS: '20', ISO_FETCH_MAX_ATTEMPTS: '3' }),
        { database, now: () => clock, jobs: { worker, lease_ms: LEASE_MS, poll_ms: 50, backoff_ms: BACKOFF_MS } },
      );
      registerFetchJobs(s);
      instances.push(s);
    }
    schedulers = instances.map(scheduler);
  });
  afterAll(async () => {
    for (const s of instances) await s.close();
    await database?.close();
    await iso.stop();
  });

  const fetchJobs = () => database.query<{ id: string; unique_key: string; status: string; attempts: number; last_error: string | null; locked_by: string; exclusive_key: string }>(
    `SELECT id, unique_key, status, attempts, last_error, locked_by, exclusive_key FROM jobs WHERE queue = $1 ORDER BY created_at`,
    [FETCH_QUEUE],
  );
  const dayRequests = (day: string) => iso.requests.filter((q) => q.path.includes(`${day.replaceAll('-', '')}damlbmp`)).map((q) => q.status);

  it('two schedulers make one job that runs once; a failed download is retried with backoff and completes the day', async () => {
    const [a, b] = instances as [Services, Services];
    expect(await planFetchJobs(a, schedulers[0])).toBe(1);
    expect(await planFetchJobs(b, schedulers[1])).toBe(0);
    const [job] = await fetchJobs();
    expect(job).toMatchObject({ unique_key: 'NYISO:da-lmp:2019-05-01:2019-05-01:2019-05-01T12:00:00.000Z', exclusive_key: 'host:NYISO', status: 'queued' });

    // Every attempt of the polite client fails on the first run of the job.
    iso.fail('/public/csv/damlbmp', { kind: 'status', status: 500 }, { kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    a.jobs.start();
    b.jobs.start();
    const [row] = await a.jobs.awaitFinished([job!.id], 30_000);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 2, progress: { days_complete: 1, days_incomplete: 0 } });
    expect(row!.last_error).toMatch(/NYISO da-lmp: 1 failed request\(s\): .*gave up after 3 attempts \(HTTP 500\)/);
    expect(dayRequests('2019-05-01')).toEqual([500, 500, 500, 200]);
    expect(await a.marketFeed.records.completeDays('NYISO', 'da-lmp', '2019-05-01', '2019-05-01')).toEqual(new Set(['2019-05-01']));
    // The retry waited for the queue's backoff: the failed attempt's records precede the good one by at least that.
    const [good, failed] = await a.marketFeed.records.list({ market: 'NYISO', dataset: 'da-lmp', limit: 5 });
    expect([good!.ok, failed!.ok, failed!.attempts]).toEqual([true, false, 3]);
    expect(good!.started_at.getTime() - failed!.finished_at.getTime()).toBeGreaterThanOrEqual(BACKOFF_MS - 50);

    // Later in the same hour even fresh schedulers (restarted instances) find the slot's key taken.
    clock = new Date('2019-05-01T12:40:00Z');
    schedulers = instances.map(scheduler);
    expect(await planFetchJobs(a, schedulers[0])).toBe(0);
    expect(await planFetchJobs(b, schedulers[1])).toBe(0);
    expect(await fetchJobs()).toHaveLength(1);
  }, 60_000);

  it('a fetch on a worker that died is taken by another instance after its lease', async () => {
    const [a, b] = instances as [Services, Services];
    await a.jobs.stop();
    await b.jobs.stop();
    clock = new Date('2019-05-02T12:00:00Z');
    expect(await planFetchJobs(a, schedulers[0])).toBe(1);
    const job = (await fetchJobs()).at(-1)!;
    expect(job.unique_key).toBe('NYISO:da-lmp:2019-05-02:2019-05-02:2019-05-02T12:00:00.000Z');
    const claimed = await new JobRepository(database).claim([FETCH_QUEUE], 'dead-instance', LEASE_MS);
    expect(claimed?.id).toBe(job.id);
    const t0 = Date.now();
    b.jobs.start();
    const [row] = await b.jobs.awaitFinished([job.id], 30_000);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 2, locked_by: 'b' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(LEASE_MS - 200);
    expect(dayRequests('2019-05-02')).toEqual([200]);
    expect(await b.marketFeed.records.completeDays('NYISO', 'da-lmp', '2019-05-02', '2019-05-02')).toEqual(new Set(['2019-05-02']));
  }, 60_000);
});
