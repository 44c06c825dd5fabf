/** `optibid bids export`: an organisation's submitted/accepted ERCOT offers for a day as EWS BidSet XML. */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/index.js';
import { AppError } from '../../http/errors.js';
import { createServices, type Services } from '../../services.js';
import { CliUsageError, formatOptions, parseArgs, type CliCommand, type OptionSpec } from '../args.js';

const TRANSACTIONS = ['ThreePartOffer', 'EnergyBid', 'ASOffer'] as const;

const exportSpec: Record<string, OptionSpec> = {
  market: { type: 'string', required: true, description: 'ISO (ERCOT only: EWS BidSet)' },
  date: { type: 'string', required: true, description: 'delivery (operating) day, YYYY-MM-DD' },
  organization: { type: 'string', required: true, description: 'organisation name or id' },
  transaction: { type: 'string', description: 'only this BidSet: ThreePartOffer, EnergyBid or ASOffer (stdout: the XML alone)' },
  out: { type: 'string', description: 'write the XML documents instead of printing JSON: FILE for one, FILE-<transaction>.xml for each when several' },
};

const USAGE = `optibid bids export --market ERCOT --date YYYY-MM-DD --organization <name|id> [--transaction <type>] [--out FILE]

Prints the export as JSON (documents with their XML, resource names, issues) on stdout, or
writes the XML documents with --out. Submitted and accepted day-ahead bids only.

${formatOptions(exportSpec)}`;

/** Where each document goes with --out: the file itself for one document, FILE-<transaction>.xml for each of several. */
export function outPaths(out: string, transactions: readonly string[]): string[] {
  if (transactions.length === 1) return [out];
  const stem = out.replace(/\.xml$/i, '');
  return transactions.map((t) => `${stem}-${t}.xml`);
}

/** The command's work on open services; returns what it printed or wrote (tests call it in-process). */
export async function bidsExport(ctx: Services, o: { market: string; date: string; organization: string; transaction?: string; out?: string }): Promise<{ stdout: string; written: string[] }> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.date)) throw new CliUsageError(`--date must be YYYY-MM-DD (got ${o.date})`);
  if (o.transaction !== undefined && !(TRANSACTIONS as readonly string[]).includes(o.transaction))
    throw new CliUsageError(`--transaction must be one of ${TRANSACTIONS.join(', ')}`);
  const org = /^[0-9a-f-]{36}$/i.test(o.organization)
    ? await ctx.repos.accounts.findOrganization(o.organization)
    : await ctx.repos.accounts.findOrganizationByName(o.organization);
  if (!org) throw new AppError(404, 'not_found', `organisation ${o.organization} not found`);
  const result = await ctx.trading.exports.export(org.id, o.market, o.date);
  const docs = o.transaction ? result.documents.filter((d) => d.transaction === o.transaction) : result.documents;
  if (docs.length === 0) throw new AppError(404, 'not_found', `no ${o.transaction} document for ${o.date} (this day has: ${result.documents.map((d) => d.transaction).join(', ')})`);
  if (o.out) {
    const paths = outPaths(o.out, docs.map((d) => d.transaction));
    docs.forEach((d, i) => {
      fs.mkdirSync(path.dirname(path.resolve(paths[i]!)), { recursive: true });
      fs.writeFileSync(paths[i]!, d.xml);
    });
    const summary = { organization_id: org.id, delivery_date: o.date, form: result.form, written: docs.map((d, i) => ({ transaction: d.transaction, file: paths[i] })), resources: result.resources, issues: result.issues };
    return { stdout: JSON.stringify(summary, null, 2), written: paths };
  }
  if (o.transaction) return { stdout: docs[0]!.xml, written: [] };
  return { stdout: JSON.stringify({ organization_id: org.id, ...result }, null, 2), written: [] };
}

const exportCommand: CliCommand = {
  name: 'bids export',
  summary: "Export an organisation's submitted ERCOT energy and AS offers for one day as EWS BidSet XML",
  usage: USAGE,
  async run(argv) {
    const { options } = parseArgs(argv, exportSpec);
    const ctx = await createServices(loadConfig());
    try {
      const r = await bidsExport(ctx, {
        market: String(options.market),
        date: String(options.date),
        organization: String(options.organization),
        transaction: options.transaction === undefined ? undefined : String(options.transaction),
        out: options.out === undefined ? undefined : String(options.out),
      });
      process.stdout.write(r.stdout.endsWith('\n') ? r.stdout : `${r.stdout}\n`);
      return 0;
    } finally {
      await ctx.close();
    }
  },
};

/** `optibid bids <subcommand>`. */
const bidsCommand: CliCommand = {
  name: 'bids',
  summary: 'Bids: `bids export` (ERCOT EWS BidSet XML of a day\'s submitted offers)',
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== 'export') throw new CliUsageError(`unknown bids subcommand ${JSON.stringify(sub ?? '')}; expected export`);
    return exportCommand.run(rest);
  },
};

export default bidsCommand;
