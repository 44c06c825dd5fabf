/**
 * One server instance of the WebSocket bench's scale-out figure, run as its own process
 * (`websocket.ts` spawns one per instance): the same app the bench's in-process figure builds
 * (embedded database in memory, the hub and its durable consumers), on the NATS or Redis bus the
 * parent names, so a tick published by the parent reaches every instance as it would across a
 * deployment. Talks to the parent over IPC: `{kind: 'listening', port}` once it serves,
 * `{kind: 'connections', count}` when asked `'count'`, and it closes and exits on `'stop'`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../app.js';
import { loadConfig } from '../config/index.js';
import { createServices } from '../services.js';
import { openDatabase } from '../db/client.js';

export interface InstanceJob {
  busUrl: string | null;
  redisUrl: string | null;
  busNamespace: string;
}

async function main(): Promise<void> {
  const send = (m: unknown) => process.send?.(m);
  const job = JSON.parse(process.env.BENCH_JOB ?? '{}') as InstanceJob;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-ws-instance-'));
  const config = loadConfig({
    OPTIBID_ENV: 'test',
    DATA_DIR: dataDir,
    DEMO_MODE: 'false',
    SIMULATION_MODE: 'false',
    PUBLIC_MARKET_DATA: 'true',
    LOG_LEVEL: 'silent',
    BUS_NAMESPACE: job.busNamespace,
    ...(job.busUrl ? { BUS_URL: job.busUrl } : {}),
    ...(job.redisUrl ? { REDIS_URL: job.redisUrl } : {}),
  });
  const database = await openDatabase({});
  const ctx = await createServices(config, { database });
  const app = await buildApp(ctx, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1', backlog: 8192 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('server has no TCP address');
  const stop = async () => {
    await app.close();
    await ctx.close();
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('message', (cmd) => {
    if (cmd === 'count') send({ kind: 'connections', count: ctx.realtime.connectionCount });
    if (cmd === 'stop') void stop();
  });
  // The parent went away (killed, crashed): do not outlive it.
  process.on('disconnect', () => void stop());
  send({ kind: 'listening', port: addr.port });
}

main().catch((err: Error) => {
  console.error(`websocket bench instance: ${err.message}`);
  process.exit(1);
});
