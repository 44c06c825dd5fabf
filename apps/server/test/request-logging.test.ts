/**
 * One log line per request only when it says something: 5xx answers at error with their request
 * id, every request at debug (an access log), nothing for a served or refused request at info.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createServices } from '../src/services.js';
import type { Database } from '../src/db/client.js';
import type { App } from '../src/http/types.js';
import { describeEachBackend, testConfig } from './helpers.js';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  status_code?: number;
  response_time_ms?: number;
  req?: { method: string; url: string };
}

describeEachBackend('request logging', (backend) => {
  let database: Database;
  const apps: { app: App; close: () => Promise<void> }[] = [];
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await database.close();
  });

  async function serverLogging(level: string): Promise<{ app: App; lines: LogLine[]; drain: () => void }> {
    const ctx = await createServices(testConfig({ LOG_LEVEL: level }), { database });
    const lines: LogLine[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as LogLine);
        cb();
      },
    });
    const app = await buildApp(ctx, { logger: { level, stream } });
    await app.ready();
    apps.push({ app, close: async () => { await app.close(); await ctx.close(); } });
    return { app, lines, drain: () => ctx.health.beginDrain() };
  }

  const requestLines = (lines: LogLine[]) => lines.filter((l) => l.msg.includes('request completed'));

  it('at info: nothing for answered or refused requests, a 5xx at error with its request id', async () => {
    const { app, lines, drain } = await serverLogging('info');
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/nope' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    expect(requestLines(lines)).toEqual([]);

    drain();
    const refused = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(refused.statusCode).toBe(503);
    const logged = requestLines(lines);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 50, reqId: refused.headers['x-request-id'], status_code: 503, req: { method: 'GET', url: '/health/ready' } });
    expect(logged[0]!.response_time_ms).toBeGreaterThanOrEqual(0);
  });

  it('at debug: one line per request, its URL scrubbed of tokens', async () => {
    const { app, lines } = await serverLogging('debug');
    const live = await app.inject({ method: 'GET', url: '/health/live' });
    const preview = await app.inject({ method: 'GET', url: '/api/org/invitations/preview?token=abcdefghijklmnopqrstuvwxyz' });
    const logged = requestLines(lines);
    expect(logged.map((l) => [l.level, l.reqId, l.status_code, l.req?.url])).toEqual([
      [20, live.headers['x-request-id'], 200, '/health/live'],
      [20, preview.headers['x-request-id'], preview.statusCode, '/api/org/invitations/preview?token=[redacted]'],
    ]);
  });
});
