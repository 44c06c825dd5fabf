#!/usr/bin/env node
// Builds what is not built: the TypeScript packages (incremental `tsc -b`) and
// the static web app (only when its sources are newer than the last export).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const skipWeb = process.argv.includes('--no-web') || process.env.OPTIBID_SKIP_WEB_BUILD === '1';

function run(cmd, args, cwd = root) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) {
    console.error(`build: ${cmd} ${args.join(' ')} failed`);
    process.exit(r.status ?? 1);
  }
}

function newestMtime(dir, ignore) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (ignore.has(entry.name)) continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p, ignore) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

const t0 = Date.now();
run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/core', 'packages/contracts', 'apps/server', ...(force ? ['--force'] : [])]);

const webDir = path.join(root, 'apps/web');
const marker = path.join(webDir, 'out/index.html');
if (!skipWeb && fs.existsSync(path.join(webDir, 'package.json')) && fs.existsSync(path.join(webDir, 'app'))) {
  const ignore = new Set(['node_modules', '.next', 'out', 'e2e']);
  // The web app bundles contracts and core's pure rules (`@optibid/core/rules`).
  const src = Math.max(newestMtime(webDir, ignore), newestMtime(path.join(root, 'packages/contracts/src'), new Set()), newestMtime(path.join(root, 'packages/core/src'), new Set()));
  const built = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
  if (force || src > built) {
    console.log('build: building the web app (Next.js static export)…');
    run(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], webDir);
    fs.utimesSync(marker, new Date(), new Date());
  }
}
console.log(`build: up to date (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
