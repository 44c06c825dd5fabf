#!/usr/bin/env node
// Thin launcher so `npx optibid` works from the repo root once the server is built.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('optibid: the server is not built yet. Run `npm run build` (or `npm start`) first.');
  process.exit(1);
}
await import(entry.href);
