#!/usr/bin/env node
// `npm run dev`: the server with reload on :8000 (TypeScript sources through tsx,
// workspace packages resolved to their sources) and the Next.js dev server on
// :3000, which proxies /api and /health to :8000.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const children = [];

function start(name, cmd, args, cwd, env = {}) {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const prefix = (line) => `[${name}] ${line}`;
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) process.stdout.write(prefix(l) + '\n');
    });
  }
  child.on('exit', (code) => {
    console.log(prefix(`exited with ${code}`));
    shutdown(code ?? 1);
  });
  children.push(child);
}

function shutdown(code) {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');
start('server', process.execPath, [tsx, 'watch', '--conditions=source', '--clear-screen=false', 'apps/server/src/cli/main.ts', 'serve'], root, { PORT: process.env.PORT ?? '8000' });
start('web', process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'dev', '-p', '3000'], path.join(root, 'apps/web'), { NEXT_TELEMETRY_DISABLED: '1', OPTIBID_API_URL: `http://127.0.0.1:${process.env.PORT ?? '8000'}` });
