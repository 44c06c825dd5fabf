/**
 * The full two-year LEAR-ensemble walk-forward of the benchmark (NP, 728 test
 * days), run exactly as a user runs it: the built `optibid forecast evaluate`
 * with two worker threads. It takes minutes; `npm run bench -- --quick` skips it.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const NP = fileURLToPath(new URL('../../../../packages/core/test-fixtures/epftoolbox/NP.csv.gz', import.meta.url));

export async function benchForecastWalkForward(): Promise<Record<string, number | string>> {
  const workers = String(Math.min(2, os.cpus().length));
  const args = [CLI, 'forecast', 'evaluate', '--data', NP, '--test-start', '2016-12-27', '--model', 'lear-ensemble', '--workers', workers];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`forecast evaluate exited with ${code}`))));
  });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { days: number; mae: number; rmae: number; seconds: number };
  return { dataset: 'NP 2016-12-27 – 2018-12-24', workers: Number(workers), days: r.days, mae: r.mae, rmae: r.rmae, wall_s: r.seconds };
}
