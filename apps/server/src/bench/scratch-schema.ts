/** A PostgreSQL schema of a bench's own, so a bench never touches the database's other data. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export interface ScratchSchema {
  /** `bench_<random>`. */
  name: string;
  /** The connection option that puts the schema first on the search path. */
  pgOptions: string;
  /** Drops the schema with everything in it and closes the admin connection. */
  drop(): Promise<void>;
}

/** Creates the schema, or says why PostgreSQL at `pgUrl` could not be reached. */
export async function scratchSchema(pgUrl: string): Promise<ScratchSchema | { error: string }> {
  const name = `bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${name}`);
  } catch (err) {
    await admin.end().catch(() => undefined);
    return { error: (err as Error).message };
  }
  return {
    name,
    pgOptions: `-c search_path=${name},public`,
    drop: async () => {
      await admin.query(`DROP SCHEMA ${name} CASCADE`).catch(() => undefined);
      await admin.end();
    },
  };
}
