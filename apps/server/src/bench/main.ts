/**
 * `npm run bench`: the performance figures the README quotes, measured on this
 * machine. Benchmarks never run as timed tests; each prints its figures with
 * the machine's core count so numbers can be compared honestly.
 */
import os from 'node:os';
import { benchParsers } from './import.js';
import { benchDbImport } from './db-import.js';

type Bench = { name: string; goal: string; run: () => Promise<Record<string, unknown>>; slow?: boolean };

const benches: Bench[] = [
  { name: 'price file parsing', goal: 'rows/s per format', run: () => benchParsers() },
  { name: 'price import into the database', goal: '≥ 100k rows/s on PostgreSQL', run: () => benchDbImport() },
];

async function loadOptional(): Promise<Bench[]> {
  const extra: Bench[] = [];
  const optional: [string, string, string, string][] = [
    ['./trading.js', 'benchTrading', 'trading loop', 'auction clearing 10,000 bids × 24 h < 1 s'],
    ['./optimization.js', 'benchOptimization', 'optimisation', 'battery 24 h < 10 ms median; one-year daily backtest < 3 s'],
    ['./ancillary.js', 'benchAncillary', 'ancillary services co-optimisation', 'energy + AS 24 h < 10 ms median; one-year AS backtest < 5 s'],
    ['./forecasting.js', 'benchForecasting', 'forecasting', "one day's forecast < 1 s"],
    ['./analytics.js', 'benchAnalytics', 'price statistics over 5 million rows (PostgreSQL and ClickHouse)', 'the same answer from both; ClickHouse faster over long ranges'],
    ['./pnl-analytics.js', 'benchPnlAnalytics', 'P&L over a year of settled days (PostgreSQL and ClickHouse)', 'the same P&L from both'],
    ['./websocket.js', 'benchWebsocket', 'WebSocket fan-out', '5,000 clients p99 < 50 ms'],
    ['./websocket.js', 'benchWebsocketInstances', 'WebSocket fan-out over two instances', '5,000 clients p99 < 50 ms'],
    ['./read-path.js', 'benchReadPath', 'read path', 'GET /api/prices (1 day, 1 hub) ≥ 50 % of a Fastify hello-world in requests/s'],
    ['./forecast-walk-forward.js', 'benchForecastWalkForward', 'forecast walk-forward (two years, LEAR ensemble)', '< 10 min on two cores'],
    ['./combined-load.js', 'benchCombinedLoad', 'combined load', 'event-loop delay p99 < 20 ms while a cold hybrid-rw forecast, a one-year backtest and a 300k-row import run at once'],
    ['./soak.js', 'benchSoak', 'soak', 'ten minutes of mixed load: zero errors, flat memory'],
  ];
  const slow = new Set(['./forecast-walk-forward.js', './soak.js']);
  for (const [file, fn, name, goal] of optional) {
    try {
      const mod = (await import(file)) as Record<string, () => Promise<Record<string, unknown>>>;
      if (typeof mod[fn] === 'function') extra.push({ name, goal, run: mod[fn]!, slow: slow.has(file) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    }
  }
  return extra;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args.filter((a) => !a.startsWith('--'));
  const all = [...benches, ...(await loadOptional())].filter((b) => (only.length === 0 || only.some((o) => b.name.includes(o))) && !(quick && b.slow));
  console.log(`OptiBid benchmarks — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}`);
  for (const b of all) {
    const t0 = performance.now();
    process.stdout.write(`\n## ${b.name} (goal: ${b.goal})\n`);
    try {
      const figures = await b.run();
      for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(44)} ${typeof v === 'number' ? formatNumber(v) : String(v)}`);
    } catch (err) {
      console.log(`  failed: ${(err as Error).message}`);
      process.exitCode = 1;
    }
    console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(v < 10 ? 3 : 1);
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
