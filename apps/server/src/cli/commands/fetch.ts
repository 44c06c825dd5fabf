/**
 * `optibid fetch <market> <dataset> --from --to`: asks the ISO for market-local days (`--to`
 * inclusive), skips the days the fetch records mark complete, shows a progress bar over the
 * downloads and prints what it stored.
 */
import { isYmd, parseIsoId } from '@optibid/core';
import { loadConfig } from '../../config/index.js';
import { FETCH_DATASETS, type FetchDataset } from '../../modules/market-feed/index.js';
import { createServices } from '../../services.js';
import { CliUsageError, formatOptions, parseArgs, type CliCommand, type OptionSpec } from '../args.js';
import { ProgressBar } from '../progress.js';

const MAX_DAYS = 3660;

const spec: Record<string, OptionSpec> = {
  from: { type: 'string', required: true, description: 'first market-local day, YYYY-MM-DD' },
  to: { type: 'string', required: true, description: 'last market-local day (inclusive), YYYY-MM-DD' },
  force: { type: 'boolean', description: 'fetch days already complete again (to pick up ISO corrections)' },
  json: { type: 'boolean', description: 'print the report as JSON' },
};

export const fetchCommand: CliCommand = {
  name: 'fetch',
  summary: 'Fetch prices, AS prices or load forecasts from an ISO for a range of market-local days',
  usage: `optibid fetch <market> <dataset> --from YYYY-MM-DD --to YYYY-MM-DD\n\n  market: PJM, CAISO, ERCOT, NYISO, MISO, SPP, ISONE\n  dataset: ${FETCH_DATASETS.join(', ')}\n\n${formatOptions(spec)}`,
  async run(argv) {
    const { options, positionals } = parseArgs(argv, spec);
    if (positionals.length !== 2) throw new CliUsageError(positionals.length < 2 ? 'name a market and a dataset' : `unexpected argument "${positionals[2]}"`);
    const market = parseIsoId(positionals[0]!);
    if (!market) throw new CliUsageError(`unknown market "${positionals[0]}"`);
    const dataset = positionals[1] as FetchDataset;
    if (!FETCH_DATASETS.includes(dataset)) throw new CliUsageError(`unknown dataset "${positionals[1]}"; datasets: ${FETCH_DATASETS.join(', ')}`);
    const from = String(options.from);
    const to = String(options.to);
    for (const [name, v] of [['from', from], ['to', to]] as const) if (!isYmd(v)) throw new CliUsageError(`--${name} must be a date YYYY-MM-DD, got "${v}"`);
    if (to < from) throw new CliUsageError('--to is before --from');
    if ((Date.parse(to) - Date.parse(from)) / 86_400_000 >= MAX_DAYS) throw new CliUsageError(`at most ${MAX_DAYS} days per run`);
    const ctx = await createServices(loadConfig());
    try {
      const { service } = ctx.marketFeed;
      const why = service.unavailable(market, dataset);
      if (why) {
        console.error(`optibid fetch: ${market} ${dataset}: ${why}`);
        return 1;
      }
      const bar = new ProgressBar(`fetch ${market} ${dataset}`, 1);
      const report = await service.fetchDays(market, dataset, from, to, {
        trigger: 'cli',
        force: Boolean(options.force),
        onProgress: (done, total, note) => {
          bar.setTotal(Math.max(total, 1));
          bar.update(done, note);
        },
      });
      bar.done();
      if (options.json) console.log(JSON.stringify(report, null, 2));
      else {
        const what = dataset === 'load-forecast' ? 'forecast hours' : dataset === 'as-prices' ? 'AS price intervals (zone × product × hour)' : 'price intervals';
        console.log(`${market} ${dataset} ${from} … ${to}: ${report.days_requested} days, ${report.days_skipped.length} already complete (skipped), ${report.downloads} downloads`);
        console.log(`stored ${what}: ${report.inserted} inserted, ${report.updated} updated, ${report.unchanged} unchanged, ${report.rejected} rejected`);
        console.log(`complete: ${report.days_complete.length} days${report.days_complete.length ? ` (${report.days_complete[0]} … ${report.days_complete[report.days_complete.length - 1]})` : ''}`);
        for (const d of report.days_incomplete) console.log(`incomplete ${d.day}: ${d.reason}`);
      }
      return report.days_incomplete.length > 0 ? 1 : 0;
    } finally {
      await ctx.close();
    }
  },
};
