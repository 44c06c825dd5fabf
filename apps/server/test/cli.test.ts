/**
 * The `optibid` command as a user runs it: the built CLI in a child process on a
 * fresh data folder. (`npm test` builds first; run `npm run build` before running
 * this file alone.)
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const built = fs.existsSync(CLI);
if (!built && process.env.REQUIRE_INTEGRATION === '1') throw new Error(`the server is not built (${CLI}); run npm run build`);

/** How long one CLI run may take before it is killed (generous: the machine is shared and loaded). */
const SPAWN_TIMEOUT_MS = 120_000;
/**
 * A test's own timeout: above the sum of its runs' spawn timeouts, so a slow run fails on its
 * exit status and stderr rather than on vitest's (shorter, global 60 s) test timeout.
 */
const forRuns = (runs: number) => ({ timeout: runs * SPAWN_TIMEOUT_MS + 10_000 });

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'silent', ...env }, timeout: SPAWN_TIMEOUT_MS });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.skipIf(!built)('optibid CLI', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-cli-'));

  it('prints help and refuses unknown commands and options with a non-zero exit', forRuns(3), () => {
    const help = run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/serve[\s\S]*migrate[\s\S]*seed-demo[\s\S]*create-admin[\s\S]*import/);
    const unknown = run(['deploy']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command "deploy"/);
    const badOpt = run(['create-admin', '--emial', 'x@y.z']);
    expect(badOpt.code).toBe(2);
    expect(badOpt.err).toMatch(/unknown option --emial/);
  });

  it('migrates, creates an administrator, and refuses a duplicate and a bad e-mail', forRuns(6), () => {
    const env = { DATA_DIR: dataDir, DEMO_MODE: 'false' };
    const m = run(['migrate'], env);
    expect(m.code, m.err).toBe(0);
    expect(JSON.parse(m.out).applied.length).toBeGreaterThan(3);
    expect(JSON.parse(run(['migrate'], env).out).applied).toEqual([]);
    const c = run(['create-admin', '--email', 'ops@example.com', '--password', 'long-enough-pw', '--organization', 'Ops Co'], env);
    expect(c.code, c.err).toBe(0);
    expect(JSON.parse(c.out)).toMatchObject({ email: 'ops@example.com', organization: 'Ops Co', role: 'owner' });
    expect(run(['create-admin', '--email', 'ops@example.com', '--password', 'long-enough-pw', '--organization', 'Ops Co'], env).code).toBe(1);
    expect(run(['create-admin', '--email', 'not-an-email', '--password', 'long-enough-pw', '--organization', 'X'], env).code).toBe(2);
    expect(run(['create-admin', '--email', 'a@b.co', '--password', 'short', '--organization', 'X'], env).err).toMatch(/at least 8 characters/);
  });

  it('imports a real ISO file with a report, and refuses a file it cannot read or one past a limit', forRuns(4), () => {
    const env = { DATA_DIR: dataDir, DEMO_MODE: 'false' };
    const file = fileURLToPath(new URL('./fixtures/ercot_dam_hb_houston_2015-11-02_12-31.csv.gz', import.meta.url));
    const r = run(['import', file], env);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/1440 rows → 1440 inserted, 0 updated, 0 unchanged, 0 rejected/);
    const junk = path.join(dataDir, 'junk.txt');
    fs.writeFileSync(junk, 'not,a,price\nfile,at,all\n');
    const bad = run(['import', junk], env);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/unknown price file format/);
    // The operator's import keeps the upload's limits: a gzip of 16 MiB of zeros (16 KB) is refused, naming the setting.
    const bomb = path.join(dataDir, 'zeros.csv.gz');
    fs.writeFileSync(bomb, gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 }));
    const refused = run(['import', bomb], env);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/refused zeros\.csv\.gz: zeros\.csv\.gz decompresses to more than 100 times its size .*\(IMPORT_MAX_COMPRESSION_RATIO=100\)/);
    expect(run(['import', file], { ...env, IMPORT_MAX_FILE_MB: '1', IMPORT_MAX_DECOMPRESSED_MB: '1' }).out).toMatch(/1440 unchanged/);
  });

  it('refuses to start in production with the default secret, listing the problem', forRuns(1), () => {
    const r = run(['serve'], { OPTIBID_ENV: 'production', DATA_DIR: dataDir });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/JWT_SECRET: required in production/);
  });

  it('serves, then shuts down gracefully on SIGTERM with exit code 0', forRuns(2), async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, [CLI, 'serve'], {
      env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-serve-')), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DEMO_MODE: 'false', SIMULATION_MODE: 'false' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let ready = false;
    // Migrating a fresh PGlite folder takes about 50 s on the loaded test machine: wait as long as a CLI run may take.
    const deadline = Date.now() + SPAWN_TIMEOUT_MS;
    while (!ready && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);
    }
    expect(ready).toBe(true);
    // (A request racing the signal may be answered, or reset by the kernel if it was still in the accept
    // backlog when the listener closed; that race is not something a test can pin, so it is not asserted.)
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // And nothing answers afterwards: the port is released.
    expect(await fetch(`http://127.0.0.1:${port}/health/live`).then(() => 'answered', () => 'refused')).toBe('refused');
  });
});
