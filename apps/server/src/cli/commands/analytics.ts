/**
 * `optibid analytics backfill | sync | status`: the analytics store (ClickHouse, ANALYTICS_URL).
 * The event log carries only new events, so a store started on an existing database is filled
 * by `backfill`: the whole shared market copied from PostgreSQL in key order, with a progress
 * bar; a running server then keeps it current (its sync every 30 s and the log's consumer).
 * Each also brings the settlement ledger (P&L) up to date: `backfill` settles every day
 * any organisation has awards on, `sync` the days whose inputs changed since its last sync.
 */
import { loadConfig } from '../../config/index.js';
import { createServices, type Services } from '../../services.js';
import { CliUsageError, parseArgs, type CliCommand } from '../args.js';
import { ProgressBar } from '../progress.js';

const SUBCOMMANDS = ['backfill', 'sync', 'status'] as const;
type Sub = (typeof SUBCOMMANDS)[number];

const USAGE = `optibid analytics backfill | sync | status   (needs ANALYTICS_URL)

  backfill  copy the whole shared market from PostgreSQL into ClickHouse (progress on stderr),
            then settle every awarded day into the P&L ledger; idempotent: rows already
            there are replaced by the same values
  sync      copy what PostgreSQL wrote since the last sync and settle the days whose
            settlement inputs changed (what a server does every 30 s)
  status    where the store is, its version, rows and last syncs (prices, P&L ledger)

Prints one JSON object. Organisations' own price series are never copied.`;

async function withServices<T>(fn: (ctx: Services & { analytics: NonNullable<Services['analytics']> }) => Promise<T>): Promise<T> {
  const config = loadConfig();
  if (!config.analyticsUrl) throw new CliUsageError('ANALYTICS_URL is not set: there is no analytics store to fill');
  const ctx = await createServices(config);
  try {
    return await fn(ctx as Services & { analytics: NonNullable<Services['analytics']> });
  } finally {
    await ctx.close();
  }
}

const analyticsCommand: CliCommand = {
  name: 'analytics',
  summary: 'The analytics store (ClickHouse): `analytics backfill` copies the shared market from PostgreSQL, `sync`, `status`',
  usage: USAGE,
  async run(argv) {
    const { positionals } = parseArgs(argv, {});
    const sub = positionals[0] as Sub | undefined;
    if (!sub || !SUBCOMMANDS.includes(sub)) throw new CliUsageError(`unknown analytics subcommand ${JSON.stringify(sub ?? '')}; expected ${SUBCOMMANDS.join(', ')}`);
    if (positionals.length > 1) throw new CliUsageError(`unexpected argument "${positionals[1]}"`);
    return withServices(async (ctx) => {
      const { prices, sync, pnl, pnlSync } = ctx.analytics;
      if (!(await prices.ensureSchema())) {
        console.error(`optibid analytics: ClickHouse at ${prices.store.address}: ${prices.lastFailure ?? 'not ready'}`);
        return 1;
      }
      if (sub === 'status') {
        const state = await prices.syncState(true);
        const pnlState = (await pnl.ensureSchema()) ? await pnl.syncState(true) : null;
        console.log(JSON.stringify({ store: prices.store.address, version: await prices.store.version(), intervals: await prices.store.count(), last_sync: state, pnl_last_sync: pnlState }, null, 2));
        return 0;
      }
      const bar = new ProgressBar(`analytics ${sub}`, 1);
      const report =
        sub === 'backfill'
          ? await sync.backfill((done, total) => {
              bar.setTotal(Math.max(total, 1));
              bar.update(done, `${done.toLocaleString('en-US')} rows`);
            })
          : await sync.run();
      bar.done();
      const pnlReport = sub === 'backfill' ? await pnlSync.backfill() : await pnlSync.run();
      console.log(JSON.stringify({ ...report, store: prices.store.address, intervals: await prices.store.count(), pnl: pnlReport }, null, 2));
      return 0;
    });
  },
};

export default analyticsCommand;
