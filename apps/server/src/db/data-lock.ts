/**
 * PGlite is one process's database: two processes opening the same data folder
 * would corrupt it. The server writes its pid beside the data; CLI commands
 * that open the database refuse while that process is alive.
 */
import fs from 'node:fs';
import path from 'node:path';

const LOCK = 'optibid-server.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Holds the data folder for this process; returns the release function. */
export function holdDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK);
  const owner = readOwner(file);
  if (owner && owner !== process.pid && alive(owner)) {
    throw new Error(`the data folder ${dataDir} is in use by another OptiBid process (pid ${owner}); stop it first, or set DATABASE_URL to share a PostgreSQL server`);
  }
  fs.writeFileSync(file, String(process.pid));
  return () => {
    if (readOwner(file) === process.pid) fs.rmSync(file, { force: true });
  };
}

function readOwner(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
