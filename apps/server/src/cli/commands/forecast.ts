/**
 * `optibid forecast evaluate|models`: walk-forward evaluation of a day-ahead price model
 * on a file (epftoolbox CSV or our tidy price CSV), the test days split across worker
 * threads. The same module is the worker's entry point (see `runWorker`).
 */
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  createForecastModel,
  detectFormat,
  getMarket,
  evaluateForecastDays,
  forecastDatasetFromHourly,
  forecastDatasetFromTidyRows,
  forecastDayIndex,
  forecastResultsMetrics,
  listForecastModels,
  mergeForecastResults,
  splitForecastDays,
  type ForecastDataset,
  type ForecastDayResult,
  type ForecastPointModel,
} from '@optibid/core';
import { CliUsageError, formatOptions, parseArgs, type CliCommand, type OptionSpec } from '../args.js';
import { ProgressBar } from '../progress.js';
import { priceDatasetWithExogenous, readPriceSeries } from '../price-data.js';

const spec: Record<string, OptionSpec> = {
  data: { type: 'string', required: true, multiple: true, description: 'price file or folder in any format the importers read (repeatable), or an epftoolbox / tidy CSV; optionally .gz' },
  'test-start': { type: 'string', required: true, description: 'first test day YYYY-MM-DD (market-local)' },
  'test-end': { type: 'string', description: 'last test day (default: last day of the data)' },
  model: { type: 'string', default: 'default', description: 'naive | weekly-naive | lear:<days> | lear-ensemble | … (see `optibid forecast models`)' },
  out: { type: 'string', description: 'write per-hour forecasts with P10/P50/P90 (and ensemble members) to this CSV' },
  workers: { type: 'string', default: '2', description: 'worker threads (test days split in contiguous chunks)' },
  location: { type: 'string', description: 'the location to use (required if the data has several)' },
  run: { type: 'string', description: 'price run for ISO files holding several: DA (default) or RTH' },
  'exogenous-file': { type: 'string', multiple: true, description: 'load-forecast file[:column] (repeatable), e.g. an EIA-930 file (column default: forecast demand (MW))' },
  timezone: { type: 'string', default: 'UTC', description: 'tidy CSV: IANA time zone of the market days' },
  exogenous: { type: 'string', description: 'tidy CSV: comma-separated exogenous forecast columns' },
};

const USAGE = `optibid forecast evaluate --data <file or folder>… [--location] [--run] [--exogenous-file <file>[:<column>]]… --test-start <date> [--test-end <date>] [--model <spec>] [--out forecasts.csv] [--workers 2]
       optibid forecast models

${formatOptions(spec)}`;

interface WorkerInput { kind: 'optibid-forecast-worker'; data: ForecastDataset; model: string; days: number[]; warmup: boolean }
type WorkerMessage =
  | { type: 'progress'; done: number }
  | { type: 'result'; results: ForecastDayResult[]; members: Record<string, Float64Array>[] }
  | { type: 'error'; message: string };

