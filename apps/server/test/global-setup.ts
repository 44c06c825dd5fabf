/**
 * Creates a fresh PostgreSQL database (and checks Redis) for the run when the
 * integration variables are set, and hands their URLs to the suites.
 *
 * TEST_DATABASE_URL  admin connection to a real PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/test)
 * TEST_REDIS_URL     a real Redis (e.g. redis://127.0.0.1:6379)
 * TEST_NATS_URL      a real NATS with JetStream (e.g. nats://127.0.0.1:4222)
 * TEST_CLICKHOUSE_URL a real ClickHouse's HTTP interface (e.g. http://127.0.0.1:8123); suites use their own databases in it
 * REQUIRE_INTEGRATION=1 (set by .ci/run): a missing or unreachable server fails the run instead of skipping.
 */
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { Redis } from 'ioredis';
import { connect } from 'nats';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
    redisUrl: string | null;
    natsUrl: string | null;
    clickhouseUrl: string | null;
  }
}

let dropDatabase: (() => Promise<void>) | null = null;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const required = process.env.REQUIRE_INTEGRATION === '1';
  const adminUrl = process.env.TEST_DATABASE_URL;
  let pgUrl: string | null = null;
  if (adminUrl) {
    const name = `optibid_test_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
    try {
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      pgUrl = url.toString();
      dropDatabase = async () => {
        const c = new pg.Client({ connectionString: adminUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      };
    } catch (err) {
      await admin.end().catch(() => undefined);
      throw new Error(`TEST_DATABASE_URL is set but PostgreSQL could not be prepared: ${(err as Error).message}`, { cause: err });
    }
  } else if (required) {
    throw new Error('REQUIRE_INTEGRATION=1 but TEST_DATABASE_URL is not set: the PostgreSQL suites would be skipped');
  }

  const redisUrl = process.env.TEST_REDIS_URL ?? null;
  if (redisUrl) {
    const r = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
    try {
      await r.connect();
      await r.ping();
    } catch (err) {
      throw new Error(`TEST_REDIS_URL is set but Redis did not answer: ${(err as Error).message}`, { cause: err });
    } finally {
      r.disconnect();
    }
  } else if (required) {
    throw new Error('REQUIRE_INTEGRATION=1 but TEST_REDIS_URL is not set: the Redis suites would be skipped');
  }

  const natsUrl = process.env.TEST_NATS_URL ?? null;
  if (natsUrl) {
    try {
      const nc = await connect({ servers: natsUrl, timeout: 3000, reconnect: false });
      try {
        // Fails unless the server runs with JetStream (-js).
        await (await nc.jetstreamManager({ timeout: 3000 })).getAccountInfo();
      } finally {
        await nc.close();
      }
    } catch (err) {
      throw new Error(`TEST_NATS_URL is set but NATS JetStream did not answer: ${(err as Error).message}`, { cause: err });
    }
  } else if (required) {
    throw new Error('REQUIRE_INTEGRATION=1 but TEST_NATS_URL is not set: the NATS suites would be skipped');
  }

  const clickhouseUrl = process.env.TEST_CLICKHOUSE_URL ?? null;
  if (clickhouseUrl) {
    try {
      const res = await fetch(new URL('/ping', clickhouseUrl), { signal: AbortSignal.timeout(3000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      throw new Error(`TEST_CLICKHOUSE_URL is set but ClickHouse did not answer: ${(err as Error).message}`, { cause: err });
    }
  } else if (required) {
    throw new Error('REQUIRE_INTEGRATION=1 but TEST_CLICKHOUSE_URL is not set: the ClickHouse suites would be skipped');
  }

  project.provide('pgUrl', pgUrl);
  project.provide('clickhouseUrl', clickhouseUrl);
  project.provide('natsUrl', natsUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    if (dropDatabase) await dropDatabase().catch(() => undefined);
  };
}
