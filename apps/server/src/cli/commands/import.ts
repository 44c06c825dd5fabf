/**
 * `optibid import <files or folders…>`: ISO price files into the shared market, with a progress bar.
 * Each file is parsed in the compute pool and stored whole (rows, import record and audit row in one
 * transaction) or refused with its reason, under the same import limits as an upload.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PRICE_FORMAT_IDS } from '@optibid/core';
import { loadConfig } from '../../config/index.js';
import { createServices } from '../../services.js';
import { CliUsageError, formatOptions, parseArgs, type CliCommand, type OptionSpec } from '../args.js';
import { ProgressBar } from '../progress.js';

const spec: Record<string, OptionSpec> = {
  format: { type: 'string', description: `skip detection: ${PRICE_FORMAT_IDS.join(', ')}` },
  market: { type: 'string', description: 'market for files that do not say (epftoolbox, tidy CSV)' },
  location: { type: 'string', description: 'location for single-series files (epftoolbox)' },
  run: { type: 'string', description: 'DA, RT5, RT15 or RTH, for files that do not say' },
  json: { type: 'boolean', description: 'print the full report as JSON' },
};

function collect(inputs: string[]): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new CliUsageError(`no such file or folder: ${input}`);
    if (fs.statSync(input).isDirectory()) {
      for (const entry of fs.readdirSync(input).sort()) {
        const p = path.join(input, entry);
        if (fs.statSync(p).isDirectory()) out.push(...collect([p]));
        else if (!/^readme/i.test(entry) && !entry.startsWith('.')) out.push(p);
      }
    } else out.push(input);
  }
  return out;
}

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Import ISO price files or folders (format detected from the content)',
  usage: `optibid import <files or folders…> [--format] [--market] [--location] [--run]\n\n${formatOptions(spec)}`,
  async run(argv) {
    const { options, positionals } = parseArgs(argv, spec);
    if (positionals.length === 0) throw new CliUsageError('name at least one file or folder');
    if (options.run && !['DA', 'RT5', 'RT15', 'RTH'].includes(String(options.run))) throw new CliUsageError('--run must be DA, RT5, RT15 or RTH');
    const files = collect(positionals);
    if (files.length === 0) throw new CliUsageError('no files found');
    const ctx = await createServices(loadConfig());
    try {
      const bar = new ProgressBar('import', files.length);
      const report = await ctx.imports.importFiles(
        // Each file is read when its turn comes, within the same limits as an upload (IMPORT_MAX_FILE_MB, decompression).
        files.map((f) => ({ name: path.basename(f), size: fs.statSync(f).size, read: () => new Uint8Array(fs.readFileSync(f)) })),
        {
          format: options.format as string | undefined,
          market: options.market as string | undefined,
          location: options.location as string | undefined,
          run: options.run as 'DA' | undefined,
        },
        { organization_id: null, user_id: null, origin: 'cli' },
        // The operator's import writes the shared market.
        null,
        (done, _total, file) => bar.update(done, path.basename(file)),
      );
      bar.done();
      if (options.json) console.log(JSON.stringify(report, null, 2));
      else {
        for (const f of report.files) console.log(`${f.file}: ${f.format}, ${f.rows} rows → ${f.inserted} inserted, ${f.updated} updated, ${f.unchanged} unchanged, ${f.rejected} rejected`);
        for (const r of report.rejections.slice(0, 20)) console.log(`  rejected ${r.file}:${r.line}: ${r.reason}`);
        if (report.rejections.length > 20) console.log(`  … ${report.rejected - 20} more rejections (use --json for all)`);
        for (const r of report.refused) console.error(`refused ${r.file}: ${r.reason}`);
        console.log(`total: ${report.inserted} inserted, ${report.updated} updated, ${report.unchanged} unchanged, ${report.rejected} rejected, ${report.refused.length} files refused`);
      }
      return report.refused.length > 0 && report.files.length === 0 ? 1 : 0;
    } finally {
      await ctx.close();
    }
  },
};