/** Reads a price file into a forecast dataset (format detected from the header). */
export function readForecastDataset(file: string, opts: { location?: string; timezone?: string; exogenous?: string[] } = {}): ForecastDataset {
  let buf = fs.readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  const lines = buf.toString('utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]!.split(',').map((h) => h.trim());
  const rows = lines.slice(1).map((l) => l.split(','));
  const col = (name: string) => header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
  if (col('interval_start_utc') >= 0) {
    const loc = col('location');
    const priceCol = col('lmp') >= 0 ? col('lmp') : col('spp') >= 0 ? col('spp') : col('price');
    if (priceCol < 0) throw new CliUsageError('tidy CSV needs an lmp (or spp/price) column');
    const locations = loc >= 0 ? [...new Set(rows.map((r) => r[loc]!))] : [];
    if (locations.length > 1 && !opts.location) throw new CliUsageError(`the file has ${locations.length} locations: pick one with --location (${locations.slice(0, 5).join(', ')}…)`);
    const exo = (opts.exogenous ?? []).map((name) => {
      const i = col(name);
      if (i < 0) throw new CliUsageError(`no column ${name}`);
      return i;
    });
    const selected = rows.filter((r) => !opts.location || r[loc] === opts.location);
    if (selected.length === 0) throw new CliUsageError(`no rows for location ${opts.location}`);
    return forecastDatasetFromTidyRows(
      selected.map((r) => ({ interval_start_utc: r[col('interval_start_utc')]!, price: Number(r[priceCol]), exogenous: exo.map((i) => Number(r[i])) })),
      opts.timezone ?? 'UTC',
      opts.exogenous ?? [],
    );
  }
  // epftoolbox layout: local hour-beginning timestamp, price, exogenous columns
  return forecastDatasetFromHourly(
    rows.map((r) => r[0]!.trim()),
    rows.map((r) => Number(r[1])),
    header.slice(2).map((_, k) => rows.map((r) => Number(r[k + 2]))),
    header.slice(2),
  );
}

/**
 * An epftoolbox or tidy CSV alone keeps its historical reading (exogenous columns from the
 * file, --timezone); anything else goes through the importers, with --exogenous-file columns.
 */
function loadEvaluationData(options: Record<string, string | boolean | string[] | undefined>): ForecastDataset {
  const inputs = options.data as string[];
  const exoFiles = (options['exogenous-file'] as string[] | undefined) ?? [];
  if (options.run && !['DA', 'RTH'].includes(String(options.run))) throw new CliUsageError('--run must be DA or RTH (hourly prices)');
  const single = inputs.length === 1 && fs.existsSync(inputs[0]!) && fs.statSync(inputs[0]!).isFile() ? inputs[0]! : null;
  const simple = single && !exoFiles.length && !options.run ? detectFormat(new Uint8Array(fs.readFileSync(single))) : undefined;
  if (single && (simple === 'epftoolbox' || simple === 'gridstatus_lmp')) {
    return readForecastDataset(single, {
      location: options.location as string | undefined,
      timezone: String(options.timezone),
      exogenous: options.exogenous ? String(options.exogenous).split(',').map((s) => s.trim()) : undefined,
    });
  }
  if (options.exogenous) throw new CliUsageError('--exogenous names columns of a tidy CSV; for ISO files use --exogenous-file');
  const series = readPriceSeries(inputs, { location: options.location as string | undefined, run: options.run as 'DA' | 'RTH' | undefined });
  if (exoFiles.length === 0) {
    const tz = getMarket(series.market).timezone;
    return forecastDatasetFromTidyRows(series.rows.map((r) => ({ interval_start_utc: r.interval_start, price: r.lmp_usd_per_mwh })), tz);
  }
  const { dataset, filled_hours } = priceDatasetWithExogenous(series, exoFiles);
  if (filled_hours) process.stderr.write(`exogenous: ${filled_hours} missing forecast hours filled from the same hour of an earlier day\n`);
  return dataset;
}

function runChunk(input: WorkerInput, onProgress: (done: number) => void) {
  const model = createForecastModel(input.model);
  const members: Record<string, Float64Array>[] = [];
  const results = evaluateForecastDays(input.data, trackMembers(model, members), input.days, {
    quantile_warmup: input.warmup,
    onProgress: (done) => onProgress(done),
  });
  return { results, members: members.slice(-results.length) };
}

/** Records ensemble members' forecasts (for --out) as the model runs. */
function trackMembers(model: ForecastPointModel, sink: Record<string, Float64Array>[]): ForecastPointModel {
  return {
    name: model.name,
    min_history_days: model.min_history_days,
    forecastDay(h) {
      const f = model.forecastDay(h);
      const m = (model as { last_members?: Record<string, Float64Array> }).last_members;
      sink.push(m ? { ...m } : {});
      return f;
    },
  };
}

function runWorker(): void {
  const input = workerData as WorkerInput;
  try {
    let last = 0;
    const out = runChunk(input, (done) => {
      if (done - last >= 1) { parentPort!.postMessage({ type: 'progress', done: done - last } satisfies WorkerMessage); last = done; }
    });
    parentPort!.postMessage({ type: 'result', ...out } satisfies WorkerMessage);
  } catch (err) {
    parentPort!.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) } satisfies WorkerMessage);
  }
}

if (!isMainThread && (workerData as WorkerInput | undefined)?.kind === 'optibid-forecast-worker') runWorker();

