/**
 * The read path's floor: a bare `node:http` server in its own process, with no framework, no
 * cache and no metrics, writing the very bytes OptiBid writes for a cached read (its status,
 * every header but those Node adds itself, a fresh request id each time, and its body). What
 * OptiBid costs beyond this is OptiBid's; what this costs beyond a hello-world is the answer's
 * size and headers, which any server of the same answer pays (and so does the client reading it).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pinnedCommand } from './cpu-pinning.js';

/** Headers Node's http server writes on every answer: the floor's server adds its own. */
const ADDED_BY_NODE = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

export interface Answer {
  status: number;
  /** Flat [name, value, …] as received, without those Node adds. */
  headers: string[];
  body: Buffer;
}

/** GETs `url` over real HTTP and returns the answer as written. */
export function fetchAnswer(url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            if (!ADDED_BY_NODE.has(res.rawHeaders[i]!.toLowerCase())) headers.push(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          }
          resolve({ status: res.statusCode!, headers, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

export interface ChildServer {
  url: string;
  /** The server process's CPU time so far, in µs. */
  cpuUs: () => Promise<number>;
  close: () => void;
}

/** Starts the floor server for `answer`, on core 0 when `pin`. */
export async function startFloor(answer: Answer, pin: boolean): Promise<ChildServer> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-floor-')), 'answer.json');
  fs.writeFileSync(file, JSON.stringify({ status: answer.status, headers: answer.headers, body: answer.body.toString('base64') }));
  const script = `const http = require('node:http');
    const { randomUUID } = require('node:crypto');
    const a = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8'));
    const body = Buffer.from(a.body, 'base64');
    const headers = a.headers;
    const idAt = headers.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === 'x-request-id') + 1;
    const server = http.createServer((req, res) => {
      if (idAt > 0) headers[idAt] = randomUUID();
      res.writeHead(a.status, headers);
      res.end(body);
    });
    server.keepAliveTimeout = 72000;
    server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));`;
  return startChildServer(script, pin, () => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
}

/** What every child server runs besides its own script: its CPU time on request, and an exit when the bench lets go. */
const CHILD_PROTOCOL = `process.on('message', () => { const u = process.cpuUsage(); process.send({ cpu_us: u.user + u.system }); });
    process.on('disconnect', () => process.exit(0));`;

/**
 * A server in a child process (on core 0 when `pin`) whose `script` sends `{port}` once
 * listening; it answers with `{cpu_us}` when messaged. The hello-world and the floor are such servers.
 */
export async function startChildServer(script: string, pin: boolean, cleanup: () => void = () => undefined): Promise<ChildServer> {
  const { command, args } = pinnedCommand(pin, '0', [process.execPath, '-e', `${script}\n${CHILD_PROTOCOL}`]);
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () =>
    new Promise<Record<string, number>>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`bench server exited (${code})`));
      child.once('exit', exited);
      child.once('message', (m) => {
        child.off('exit', exited);
        resolve(m as Record<string, number>);
      });
    });
  const { port } = await next();
  return {
    url: `http://127.0.0.1:${port}/`,
    cpuUs: async () => {
      const reply = next();
      child.send('cpu');
      return (await reply).cpu_us!;
    },
    close: () => {
      child.disconnect();
      cleanup();
    },
  };
}
