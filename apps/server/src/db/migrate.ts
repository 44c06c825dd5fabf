/**
 * Plain SQL migrations from `apps/server/migrations/NNNN_name.sql`, applied in
 * order, each in its own transaction, recorded in `schema_migrations`. The same
 * files run on PGlite and PostgreSQL. An advisory lock keeps two servers that
 * start together from applying the same migration twice.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from './client.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
const LOCK_KEY = 727_101;

export interface MigrationResult {
  applied: string[];
  already: number;
}

export function listMigrationFiles(dir = MIGRATIONS_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_-]+\.sql$/.test(f))
    .sort();
}

export async function migrate(database: Database, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  await database.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied: string[] = [];
  const done = new Set((await database.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name));
  for (const file of listMigrationFiles(dir)) {
    if (done.has(file)) continue;
    const sql = fs.readFileSync(`${dir}/${file}`, 'utf8');
    const escaped = file.replace(/'/g, "''");
    // One simple-protocol string runs as one implicit transaction on both drivers. The record
    // row goes first under a transaction-scoped lock, so a second server racing us fails on
    // the primary key and then sees the migration as applied.
    try {
      await database.exec(`SELECT pg_advisory_xact_lock(${LOCK_KEY});\nINSERT INTO schema_migrations (name) VALUES ('${escaped}');\n${sql}`);
      applied.push(file);
    } catch (err) {
      const rows = await database.query('SELECT 1 FROM schema_migrations WHERE name = $1', [file]);
      if (rows.length === 0) throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  return { applied, already: done.size };
}