async function evaluate(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, spec);
  if (positionals.length) throw new CliUsageError(`unexpected argument "${positionals[0]}" (name data files with --data)`);
  const data = loadEvaluationData(options);
  const modelSpec = String(options.model);
  const probe = createForecastModel(modelSpec); // validates the spec early
  const start = forecastDayIndex(data, String(options['test-start']));
  if (start < 0) throw new CliUsageError(`--test-start ${options['test-start']} is not a day of the data (${data.dates[0]} … ${data.dates.at(-1)})`);
  const end = options['test-end'] ? forecastDayIndex(data, String(options['test-end'])) : data.dates.length - 1;
  if (end < start) throw new CliUsageError(`--test-end ${options['test-end']} is not a day of the data on or after --test-start`);
  if (start < probe.min_history_days) throw new CliUsageError(`${modelSpec} needs ${probe.min_history_days} days of history before the test start; the data has ${start}`);
  const workers = Math.max(1, Math.min(Number(options.workers) || 1, 16));
  const days = Array.from({ length: end - start + 1 }, (_, i) => start + i);
  const chunks = splitForecastDays(days, workers);
  const warmup = Boolean(options.out);
  const bar = new ProgressBar(`forecast ${modelSpec}`, days.length);
  const t0 = performance.now();
  let parts: { results: ForecastDayResult[]; members: Record<string, Float64Array>[] }[];
  if (chunks.length === 1) {
    parts = [runChunk({ kind: 'optibid-forecast-worker', data, model: modelSpec, days: chunks[0]!, warmup }, () => bar.tick())];
  } else {
    parts = await Promise.all(chunks.map((chunk) => new Promise<(typeof parts)[number]>((resolve, reject) => {
      const w = new Worker(new URL(import.meta.url), {
        workerData: { kind: 'optibid-forecast-worker', data, model: modelSpec, days: chunk, warmup } satisfies WorkerInput,
      });
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') bar.tick(m.done);
        else if (m.type === 'result') { resolve({ results: m.results, members: m.members }); void w.terminate(); }
        else reject(new Error(`forecast worker failed: ${m.message}`));
      });
      w.on('error', reject);
      w.on('exit', (code) => { if (code !== 0) reject(new Error(`forecast worker exited with code ${code}`)); });
    })));
  }
  const seconds = (performance.now() - t0) / 1000;
  bar.done();
  const results = mergeForecastResults(parts.map((p) => p.results));
  const members = parts.flatMap((p) => p.results.map((r, i) => ({ day: r.day, m: p.members[i] ?? {} }))).sort((a, b) => a.day - b.day).map((x) => x.m);
  const metrics = forecastResultsMetrics(results);
  if (options.out) writeForecastCsv(String(options.out), results, members);
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  console.log(JSON.stringify({
    model: modelSpec,
    test_start: data.dates[start],
    test_end: data.dates[end],
    days: metrics.days,
    mae: round(metrics.mae),
    rmse: round(metrics.rmse),
    smape: round(metrics.smape),
    mape: round(metrics.mape),
    rmae: round(metrics.rmae),
    seconds: Math.round(seconds * 100) / 100,
  }));
  return 0;
}

function writeForecastCsv(file: string, results: ForecastDayResult[], members: Record<string, Float64Array>[]): void {
  const names = Object.keys(members[0] ?? {});
  const lines = [['date', 'hour', 'actual', 'forecast', 'p10', 'p50', 'p90', ...names].join(',')];
  results.forEach((r, i) => {
    for (let h = 0; h < 24; h++) {
      const vals = [r.actual[h], r.point[h], r.p10[h], r.p50[h], r.p90[h], ...names.map((n) => members[i]?.[n]?.[h])];
      lines.push([r.date, h, ...vals.map((v) => (v === undefined ? '' : Number(v.toFixed(4))))].join(','));
    }
  });
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

const forecastCommand: CliCommand = {
  name: 'forecast',
  summary: 'Day-ahead price forecasting: walk-forward evaluation (benchmark metrics) and the model list',
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'models') {
      for (const m of listForecastModels()) console.log(`${m.spec.padEnd(24)} ${m.description}`);
      return 0;
    }
    if (sub === 'evaluate') return evaluate(rest);
    throw new CliUsageError(sub ? `unknown forecast sub-command "${sub}"` : 'name a sub-command: evaluate or models');
  },
};

export default forecastCommand;
