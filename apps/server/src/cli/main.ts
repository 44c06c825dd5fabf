#!/usr/bin/env node
/** The `optibid` command. */
import { ConfigError } from '../config/index.js';
import { AppError } from '../http/errors.js';
import { CliUsageError, type CliCommand } from './args.js';
import { createAdminCommand, migrateCommand, seedDemoCommand, serveCommand } from './commands/core-commands.js';

type Loader = () => Promise<CliCommand>;

const COMMANDS: Record<string, { summary: string; load: Loader }> = {
  serve: { summary: serveCommand.summary, load: async () => serveCommand },
  migrate: { summary: migrateCommand.summary, load: async () => migrateCommand },
  'seed-demo': { summary: seedDemoCommand.summary, load: async () => seedDemoCommand },
  'create-admin': { summary: createAdminCommand.summary, load: async () => createAdminCommand },
  import: { summary: 'Import ISO price files or folders (format detected from the content)', load: async () => (await import('./commands/import.js')).importCommand },
  forecast: { summary: 'Forecasting: `forecast evaluate` (walk-forward, benchmark metrics) and `forecast models`', load: async () => (await import('./commands/forecast.js')).default },
  fetch: { summary: 'Fetch prices or load forecasts from an ISO for market-local days (skips complete days)', load: async () => (await import('./commands/fetch.js')).fetchCommand },
  bids: { summary: "Bids: `bids export --market ERCOT --date … --organization …` (EWS BidSet XML of a day's submitted offers)", load: async () => (await import('./commands/bids.js')).default },
  analytics: { summary: 'The analytics store (ClickHouse): `analytics backfill` copies the shared market from PostgreSQL (progress bar), `sync`, `status`', load: async () => (await import('./commands/analytics.js')).default },
  backtest: { summary: 'Backtest a battery strategy over a price file (perfect, persistence, rolling, forecast:<model>)', load: async () => (await import('./commands/backtest.js')).default },
};

function help(): string {
  const rows = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(16)} ${c.summary}`);
  return `OptiBid: energy-market bidding platform\n\nUsage: optibid <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun \`optibid <command> --help\` for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 1;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`optibid: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${command.summary}\n\nUsage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof CliUsageError) {
      console.error(`optibid ${name}: ${err.message}\n\nUsage: ${command.usage}`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof AppError) {
      console.error(`optibid ${name}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: Error) => {
    console.error(`optibid: ${err.stack ?? err.message}`);
    process.exitCode = 1;
  },
);
